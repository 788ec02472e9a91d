// Named values of the boolean arguments of the q8 kernel bodies (q8GemmSimd, q8GemmScalar, q8DwconvSimd,
// q8DwconvScalar, q8Conv3x3HwcRows), so an exported kernel's call says which variant it is instead of passing
// `true, false, true`. The bodies are @inline and the values compile-time constants: asc folds the branches,
// exactly as with the literals.

/** Requantization: XNNPACK's float32 one (the `_fp32_` kernels). */
// @ts-ignore: decorator
@inline export const FP32: bool = true;
/** Requantization: TFLite's fixed-point gemmlowp one (the `_gemmlowp_` kernels). */
// @ts-ignore: decorator
@inline export const GEMMLOWP: bool = false;
/** gemmlowp SIMD requantization with a shift per output channel (qs8_qc8w: per-channel weight scales). */
// @ts-ignore: decorator
@inline export const PER_CHANNEL_SHIFT: bool = true;
/** gemmlowp SIMD requantization with one shift for every channel (qu8: per-tensor weight scales; and every fp32 kernel). */
// @ts-ignore: decorator
@inline export const UNIFORM_SHIFT: bool = false;
/** q8Conv3x3HwcRows: the SIMD path (widened taps + the SIMD GEMM), compiled only into SIMD builds. */
// @ts-ignore: decorator
@inline export const SIMD_PATH: bool = true;
/** q8Conv3x3HwcRows: the scalar path (im2col bytes + the scalar GEMM). */
// @ts-ignore: decorator
@inline export const SCALAR_PATH: bool = false;
