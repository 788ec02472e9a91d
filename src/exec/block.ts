// The fused inverted-residual block (paper §5). Only the thin input and output exist in full:
// expanded rows are produced into a ring (each exactly once per call), the depthwise output of one
// slice of output rows goes to a small buffer, and the projection (+ residual) writes the slice's rows.
// A call covers output rows [oyBegin, oyEnd), so threads can take disjoint row ranges, each with
// its own ring and depthwise buffer (a range recomputes the 1–2 expanded rows it shares with its neighbour).
// A RowCursor carries the ring over from one call to the next on the same thread: a call that starts where
// the previous one ended (a thread's consecutive chunks) reuses the expanded rows already in the ring.
import type { BlockStep, QBlockStep, QDot, QOut } from '../plan/steps.js';
import type { KernelSet, QuantScheme } from '../plan/registry.js';
import { qgemmDotPanelBytes, qgemmPanelBytes, QGEMM_NR } from '../plan/pack-q.js';

/** Where a thread's last block call ended: the step, its ring, the next output row and expanded row. */
export interface RowCursor { step: object | null; ring: number; oy: number; computed: number }

export const newRowCursor = (): RowCursor => ({ step: null, ring: 0, oy: -1, computed: -1 });

/** The first expanded row still to compute for a call starting at oyBegin (resumed when contiguous). */
function firstComputed(s: BlockStep | QBlockStep, oyBegin: number, ring: number, cursor?: RowCursor): number {
  if (cursor && cursor.step === s && cursor.ring === ring && cursor.oy === oyBegin) return cursor.computed;
  return Math.max(0, oyBegin * s.stride - s.padTop);
}

function saveCursor(cursor: RowCursor | undefined, s: BlockStep | QBlockStep, ring: number, oyEnd: number, computed: number): void {
  if (!cursor) return;
  cursor.step = s;
  cursor.ring = ring;
  cursor.oy = oyEnd;
  cursor.computed = computed;
}

/**
 * Runs columns [n0, n1) of an int8 GEMM of a step (a qgemm, or a fused block's expansion or projection; n0 a
 * multiple of QGEMM_NR, `packed` and `c` at column 0): the dot kernel when it was packed for it (uint8 layers in
 * its int8 domain: zero point and clamp − 128), else q[family][scheme].gemm; a mixed packing (`misfits`) runs
 * each run of consecutive panels of one layout with its kernel.
 */
export function runQGemm(
  k: KernelSet, family: 'qu8' | 'qs8', scheme: QuantScheme, g: QOut & QDot,
  m: number, n0: number, n1: number, kk: number, a: number, aStride: number, packed: number, c: number, cStride: number, wide: number,
): void {
  const p0 = n0 / QGEMM_NR;
  if (g.dot === undefined) {
    k.quant[family][scheme].gemm(m, n1 - n0, kk, a, aStride, packed + p0 * qgemmPanelBytes(kk), c + n0, cStride, g.outZp, g.qmin, g.qmax, wide);
    return;
  }
  const sh = family === 'qu8' ? 128 : 0;
  const dotBytes = qgemmDotPanelBytes(kk);
  const mis = g.misfits;
  if (!mis) {
    k.qdot!(m, n1 - n0, kk, a, aStride, packed + p0 * dotBytes, c + n0, cStride, g.outZp - sh, g.qmin - sh, g.qmax - sh, wide, g.dot);
    return;
  }
  const bad = mis.panels;
  const pEnd = Math.ceil(n1 / QGEMM_NR);
  let i = 0; // misfit panels before panel p
  while (i < bad.length && bad[i] < p0) i++;
  for (let p = p0; p < pEnd;) {
    let q = p;
    if (bad[i] === p) {
      const i0 = i;
      while (q < pEnd && bad[i] === q) { i++; q++; }
      const j0 = p * QGEMM_NR, j1 = Math.min(n1, q * QGEMM_NR);
      k.quant[family][scheme].gemm(m, j1 - j0, kk, a, aStride, packed + mis.at + i0 * qgemmPanelBytes(kk), c + j0, cStride, g.outZp, g.qmin, g.qmax, wide);
    } else {
      q = i < bad.length && bad[i] < pEnd ? bad[i] : pEnd;
      const j0 = p * QGEMM_NR, j1 = Math.min(n1, q * QGEMM_NR);
      k.qdot!(m, j1 - j0, kk, a, aStride, packed + (p - i) * dotBytes, c + j0, cStride, g.outZp - sh, g.qmin - sh, g.qmax - sh, wide, g.dot);
    }
    p = q;
  }
}

