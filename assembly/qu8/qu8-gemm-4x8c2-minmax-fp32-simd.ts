// qu8 GEMM (1×1 convolution, FULLY_CONNECTED), wasm SIMD128: the ABI, packed layout and
// loop of qu8_gemm_4x8c2_minmax_gemmlowp_simd with fp32 requantization as XNNPACK (and so TFLite with its default XNNPACK delegate) computes it: out = clamp(rne(float(acc)·scale[c]), qmin − zp, qmax − zp) + zp, scale = float(float(s_in·s_w[c]) / s_out) (convScalesFp32), packed with the fp32 scales in the requantization block's mult words.
import { q8GemmSimd } from "../q8/q8-gemm-simd";
import { FP32, UNIFORM_SHIFT } from "../q8/q8-flags";

export function qu8_gemm_4x8c2_minmax_fp32_simd(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize,
): void {
  q8GemmSimd<u8>(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax, wide, UNIFORM_SHIFT, FP32);
}
