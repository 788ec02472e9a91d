// Generic int8 GEMM (1×1 convolution, dense layer) for the qu8 / qs8 SIMD kernels: 4×8 output tile over
// k-pairs ("c2"), TFLite fixed-point requantization (gemmlowp) or XNNPACK's fp32 requantization (fp32 = true:
// the block's mult words hold float32 scales). T = u8 (qu8) or i8 (qs8); perLane selects the per-channel-shift
// gemmlowp requantization (qs8 per-channel weights).
//
//   C[i][j] = clamp(MBQM(bias'[j] + Σ_kk A[i][kk]·w'[kk][j], mult[j], shift[j]) + outZp, qmin, qmax)
//
// A [m][k] of T, rows aStride bytes apart; C [m][n] of T, rows cStride bytes apart.
// packed: ceil(n/8) panels of 160 + 16·kp bytes (kp = k rounded up to 8; src/plan/pack-q.ts packQGemm):
//   requantization block (bias' | mult | lmul | rshift | rmask, 8 int32 each), then kp/2 pairs of
//   [w'(2q, j), w'(2q+1, j)] for j = 0..7 as int16 (w' = w − wZp, bias' = bias − aZp·Σ w').
// Reads: each A row is read in 8-byte blocks up to byte kp − 1 (≤ 7 bytes past k: the rows need that much
// readable slack, and the last row 16 bytes). Writes: exactly the m × n elements of C.
//
// Inner step (one k-pair, 4 rows × 8 columns = 64 multiply-adds): 2 weight loads, per row one i32 splat of
// the row's widened pair and 2 i32x4.dot_i16x8_s + 2 adds. The A rows are widened 8 at a time
// (v128.load8x8) and kept in registers for 4 pairs. A tail of 2-3 rows reuses the 4-row tile with row
// pointers clamped to the last valid row (duplicate rows store identical values); a tail of 1 row (and
// m = 1, the classifier) runs a 1-row tile.

import { narrowMax, load8x8Q, narrowClamp, packZpI16, requantFp32X4, requantX4v, storeHi8, storeLo8 } from "./q8-simd";

// @ts-ignore: decorator
@inline const GEMM_BLOCK_BYTES: usize = 96 * 1024;

// @ts-ignore: decorator
@inline function dotAdd(vacc: v128, va: v128, vb: v128): v128 {
  return i32x4.add(vacc, i32x4.dot_i16x8_s(va, vb));
}

