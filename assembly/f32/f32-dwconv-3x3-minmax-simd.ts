// f32 depthwise 3×3 convolution, one output row, fused bias and clamp: 4 channels per step, wasm SIMD128.
//
//   out[x][c] = clamp(bias[c] + Σ_{ky,kx} rowky[ix][c]·w[ky][kx][c], min, max),  ix = x·stride − padLeft + kx
//
// row0, row1, row2: the three input rows [inW][channels] of this output row; an out-of-image row is a pointer
//   to a zero buffer of at least inW·channels floats. ix outside [0, inW) contributes 0 (padLeft ∈ {0, 1};
//   right padding is implied). stride ∈ {1, 2}. out: [outW][channels].
// packed: ceil(channels/4) groups of 40 floats: bias[4], then w[tap][4] for tap = ky·3 + kx, zero-padded lanes
//   (src/plan/pack.ts: packDwconv3x3).
// Reads: a 4-lane load of the last partial channel group may read up to 12 bytes past a row's last pixel
//   (rows need 16 bytes of readable slack). Writes: exactly outW·channels floats.
//
// Loop order: channel group outer, pixels inner, so the 9 weights, the bias and the clamp bounds stay in
// registers (12 of the 15 xmm registers V8 x64 allocates). Interior pixels (all three taps inside the row)
// run without bounds checks; the at most one left and two right edge pixels check each column.
// Tried and measured slower or equal (bench/kernels.bench.mjs, Zen 4, Node 20): two pixels per step sharing
// input columns (TurboFan hoists the 12 loads and spills), an add tree or two partial sums instead of the
// 9-deep chain, a sliding window that loads each input column once (+5% at stride 1, −8% at width 7: the
// two carried partial sums make TurboFan spill the weights). The loop runs about 1 load : 1 mul : 1 add and
// is bound by load/dispatch, not latency.

import { clampF32x4, maddF32x4, storeLanesF32 } from "../common/simd";

/** One output pixel at column x with per-tap bounds checks (edges). */
// @ts-ignore: decorator
@inline function edgePixel(
  x: i32, inW: i32, stride: i32, padLeft: i32, pixelBytes: usize, go: usize,
  row0: usize, row1: usize, row2: usize,
  vbias: v128,
  vk00: v128, vk01: v128, vk02: v128,
  vk10: v128, vk11: v128, vk12: v128,
  vk20: v128, vk21: v128, vk22: v128,
): v128 {
  let vacc = vbias;
  const ix0 = x * stride - padLeft;
  if (ix0 >= 0 && ix0 < inW) {
    const o = <usize>ix0 * pixelBytes + go;
    vacc = maddF32x4(vacc, v128.load(row0 + o), vk00);
    vacc = maddF32x4(vacc, v128.load(row1 + o), vk10);
    vacc = maddF32x4(vacc, v128.load(row2 + o), vk20);
  }
  const ix1 = ix0 + 1;
  if (ix1 >= 0 && ix1 < inW) {
    const o = <usize>ix1 * pixelBytes + go;
    vacc = maddF32x4(vacc, v128.load(row0 + o), vk01);
    vacc = maddF32x4(vacc, v128.load(row1 + o), vk11);
    vacc = maddF32x4(vacc, v128.load(row2 + o), vk21);
  }
  const ix2 = ix0 + 2;
  if (ix2 >= 0 && ix2 < inW) {
    const o = <usize>ix2 * pixelBytes + go;
    vacc = maddF32x4(vacc, v128.load(row0 + o), vk02);
    vacc = maddF32x4(vacc, v128.load(row1 + o), vk12);
    vacc = maddF32x4(vacc, v128.load(row2 + o), vk22);
  }
  return vacc;
}

