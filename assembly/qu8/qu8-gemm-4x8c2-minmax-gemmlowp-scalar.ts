// qu8 GEMM, scalar twin of qu8-gemm-4x8c2-minmax-gemmlowp-simd (same ABI, same packed layout, same
// arithmetic; A rows are read only up to column k − 1; `wide` is not used). See assembly/q8/q8-gemm-scalar.ts.
import { q8GemmScalar } from "../q8/q8-gemm-scalar";

export function qu8_gemm_4x8c2_minmax_gemmlowp_scalar(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize,
): void {
  q8GemmScalar<u8>(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax);
}
