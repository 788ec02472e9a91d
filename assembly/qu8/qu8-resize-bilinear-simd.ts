// qu8 RESIZE_BILINEAR, wasm SIMD128: the float32 arithmetic of qu8-resize-bilinear-scalar (same ABI, same
// result bit for bit: the per-lane operations are the same IEEE float32 operations in the same order),
// 4 channels per step. The last partial channel group reads up to 3 bytes past a pixel (16 bytes of
// slack after the input); writes exactly the output rows [oy0, oy1).
import { resizeHi, resizeLo, resizePos, resizeScale } from "../q8/q8-resize";

// @ts-ignore: decorator
@inline function load4f(p: usize): v128 {
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
}

export function qu8_resize_bilinear_simd(
  inH: i32, inW: i32, channels: i32, input: usize,
  outH: i32, outW: i32, output: usize,
  oy0: i32, oy1: i32,
  alignCorners: i32, halfPixel: i32,
): void {
  const hs = resizeScale(inH, outH, alignCorners);
  const ws = resizeScale(inW, outW, alignCorners);
  const C = <usize>channels;
  const rowBytes = <usize>inW * C;
  const vhalf = f32x4.splat(0.5);
  for (let y = oy0; y < oy1; y++) {
    const iy = resizePos(y, hs, halfPixel);
    const y0 = resizeLo(iy);
    const y1 = resizeHi(iy, inH);
    const dy = iy - <f32>y0;
    let o = output + (<usize>y * <usize>outW) * C;
    for (let x = 0; x < outW; x++) {
      const ix = resizePos(x, ws, halfPixel);
      const x0 = resizeLo(ix);
      const x1 = resizeHi(ix, inW);
      const dx = ix - <f32>x0;
      const vs0 = f32x4.splat((<f32>1 - dy) * (<f32>1 - dx));
      const vs1 = f32x4.splat((<f32>1 - dy) * dx);
      const vs2 = f32x4.splat(dy * (<f32>1 - dx));
      const vs3 = f32x4.splat(dy * dx);
      const p00 = input + <usize>y0 * rowBytes + <usize>x0 * C;
      const p01 = input + <usize>y0 * rowBytes + <usize>x1 * C;
      const p10 = input + <usize>y1 * rowBytes + <usize>x0 * C;
      const p11 = input + <usize>y1 * rowBytes + <usize>x1 * C;
      for (let c: usize = 0; c < C; c += 4) {
        let v = f32x4.mul(load4f(p00 + c), vs0);
        v = f32x4.add(v, f32x4.mul(load4f(p01 + c), vs1));
        v = f32x4.add(v, f32x4.mul(load4f(p10 + c), vs2));
        v = f32x4.add(v, f32x4.mul(load4f(p11 + c), vs3));
        v = f32x4.add(v, vhalf);
        const vi = i32x4.trunc_sat_f32x4_s(v);
        const v16 = i16x8.narrow_i32x4_s(vi, vi);
        const v8 = i8x16.narrow_i16x8_u(v16, v16);
        const rem = C - c;
        if (rem >= 4) {
          v128.store32_lane(o + c, v8, 0);
        } else {
          let bits = i32x4.extract_lane(v8, 0);
          let q = o + c;
          if (rem & 2) {
            store<u16>(q, <u16>bits);
            bits >>>= 16;
            q += 2;
          }
          if (rem & 1) store<u8>(q, <u8>bits);
        }
      }
      o += C;
    }
  }
}
