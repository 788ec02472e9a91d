// The fused inverted-residual block (paper §5). Only the thin input and output exist in full:
// expanded rows are produced into a ring (each exactly once per call), the depthwise output of one
// slice of output rows goes to a small buffer, and the projection (+ residual) writes the slice's rows.
// A call covers output rows [oyBegin, oyEnd), so threads can take disjoint row ranges, each with
// its own ring and depthwise buffer (a range recomputes the 1–2 expanded rows it shares with its neighbour).
import type { BlockStep } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';

export function runBlockRows(k: KernelSet, s: BlockStep, oyBegin: number, oyEnd: number, ring: number, dwBuf: number): void {
  const { inH, inW, inC, expC, stride, outW, outC, sliceRows, ringRows } = s;
  const inRowBytes = inW * inC * 4;
  const ringRowBytes = inW * expC * 4;
  const dwRowBytes = outW * expC * 4;
  const ex = s.expand;
  // Expanded input rows [first needed, computed) are in the ring.
  let computed = Math.max(0, oyBegin * stride - s.padTop);

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
      k.dwconv3x3(expC, inW, rowAt(iy), rowAt(iy + 1), rowAt(iy + 2), stride, s.padLeft, s.dwPacked,
        dwBuf + (oy - oy0) * dwRowBytes, outW, s.dwMin, s.dwMax);
    }
    const outRow = oy0 * outW * outC * 4;
    k.gemm((oy1 - oy0) * outW, outC, expC, dwBuf, expC, s.projPacked, s.output + outRow, outC,
      s.residual ? s.input + outRow : 0, outC, s.projMin, s.projMax);
  }
}
