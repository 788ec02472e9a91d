// qu8 RESIZE_BILINEAR, scalar: TFLite's uint8 kernel (optimized_ops::ResizeBilinear → 
// ResizeBilinearGenericSmallChannel<uint8_t>): float32 source positions and corner weights,
//   v = ((q00·w00 + q01·w01) + q10·w10) + q11·w11 + 0.5f, truncated (w = (1 − dy)(1 − dx), (1 − dy)dx, …)
// with scale = in/out, or (in − 1)/(out − 1) with align_corners; half_pixel_centers: (o + 0.5)·scale − 0.5.
// (TFLite's separate ×8 half-pixel uint8 fast path, depth % 8 = 0, is not reproduced.)
//
// input [inH][inW][channels] uint8; output rows oy ∈ [oy0, oy1) of [outH][outW][channels] at
// output + oy·outW·channels. Input and output share quantization (TFLite requires it).

import { resizeHi, resizeLo, resizePos, resizeScale } from "../q8/q8-resize";

export function qu8_resize_bilinear_scalar(
  inH: i32, inW: i32, channels: i32, input: usize,
  outH: i32, outW: i32, output: usize,
  oy0: i32, oy1: i32,
  alignCorners: i32, halfPixel: i32,
): void {
  const hs = resizeScale(inH, outH, alignCorners);
  const ws = resizeScale(inW, outW, alignCorners);
  const C = <usize>channels;
  const rowBytes = <usize>inW * C;
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
      const s0 = (<f32>1 - dy) * (<f32>1 - dx);
      const s1 = (<f32>1 - dy) * dx;
      const s2 = dy * (<f32>1 - dx);
      const s3 = dy * dx;
      const p00 = input + <usize>y0 * rowBytes + <usize>x0 * C;
      const p01 = input + <usize>y0 * rowBytes + <usize>x1 * C;
      const p10 = input + <usize>y1 * rowBytes + <usize>x0 * C;
      const p11 = input + <usize>y1 * rowBytes + <usize>x1 * C;
      for (let c: usize = 0; c < C; c++) {
        let v = <f32>load<u8>(p00 + c) * s0;
        v += <f32>load<u8>(p01 + c) * s1;
        v += <f32>load<u8>(p10 + c) * s2;
        v += <f32>load<u8>(p11 + c) * s3;
        v += <f32>0.5;
        const q = <i32>v;
        store<u8>(o + c, <u8>(q < 0 ? 0 : (q > 255 ? 255 : q)));
      }
      o += C;
    }
  }
}