/** Four rows (a0..a3 / c0..c3, clamped duplicates allowed) over panels [p0, p1) starting at weights w. */
// @ts-ignore: decorator
@inline function gemmRows4<T>(
  n: i32, kp: i32, p0: i32, p1: i32, panelBytes: usize,
  a0: usize, a1: usize, a2: usize, a3: usize, w: usize,
  c0: usize, c1: usize, c2: usize, c3: usize,
  vzp: v128, vmin: v128, vmax: v128, perLane: bool,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    let vacc1x0123 = vacc0x0123;
    let vacc1x4567 = vacc0x4567;
    let vacc2x0123 = vacc0x0123;
    let vacc2x4567 = vacc0x4567;
    let vacc3x0123 = vacc0x0123;
    let vacc3x4567 = vacc0x4567;
    let pw = w + 160;
    let ka: usize = 0;
    const kEnd = <usize>kp;
    do {
      const va0 = load8x8Q<T>(a0 + ka);
      const va1 = load8x8Q<T>(a1 + ka);
      const va2 = load8x8Q<T>(a2 + ka);
      const va3 = load8x8Q<T>(a3 + ka);
      ka += 8;

      let vb0123 = v128.load(pw);
      let vb4567 = v128.load(pw, 16);
      let vs = v128.shuffle<i32>(va0, va0, 0, 0, 0, 0);
      vacc0x0123 = dotAdd(vacc0x0123, vs, vb0123);
      vacc0x4567 = dotAdd(vacc0x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va1, va1, 0, 0, 0, 0);
      vacc1x0123 = dotAdd(vacc1x0123, vs, vb0123);
      vacc1x4567 = dotAdd(vacc1x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va2, va2, 0, 0, 0, 0);
      vacc2x0123 = dotAdd(vacc2x0123, vs, vb0123);
      vacc2x4567 = dotAdd(vacc2x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va3, va3, 0, 0, 0, 0);
      vacc3x0123 = dotAdd(vacc3x0123, vs, vb0123);
      vacc3x4567 = dotAdd(vacc3x4567, vs, vb4567);

      vb0123 = v128.load(pw, 32);
      vb4567 = v128.load(pw, 48);
      vs = v128.shuffle<i32>(va0, va0, 1, 1, 1, 1);
      vacc0x0123 = dotAdd(vacc0x0123, vs, vb0123);
      vacc0x4567 = dotAdd(vacc0x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va1, va1, 1, 1, 1, 1);
      vacc1x0123 = dotAdd(vacc1x0123, vs, vb0123);
      vacc1x4567 = dotAdd(vacc1x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va2, va2, 1, 1, 1, 1);
      vacc2x0123 = dotAdd(vacc2x0123, vs, vb0123);
      vacc2x4567 = dotAdd(vacc2x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va3, va3, 1, 1, 1, 1);
      vacc3x0123 = dotAdd(vacc3x0123, vs, vb0123);
      vacc3x4567 = dotAdd(vacc3x4567, vs, vb4567);

      vb0123 = v128.load(pw, 64);
      vb4567 = v128.load(pw, 80);
      vs = v128.shuffle<i32>(va0, va0, 2, 2, 2, 2);
      vacc0x0123 = dotAdd(vacc0x0123, vs, vb0123);
      vacc0x4567 = dotAdd(vacc0x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va1, va1, 2, 2, 2, 2);
      vacc1x0123 = dotAdd(vacc1x0123, vs, vb0123);
      vacc1x4567 = dotAdd(vacc1x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va2, va2, 2, 2, 2, 2);
      vacc2x0123 = dotAdd(vacc2x0123, vs, vb0123);
      vacc2x4567 = dotAdd(vacc2x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va3, va3, 2, 2, 2, 2);
      vacc3x0123 = dotAdd(vacc3x0123, vs, vb0123);
      vacc3x4567 = dotAdd(vacc3x4567, vs, vb4567);

      vb0123 = v128.load(pw, 96);
      vb4567 = v128.load(pw, 112);
      pw += 128;
      vs = v128.shuffle<i32>(va0, va0, 3, 3, 3, 3);
      vacc0x0123 = dotAdd(vacc0x0123, vs, vb0123);
      vacc0x4567 = dotAdd(vacc0x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va1, va1, 3, 3, 3, 3);
      vacc1x0123 = dotAdd(vacc1x0123, vs, vb0123);
      vacc1x4567 = dotAdd(vacc1x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va2, va2, 3, 3, 3, 3);
      vacc2x0123 = dotAdd(vacc2x0123, vs, vb0123);
      vacc2x4567 = dotAdd(vacc2x4567, vs, vb4567);
      vs = v128.shuffle<i32>(va3, va3, 3, 3, 3, 3);
      vacc3x0123 = dotAdd(vacc3x0123, vs, vb0123);
      vacc3x4567 = dotAdd(vacc3x4567, vs, vb4567);
    } while (ka < kEnd);

    let vout01: v128;
    let vout23: v128;
    if (fp32) {
      const vscale0 = v128.load(w, 32);
      const vscale1 = v128.load(w, 48);
      vout01 = narrowMax<T>(
        i16x8.narrow_i32x4_s(requantFp32X4(vacc0x0123, vscale0, vmagic, vmagicMin, vmagicLessZp),
          requantFp32X4(vacc0x4567, vscale1, vmagic, vmagicMin, vmagicLessZp)),
        i16x8.narrow_i32x4_s(requantFp32X4(vacc1x0123, vscale0, vmagic, vmagicMin, vmagicLessZp),
          requantFp32X4(vacc1x4567, vscale1, vmagic, vmagicMin, vmagicLessZp)),
        vmax);
      vout23 = narrowMax<T>(
        i16x8.narrow_i32x4_s(requantFp32X4(vacc2x0123, vscale0, vmagic, vmagicMin, vmagicLessZp),
          requantFp32X4(vacc2x4567, vscale1, vmagic, vmagicMin, vmagicLessZp)),
        i16x8.narrow_i32x4_s(requantFp32X4(vacc3x0123, vscale0, vmagic, vmagicMin, vmagicLessZp),
          requantFp32X4(vacc3x4567, vscale1, vmagic, vmagicMin, vmagicLessZp)),
        vmax);
    } else {
      // Requantization parameters of the panel, loaded once for the 4 rows.
      const rs = load<i32>(w, 96);
      const ls = ctz<i32>(load<i32>(w, 64));
      const vlmul0 = v128.load(w, 64);
      const vlmul1 = v128.load(w, 80);
      const vmult0 = v128.load(w, 32);
      const vmult1 = v128.load(w, 48);
      const vmask0 = v128.load(w, 128);
      const vmask1 = v128.load(w, 144);
      const vhalf0 = i32x4.shr_u(vmask0, 1);
      const vhalf1 = i32x4.shr_u(vmask1, 1);
      vout01 = narrowClamp<T>(
        packZpI16(requantX4v(vacc0x0123, vlmul0, ls, vmult0, vmask0, vhalf0, w, perLane, rs),
          requantX4v(vacc0x4567, vlmul1, ls, vmult1, vmask1, vhalf1, w + 16, perLane, rs), vzp),
        packZpI16(requantX4v(vacc1x0123, vlmul0, ls, vmult0, vmask0, vhalf0, w, perLane, rs),
          requantX4v(vacc1x4567, vlmul1, ls, vmult1, vmask1, vhalf1, w + 16, perLane, rs), vzp),
        vmin, vmax);
      vout23 = narrowClamp<T>(
        packZpI16(requantX4v(vacc2x0123, vlmul0, ls, vmult0, vmask0, vhalf0, w, perLane, rs),
          requantX4v(vacc2x4567, vlmul1, ls, vmult1, vmask1, vhalf1, w + 16, perLane, rs), vzp),
        packZpI16(requantX4v(vacc3x0123, vlmul0, ls, vmult0, vmask0, vhalf0, w, perLane, rs),
          requantX4v(vacc3x4567, vlmul1, ls, vmult1, vmask1, vhalf1, w + 16, perLane, rs), vzp),
        vmin, vmax);
    }
    const co = <usize>p << 3;
    const nr = n - (p << 3);
    storeHi8(c3 + co, vout23, nr);
    storeLo8(c2 + co, vout23, nr);
    storeHi8(c1 + co, vout01, nr);
    storeLo8(c0 + co, vout01, nr);
    w += panelBytes;
  }
}

