// Generic int8 elementwise ADD with rescaling, scalar (TFLite 8-bit ADD, add.cc / reference_ops::Add):
//   x_k = (in_k − zp_k)·2^leftShift (20);  s_k = RDBP(SRDHM(x_k, mult_k), −shift_k)
//   out = clamp(RDBP(SRDHM(s_1 + s_2, outMult), −outShift) + outZp, qmin, qmax)
// params: Int32Array[12] = aZp, bZp, outZp, leftShift, aMult, aShift, bMult, bShift, outMult, outShift,
// qmin, qmax (src/plan/requant.ts addParams → packAddParams; shifts ≤ 0 as TFLite stores them).

import { clampI32, loadQ, mbqm } from "./q8-scalar";

/** One element (shared by the SIMD kernels' tails). */
// @ts-ignore: decorator
@inline export function vaddOne<T>(a: usize, b: usize, params: usize): i32 {
  const ls = load<i32>(params, 12);
  const x1 = (loadQ<T>(a) - load<i32>(params, 0)) << ls;
  const x2 = (loadQ<T>(b) - load<i32>(params, 4)) << ls;
  const s1 = mbqm(x1, load<i32>(params, 16), load<i32>(params, 20));
  const s2 = mbqm(x2, load<i32>(params, 24), load<i32>(params, 28));
  const r = mbqm(s1 + s2, load<i32>(params, 32), load<i32>(params, 36)) + load<i32>(params, 8);
  return clampI32(r, load<i32>(params, 40), load<i32>(params, 44));
}

// @ts-ignore: decorator
@inline export function q8VaddScalar<T>(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  for (let i = 0; i < n; i++) {
    store<u8>(out + <usize>i, <u8>vaddOne<T>(a + <usize>i, b + <usize>i, params));
  }
}
