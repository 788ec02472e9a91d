// f32 depthwise 3×3 convolution, one output row, fused bias and clamp: scalar twin of
// f32-dwconv-3x3-minmax-simd (same ABI, same packed layout).
//
//   out[x][c] = clamp(bias[c] + Σ_{ky,kx} rowky[ix][c]·w[ky][kx][c], min, max),  ix = x·stride − padLeft + kx
//
// row0..row2: input rows [inW][channels] (a zero buffer for out-of-image rows); ix outside [0, inW) contributes 0.
// packed: ceil(channels/4) groups of 40 floats: bias[4], w[tap][4] (tap = ky·3 + kx).
// Reads nothing past the last channel of a row; writes exactly outW·channels floats.
// Pixel outer, channel inner (contiguous input, output and weights). Interior pixels run the 9 taps
// straight; edge pixels (a column outside the row) run only the columns inside.

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
    const kxLo = ix0 < 0 ? -ix0 : 0;
    const kxHi = inW - ix0 < 3 ? inW - ix0 : 3;
    let o = out + <usize>x * pixelBytes;
    let wp = packed;
    if (kxLo == 0 && kxHi == 3) {
      // interior: columns ix0, ix0 + 1, ix0 + 2 all inside the row
      const off = <usize>ix0 * pixelBytes;
      let p0 = row0 + off;
      let p1 = row1 + off;
      let p2 = row2 + off;
      for (let c = 0; c < channels; c++) {
        // weights of channel c: lane (c & 3) of group (c >> 2); tap t at wp + 16·(1 + t)
        let acc = load<f32>(wp);
        acc += load<f32>(p0) * load<f32>(wp, 16);
        acc += load<f32>(p0 + pixelBytes) * load<f32>(wp, 32);
        acc += load<f32>(p0 + 2 * pixelBytes) * load<f32>(wp, 48);
        acc += load<f32>(p1) * load<f32>(wp, 64);
        acc += load<f32>(p1 + pixelBytes) * load<f32>(wp, 80);
        acc += load<f32>(p1 + 2 * pixelBytes) * load<f32>(wp, 96);
        acc += load<f32>(p2) * load<f32>(wp, 112);
        acc += load<f32>(p2 + pixelBytes) * load<f32>(wp, 128);
        acc += load<f32>(p2 + 2 * pixelBytes) * load<f32>(wp, 144);
        store<f32>(o, clampF32(acc, min, max));
        p0 += 4;
        p1 += 4;
        p2 += 4;
        o += 4;
        wp += (c & 3) == 3 ? 148 : 4; // next lane, or the next group's lane 0
      }
    } else {
      for (let c = 0; c < channels; c++) {
        let acc = load<f32>(wp);
        for (let kx = kxLo; kx < kxHi; kx++) {
          const off = <usize>(ix0 + kx) * pixelBytes + (<usize>c << 2);
          const wk = wp + (<usize>(1 + kx) << 4);
          acc += load<f32>(row0 + off) * load<f32>(wk);
          acc += load<f32>(row1 + off) * load<f32>(wk, 48);
          acc += load<f32>(row2 + off) * load<f32>(wk, 96);
        }
        store<f32>(o, clampF32(acc, min, max));
        o += 4;
        wp += (c & 3) == 3 ? 148 : 4;
      }
    }
  }
}
