// f32 depthwise 3×3 convolution, one output row, fused bias and clamp: scalar twin of
// f32-dwconv-3x3-minmax-simd (same ABI, same packed layout).
//
//   out[x][c] = clamp(bias[c] + Σ_{ky,kx} rowky[ix][c]·w[ky][kx][c], min, max),  ix = x·stride − padLeft + kx
//
// row0..row2: input rows [inW][channels] (a zero buffer for out-of-image rows); ix outside [0, inW) contributes 0.
// packed: ceil(channels/4) groups of 40 floats: bias[4], w[tap][4] (tap = ky·3 + kx).
// Reads nothing past the last channel of a row; writes exactly outW·channels floats.

// @ts-ignore: decorator
@inline function clampF32(v: f32, lo: f32, hi: f32): f32 {
  return v < lo ? lo : (v > hi ? hi : v);
}

/**
 * One output row of a 3×3 depthwise convolution (see file header).
 * channels ≥ 1, inW ≥ 1, outW ≥ 1, stride ∈ {1, 2}, padLeft ∈ {0, 1}; packed = packDwconv3x3(w, bias).
 */
export function f32_dwconv_3x3_minmax_scalar(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  min: f32, max: f32,
): void {
  const pixelBytes = <usize>channels << 2;
  for (let x = 0; x < outW; x++) {
    const ix0 = x * stride - padLeft;
    const o = out + <usize>x * pixelBytes;
    for (let c = 0; c < channels; c++) {
      // weights of channel c: lane (c & 3) of group (c >> 2)
      const wp = packed + (<usize>(c >> 2) * 160) + (<usize>(c & 3) << 2);
      let acc = load<f32>(wp);
      for (let kx = 0; kx < 3; kx++) {
        const ix = ix0 + kx;
        if (ix < 0 || ix >= inW) continue;
        const off = <usize>ix * pixelBytes + (<usize>c << 2);
        const wk = wp + (<usize>(1 + kx) << 4);
        acc += load<f32>(row0 + off) * load<f32>(wk);
        acc += load<f32>(row1 + off) * load<f32>(wk, 48);
        acc += load<f32>(row2 + off) * load<f32>(wk, 96);
      }
      store<f32>(o + (<usize>c << 2), clampF32(acc, min, max));
    }
  }
}
