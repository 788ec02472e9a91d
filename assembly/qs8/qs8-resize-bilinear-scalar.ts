// qs8 RESIZE_BILINEAR, scalar: TFLite's int8 kernel (reference_ops::ResizeBilinearInteger, also the
// optimized path): positions in 10-bit fixed point, scale_10 = ((1 << 10)·in + out/2) / out (or with
// in − 1, out − 1 under align_corners), half_pixel_centers: v·scale_10 + scale_10/2 − 512; the four
// corner products summed in int64 and divided by 2^20 rounding half away from zero.
// Same ABI as qu8_resize_bilinear_*.

// @ts-ignore: decorator
@inline function pos10(v: i32, s10: i32, halfPixel: i32): i32 {
  return halfPixel != 0 ? v * s10 + s10 / 2 - (1 << 9) : v * s10;
}

export function qs8_resize_bilinear_scalar(
  inH: i32, inW: i32, channels: i32, input: usize,
  outH: i32, outW: i32, output: usize,
  oy0: i32, oy1: i32,
  alignCorners: i32, halfPixel: i32,
): void {
  let hs = ((1 << 10) * inH + outH / 2) / outH;
  let ws = ((1 << 10) * inW + outW / 2) / outW;
  if (alignCorners != 0 && outH > 1) hs = ((1 << 10) * (inH - 1) + (outH - 1) / 2) / (outH - 1);
  if (alignCorners != 0 && outW > 1) ws = ((1 << 10) * (inW - 1) + (outW - 1) / 2) / (outW - 1);
  const C = <usize>channels;
  const rowBytes = <usize>inW * C;
  for (let y = oy0; y < oy1; y++) {
    const iy = pos10(y, hs, halfPixel);
    let y0 = iy / (1 << 10);
    if (y0 < 0) y0 = 0;
    let y1 = (iy + (1 << 10) - 1) / (1 << 10);
    if (y1 > inH - 1) y1 = inH - 1;
    const fy = <i64>(iy - (1 << 10) * y0);
    let o = output + (<usize>y * <usize>outW) * C;
    for (let x = 0; x < outW; x++) {
      const ix = pos10(x, ws, halfPixel);
      let x0 = ix / (1 << 10);
      if (x0 < 0) x0 = 0;
      let x1 = (ix + (1 << 10) - 1) / (1 << 10);
      if (x1 > inW - 1) x1 = inW - 1;
      const fx = <i64>(ix - (1 << 10) * x0);
      const p00 = input + <usize>y0 * rowBytes + <usize>x0 * C;
      const p01 = input + <usize>y0 * rowBytes + <usize>x1 * C;
      const p10 = input + <usize>y1 * rowBytes + <usize>x0 * C;
      const p11 = input + <usize>y1 * rowBytes + <usize>x1 * C;
      for (let c: usize = 0; c < C; c++) {
        const v: i64 = <i64>load<i8>(p00 + c) * (1024 - fy) * (1024 - fx)
          + <i64>load<i8>(p10 + c) * fy * (1024 - fx)
          + <i64>load<i8>(p01 + c) * (1024 - fy) * fx
          + <i64>load<i8>(p11 + c) * fy * fx;
        const round: i64 = v > 0 ? (1 << 19) : -(1 << 19);
        store<i8>(o + c, <i8>((v + round) / (1 << 20)));
      }
      o += C;
    }
  }
}
