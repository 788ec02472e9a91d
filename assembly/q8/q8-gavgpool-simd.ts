// Generic int8 global average pooling, SIMD: int32 sums of 16 channels per pass over the pixels (rows of
// the last partial group are read up to 15 bytes past the last pixel: 16 bytes of slack), then each
// channel is finished by poolFinish (q8-gavgpool-scalar.ts). Writes exactly `channels` bytes.

import { poolFinish } from "./q8-gavgpool-scalar";
import { widenHiQ, widenLoQ } from "./q8-simd";

// @ts-ignore: decorator
@inline function finish4<T>(vs: v128, out: usize, count: i32, params: usize): void {
  if (count > 0) store<u8>(out, <u8>poolFinish<T>(i32x4.extract_lane(vs, 0), params));
  if (count > 1) store<u8>(out, <u8>poolFinish<T>(i32x4.extract_lane(vs, 1), params), 1);
  if (count > 2) store<u8>(out, <u8>poolFinish<T>(i32x4.extract_lane(vs, 2), params), 2);
  if (count > 3) store<u8>(out, <u8>poolFinish<T>(i32x4.extract_lane(vs, 3), params), 3);
}

// @ts-ignore: decorator
@inline export function q8GavgpoolSimd<T>(pixels: i32, channels: i32, input: usize, output: usize, params: usize): void {
  const stride = <usize>channels;
  for (let c = 0; c < channels; c += 16) {
    let vs0 = i32x4.splat(0);
    let vs1 = vs0;
    let vs2 = vs0;
    let vs3 = vs0;
    let p = input + <usize>c;
    for (let i = 0; i < pixels; i++) {
      const v = v128.load(p);
      p += stride;
      const vlo = widenLoQ<T>(v);
      const vhi = widenHiQ<T>(v);
      vs0 = i32x4.add(vs0, i32x4.extend_low_i16x8_s(vlo));
      vs1 = i32x4.add(vs1, i32x4.extend_high_i16x8_s(vlo));
      vs2 = i32x4.add(vs2, i32x4.extend_low_i16x8_s(vhi));
      vs3 = i32x4.add(vs3, i32x4.extend_high_i16x8_s(vhi));
    }
    const count = channels - c;
    const o = output + <usize>c;
    finish4<T>(vs0, o, count, params);
    finish4<T>(vs1, o + 4, count - 4, params);
    finish4<T>(vs2, o + 8, count - 8, params);
    finish4<T>(vs3, o + 12, count - 12, params);
  }
}