export function runBlockRows(k: KernelSet, s: BlockStep, oyBegin: number, oyEnd: number, ring: number, dwBuf: number, cursor?: RowCursor): void {
  const { inH, inW, inC, expC, stride, outW, outC, sliceRows, ringRows } = s;
  const inRowBytes = inW * inC * 4;
  const ringRowBytes = inW * expC * 4;
  const dwRowBytes = outW * expC * 4;
  const ex = s.expand;
  // Expanded input rows [first needed, computed) are in the ring.
  let computed = firstComputed(s, oyBegin, ring, cursor);

  // Address of expanded input row iy, or the zero row outside the image.
  const rowAt = (iy: number) =>
    iy < 0 || iy >= inH ? s.zero : ex ? ring + (iy % ringRows) * ringRowBytes : s.input + iy * inRowBytes;

  for (let oy0 = oyBegin; oy0 < oyEnd; oy0 += sliceRows) {
    const oy1 = Math.min(oy0 + sliceRows, oyEnd);
    if (ex) {
      const need = Math.min((oy1 - 1) * stride - s.padTop + 2, inH - 1);
      while (computed <= need) {
        const slot = computed % ringRows;
        const run = Math.min(need - computed + 1, ringRows - slot);
        k.gemm(run * inW, expC, inC, s.input + computed * inRowBytes, inC, ex.packed,
          ring + slot * ringRowBytes, expC, 0, 0, ex.min, ex.max);
        computed += run;
      }
    }
    for (let oy = oy0; oy < oy1; oy++) {
      const iy = oy * stride - s.padTop;
      k.dwconv(expC, inW, rowAt(iy), rowAt(iy + 1), rowAt(iy + 2), stride, s.padLeft, s.dwPacked,
        dwBuf + (oy - oy0) * dwRowBytes, outW, s.dwMin, s.dwMax);
    }
    const outRow = oy0 * outW * outC * 4;
    k.gemm((oy1 - oy0) * outW, outC, expC, dwBuf, expC, s.projPacked, s.output + outRow, outC,
      s.shortcut ? s.shortcut + outRow : 0, outC, s.projMin, s.projMax);
  }
  saveCursor(cursor, s, ring, oyEnd, computed);
}

/**
 * The int8 fused block (QBlockStep), output rows [oyBegin, oyEnd): the same ring of expanded rows (int8, each
 * computed once per call), depthwise rows into `dwBuf` (rows outside the image read `s.zero`, a row of the
 * depthwise input's zero point; a dilated depthwise reads rows iy, iy + d, iy + 2d), the projection GEMM of a
 * slice straight into the output rows, then, for a residual block, the ADD of that slice in place
 * (output = requant(output, shortcut)): the projection's quantized values never need a buffer of their own.
 */
export function runQBlockRows(k: KernelSet, s: QBlockStep, oyBegin: number, oyEnd: number, ring: number, dwBuf: number, wide: number, cursor?: RowCursor): void {
  const q = k.quant[s.family];
  const { inH, inW, inC, expC, stride, dilation, outW, outC, sliceRows, ringRows } = s;
  const inRowBytes = inW * inC;
  const ringRowBytes = inW * expC;
  const dwRowBytes = outW * expC;
  const ex = s.expand;
  const dw = s.dw;
  const pr = s.project;
  const res = s.residual;
  const add = res ? q[res.scheme].vadd : null;
  let computed = firstComputed(s, oyBegin, ring, cursor);
  const rowAt = (iy: number) =>
    iy < 0 || iy >= inH ? s.zero : ex ? ring + (iy % ringRows) * ringRowBytes : s.input + iy * inRowBytes;

  for (let oy0 = oyBegin; oy0 < oyEnd; oy0 += sliceRows) {
    const oy1 = Math.min(oy0 + sliceRows, oyEnd);
    if (ex) {
      const need = Math.min((oy1 - 1) * stride - s.padTop + 2 * dilation, inH - 1);
      while (computed <= need) {
        const slot = computed % ringRows;
        const run = Math.min(need - computed + 1, ringRows - slot);
        runQGemm(k, s.family, ex.scheme, ex, run * inW, 0, expC, inC, s.input + computed * inRowBytes, inC, ex.packed, ring + slot * ringRowBytes, expC, wide);
        computed += run;
      }
    }
    for (let oy = oy0; oy < oy1; oy++) {
      const iy = oy * stride - s.padTop;
      q[dw.scheme].dwconv(expC, inW, rowAt(iy), rowAt(iy + dilation), rowAt(iy + 2 * dilation), stride, dilation, s.padLeft, dw.packed,
        dwBuf + (oy - oy0) * dwRowBytes, outW, dw.aZp, dw.outZp, dw.qmin, dw.qmax);
    }
    const outRow = oy0 * outW * outC;
    const m = (oy1 - oy0) * outW;
    runQGemm(k, s.family, pr.scheme, pr, m, 0, outC, expC, dwBuf, expC, pr.packed, s.output + outRow, outC, wide);
    if (add) add(m * outC, s.output + outRow, res!.shortcut + outRow, s.output + outRow, res!.params);
  }
  saveCursor(cursor, s, ring, oyEnd, computed);
}
