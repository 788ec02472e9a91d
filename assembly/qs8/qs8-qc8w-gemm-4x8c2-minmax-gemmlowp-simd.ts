// qs8-qc8w GEMM (1×1 convolution, FULLY_CONNECTED) with TFLite's int8 per-channel arithmetic: int8
// activations with zero point, int8 symmetric per-channel weights, 4×8 tile over k-pairs,
// i32x4.dot_i16x8_s, gemmlowp fixed-point requantization with a shift per channel, wasm SIMD128.
//
//   C[i][j] = clamp(MBQM(Σ_kk (A[i][kk] − aZp)·B[kk][j] + bias[j], mult[j], shift[j]) + outZp, qmin, qmax)
//
// Same ABI and packed layout as qu8_gemm_4x8c2_minmax_gemmlowp_simd with int8 A and C (packQGemm with
// weight zero point 0). Reproduces reference_integer_ops::ConvPerChannel / FullyConnectedPerChannel.
import { q8GemmSimd } from "../q8/q8-gemm-simd";
import { PER_CHANNEL_SHIFT } from "../q8/q8-flags";

export function qs8_qc8w_gemm_4x8c2_minmax_gemmlowp_simd(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize,
): void {
  q8GemmSimd<i8>(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax, wide, PER_CHANNEL_SHIFT);
}
