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
//   (w' = w − wZp, bias' = bias − aZp·Σ w') as kp/2 pairs of [w'(2q, j), w'(2q+1, j)] for j = 0..7.
// wide: scratch of Q8_GEMM_WIDE_BYTES_PER_KP·kp bytes (4 rows of kp int16), private to the calling thread.
// Reads: each A row is read in 8-byte blocks up to byte kp − 1, ≤ 7 bytes past k, so every row (the last
// included) needs 7 bytes of readable slack after its k-th byte. Writes: exactly the m × n elements of C,
// and the scratch.
//
// The rows of a 4-row tile are first widened to int16 into `wide` (once for all the panels they meet); the
// inner step is then, per k-pair and row, one v128.load32_splat of the row's widened pair (a pure load on x64:
// vbroadcastss) and 2 i32x4.dot_i16x8_s + 2 adds against the pair's 2 weight vectors: 16 SIMD arithmetic
// instructions per 64 multiply-adds, the least a dot_i16x8_s GEMM can do (a dot and an add per 8). Broadcasting
// from registers instead (load8x8 widening + one shuffle per row and pair) costs 84 per 256 and, with the 8
// weight vectors TurboFan hoists to the top of an unrolled k-step, spills accumulators; it measured 5–18 %
// slower on MobileNetV2's layer shapes, the old 8-deep "c8" layout for k ≥ 256 included. One k-pair per loop
// iteration keeps 8 accumulators + 2 weights + 1 broadcast in registers (V8 unrolls it twice).
// A tail of 2-3 rows reuses the 4-row tile with row pointers clamped to the last valid row (duplicate rows
// store identical values); a tail of 1 row (and m = 1, the classifier) runs a 1-row tile.

import { RELAXED_SIMD } from "../common/features";
import { narrowMax, load8x8Q, narrowClamp, packZpI16, requantFp32X4, requantX4v, storeHi8, storeLo8 } from "./q8-simd";

/** Bytes of `wide` scratch per unit of kp (4 rows of int16; src/plan/pack-q.ts QGEMM_WIDE_BYTES_PER_KP). */
// @ts-ignore: decorator
@inline export const Q8_GEMM_WIDE_BYTES_PER_KP: i32 = 8;

// @ts-ignore: decorator
@inline const GEMM_BLOCK_BYTES: usize = 96 * 1024;

// @ts-ignore: decorator
@inline function dotAdd(vacc: v128, va: v128, vb: v128): v128 {
  return i32x4.add(vacc, i32x4.dot_i16x8_s(va, vb));
}

/**
 * acc + the relaxed 4-deep i8 dot product of 4 weight bytes per lane (vw, signed) with 4 activation bytes
 * (vx, the i7 operand): only compiled into the relaxed modules (q8GemmDot).
 */
// @ts-ignore: decorator
@inline function dotAdd4(vacc: v128, vx: v128, vw: v128): v128 {
  return RELAXED_SIMD ? i32x4.relaxed_dot_i8x16_i7x16_add_s(vw, vx, vacc) : vacc; // (never called in other builds)
}

/** Row a (kp bytes of T, kp a multiple of 8) widened to int16 at dst. */
// @ts-ignore: decorator
@inline function widenRow<T>(dst: usize, a: usize, kp: usize): void {
  for (let kk: usize = 0; kk < kp; kk += 8) v128.store(dst + (kk << 1), load8x8Q<T>(a + kk));
}