/** One row (a0 / c0) over panels [p0, p1): the tail of m mod 4 = 1 rows (and m = 1, the classifier). */
// @ts-ignore: decorator
@inline function gemmRows1<T>(
  n: i32, kp: i32, p0: i32, p1: i32, panelBytes: usize,
  a0: usize, w: usize, c0: usize,
  vzp: v128, vmin: v128, vmax: v128, perLane: bool,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    let pw = w + 160;
    let ka: usize = 0;
    const kEnd = <usize>kp;
    do {
      const va0 = load8x8Q<T>(a0 + ka);
      ka += 8;
      let vs = v128.shuffle<i32>(va0, va0, 0, 0, 0, 0);
      vacc0x0123 = dotAdd(vacc0x0123, vs, v128.load(pw));
      vacc0x4567 = dotAdd(vacc0x4567, vs, v128.load(pw, 16));
      vs = v128.shuffle<i32>(va0, va0, 1, 1, 1, 1);
      vacc0x0123 = dotAdd(vacc0x0123, vs, v128.load(pw, 32));
      vacc0x4567 = dotAdd(vacc0x4567, vs, v128.load(pw, 48));
      vs = v128.shuffle<i32>(va0, va0, 2, 2, 2, 2);
      vacc0x0123 = dotAdd(vacc0x0123, vs, v128.load(pw, 64));
      vacc0x4567 = dotAdd(vacc0x4567, vs, v128.load(pw, 80));
      vs = v128.shuffle<i32>(va0, va0, 3, 3, 3, 3);
      vacc0x0123 = dotAdd(vacc0x0123, vs, v128.load(pw, 96));
      vacc0x4567 = dotAdd(vacc0x4567, vs, v128.load(pw, 112));
      pw += 128;
    } while (ka < kEnd);

    let vout: v128;
    if (fp32) {
      const v16 = i16x8.narrow_i32x4_s(requantFp32X4(vacc0x0123, v128.load(w, 32), vmagic, vmagicMin, vmagicLessZp),
        requantFp32X4(vacc0x4567, v128.load(w, 48), vmagic, vmagicMin, vmagicLessZp));
      vout = narrowMax<T>(v16, v16, vmax);
    } else {
      const rs = load<i32>(w, 96);
      const ls = ctz<i32>(load<i32>(w, 64));
      const vmask0 = v128.load(w, 128);
      const vmask1 = v128.load(w, 144);
      const v16 = packZpI16(
        requantX4v(vacc0x0123, v128.load(w, 64), ls, v128.load(w, 32), vmask0, i32x4.shr_u(vmask0, 1), w, perLane, rs),
        requantX4v(vacc0x4567, v128.load(w, 80), ls, v128.load(w, 48), vmask1, i32x4.shr_u(vmask1, 1), w + 16, perLane, rs), vzp);
      vout = narrowClamp<T>(v16, v16, vmin, vmax);
    }
    storeLo8(c0 + (<usize>p << 3), vout, n - (p << 3));
    w += panelBytes;
  }
}

