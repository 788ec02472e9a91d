// Generic int8 depthwise 3×3 convolution, one output row, for the qu8 / qs8 SIMD kernels: 8 channels per
// step, taps widened to int16 and interleaved in pairs so that one i32x4.dot_i16x8_s does 2 taps × 4 channels.
//
//   out[x][c] = clamp(MBQM(bias'[c] + Σ_t in_t[c]·w'[t][c], mult[c], shift[c]) + outZp, qmin, qmax)
//   in_t = row_ky[ix][c] with ix = x·stride − padLeft + kx·dilation, t = ky·3 + kx; aZp when ix ∉ [0, inW)
//
// row0..row2: the input rows [inW][channels] of T for ky = 0, 1, 2; a padded row is a buffer filled with the
// input zero point (≥ inW·channels bytes + 16 readable). packed: ceil(channels/8) groups of 320 bytes
// (src/plan/pack-q.ts packQDwconv3x3): requantization block, then 5 tap pairs of 8 channels × 2 taps int16:
// (w00, w10) (w01, w11) (w02, w12) (w22, w21) (w20, 0), w<ky><kx>.
// Reads: 8-byte loads of the last partial channel group read up to 7 bytes past a row's last pixel.
// Writes: exactly outW·channels bytes.
//
// The pairs let neighbouring outputs share column work. Column c gives two pair vectors (per 4 channels):
// P[c] = (row0[c], row1[c]) and Q[c] = (row2[c], row2[c − 1]); the output reading columns a, b, c (b = a + d,
// c = b + d, d = dilation) is bias' + P[a]·p0 + P[b]·p1 + P[c]·p2 + Q[c]·p3 + Q[a]·p4 (p4 ignores Q[a]'s
// second tap). Interior outputs go by chains (chain1: stride 1, or a dilation that is a multiple of the
// stride; chain2: stride 2, dilation 1): each column is loaded (load8x8 widens), paired once and added into
// the up to three outputs that read it, so an output costs 4 loads + 4 shuffles (chain2: 6 + 6) instead of
// 9 + 10, besides its 10 dots and the requantization. A chain may start one column left of the row and end
// one right of it (the zero point there), which covers the usual padding of 1; other edge pixels, partial
// channel groups and other stride/dilation pairs go pixel by pixel (`pixel`).
//
// Codegen (V8 TurboFan, x64): the chain loops sit at depth 2 on purpose (groups outside, outputs inside).
// TurboFan unrolls small innermost loops more the deeper they nest (chain1 2× at depth 3), and keeps loads in
// program order but places pure ops next to their use, so an unrolled chain1 (by V8 or by hand) kept the
// weights loaded for one copy live across the next copy's loads and spilled; at depth 2 it is not unrolled.

import { load8x8Q, narrowMax, narrowClamp, packZpI16, requantFp32X4, requantX4v, storeLo8 } from "./q8-simd";