/** Four widened rows (s0..s3, 2·kp bytes each; clamped duplicates allowed) × panels [p0, p1) from weights w into c0..c3. */
// @ts-ignore: decorator
@inline function gemmRows4<T>(
  n: i32, kp: i32, p0: i32, p1: i32, panelBytes: usize,
  s0: usize, s1: usize, s2: usize, s3: usize, w: usize,
  c0: usize, c1: usize, c2: usize, c3: usize,
  vzp: v128, vmin: v128, vmax: v128, perLane: bool,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
  dot: bool = false, voXor: v128 = i8x16.splat(0),
): void {
  const kEnd = dot ? <usize>kp : <usize>kp << 1;
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
    let kb: usize = 0;
    do {
      const vb0123 = v128.load(pw);
      const vb4567 = v128.load(pw, 16);
      let vs = v128.load32_splat(s0 + kb);
      if (dot) {
        vacc0x0123 = dotAdd4(vacc0x0123, vs, vb0123);
        vacc0x4567 = dotAdd4(vacc0x4567, vs, vb4567);
        vs = v128.load32_splat(s1 + kb);
        vacc1x0123 = dotAdd4(vacc1x0123, vs, vb0123);
        vacc1x4567 = dotAdd4(vacc1x4567, vs, vb4567);
        vs = v128.load32_splat(s2 + kb);
        vacc2x0123 = dotAdd4(vacc2x0123, vs, vb0123);
        vacc2x4567 = dotAdd4(vacc2x4567, vs, vb4567);
        vs = v128.load32_splat(s3 + kb);
        vacc3x0123 = dotAdd4(vacc3x0123, vs, vb0123);
        vacc3x4567 = dotAdd4(vacc3x4567, vs, vb4567);
      } else {
        vacc0x0123 = dotAdd(vacc0x0123, vs, vb0123);
        vacc0x4567 = dotAdd(vacc0x4567, vs, vb4567);
        vs = v128.load32_splat(s1 + kb);
        vacc1x0123 = dotAdd(vacc1x0123, vs, vb0123);
        vacc1x4567 = dotAdd(vacc1x4567, vs, vb4567);
        vs = v128.load32_splat(s2 + kb);
        vacc2x0123 = dotAdd(vacc2x0123, vs, vb0123);
        vacc2x4567 = dotAdd(vacc2x4567, vs, vb4567);
        vs = v128.load32_splat(s3 + kb);
        vacc3x0123 = dotAdd(vacc3x0123, vs, vb0123);
        vacc3x4567 = dotAdd(vacc3x4567, vs, vb4567);
      }
      kb += 4;
      pw += 32;
    } while (kb < kEnd);

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
    if (dot) {
      vout01 = v128.xor(vout01, voXor);
      vout23 = v128.xor(vout23, voXor);
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

/** One widened row (s0) × panels [p0, p1): the tail of m mod 4 = 1 rows (and m = 1, the classifier). */
// @ts-ignore: decorator
@inline function gemmRows1<T>(
  n: i32, kp: i32, p0: i32, p1: i32, panelBytes: usize,
  s0: usize, w: usize, c0: usize,
  vzp: v128, vmin: v128, vmax: v128, perLane: bool,
  fp32: bool, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128,
): void {
  const kEnd = <usize>kp << 1;
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    let pw = w + 160;
    let kb: usize = 0;
    do {
      const vs = v128.load32_splat(s0 + kb);
      vacc0x0123 = dotAdd(vacc0x0123, vs, v128.load(pw));
      vacc0x4567 = dotAdd(vacc0x4567, vs, v128.load(pw, 16));
      kb += 4;
      pw += 32;
    } while (kb < kEnd);

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

/**
 * Rows [0, count) of a tile, ready for the tile functions: widened into `wide` (2·kp bytes per row) when
 * `widen`, else the caller's own rows (already int16) from a0 on. Returns the first row's address.
 */
// @ts-ignore: decorator
@inline function tileRows<T>(widen: bool, a0: usize, aRow: usize, count: i32, wide: usize, kp: i32): usize {
  if (!widen) return a0;
  for (let j = 0; j < count; j++) widenRow<T>(wide + <usize>j * (<usize>kp << 1), a0 + <usize>j * aRow, <usize>kp);
  return wide;
}

/**
 * The panel and row-tile loops shared by q8GemmSimd (widen: each tile's T rows widened into `wide` first) and
 * q8GemmWideRows (rows already int16, rowStride bytes apart). kq: the int16 elements per row the tiles
 * multiply (even; kp for q8GemmSimd).
 */
// @ts-ignore: decorator
@inline function q8GemmTiles<T>(
  m: i32, n: i32, k: i32, kq: i32,
  a: usize, rowStride: usize, widen: bool, wide: usize,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  perLane: bool,
  fp32: bool,
): void {
  const vmagicMin = i32x4.splat(0x4B400000 + qmin - outZp);
  const vmagic = f32x4.splat(12582912.0);
  const vmagicLessZp = i32x4.splat(0x4B400000 - outZp);
  const vzp = i16x8.splat(<i16>outZp);
  const vmin = i8x16.splat(<i8>qmin);
  const vmax = i8x16.splat(<i8>qmax);
  const kp = (k + 7) & ~7;
  const cRow = <usize>cStride;
  const sRow = widen ? <usize>kp << 1 : rowStride; // between the rows a tile reads
  const panelBytes = <usize>(160 + 16 * kp);
  const panels = (n + 7) >> 3;
  let blockPanels = <i32>(GEMM_BLOCK_BYTES / panelBytes);
  if (blockPanels < 1) blockPanels = 1;

  for (let p0 = 0; p0 < panels; p0 += blockPanels) {
    const p1 = p0 + blockPanels < panels ? p0 + blockPanels : panels;
    const w = packed + <usize>p0 * panelBytes;
    // One call site of the inlined 4-row tile (a tail of 2-3 rows clamps its row pointers), so each kernel
    // holds one copy of it; a 1-row tail runs the 1-row tile.
    for (let i = 0; i < m; i += 4) {
      const rows = m - i < 4 ? m - i : 4;
      const a0 = a + <usize>i * rowStride;
      const c0 = c + <usize>i * cRow;
      if (rows == 1) {
        const s0 = tileRows<T>(widen, a0, rowStride, 1, wide, kp);
        gemmRows1<T>(n, kq, p0, p1, panelBytes, s0, w, c0, vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp);
      } else {
        const s0 = tileRows<T>(widen, a0, rowStride, rows, wide, kp);
        const s1 = s0 + sRow;
        const c1 = c0 + cRow;
        const s2 = rows > 2 ? s1 + sRow : s1;
        const c2 = rows > 2 ? c1 + cRow : c1;
        const s3 = rows > 3 ? s2 + sRow : s2;
        const c3 = rows > 3 ? c2 + cRow : c2;
        gemmRows4<T>(n, kq, p0, p1, panelBytes, s0, s1, s2, s3, w, c0, c1, c2, c3,
          vzp, vmin, vmax, perLane, fp32, vmagic, vmagicMin, vmagicLessZp);
      }
    }
  }
}

/** See the file header. m, n, k ≥ 1; packed = packQGemm(B, k, n, aZp, requant); wide: 8·kp bytes. */
// @ts-ignore: decorator
@inline export function q8GemmSimd<T>(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize,
  perLane: bool,
  fp32: bool = false,
): void {
  q8GemmTiles<T>(m, n, k, (k + 7) & ~7, a, <usize>aStride, true, wide, packed, c, cStride, outZp, qmin, qmax, perLane, fp32);
}

/**
 * The same GEMM over rows the caller has already widened to int16 (the stem writes its 3×3 taps that way,
 * assembly/q8/q8-im2col.ts): row i at rows + i·rowStride holds kq int16 (kq even; pairs past k meet zero
 * weights, so their values do not matter). Weights as for q8GemmSimd with depth k (panels of 160 + 16·kp).
 */
// @ts-ignore: decorator
@inline export function q8GemmWideRows<T>(
  m: i32, n: i32, k: i32, kq: i32,
  rows: usize, rowStride: usize,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  perLane: bool,
  fp32: bool,
): void {
  q8GemmTiles<T>(m, n, k, kq, rows, rowStride, false, 0, packed, c, cStride, outZp, qmin, qmax, perLane, fp32);
}

/**
 * The relaxed-SIMD int8 GEMM (qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed; relaxed modules only), fp32
 * requantization, int8 output. A: rows of bytes (aStride apart, 7 bytes of readable slack after byte k − 1
 * as for q8GemmSimd). Weights packed by packQGemmDot: per panel the requantization block, then kp/4 k-quads of
 * 32 bytes (the 4 int8 weights of the quad for columns 0..3, then 4..7); each lane accumulates a 4-deep
 * i32x4.relaxed_dot_i8x16_i7x16_add_s of 4 signed weights with 4 activation bytes. That instruction is exact
 * only for an i7 activation operand, so the host runs this kernel only where relaxed_dot_probe found it exact
 * for every byte — read as unsigned (x86 VNNI) or as signed (Arm sdot) — with bits 0..7 of `xor` (0 or 0x80)
 * flipping each activation's top bit into the form the engine reads (rows then copied into `wide`, ≥ 4·kp
 * bytes), and the packed bias corrected for that offset (src/plan/pack-q.ts). Bits 8..15 of `xor` are XORed
 * into every output byte: uint8 layers run in the int8 domain (outZp, qmin, qmax − 128, then the top bit
 * flipped). One 4-row tile serves every row (tails clamp their row pointers; a 1-row tail computes it 4 times).
 */
export function q8GemmDot(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  outZp: i32, qmin: i32, qmax: i32,
  wide: usize, xor: i32,
): void {
  const aXor = <u64>(xor & 0xff) * 0x0101010101010101;
  const voXor = i8x16.splat(<i8>(xor >> 8));
  const vmagicMin = i32x4.splat(0x4B400000 + qmin - outZp);
  const vmagic = f32x4.splat(12582912.0);
  const vmagicLessZp = i32x4.splat(0x4B400000 - outZp);
  const vmax = i8x16.splat(<i8>qmax);
  const kp = (k + 7) & ~7;
  const cRow = <usize>cStride;
  const aRow = <usize>aStride;
  const sRow = aXor != 0 ? <usize>kp : aRow;
  const panelBytes = <usize>(160 + 8 * kp);
  const panels = (n + 7) >> 3;
  let blockPanels = <i32>(GEMM_BLOCK_BYTES / panelBytes);
  if (blockPanels < 1) blockPanels = 1;

  for (let p0 = 0; p0 < panels; p0 += blockPanels) {
    const p1 = p0 + blockPanels < panels ? p0 + blockPanels : panels;
    const w = packed + <usize>p0 * panelBytes;
    for (let i = 0; i < m; i += 4) {
      const rows = m - i < 4 ? m - i : 4;
      let s0 = a + <usize>i * aRow;
      if (aXor != 0) {
        for (let j = 0; j < rows; j++) {
          const src = s0 + <usize>j * aRow;
          const dst = wide + <usize>j * <usize>kp;
          for (let kk: usize = 0; kk < <usize>kp; kk += 8) store<u64>(dst + kk, load<u64>(src + kk) ^ aXor);
        }
        s0 = wide;
      }
      const c0 = c + <usize>i * cRow;
      const s1 = rows > 1 ? s0 + sRow : s0;
      const c1 = rows > 1 ? c0 + cRow : c0;
      const s2 = rows > 2 ? s1 + sRow : s1;
      const c2 = rows > 2 ? c1 + cRow : c1;
      const s3 = rows > 3 ? s2 + sRow : s2;
      const c3 = rows > 3 ? c2 + cRow : c2;
      gemmRows4<i8>(n, kp, p0, p1, panelBytes, s0, s1, s2, s3, w, c0, c1, c2, c3,
        vmax, vmax, vmax, false, true, vmagic, vmagicMin, vmagicLessZp, true, voXor);
    }
  }
}
