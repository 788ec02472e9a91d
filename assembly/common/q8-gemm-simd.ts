// Generic int8 GEMM (1×1 convolution, dense layer) for the qu8 / qs8 SIMD kernels: 4×8 output tile over
// k-pairs ("c2"), TFLite fixed-point requantization (gemmlowp) or XNNPACK's fp32 requantization (fp32 = true:
// the block's mult words hold float32 scales). T = u8 (qu8) or i8 (qs8); perLane selects the per-channel-shift
// gemmlowp requantization (qs8 per-channel weights).
//
//   C[i][j] = clamp(MBQM(bias'[j] + Σ_kk A[i][kk]·w'[kk][j], mult[j], shift[j]) + outZp, qmin, qmax)
//
// A [m][k] of T, rows aStride bytes apart; C [m][n] of T, rows cStride bytes apart.
// packed: ceil(n/8) panels of 160 + 16·kp bytes (kp = k rounded up to 8; src/plan/pack-q.ts packQGemm):
//   requantization block (bias' | mult | lmul | rshift | rmask, 8 int32 each), then the int16 weights
//   (w' = w − wZp, bias' = bias − aZp·Σ w') in one of two layouts chosen by kp alone:
//   c2 (kp < Q8_GEMM_C8_MIN_KP = 256): kp/2 pairs of [w'(2q, j), w'(2q+1, j)] for j = 0..7;
//   c8 (kp ≥ 256): kp/8 blocks of [w'(8b..8b+7, j)] for j = 0..7 (16 bytes per column).
// Reads: each A row is read in 8-byte blocks up to byte kp − 1, ≤ 7 bytes past k, so every row (the last
// included) needs 7 bytes of readable slack after its k-th byte. Writes: exactly the m × n elements of C.
//
// Inner step (one k-pair, 4 rows × 8 columns = 64 multiply-adds): 2 weight loads, per row one i32 splat of
// the row's widened pair and 2 i32x4.dot_i16x8_s + 2 adds. The A rows are widened 8 at a time
// (v128.load8x8) and kept in registers for 4 pairs. A tail of 2-3 rows reuses the 4-row tile with row
// pointers clamped to the last valid row (duplicate rows store identical values); a tail of 1 row (and
// m = 1, the classifier) runs a 1-row tile.
//
// c8 (deep k): no broadcasts. The 4×8 tile runs as four passes of a 2-row × 4-column tile; per 8-deep k block
// and row, one v128.load8x8 of 8 activations, then per column one weight load and one dot_i16x8_s + add
// into that (row, column)'s accumulator of 4 partial sums; after the k loop the partial sums are reduced
// (hsum4: 6 shuffles + 3 adds per 4 columns) and bias' added. Fewer shuffles per multiply-add than c2
// (about 15-20% faster at k ≥ 320 on x64), but the per-pass reduction costs too much for small k. Integer
// sums wrap identically in any order, so both layouts give the same bytes.

import { narrowMax, load8x8Q, narrowClamp, packZpI16, requantFp32X4, requantX4v, storeHi8, storeLo8 } from "./q8-simd";

/** kp from which the panels use the c8 layout (src/plan/pack-q.ts QGEMM_C8_MIN_KP; keep in sync). */
// @ts-ignore: decorator
@inline export const Q8_GEMM_C8_MIN_KP: i32 = 256;

// @ts-ignore: decorator
@inline const GEMM_BLOCK_BYTES: usize = 96 * 1024;