/** Lanes 0..3 (int16) of va and vb interleaved, [va0, vb0, va1, vb1, …]: a tap pair for channels 0..3. */
// @ts-ignore: decorator
@inline function pairLo(va: v128, vb: v128): v128 {
  return i8x16.shuffle(va, vb, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

/** Lanes 4..7 (int16) of va and vb interleaved: a tap pair for channels 4..7. */
// @ts-ignore: decorator
@inline function pairHi(va: v128, vb: v128): v128 {
  return i8x16.shuffle(va, vb, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
}

/** acc + dot(pair, weight pair at w + off). */
// @ts-ignore: decorator
@inline function madd(vacc: v128, vpair: v128, w: usize, off: usize): v128 {
  return i32x4.add(vacc, i32x4.dot_i16x8_s(vpair, v128.load(w + off)));
}

/** Accumulators (channels 0..3, 4..7) → requantized 8 bytes of T in the low half. */
// @ts-ignore: decorator
@inline function requant8<T>(
  vlo: v128, vhi: v128, w: usize, rs: i32, perLane: bool, vzp: v128, vmin: v128, vmax: v128,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): v128 {
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

/** One pixel from its 9 taps (int16 × 8 channels each, tap t = ky·3 + kx) → requantized 8 bytes in the low half. */
// @ts-ignore: decorator
@inline function pixel<T>(
  v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, v6: v128, v7: v128, v8: v128,
  w: usize, rs: i32, perLane: bool, vzp: v128, vmin: v128, vmax: v128,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): v128 {
  let vlo = madd(v128.load(w), pairLo(v0, v3), w, 160);
  let vhi = madd(v128.load(w, 16), pairHi(v0, v3), w, 176);
  vlo = madd(vlo, pairLo(v1, v4), w, 192);
  vhi = madd(vhi, pairHi(v1, v4), w, 208);
  vlo = madd(vlo, pairLo(v2, v5), w, 224);
  vhi = madd(vhi, pairHi(v2, v5), w, 240);
  vlo = madd(vlo, pairLo(v8, v7), w, 256);
  vhi = madd(vhi, pairHi(v8, v7), w, 272);
  vlo = madd(vlo, pairLo(v6, v6), w, 288);
  vhi = madd(vhi, pairHi(v6, v6), w, 304);
  return requant8<T>(vlo, vhi, w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
}

/** One tap of an edge pixel: 8 channels at column ix of `row` as int16, or the zero point outside [0, inW). */
// @ts-ignore: decorator
@inline function tap<T>(row: usize, ix: i32, inW: i32, pixelBytes: usize, go: usize, vzpIn: v128): v128 {
  return ix >= 0 && ix < inW ? load8x8Q<T>(row + <usize>ix * pixelBytes + go) : vzpIn;
}

/**
 * n ≥ 1 outputs at o, o + os, …, output k reading columns k, k + 1, k + 2 of i0/i1/i2 (cs bytes apart): stride 1
 * (cs = dilation·channels), or a dilation that is a multiple of the stride. Columns 1..n are inside the rows;
 * column 0 is outside (the zero point) if leftZp, column n + 1 if rightZp. Column k + 2 completes output k,
 * adds to output k + 1 and starts output k + 2.
 */
// @ts-ignore: decorator
@inline function chain1<T>(
  i0: usize, i1: usize, i2: usize, cs: usize, o: usize, os: usize, n: i32, leftZp: bool, rightZp: bool, vzpIn: v128,
  w: usize, rs: i32, perLane: bool, vzp: v128, vmin: v128, vmax: v128,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): void {
  let va = vzpIn;
  let vb = vzpIn;
  let vc = vzpIn;
  if (!leftZp) {
    va = load8x8Q<T>(i0);
    vb = load8x8Q<T>(i1);
    vc = load8x8Q<T>(i2);
  }
  let vaccALo = madd(madd(v128.load(w), pairLo(va, vb), w, 160), pairLo(vc, vc), w, 288);
  let vaccAHi = madd(madd(v128.load(w, 16), pairHi(va, vb), w, 176), pairHi(vc, vc), w, 304);
  i0 += cs;
  i1 += cs;
  i2 += cs;
  va = load8x8Q<T>(i0);
  vb = load8x8Q<T>(i1);
  let vd = load8x8Q<T>(i2);
  let vpLo = pairLo(va, vb);
  let vpHi = pairHi(va, vb);
  vaccALo = madd(vaccALo, vpLo, w, 192);
  vaccAHi = madd(vaccAHi, vpHi, w, 208);
  let vaccBLo = madd(madd(v128.load(w), vpLo, w, 160), pairLo(vd, vc), w, 288);
  let vaccBHi = madd(madd(v128.load(w, 16), vpHi, w, 176), pairHi(vd, vc), w, 304);
  let k = rightZp ? n - 1 : n;
  while (k > 0) {
    i0 += cs;
    i1 += cs;
    i2 += cs;
    va = load8x8Q<T>(i0);
    vb = load8x8Q<T>(i1);
    vc = load8x8Q<T>(i2);
    vpLo = pairLo(va, vb);
    vpHi = pairHi(va, vb);
    const vqLo = pairLo(vc, vd);
    const vqHi = pairHi(vc, vd);
    vd = vc;
    const v = requant8<T>(
      madd(madd(vaccALo, vpLo, w, 224), vqLo, w, 256), madd(madd(vaccAHi, vpHi, w, 240), vqHi, w, 272),
      w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    v128.store64_lane(o, v, 0);
    vaccALo = madd(vaccBLo, vpLo, w, 192);
    vaccAHi = madd(vaccBHi, vpHi, w, 208);
    vaccBLo = madd(madd(v128.load(w), vpLo, w, 160), vqLo, w, 288);
    vaccBHi = madd(madd(v128.load(w, 16), vpHi, w, 176), vqHi, w, 304);
    o += os;
    k--;
  }
  if (rightZp) {
    const v = requant8<T>(
      madd(madd(vaccALo, pairLo(vzpIn, vzpIn), w, 224), pairLo(vzpIn, vd), w, 256),
      madd(madd(vaccAHi, pairHi(vzpIn, vzpIn), w, 240), pairHi(vzpIn, vd), w, 272),
      w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    v128.store64_lane(o, v, 0);
  }
}

/**
 * n ≥ 1 outputs at o, o + os, …, output k reading columns 2k, 2k + 1, 2k + 2 of i0/i1/i2 (cs bytes apart): stride
 * 2, dilation 1. Columns 1..2n − 1 are inside the rows; column 0 is outside (the zero point) if leftZp, column
 * 2n if rightZp. Column 2k + 2 completes output k and starts output k + 1.
 */
// @ts-ignore: decorator
@inline function chain2<T>(
  i0: usize, i1: usize, i2: usize, cs: usize, o: usize, os: usize, n: i32, leftZp: bool, rightZp: bool, vzpIn: v128,
  w: usize, rs: i32, perLane: bool, vzp: v128, vmin: v128, vmax: v128,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): void {
  let va = vzpIn;
  let vb = vzpIn;
  let vc = vzpIn;
  if (!leftZp) {
    va = load8x8Q<T>(i0);
    vb = load8x8Q<T>(i1);
    vc = load8x8Q<T>(i2);
  }
  let vaccLo = madd(madd(v128.load(w), pairLo(va, vb), w, 160), pairLo(vc, vc), w, 288);
  let vaccHi = madd(madd(v128.load(w, 16), pairHi(va, vb), w, 176), pairHi(vc, vc), w, 304);
  let k = rightZp ? n - 1 : n;
  while (k > 0) {
    va = load8x8Q<T>(i0 + cs);
    vb = load8x8Q<T>(i1 + cs);
    vaccLo = madd(vaccLo, pairLo(va, vb), w, 192);
    vaccHi = madd(vaccHi, pairHi(va, vb), w, 208);
    i0 += cs << 1;
    i1 += cs << 1;
    i2 += cs << 1;
    va = load8x8Q<T>(i0);
    vb = load8x8Q<T>(i1);
    vc = load8x8Q<T>(i2);
    const vd = load8x8Q<T>(i2 - cs);
    const vpLo = pairLo(va, vb);
    const vpHi = pairHi(va, vb);
    const vqLo = pairLo(vc, vd);
    const vqHi = pairHi(vc, vd);
    const v = requant8<T>(
      madd(madd(vaccLo, vpLo, w, 224), vqLo, w, 256), madd(madd(vaccHi, vpHi, w, 240), vqHi, w, 272),
      w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    v128.store64_lane(o, v, 0);
    vaccLo = madd(madd(v128.load(w), vpLo, w, 160), vqLo, w, 288);
    vaccHi = madd(madd(v128.load(w, 16), vpHi, w, 176), vqHi, w, 304);
    o += os;
    k--;
  }
  if (rightZp) {
    va = load8x8Q<T>(i0 + cs);
    vb = load8x8Q<T>(i1 + cs);
    const vd = load8x8Q<T>(i2 + cs);
    const v = requant8<T>(
      madd(madd(madd(vaccLo, pairLo(va, vb), w, 192), pairLo(vzpIn, vzpIn), w, 224), pairLo(vzpIn, vd), w, 256),
      madd(madd(madd(vaccHi, pairHi(va, vb), w, 208), pairHi(vzpIn, vzpIn), w, 240), pairHi(vzpIn, vd), w, 272),
      w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    v128.store64_lane(o, v, 0);
  }
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
  const vzpIn = i16x8.splat(<i16>aZp);
  const vzp = i16x8.splat(<i16>outZp);
  const vmin = i8x16.splat(<i8>qmin);
  const vmax = i8x16.splat(<i8>qmax);
  const pixelBytes = <usize>channels;
  // Outputs [xa, xb) of the full channel groups go by chains: their middle column x·stride − padLeft + dilation is
  // inside the row (so only the first output of a chain can start left of the row and only the last can end right
  // of it), when stride 2 and dilation 1 (chain2) or the dilation is a multiple m of the stride (m chains of every
  // m-th output, chain1). The other outputs, and every output of a partial channel group, go pixel by pixel.
  const m = dilation % stride == 0 ? dilation / stride : 0;
  let xa = 0;
  let xb = 0;
  if (m > 0 || (stride == 2 && dilation == 1)) {
    xa = padLeft > dilation ? (padLeft - dilation + stride - 1) / stride : 0;
    const lastMid = inW - 1 - dilation + padLeft;
    xb = lastMid >= 0 ? lastMid / stride + 1 : 0;
    if (xb > outW) xb = outW;
    if (xa > xb) xa = xb;
  }

  let w = packed;
  for (let go: usize = 0; go < pixelBytes; go += 8) {
    const count = <i32>(pixelBytes - go);
    const rs = load<i32>(w, 96);
    const xe = count >= 8 ? xb : xa;
    // Pixel by pixel: x ∈ [0, xa) ∪ [xe, outW).
    for (let x = 0; ; x++) {
      if (x == xa) x = xe;
      if (x >= outW) break;
      const ix = x * stride - padLeft;
      const v = pixel<T>(
        tap<T>(row0, ix, inW, pixelBytes, go, vzpIn), tap<T>(row0, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap<T>(row0, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap<T>(row1, ix, inW, pixelBytes, go, vzpIn), tap<T>(row1, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap<T>(row1, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        tap<T>(row2, ix, inW, pixelBytes, go, vzpIn), tap<T>(row2, ix + dilation, inW, pixelBytes, go, vzpIn),
        tap<T>(row2, ix + 2 * dilation, inW, pixelBytes, go, vzpIn),
        w, rs, perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
      storeLo8(out + <usize>x * pixelBytes + go, v, count);
    }
    w += 320;
  }
  if (xa >= xb) return;
  const cs = <usize>dilation * pixelBytes;
  const groups = channels >> 3;
  if (m > 0) {
    // Chain r of group g: outputs xa + r + j·m.
    const os = <usize>m * pixelBytes;
    const chainsPerGroup = xb - xa < m ? xb - xa : m;
    for (let t = 0; t < groups * chainsPerGroup; t++) {
      const g = t / chainsPerGroup;
      const r = t - g * chainsPerGroup;
      const gw = packed + <usize>g * 320;
      const n = (xb - xa - r + m - 1) / m;
      const ix = (xa + r) * stride - padLeft;
      const off = <usize>ix * pixelBytes + (<usize>g << 3);
      chain1<T>(row0 + off, row1 + off, row2 + off, cs, out + <usize>(xa + r) * pixelBytes + (<usize>g << 3), os, n,
        ix < 0, ix + (n + 1) * dilation >= inW, vzpIn,
        gw, load<i32>(gw, 96), perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    }
  } else {
    const ix = xa * 2 - padLeft;
    const n = xb - xa;
    for (let g = 0; g < groups; g++) {
      const gw = packed + <usize>g * 320;
      const off = <usize>ix * pixelBytes + (<usize>g << 3);
      chain2<T>(row0 + off, row1 + off, row2 + off, cs, out + <usize>xa * pixelBytes + (<usize>g << 3), pixelBytes, n,
        ix < 0, ix + 2 * n >= inW, vzpIn,
        gw, load<i32>(gw, 96), perLane, vzp, vmin, vmax, fp32, vmagic, vmagicMin, vmagicLessZp);
    }
  }
}