/** All output pixels of one channel group (lanes [0, count) stored; count is 4 except for the tail). */
// @ts-ignore: decorator
@inline function dwconvGroup(
  count: i32, go: usize, w: usize,
  inW: i32, row0: usize, row1: usize, row2: usize, stride: i32, padLeft: i32, pixelBytes: usize,
  out: usize, outW: i32, xs: i32, xe: i32, vmin: v128, vmax: v128,
): void {
  const vbias = v128.load(w);
  const vk00 = v128.load(w, 16);
  const vk01 = v128.load(w, 32);
  const vk02 = v128.load(w, 48);
  const vk10 = v128.load(w, 64);
  const vk11 = v128.load(w, 80);
  const vk12 = v128.load(w, 96);
  const vk20 = v128.load(w, 112);
  const vk21 = v128.load(w, 128);
  const vk22 = v128.load(w, 144);

  for (let x = 0; x < xs; x++) {
    const vacc = edgePixel(x, inW, stride, padLeft, pixelBytes, go, row0, row1, row2,
      vbias, vk00, vk01, vk02, vk10, vk11, vk12, vk20, vk21, vk22);
    storeLanesF32(out + <usize>x * pixelBytes + go, clampF32x4(vacc, vmin, vmax), count);
  }

  if (xs < xe) {
    const inOff = <usize>(xs * stride - padLeft) * pixelBytes + go;
    let i0 = row0 + inOff;
    let i1 = row1 + inOff;
    let i2 = row2 + inOff;
    let o = out + <usize>xs * pixelBytes + go;
    const step = <usize>stride * pixelBytes;
    const pb2 = pixelBytes << 1;
    let xc = xe - xs;
    do {
      let vacc = maddF32x4(vbias, v128.load(i0), vk00);
      vacc = maddF32x4(vacc, v128.load(i0 + pixelBytes), vk01);
      vacc = maddF32x4(vacc, v128.load(i0 + pb2), vk02);
      vacc = maddF32x4(vacc, v128.load(i1), vk10);
      vacc = maddF32x4(vacc, v128.load(i1 + pixelBytes), vk11);
      vacc = maddF32x4(vacc, v128.load(i1 + pb2), vk12);
      vacc = maddF32x4(vacc, v128.load(i2), vk20);
      vacc = maddF32x4(vacc, v128.load(i2 + pixelBytes), vk21);
      vacc = maddF32x4(vacc, v128.load(i2 + pb2), vk22);
      storeLanesF32(o, clampF32x4(vacc, vmin, vmax), count);
      i0 += step;
      i1 += step;
      i2 += step;
      o += pixelBytes;
    } while (--xc > 0);
  }

  for (let x = xe > xs ? xe : xs; x < outW; x++) {
    const vacc = edgePixel(x, inW, stride, padLeft, pixelBytes, go, row0, row1, row2,
      vbias, vk00, vk01, vk02, vk10, vk11, vk12, vk20, vk21, vk22);
    storeLanesF32(out + <usize>x * pixelBytes + go, clampF32x4(vacc, vmin, vmax), count);
  }
}

/**
 * One output row of a 3×3 depthwise convolution: out[x][c] = clamp(bias[c] + Σ rowky[x·stride − padLeft + kx][c]·w[ky][kx][c]).
 * channels ≥ 1, inW ≥ 1, outW ≥ 1, stride ∈ {1, 2}, padLeft ∈ {0, 1}; packed = packDwconv3x3(w, bias).
 */
export function f32_dwconv_3x3_minmax_simd(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  min: f32, max: f32,
): void {
  const vmin = f32x4.splat(min);
  const vmax = f32x4.splat(max);
  const pixelBytes = <usize>channels << 2;
  // Interior columns [xs, xe): x·stride − padLeft ≥ 0 and x·stride − padLeft + 2 ≤ inW − 1.
  let xs = padLeft > 0 ? (padLeft + stride - 1) / stride : 0;
  if (xs > outW) xs = outW;
  const lastStart = inW - 3 + padLeft;
  let xe = lastStart >= 0 ? lastStart / stride + 1 : 0;
  if (xe > outW) xe = outW;
  if (xe < xs) xe = xs;

  const fullGroups = channels >> 2;
  let w = packed;
  let go: usize = 0;
  for (let g = 0; g < fullGroups; g++) {
    dwconvGroup(4, go, w, inW, row0, row1, row2, stride, padLeft, pixelBytes, out, outW, xs, xe, vmin, vmax);
    w += 160;
    go += 16;
  }
  const rem = channels & 3;
  if (rem != 0) {
    dwconvGroup(rem, go, w, inW, row0, row1, row2, stride, padLeft, pixelBytes, out, outW, xs, xe, vmin, vmax);
  }
}
