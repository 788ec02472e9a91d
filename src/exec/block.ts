// The fused inverted-residual block (paper §5). Only the thin input and output exist in full:
// expanded rows are produced into a ring (each exactly once), the depthwise output of one slice of
// output rows goes to a small buffer, and the projection (+ residual) writes the slice's rows out.
import type { BlockStep } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';

export function runBlock(k: KernelSet, s: BlockStep): void {
  const { inH, inW, inC, expC, stride, outH, outW, outC, sliceRows, ringRows } = s;
  const inRowBytes = inW * inC * 4;
  const ringRowBytes = inW * expC * 4;
  const dwRowBytes = outW * expC * 4;
  const ex = s.expand;
  let computed = 0; // expanded input rows [0, computed) have been produced into the ring

  // Address of expanded input row iy, or the zero row outside the image.
  const rowAt = (iy: number) =>
    iy < 0 || iy >= inH ? s.zero : ex ? s.ring + (iy % ringRows) * ringRowBytes : s.input + iy * inRowBytes;

  for (let oy0 = 0; oy0 < outH; oy0 += sliceRows) {
    const oy1 = Math.min(oy0 + sliceRows, outH);
    if (ex) {
      const need = Math.min((oy1 - 1) * stride - s.padTop + 2, inH - 1);
      while (computed <= need) {
        const slot = computed % ringRows;
        const run = Math.min(need - computed + 1, ringRows - slot);
        k.gemm(run * inW, expC, inC, s.input + computed * inRowBytes, inC, ex.packed,
          s.ring + slot * ringRowBytes, expC, 0, 0, ex.min, ex.max);
        computed += run;
      }
    }
    for (let oy = oy0; oy < oy1; oy++) {
      const iy = oy * stride - s.padTop;
      k.dwconv3x3(expC, inW, rowAt(iy), rowAt(iy + 1), rowAt(iy + 2), stride, s.padLeft, s.dwPacked,
        s.dwBuf + (oy - oy0) * dwRowBytes, outW, s.dwMin, s.dwMax);
    }
    const outRow = oy0 * outW * outC * 4;
    k.gemm((oy1 - oy0) * outW, outC, expC, s.dwBuf, expC, s.projPacked, s.output + outRow, outC,
      s.residual ? s.input + outRow : 0, outC, s.projMin, s.projMax);
  }
}
