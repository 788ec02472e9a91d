// qu8 GEMM (1×1 convolution, FULLY_CONNECTED) with TFLite's uint8 arithmetic: 4×8 tile over k-pairs,
// i32x4.dot_i16x8_s, gemmlowp fixed-point requantization (one shift per tensor), wasm SIMD128.
//
//   C[i][j] = clamp(MBQM(Σ_kk (A[i][kk] − aZp)(B[kk][j] − bZp) + bias[j], mult, shift) + outZp, qmin, qmax)
//
// A [m][k] uint8 (row stride aStride bytes, every row readable 7 bytes past k); C [m][n] uint8
// (row stride cStride bytes); packed = packQGemm(B, k, n, aZp, convRequant(...)) with per-tensor weights
// (src/plan/pack-q.ts); wide: 8·kp bytes of scratch private to the calling thread (kp = k rounded up to 8),
// where the kernel widens A rows to int16. Reproduces reference_ops::Conv / FullyConnected (uint8). Layout
// and loop: assembly/q8/q8-gemm-simd.ts.
import { q8GemmSimd } from "../q8/q8-gemm-simd";
import { UNIFORM_SHIFT } from "../q8/q8-flags";

export function qu8_gemm_4x8c2_minmax_gemmlowp_simd(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize,
): void {
  q8GemmSimd<u8>(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax, wide, UNIFORM_SHIFT);
}