/** [Σ lanes of v0, Σ v1, Σ v2, Σ v3] (wrapping int32). */
// @ts-ignore: decorator
@inline function hsum4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = i32x4.add(v128.shuffle<i32>(v0, v1, 0, 4, 2, 6), v128.shuffle<i32>(v0, v1, 1, 5, 3, 7));
  const v23 = i32x4.add(v128.shuffle<i32>(v2, v3, 0, 4, 2, 6), v128.shuffle<i32>(v2, v3, 1, 5, 3, 7));
  return i32x4.add(v128.shuffle<i32>(v01, v23, 0, 1, 4, 5), v128.shuffle<i32>(v01, v23, 2, 3, 6, 7));
}

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
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128, c8: bool,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = i32x4.splat(0);
    let vacc0x4567 = vacc0x0123;
    let vacc1x0123 = vacc0x0123;
    let vacc1x4567 = vacc0x0123;
    let vacc2x0123 = vacc0x0123;
    let vacc2x4567 = vacc0x0123;
    let vacc3x0123 = vacc0x0123;
    let vacc3x4567 = vacc0x0123;
    if (c8) {
      // Four passes of a 2-row × 4-column c8 tile: rows (0, 1) then (2, 3), columns 0..3 then 4..7.
      for (let pass = 0; pass < 4; pass++) {
        const ra = (pass & 2) != 0 ? a2 : a0;
        const rb = (pass & 2) != 0 ? a3 : a1;
        let pw = w + 160 + (<usize>(pass & 1) << 6);
        let va0c0 = i32x4.splat(0);
        let va0c1 = va0c0;
        let va0c2 = va0c0;
        let va0c3 = va0c0;
        let va1c0 = va0c0;
        let va1c1 = va0c0;
        let va1c2 = va0c0;
        let va1c3 = va0c0;
        let ka: usize = 0;
        const kEnd = <usize>kp;
        do {
          const vx0 = load8x8Q<T>(ra + ka);
          const vx1 = load8x8Q<T>(rb + ka);
          ka += 8;
          let vb = v128.load(pw);
          va0c0 = dotAdd(va0c0, vx0, vb);
          va1c0 = dotAdd(va1c0, vx1, vb);
          vb = v128.load(pw, 16);
          va0c1 = dotAdd(va0c1, vx0, vb);
          va1c1 = dotAdd(va1c1, vx1, vb);
          vb = v128.load(pw, 32);
          va0c2 = dotAdd(va0c2, vx0, vb);
          va1c2 = dotAdd(va1c2, vx1, vb);
          vb = v128.load(pw, 48);
          va0c3 = dotAdd(va0c3, vx0, vb);
          va1c3 = dotAdd(va1c3, vx1, vb);
          pw += 128;
        } while (ka < kEnd);
        const vbias = v128.load(w + (<usize>(pass & 1) << 4));
        const ta = i32x4.add(hsum4(va0c0, va0c1, va0c2, va0c3), vbias);
        const tb = i32x4.add(hsum4(va1c0, va1c1, va1c2, va1c3), vbias);
        if (pass == 0) { vacc0x0123 = ta; vacc1x0123 = tb; }
        else if (pass == 1) { vacc0x4567 = ta; vacc1x4567 = tb; }
        else if (pass == 2) { vacc2x0123 = ta; vacc3x0123 = tb; }
        else { vacc2x4567 = ta; vacc3x4567 = tb; }
      }
    } else {
      vacc0x0123 = v128.load(w);
      vacc0x4567 = v128.load(w, 16);
      vacc1x0123 = vacc0x0123;
      vacc1x4567 = vacc0x4567;
      vacc2x0123 = vacc0x0123;
      vacc2x4567 = vacc0x4567;
      vacc3x0123 = vacc0x0123;
      vacc3x4567 = vacc0x4567;
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
    }

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
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128, c8: bool,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123: v128;
    let vacc0x4567: v128;
    if (c8) {
      let vc0 = i32x4.splat(0);
      let vc1 = vc0;
      let vc2 = vc0;
      let vc3 = vc0;
      let vc4 = vc0;
      let vc5 = vc0;
      let vc6 = vc0;
      let vc7 = vc0;
      let pw = w + 160;
      let ka: usize = 0;
      const kEnd = <usize>kp;
      do {
        const vx = load8x8Q<T>(a0 + ka);
        ka += 8;
        vc0 = dotAdd(vc0, vx, v128.load(pw));
        vc1 = dotAdd(vc1, vx, v128.load(pw, 16));
        vc2 = dotAdd(vc2, vx, v128.load(pw, 32));
        vc3 = dotAdd(vc3, vx, v128.load(pw, 48));
        vc4 = dotAdd(vc4, vx, v128.load(pw, 64));
        vc5 = dotAdd(vc5, vx, v128.load(pw, 80));
        vc6 = dotAdd(vc6, vx, v128.load(pw, 96));
        vc7 = dotAdd(vc7, vx, v128.load(pw, 112));
        pw += 128;
      } while (ka < kEnd);
      vacc0x0123 = i32x4.add(hsum4(vc0, vc1, vc2, vc3), v128.load(w));
      vacc0x4567 = i32x4.add(hsum4(vc4, vc5, vc6, vc7), v128.load(w, 16));
    } else {
      vacc0x0123 = v128.load(w);
      vacc0x4567 = v128.load(w, 16);
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
    }

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
  const c8 = kp >= Q8_GEMM_C8_MIN_KP;
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
    // Separate loops for the two layouts (c8 is a constant in each inlined copy of the tile).
    if (c8) {
      for (; i + 4 <= m; i += 4) {
        gemmRows4<T>(n, kp, p0, p1, panelBytes,
          a0, a0 + aRow, a0 + 2 * aRow, a0 + 3 * aRow, w,
          c0, c0 + cRow, c0 + 2 * cRow, c0 + 3 * cRow,
          vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp, true);
        a0 += 4 * aRow;
        c0 += 4 * cRow;
      }
    } else {
      for (; i + 4 <= m; i += 4) {
        gemmRows4<T>(n, kp, p0, p1, panelBytes,
          a0, a0 + aRow, a0 + 2 * aRow, a0 + 3 * aRow, w,
          c0, c0 + cRow, c0 + 2 * cRow, c0 + 3 * cRow,
          vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp, false);
        a0 += 4 * aRow;
        c0 += 4 * cRow;
      }
    }
    const rem = m - i;
    if (rem == 1) {
      gemmRows1<T>(n, kp, p0, p1, panelBytes, a0, w, c0,
        vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp, c8);
    } else if (rem > 1) {
      const a1 = rem > 1 ? a0 + aRow : a0;
      const c1 = rem > 1 ? c0 + cRow : c0;
      const a2 = rem > 2 ? a0 + 2 * aRow : a1;
      const c2 = rem > 2 ? c0 + 2 * cRow : c1;
      gemmRows4<T>(n, kp, p0, p1, panelBytes,
        a0, a1, a2, a2, w,
        c0, c1, c2, c2,
        vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp, c8);
    }
  }
}
