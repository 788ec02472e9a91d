// Image preprocessing: bilinear resize of a crop of an RGB(A) u8 image to f32 NHWC [dstH][dstW][3], with a
// per-channel affine normalization, scalar.
//
// Sampling follows TensorFlow ResizeBilinear with half_pixel_centers = true, align_corners = false
// (tensorflow/core/kernels/image/resize_bilinear_op.cc: HalfPixelScaler, compute_interpolation_weights,
// compute_lerp), on the crop rectangle [cropX, cropX + cropW) × [cropY, cropY + cropH), all in f32:
//
//   scaleY = cropH / dstH                 scaleX = cropW / dstW
//   fy = (oy + 0.5)·scaleY − 0.5          fx = (ox + 0.5)·scaleX − 0.5
//   y0 = max(floor(fy), 0)                y1 = min(ceil(fy), cropH − 1)        ly = fy − floor(fy)
//   x0 = max(floor(fx), 0)                x1 = min(ceil(fx), cropW − 1)        lx = fx − floor(fx)
//   (y0 and x0 are also clamped to cropH − 1 / cropW − 1; for fy < 0, y0 = y1 = 0 so ly has no effect)
//   top    = P[y0][x0] + (P[y0][x1] − P[y0][x0])·lx
//   bottom = P[y1][x0] + (P[y1][x1] − P[y1][x0])·lx
//   v      = top + (bottom − top)·ly
//   dst[oy][ox][c] = v·scale_c + off_c          (c = 0, 1, 2 → R, G, B; alpha is ignored)
//
// src: [srcH][srcW][srcC] u8, srcC ∈ {3, 4}; P[y][x] = src[cropY + y][cropX + x]. The crop must lie inside
// the image (cropW, cropH ≥ 1). Reads only pixels inside the crop; writes exactly dstH·dstW·3 floats.

/** Bilinear crop-resize of an RGB(A) u8 image to normalized f32 RGB (formula in the file header). */
export function u8_resize_bilinear_norm_f32_scalar(
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
    const ly = fy - fyFloor;
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
      const lx = fx - fxFloor;
      const p00 = row0 + <usize>x0 * pixel;
      const p01 = row0 + <usize>x1 * pixel;
      const p10 = row1 + <usize>x0 * pixel;
      const p11 = row1 + <usize>x1 * pixel;
      for (let c = 0; c < 3; c++) {
        const cc = <usize>c;
        const tl = <f32>load<u8>(p00 + cc);
        const tr = <f32>load<u8>(p01 + cc);
        const bl = <f32>load<u8>(p10 + cc);
        const br = <f32>load<u8>(p11 + cc);
        const top = tl + (tr - tl) * lx;
        const bottom = bl + (br - bl) * lx;
        const v = top + (bottom - top) * ly;
        const s = c == 0 ? scale0 : (c == 1 ? scale1 : scale2);
        const b = c == 0 ? off0 : (c == 1 ? off1 : off2);
        store<f32>(o + (cc << 2), v * s + b);
      }
      o += 12;
    }
  }
}
