// Generic int8 elementwise ADD with XNNPACK's arithmetic (qu8/qs8-vadd, what TFLite's XNNPACK delegate runs):
//   out = clamp(((bias + a·aMult + b·bMult) >> shift) + outZp, qmin, qmax)      (arithmetic shift)
// with aMult = lrint(s_a/s_out · 2^shift), bMult likewise, shift = 20 − exponent(max(s_a/s_out, s_b/s_out)),
// bias = 2^(shift−1) − aMult·aZp − bMult·bZp (src/plan/requant.ts addParamsMulShift).
// params: Int32Array[8] = aMult, bMult, shift, bias, outZp, qmin, qmax, 0. out may alias a or b.

import { clampI32, loadQ } from "./q8-scalar";
import { narrowClamp, widenHiQ, widenLoQ } from "./q8-simd";

// @ts-ignore: decorator
@inline export function vaddMulShiftOne<T>(a: usize, b: usize, params: usize): i32 {
  const acc = load<i32>(params, 12) + loadQ<T>(a) * load<i32>(params, 0) + loadQ<T>(b) * load<i32>(params, 4);
  return clampI32((acc >> load<i32>(params, 8)) + load<i32>(params, 16), load<i32>(params, 20), load<i32>(params, 24));
}

// @ts-ignore: decorator
@inline export function q8VaddMulShiftScalar<T>(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  for (let i = 0; i < n; i++) store<u8>(out + <usize>i, <u8>vaddMulShiftOne<T>(a + <usize>i, b + <usize>i, params));
}

// @ts-ignore: decorator
@inline function ext4<T>(v16: v128, hi: bool): v128 {
  return hi ? i32x4.extend_high_i16x8_s(v16) : i32x4.extend_low_i16x8_s(v16);
}

// @ts-ignore: decorator
@inline export function q8VaddMulShiftSimd<T>(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  const vam = i32x4.splat(load<i32>(params, 0));
  const vbm = i32x4.splat(load<i32>(params, 4));
  const shift = load<i32>(params, 8);
  const vbias = i32x4.splat(load<i32>(params, 12));
  const vzp = i32x4.splat(load<i32>(params, 16));
  const vmin = i8x16.splat(<i8>load<i32>(params, 20));
  const vmax = i8x16.splat(<i8>load<i32>(params, 24));
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const va = v128.load(a + <usize>i);
    const vb = v128.load(b + <usize>i);
    const valo = widenLoQ<T>(va);
    const vahi = widenHiQ<T>(va);
    const vblo = widenLoQ<T>(vb);
    const vbhi = widenHiQ<T>(vb);
    const v0 = i32x4.add(i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(ext4<T>(valo, false), vam), i32x4.mul(ext4<T>(vblo, false), vbm))), shift), vzp);
    const v1 = i32x4.add(i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(ext4<T>(valo, true), vam), i32x4.mul(ext4<T>(vblo, true), vbm))), shift), vzp);
    const v2 = i32x4.add(i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(ext4<T>(vahi, false), vam), i32x4.mul(ext4<T>(vbhi, false), vbm))), shift), vzp);
    const v3 = i32x4.add(i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(ext4<T>(vahi, true), vam), i32x4.mul(ext4<T>(vbhi, true), vbm))), shift), vzp);
    v128.store(out + <usize>i, narrowClamp<T>(i16x8.narrow_i32x4_s(v0, v1), i16x8.narrow_i32x4_s(v2, v3), vmin, vmax));
  }
  for (; i < n; i++) store<u8>(out + <usize>i, <u8>vaddMulShiftOne<T>(a + <usize>i, b + <usize>i, params));
}
