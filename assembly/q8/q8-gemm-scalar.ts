// Generic int8 GEMM, scalar: the twin of q8-gemm-simd.ts (same ABI but the `wide` scratch, which the
// scalar loop does not need; same packed layout, same arithmetic).
// T = u8 (qu8) or i8 (qs8). Every output is bias' + Σ_kk A[i][kk]·w'[kk][j] in wrapping int32, then
// MultiplyByQuantizedMultiplier with that channel's packed (mult, lmul, rshift, rmask), + outZp, clamp
// (fp32 = true: XNNPACK's fp32 requantization with the packed float32 scale).
// A is read only up to column k − 1 (no slack needed); C exactly m × n.

import { clampI32, loadQ, mbqmPacked, requantFp32 } from "./q8-scalar";

// @ts-ignore: decorator
@inline export function q8GemmScalar<T>(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  fp32: bool = false,
): void {
  const minf = <f32>(qmin - outZp);
  const maxf = <f32>(qmax - outZp);
  const kp = (k + 7) & ~7;
  const panelBytes = <usize>(160 + 16 * kp);
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * <usize>aStride;
    const ci = c + <usize>i * <usize>cStride;
    let w = packed;
    for (let j0 = 0; j0 < n; j0 += 8) {
      const cols = n - j0 < 8 ? n - j0 : 8;
      for (let j = 0; j < cols; j++) {
        const pp = w + (<usize>j << 2);
        let acc = load<i32>(pp);
        let pw = w + 160 + (<usize>j << 2);
        for (let kk = 0; kk < k; kk += 2) {
          acc += loadQ<T>(ai + <usize>kk) * <i32>load<i16>(pw);
          if (kk + 1 < k) acc += loadQ<T>(ai + <usize>kk + 1) * <i32>load<i16>(pw, 2);
          pw += 32;
        }
        const v = fp32
          ? requantFp32(acc, load<f32>(pp, 32), minf, maxf, outZp)
          : mbqmPacked(acc, load<i32>(pp, 32), load<i32>(pp, 64), load<i32>(pp, 96), load<i32>(pp, 128)) + outZp;
        store<u8>(ci + <usize>(j0 + j), <u8>clampI32(v, qmin, qmax));
      }
      w += panelBytes;
    }
  }
}