/** See the file header. m, n, k ≥ 1; packed = packQGemm(B, k, n, aZp, requant). */
// @ts-ignore: decorator
@inline export function q8GemmSimd<T>(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  perLane: bool,
  fp32: bool = false,
): void {
  const vmagicMin = i32x4.splat(0x4B400000 + qmin - outZp);
  const vmagic = f32x4.splat(12582912.0);
  const vmagicLessZp = i32x4.splat(0x4B400000 - outZp);
  const vzp = i16x8.splat(<i16>outZp);
  const vmin = i8x16.splat(<i8>qmin);
  const vmax = i8x16.splat(<i8>qmax);
  const kp = (k + 7) & ~7;
  const aRow = <usize>aStride;
  const cRow = <usize>cStride;
  const panelBytes = <usize>(160 + 16 * kp);
  const panels = (n + 7) >> 3;
  let blockPanels = <i32>(GEMM_BLOCK_BYTES / panelBytes);
  if (blockPanels < 1) blockPanels = 1;

  for (let p0 = 0; p0 < panels; p0 += blockPanels) {
    const p1 = p0 + blockPanels < panels ? p0 + blockPanels : panels;
    const w = packed + <usize>p0 * panelBytes;
    let a0 = a;
    let c0 = c;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      gemmRows4<T>(n, kp, p0, p1, panelBytes,
        a0, a0 + aRow, a0 + 2 * aRow, a0 + 3 * aRow, w,
        c0, c0 + cRow, c0 + 2 * cRow, c0 + 3 * cRow,
        vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp);
      a0 += 4 * aRow;
      c0 += 4 * cRow;
    }
    const rem = m - i;
    if (rem == 1) {
      gemmRows1<T>(n, kp, p0, p1, panelBytes, a0, w, c0,
        vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp);
    } else if (rem > 1) {
      const a1 = rem > 1 ? a0 + aRow : a0;
      const c1 = rem > 1 ? c0 + cRow : c0;
      const a2 = rem > 2 ? a0 + 2 * aRow : a1;
      const c2 = rem > 2 ? c0 + 2 * cRow : c1;
      gemmRows4<T>(n, kp, p0, p1, panelBytes,
        a0, a1, a2, a2, w,
        c0, c1, c2, c2,
        vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp);
    }
  }
}
