// Generic int8 elementwise ADD with rescaling, SIMD (16 elements per step, scalar tail): the arithmetic of
// q8-vadd-scalar.ts on int32x4 lanes. out may alias a or b (each step reads before it writes).

import { mbqmUniformX4, narrowClamp, packZpI16, widenHiQ, widenLoQ } from "./q8-simd";
import { vaddOne } from "./q8-vadd-scalar";

// @ts-ignore: decorator
@inline export function q8VaddSimd<T>(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  const vazp = i16x8.splat(<i16>load<i32>(params, 0));
  const vbzp = i16x8.splat(<i16>load<i32>(params, 4));
  const vzp = i16x8.splat(<i16>load<i32>(params, 8));
  const ls = load<i32>(params, 12);
  const vam = i32x4.splat(load<i32>(params, 16));
  const ars = -load<i32>(params, 20);
  const vbm = i32x4.splat(load<i32>(params, 24));
  const brs = -load<i32>(params, 28);
  const vom = i32x4.splat(load<i32>(params, 32));
  const ors = -load<i32>(params, 36);
  const vmin = i8x16.splat(<i8>load<i32>(params, 40));
  const vmax = i8x16.splat(<i8>load<i32>(params, 44));
  const amask = (1 << ars) - 1;
  const bmask = (1 << brs) - 1;
  const omask = (1 << ors) - 1;
  const vamask = i32x4.splat(amask);
  const vahalf = i32x4.splat(amask >> 1);
  const vbmask = i32x4.splat(bmask);
  const vbhalf = i32x4.splat(bmask >> 1);
  const vomask = i32x4.splat(omask);
  const vohalf = i32x4.splat(omask >> 1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const va = v128.load(a + <usize>i);
    const vb = v128.load(b + <usize>i);
    const va16lo = i16x8.sub(widenLoQ<T>(va), vazp);
    const va16hi = i16x8.sub(widenHiQ<T>(va), vazp);
    const vb16lo = i16x8.sub(widenLoQ<T>(vb), vbzp);
    const vb16hi = i16x8.sub(widenHiQ<T>(vb), vbzp);
    const s0 = i32x4.add(
      mbqmUniformX4(i32x4.shl(i32x4.extend_low_i16x8_s(va16lo), ls), vam, 0, ars, vamask, vahalf),
      mbqmUniformX4(i32x4.shl(i32x4.extend_low_i16x8_s(vb16lo), ls), vbm, 0, brs, vbmask, vbhalf));
    const s1 = i32x4.add(
      mbqmUniformX4(i32x4.shl(i32x4.extend_high_i16x8_s(va16lo), ls), vam, 0, ars, vamask, vahalf),
      mbqmUniformX4(i32x4.shl(i32x4.extend_high_i16x8_s(vb16lo), ls), vbm, 0, brs, vbmask, vbhalf));
    const s2 = i32x4.add(
      mbqmUniformX4(i32x4.shl(i32x4.extend_low_i16x8_s(va16hi), ls), vam, 0, ars, vamask, vahalf),
      mbqmUniformX4(i32x4.shl(i32x4.extend_low_i16x8_s(vb16hi), ls), vbm, 0, brs, vbmask, vbhalf));
    const s3 = i32x4.add(
      mbqmUniformX4(i32x4.shl(i32x4.extend_high_i16x8_s(va16hi), ls), vam, 0, ars, vamask, vahalf),
      mbqmUniformX4(i32x4.shl(i32x4.extend_high_i16x8_s(vb16hi), ls), vbm, 0, brs, vbmask, vbhalf));
    const v = narrowClamp<T>(
      packZpI16(mbqmUniformX4(s0, vom, 0, ors, vomask, vohalf), mbqmUniformX4(s1, vom, 0, ors, vomask, vohalf), vzp),
      packZpI16(mbqmUniformX4(s2, vom, 0, ors, vomask, vohalf), mbqmUniformX4(s3, vom, 0, ors, vomask, vohalf), vzp),
      vmin, vmax);
    v128.store(out + <usize>i, v);
  }
  for (; i < n; i++) {
    store<u8>(out + <usize>i, <u8>vaddOne<T>(a + <usize>i, b + <usize>i, params));
  }
}
