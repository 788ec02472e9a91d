// Generic int8 dequantization, SIMD: out[i] = scale·(q − zp) in float32 (exact product, one rounding: the
// same value as TFLite's float(double(scale)·(q − zp))), 16 elements per step, scalar tail.
import { loadQ } from "./q8-scalar";
import { widenHiQ, widenLoQ } from "./q8-simd";

// @ts-ignore: decorator
@inline export function q8DequantizeSimd<T>(n: i32, input: usize, output: usize, scale: f32, zp: i32): void {
  const vscale = f32x4.splat(scale);
  const vzp = i16x8.splat(<i16>zp);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(input + <usize>i);
    const vlo = i16x8.sub(widenLoQ<T>(v), vzp);
    const vhi = i16x8.sub(widenHiQ<T>(v), vzp);
    const o = output + (<usize>i << 2);
    v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(vlo)), vscale));
    v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(vlo)), vscale), 16);
    v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(vhi)), vscale), 32);
    v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(vhi)), vscale), 48);
  }
  for (; i < n; i++) store<f32>(output + (<usize>i << 2), scale * <f32>(loadQ<T>(input + <usize>i) - zp));
}
