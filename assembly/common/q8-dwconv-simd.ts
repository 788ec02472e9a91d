// Generic int8 depthwise 3×3 convolution, one output row, for the qu8 / qs8 SIMD kernels: 8 channels per
// step, taps interleaved in pairs so that one i32x4.dot_i16x8_s does 2 taps × 4 channels.
//
//   out[x][c] = clamp(MBQM(bias'[c] + Σ_t in_t[c]·w'[t][c], mult[c], shift[c]) + outZp, qmin, qmax)
//   in_t = row_ky[ix][c] with ix = x·stride − padLeft + kx·dilation, t = ky·3 + kx; aZp when ix ∉ [0, inW)
//
// row0..row2: the input rows [inW][channels] of T for ky = 0, 1, 2; a padded row is a buffer filled with the
// input zero point (≥ inW·channels bytes + 16 readable). packed: ceil(channels/8) groups of 320 bytes
// (src/plan/pack-q.ts packQDwconv3x3): requantization block, then 5 tap pairs of 8 channels × 2 taps int16.
// Reads: 8-byte loads of the last partial channel group read up to 7 bytes past a row's last pixel.
// Writes: exactly outW·channels bytes.
//
// Per pixel and 8 channels: 9 8-byte loads, 5 byte interleaves (punpcklbw), 10 widenings, 10 dots and
// 10 adds for 72 multiply-adds, then the requantization of 8 lanes.

import { narrowMax, narrowClamp, packZpI16, requantFp32X4, requantX4v, storeLo8, widenHiQ, widenLoQ } from "./q8-simd";

