// Image preprocessing: bilinear resize of a crop of an RGB(A) u8 image to f32 NHWC [dstH][dstW][3], with a
// per-channel affine normalization, wasm SIMD128 (one pixel's channels per vector).
//
// Same ABI and the same f32 formula as u8-resize-bilinear-norm-f32-scalar.ts (TensorFlow ResizeBilinear,
// half_pixel_centers = true, align_corners = false), restated:
//   fy = (oy + 0.5)·(cropH / dstH) − 0.5;  y0 = clamp(floor(fy), 0, cropH − 1);  y1 = clamp(ceil(fy), 0, cropH − 1)
//   ly = fy − floor(fy); the same along x; top = P[y0][x0] + (P[y0][x1] − P[y0][x0])·lx; bottom likewise on y1;
//   v = top + (bottom − top)·ly;  dst[oy][ox][c] = v·scale_c + off_c for c ∈ {R, G, B}; alpha ignored.
// Column coordinates are computed for 4 output pixels at once in f32x4 / i32x4 lanes; each output pixel
// then widens its two source pixel pairs u8 → u16 → f32 as [R, G, B, (A or 0)] vectors (lane 3 is
// computed and dropped). Reads only the bytes of the pixels inside the crop (RGB pixels are read as
// 2 + 1 bytes, never 4), writes exactly dstH·dstW·3 floats.

/** Loads pixels pA and pB as u16 lanes [A.R, A.G, A.B, A.A|0, B.R, B.G, B.B, B.A|0]. */
// @ts-ignore: decorator
@inline function loadPixelPairU16(pA: usize, pB: usize, rgba: bool): v128 {
  let v: v128;
  if (rgba) {
    v = v128.load32_zero(pA);
    v = v128.load32_lane(pB, v, 1);
  } else {
    v = v128.load16_lane(pA, i32x4.splat(0), 0);
    v = v128.load8_lane(pA, v, 2, 2);
    v = v128.load16_lane(pB, v, 2);
    v = v128.load8_lane(pB, v, 6, 2);
  }
  return i16x8.extend_low_i8x16_u(v);
}

/** One output pixel from row pointers, byte offsets of its two source columns and the lerp factors. */
// @ts-ignore: decorator
@inline function samplePixel(
  row0: usize, row1: usize, c0: usize, c1: usize, rgba: bool,
  vlx: v128, vly: v128, vscale: v128, voff: v128, o: usize,
): void {
  const vt = loadPixelPairU16(row0 + c0, row0 + c1, rgba);
  const vb = loadPixelPairU16(row1 + c0, row1 + c1, rgba);
  const vtl = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(vt));
  const vtr = f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(vt));
  const vbl = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(vb));
  const vbr = f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(vb));
  const vtop = f32x4.add(vtl, f32x4.mul(f32x4.sub(vtr, vtl), vlx));
  const vbottom = f32x4.add(vbl, f32x4.mul(f32x4.sub(vbr, vbl), vlx));
  const v = f32x4.add(vtop, f32x4.mul(f32x4.sub(vbottom, vtop), vly));
  const vout = f32x4.add(f32x4.mul(v, vscale), voff);
  v128.store64_lane(o, vout, 0);
  v128.store32_lane(o, vout, 2, 8);
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
  const vscaleX = f32x4.splat(scaleX);
  const vhalf = f32x4.splat(0.5);
  const vfour = f32x4.splat(4);
  const vzero = i32x4.splat(0);
  const vlastX = i32x4.splat(cropW - 1);
  const vpixel = i32x4.splat(srcC);
  let vox0 = f32x4.splat(0);
  vox0 = f32x4.replace_lane(vox0, 1, 1);
  vox0 = f32x4.replace_lane(vox0, 2, 2);
  vox0 = f32x4.replace_lane(vox0, 3, 3);
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
    // Column coordinates of 4 output pixels at a time, in f32x4 lanes (the same f32 operations as the
    // scalar formula, so the same results).
    let vox = vox0;
    for (let ox = 0; ox < dstW; ox += 4) {
      const vfx = f32x4.sub(f32x4.mul(f32x4.add(vox, vhalf), vscaleX), vhalf);
      const vfloor = f32x4.floor(vfx);
      const vx0 = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(vfloor), vzero), vlastX);
      const vx1 = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.ceil(vfx)), vzero), vlastX);
      const vc0 = i32x4.mul(vx0, vpixel);
      const vc1 = i32x4.mul(vx1, vpixel);
      const vlx = f32x4.sub(vfx, vfloor);
      samplePixel(row0, row1, <usize>i32x4.extract_lane(vc0, 0), <usize>i32x4.extract_lane(vc1, 0), rgba,
        v128.shuffle<f32>(vlx, vlx, 0, 0, 0, 0), vly, vscale, voff, o);
      if (ox + 1 < dstW) {
        samplePixel(row0, row1, <usize>i32x4.extract_lane(vc0, 1), <usize>i32x4.extract_lane(vc1, 1), rgba,
          v128.shuffle<f32>(vlx, vlx, 1, 1, 1, 1), vly, vscale, voff, o + 12);
      }
      if (ox + 2 < dstW) {
        samplePixel(row0, row1, <usize>i32x4.extract_lane(vc0, 2), <usize>i32x4.extract_lane(vc1, 2), rgba,
          v128.shuffle<f32>(vlx, vlx, 2, 2, 2, 2), vly, vscale, voff, o + 24);
      }
      if (ox + 3 < dstW) {
        samplePixel(row0, row1, <usize>i32x4.extract_lane(vc0, 3), <usize>i32x4.extract_lane(vc1, 3), rgba,
          v128.shuffle<f32>(vlx, vlx, 3, 3, 3, 3), vly, vscale, voff, o + 36);
      }
      vox = f32x4.add(vox, vfour);
      o += 48;
    }
    o -= <usize>((4 - (dstW & 3)) & 3) * 12; // the last group wrote dstW mod 4 pixels, not 4
  }
}
