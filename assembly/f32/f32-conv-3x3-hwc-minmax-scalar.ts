// f32 dense 3×3 convolution on an HWC image (the stem layer), fused bias and clamp: scalar twin of
// f32-conv-3x3-hwc-minmax-simd (same ABI, same packed layout).
//
//   out[oy][ox][co] = clamp(bias[co] + Σ_{ky,kx,ci} in[iy][ix][ci]·w[ky][kx][ci][co], min, max)
//   iy = oy·stride − padTop + ky,  ix = ox·stride − padLeft + kx;  taps outside the image contribute 0
//
// input [inH][inW][inC]; output rows oy ∈ [oy0, oy1) of [.][outW][outC].
// packed: ceil(outC/8) panels of (8 bias, 9·inC groups of 8 weights; group (ky·3 + kx)·inC + ci).
// Per pixel, 4 output channels at a time (4 accumulators), taps checked against the image bounds.

// @ts-ignore: decorator
@inline function clampF32(v: f32, lo: f32, hi: f32): f32 {
  return v < lo ? lo : (v > hi ? hi : v);
}

/**
 * Output rows [oy0, oy1) of a 3×3 convolution over an HWC image (see file header).
 * inH, inW, inC, outC, outW ≥ 1; stride ∈ {1, 2}; packed = packConv3x3(w, bias).
 */
export function f32_conv_3x3_hwc_minmax_scalar(
  inH: i32, inW: i32, inC: i32,
  input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  packed: usize,
  outC: i32,
  output: usize, outW: i32,
  oy0: i32, oy1: i32,
  min: f32, max: f32,
): void {
  const pixelInBytes = <usize>inC << 2;
  const rowBytes = <usize>inW * pixelInBytes;
  const panelBytes = <usize>(8 + 72 * inC) << 2;
  for (let oy = oy0; oy < oy1; oy++) {
    const iy0 = oy * stride - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * stride - padLeft;
      const o = output + ((<usize>oy * <usize>outW + <usize>ox) * <usize>outC << 2);
      for (let co = 0; co < outC; co += 4) {
        // 4 output channels: columns (co & 7) .. +3 of panel co >> 3
        const w = packed + <usize>(co >> 3) * panelBytes + (<usize>(co & 7) << 2);
        let acc0 = load<f32>(w, 0);
        let acc1 = load<f32>(w, 4);
        let acc2 = load<f32>(w, 8);
        let acc3 = load<f32>(w, 12);
        for (let ky = 0; ky < 3; ky++) {
          const iy = iy0 + ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = ix0 + kx;
            if (ix < 0 || ix >= inW) continue;
            let pa = input + <usize>iy * rowBytes + <usize>ix * pixelInBytes;
            let pw = w + 32 + (<usize>((ky * 3 + kx) * inC) << 5);
            for (let ci = 0; ci < inC; ci++) {
              const va = load<f32>(pa);
              acc0 += va * load<f32>(pw, 0);
              acc1 += va * load<f32>(pw, 4);
              acc2 += va * load<f32>(pw, 8);
              acc3 += va * load<f32>(pw, 12);
              pa += 4;
              pw += 32;
            }
          }
        }
        const oc = o + (<usize>co << 2);
        const nc = outC - co;
        store<f32>(oc, clampF32(acc0, min, max), 0);
        if (nc > 1) store<f32>(oc, clampF32(acc1, min, max), 4);
        if (nc > 2) store<f32>(oc, clampF32(acc2, min, max), 8);
        if (nc > 3) store<f32>(oc, clampF32(acc3, min, max), 12);
      }
    }
  }
}