/** Bytes 0..7 of va and vb interleaved, [va0, vb0, va1, vb1, …]: a tap pair for 8 channels, matching the packed weight pairs. */
// @ts-ignore: decorator
@inline function interleave(va: v128, vb: v128): v128 {
  return i8x16.shuffle(va, vb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** The 9 taps of one pixel (8 channels each, low 8 bytes) → requantized 8 bytes in the low half. */
// @ts-ignore: decorator
@inline function pixel<T>(
  v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, v6: v128, v7: v128, v8: v128,
  w: usize, rs: i32, perLane: bool, vzp: v128, vmin: v128, vmax: v128,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): v128 {
  let vlo = v128.load(w);
  let vhi = v128.load(w, 16);
  let vab = interleave(v0, v1);
  vlo = i32x4.add(vlo, i32x4.dot_i16x8_s(widenLoQ<T>(vab), v128.load(w, 160)));
  vhi = i32x4.add(vhi, i32x4.dot_i16x8_s(widenHiQ<T>(vab), v128.load(w, 176)));
  vab = interleave(v2, v3);
  vlo = i32x4.add(vlo, i32x4.dot_i16x8_s(widenLoQ<T>(vab), v128.load(w, 192)));
  vhi = i32x4.add(vhi, i32x4.dot_i16x8_s(widenHiQ<T>(vab), v128.load(w, 208)));
  vab = interleave(v4, v5);
  vlo = i32x4.add(vlo, i32x4.dot_i16x8_s(widenLoQ<T>(vab), v128.load(w, 224)));
  vhi = i32x4.add(vhi, i32x4.dot_i16x8_s(widenHiQ<T>(vab), v128.load(w, 240)));
  vab = interleave(v6, v7);
  vlo = i32x4.add(vlo, i32x4.dot_i16x8_s(widenLoQ<T>(vab), v128.load(w, 256)));
  vhi = i32x4.add(vhi, i32x4.dot_i16x8_s(widenHiQ<T>(vab), v128.load(w, 272)));
  vab = interleave(v8, v8);
  vlo = i32x4.add(vlo, i32x4.dot_i16x8_s(widenLoQ<T>(vab), v128.load(w, 288)));
  vhi = i32x4.add(vhi, i32x4.dot_i16x8_s(widenHiQ<T>(vab), v128.load(w, 304)));
  if (fp32) {
    const v16f = i16x8.narrow_i32x4_s(
      requantFp32X4(vlo, v128.load(w, 32), vmagic, vmagicMin, vmagicLessZp),
      requantFp32X4(vhi, v128.load(w, 48), vmagic, vmagicMin, vmagicLessZp));
    return narrowMax<T>(v16f, v16f, vmax);
  }
  const ls = ctz<i32>(load<i32>(w, 64));
  const vmask0 = v128.load(w, 128);
  const vmask1 = v128.load(w, 144);
  const v16 = packZpI16(
    requantX4v(vlo, v128.load(w, 64), ls, v128.load(w, 32), vmask0, i32x4.shr_u(vmask0, 1), w, perLane, rs),
    requantX4v(vhi, v128.load(w, 80), ls, v128.load(w, 48), vmask1, i32x4.shr_u(vmask1, 1), w + 16, perLane, rs), vzp);
  return narrowClamp<T>(v16, v16, vmin, vmax);
}

/** One tap of an edge pixel: 8 channels at column ix of `row`, or the zero-point bytes outside [0, inW). */
// @ts-ignore: decorator
@inline function tap(row: usize, ix: i32, inW: i32, pixelBytes: usize, go: usize, vzpIn: v128): v128 {
  return ix >= 0 && ix < inW ? v128.load64_zero(row + <usize>ix * pixelBytes + go) : vzpIn;
}

// @ts-ignore: decorator
@inline export function q8DwconvSimd<T>(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
  perLane: bool,
  fp32: bool = false,
): void {
  const vmagicMin = i32x4.splat(0x4B400000 + qmin - outZp);
  const vmagic = f32x4.splat(12582912.0);
  const vmagicLessZp = i32x4.splat(0x4B400000 - outZp);
  const vzpIn = i8x16.splat(<i8>aZp);
  const vzp = i16x8.splat(<i16>outZp);
  const vmin = i8x16.splat(<i8>qmin);
  const vmax = i8x16.splat(<i8>qmax);
  const pixelBytes = <usize>channels;
  // Interior columns [xs, xe): x·stride − padLeft ≥ 0 and x·stride − padLeft + 2·dilation ≤ inW − 1.
  let xs = padLeft > 0 ? (padLeft + stride - 1) / stride : 0;
  if (xs > outW) xs = outW;
  const lastStart = inW - 1 - 2 * dilation + padLeft;
  let xe = lastStart >= 0 ? lastStart / stride + 1 : 0;
  if (xe > outW) xe = outW;
  if (xe < xs) xe = xs;
  const d1 = <usize>dilation * pixelBytes;
  const d2 = d1 << 1;
  const step = <usize>stride * pixelBytes;

  let w = packed;
  for (let go: usize = 0; go < pixelBytes; go += 8) {
    const count = <i32>(pixelBytes - go);
    const rs = load<i32>(w, 96);
    for (let x = 0; x < xs; x++) {
      const ix = x * stride - padLeft;
      const v = pixel<T>(
        tap(row0, ix, inW, pixelBytes, go, vzpIn), tap(row0, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row0, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap(row1, ix, inW, pixelBytes, go, vzpIn), tap(row1, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row1, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap(row2, ix, inW, pixelBytes, go, vzpIn), tap(row2, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row2, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
      storeLo8(out + <usize>x * pixelBytes + go, v, count);
    }
    if (xs < xe) {
      const inOff = <usize>(xs * stride - padLeft) * pixelBytes + go;
      let i0 = row0 + inOff;
      let i1 = row1 + inOff;
      let i2 = row2 + inOff;
      let o = out + <usize>xs * pixelBytes + go;
      let xc = xe - xs;
      do {
        const v = pixel<T>(
          v128.load64_zero(i0), v128.load64_zero(i0 + d1), v128.load64_zero(i0 + d2),
          v128.load64_zero(i1), v128.load64_zero(i1 + d1), v128.load64_zero(i1 + d2),
          v128.load64_zero(i2), v128.load64_zero(i2 + d1), v128.load64_zero(i2 + d2),
          w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
        storeLo8(o, v, count);
        i0 += step;
        i1 += step;
        i2 += step;
        o += pixelBytes;
      } while (--xc > 0);
    }
    for (let x = xe; x < outW; x++) {
      const ix = x * stride - padLeft;
      const v = pixel<T>(
        tap(row0, ix, inW, pixelBytes, go, vzpIn), tap(row0, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row0, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap(row1, ix, inW, pixelBytes, go, vzpIn), tap(row1, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row1, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap(row2, ix, inW, pixelBytes, go, vzpIn), tap(row2, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap(row2, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
      storeLo8(out + <usize>x * pixelBytes + go, v, count);
    }
    w += 320;
  }
}
