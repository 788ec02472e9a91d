// Image preprocessing: bilinear resize of a crop of an RGB(A) u8 image to f32 NHWC [dstH][dstW][3], with a
// per-channel affine normalization, wasm SIMD128 (one pixel's channels per vector).
//
// Same ABI and the same f32 formula as u8-resize-bilinear-norm-f32-scalar.ts (TensorFlow ResizeBilinear,
// half_pixel_centers = true, align_corners = false), restated:
//   fy = (oy + 0.5)·(cropH / dstH) − 0.5;  y0 = clamp(floor(fy), 0, cropH − 1);  y1 = clamp(ceil(fy), 0, cropH − 1)
//   ly = fy − floor(fy); the same along x; top = P[y0][x0] + (P[y0][x1] − P[y0][x0])·lx; bottom likewise on y1;
//   v = top + (bottom − top)·ly;  dst[oy][ox][c] = v·scale_c + off_c for c ∈ {R, G, B}; alpha ignored.
// The four corner pixels are widened u8 → f32 as [R, G, B, (A or 0)] vectors; lane 3 is computed and dropped.
// Reads only the bytes of the pixels inside the crop (RGB pixels are read as 2 + 1 bytes, never 4), writes
// exactly dstH·dstW·3 floats.

/** Loads one pixel as f32x4 [R, G, B, A | 0] (A only when srcC == 4). */
// @ts-ignore: decorator
@inline function loadPixelF32(p: usize, rgba: bool): v128 {
  let v: v128;
  if (rgba) {
    v = v128.load32_zero(p);
  } else {
    v = v128.load16_lane(p, i32x4.splat(0), 0);
    v = v128.load8_lane(p, v, 2, 2);
  }
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v)));
}

/** Bilinear crop-resize of an RGB(A) u8 image to normalized f32 RGB (formula in the file header). */
export function u8_resize_bilinear_norm_f32_simd(
  src: usize, srcW: i32, srcH: i32, srcC: i32,
  cropX: i32, cropY: i32, cropW: i32, cropH: i32,
  dst: usize, dstW: i32, dstH: i32,
  scale0: f32, scale1: f32, scale2: f32,
  off0: f32, off1: f32, off2: f32,
): void {
  const scaleY = <f32>cropH / <f32>dstH;
  const scaleX = <f32>cropW / <f32>dstW;
  const srcRowBytes = <usize>srcW * <usize>srcC;
  const pixel = <usize>srcC;
  const rgba = srcC == 4;
  let vscale = f32x4.splat(0);
  vscale = f32x4.replace_lane(vscale, 0, scale0);
  vscale = f32x4.replace_lane(vscale, 1, scale1);
  vscale = f32x4.replace_lane(vscale, 2, scale2);
  let voff = f32x4.splat(0);
  voff = f32x4.replace_lane(voff, 0, off0);
  voff = f32x4.replace_lane(voff, 1, off1);
  voff = f32x4.replace_lane(voff, 2, off2);
  let o = dst;
  for (let oy = 0; oy < dstH; oy++) {
    const fy = (<f32>oy + 0.5) * scaleY - 0.5;
    const fyFloor = Mathf.floor(fy);
    let y0 = <i32>fyFloor;
    if (y0 < 0) y0 = 0;
    if (y0 > cropH - 1) y0 = cropH - 1;
    let y1 = <i32>Mathf.ceil(fy);
    if (y1 < 0) y1 = 0;
    if (y1 > cropH - 1) y1 = cropH - 1;
    const vly = f32x4.splat(fy - fyFloor);
    const row0 = src + <usize>(cropY + y0) * srcRowBytes + <usize>cropX * pixel;
    const row1 = src + <usize>(cropY + y1) * srcRowBytes + <usize>cropX * pixel;
    for (let ox = 0; ox < dstW; ox++) {
      const fx = (<f32>ox + 0.5) * scaleX - 0.5;
      const fxFloor = Mathf.floor(fx);
      let x0 = <i32>fxFloor;
      if (x0 < 0) x0 = 0;
      if (x0 > cropW - 1) x0 = cropW - 1;
      let x1 = <i32>Mathf.ceil(fx);
      if (x1 < 0) x1 = 0;
      if (x1 > cropW - 1) x1 = cropW - 1;
      const vlx = f32x4.splat(fx - fxFloor);
      const c0 = <usize>x0 * pixel;
      const c1 = <usize>x1 * pixel;
      const vtl = loadPixelF32(row0 + c0, rgba);
      const vtr = loadPixelF32(row0 + c1, rgba);
      const vbl = loadPixelF32(row1 + c0, rgba);
      const vbr = loadPixelF32(row1 + c1, rgba);
      const vtop = f32x4.add(vtl, f32x4.mul(f32x4.sub(vtr, vtl), vlx));
      const vbottom = f32x4.add(vbl, f32x4.mul(f32x4.sub(vbr, vbl), vlx));
      const v = f32x4.add(vtop, f32x4.mul(f32x4.sub(vbottom, vtop), vly));
      const vout = f32x4.add(f32x4.mul(v, vscale), voff);
      v128.store64_lane(o, vout, 0);
      v128.store32_lane(o, vout, 2, 8);
      o += 12;
    }
  }
}
