// int8 GEMM (1×1 convolution, FULLY_CONNECTED) with the relaxed-SIMD i8 dot product, for both families: the
// ABI of qs8_qc8w_gemm_4x8c2_minmax_fp32_simd plus `xor` (activation XOR in bits 0..7, output XOR in bits
// 8..15: uint8 layers run it in the int8 domain), over weights packed by packQGemmDot
// (assembly/q8/q8-gemm-simd.ts q8GemmDot). Relaxed modules only.
import { q8GemmDot } from "../q8/q8-gemm-simd";

export function qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize, xor: i32,
): void {
  q8GemmDot(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax, wide, xor);
}
