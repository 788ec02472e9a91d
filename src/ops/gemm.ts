// The GEMM steps (`gemm` float32, `qgemm` int8): C[m×n] = clamp(A[m×k]·B + bias). Not an IR op of its own:
// conv2d lowers its unpadded 1×1 convolutions here and dense its fully connected layers (fused blocks run
// the same kernels from exec/block.ts). Threads share a GEMM by row tiles or column panels (byRows, chosen
// by plan/thread-split.ts); the step records its panel stride so pieces need not re-derive the packed layout.
import { GEMM_MR, GEMM_NR } from '../plan/registry.js';
import { gemmPacking, gemmPanelBytes } from '../plan/pack.js';
import { qgemmDotPacking, qgemmPacking, qgemmDotPanelBytes, qgemmPanelBytes, QGEMM_NR, qweightsOf, type QRequant, type QWeightsIn } from '../plan/pack-q.js';
import { gemmByRows } from '../plan/thread-split.js';
import type { QuantWeights } from '../graph/ir.js';
import type { QDot, QOut } from '../plan/steps.js';
import type { QuantScheme } from '../plan/registry.js';
import { runQGemm } from '../exec/block.js';
import { perThread } from './lower.js';
import { split, splitBlocks } from './pieces.js';
import type { LowerContext, Pending, StepOf, StepRunner } from './types.js';

/** A float32 GEMM step over `m` rows (a whole tensor: pointwise conv or dense). */
export function lowerGemm(
  ctx: LowerContext, name: string, input: string, m: number, n: number, k: number, weights: Float32Array, bias: Float32Array,
  clamp: [number, number], byRows: boolean,
): Pending {
  const at = ctx.consts.add(gemmPacking(weights, bias, k, n));
  const [min, max] = clamp;
  return (r) => ({
    kind: 'gemm', name, m, n, k, a: r.v(input), aStride: k, packed: r.w(at), panelBytes: gemmPanelBytes(k),
    c: r.v(name), cStride: n, r: 0, rStride: 0, min, max, byRows,
  });
}

/**
 * Packs an int8 GEMM's weights into the constants: for the relaxed dot kernel when the plan may use it
 * (ctx.relaxedDot, fp32 requantization, panels whose weights fit int8; the others mixed in), else for the family's qgemm kernels.
 */
export function packQGemmConst(
  ctx: LowerContext, w: QWeightsIn, k: number, n: number, aZp: number, rq: QRequant, family: 'qu8' | 'qs8', scheme: QuantScheme,
): { at: number; panelBytes: number; qdot: QDot } {
  const d = ctx.relaxedDot && scheme === 'fp32' ? qgemmDotPacking(w, k, n, aZp, rq, family, ctx.relaxedDot) : null;
  if (d) return { at: ctx.consts.add(d.packing), panelBytes: qgemmDotPanelBytes(k), qdot: d.misfits ? { dot: d.xor, misfits: d.misfits } : { dot: d.xor } };
  return { at: ctx.consts.add(qgemmPacking(w, k, n, aZp, rq, family)), panelBytes: qgemmPanelBytes(k), qdot: {} };
}

/** An int8 GEMM step; `wide` scratch per thread (ScratchNeed label 'wide'). */
export function lowerQGemm(
  ctx: LowerContext, name: string, input: string, m: number, n: number, k: number, q: QuantWeights, aZp: number,
  rq: QRequant, family: 'qu8' | 'qs8', scheme: QuantScheme, o: QOut, byRows: boolean,
): Pending {
  const { at, panelBytes, qdot } = packQGemmConst(ctx, qweightsOf(q), k, n, aZp, rq, family, scheme);
  return (r) => ({
    kind: 'qgemm', name, family, scheme, m, n, k, a: r.v(input), aStride: k, packed: r.w(at), panelBytes,
    c: r.v(name), cStride: n, ...o, ...qdot, byRows, wide: perThread(ctx, (t) => r.s(`${name}/wide${t}`)),
  });
}

export { gemmByRows };

export const GEMM_STEPS: { gemm: StepRunner<StepOf<'gemm'>>; qgemm: StepRunner<StepOf<'qgemm'>> } = {
  gemm: {
    maxPieces: (s) => (s.byRows ? Math.ceil(s.m / GEMM_MR) : Math.ceil(s.n / GEMM_NR)),
    run(k, s, piece, pieces) {
      if (s.byRows) {
        const [m0, m1] = splitBlocks(s.m, GEMM_MR, piece, pieces);
        if (m0 < m1) {
          k.gemm(m1 - m0, s.n, s.k, s.a + m0 * s.aStride * 4, s.aStride, s.packed, s.c + m0 * s.cStride * 4, s.cStride,
            s.r ? s.r + m0 * s.rStride * 4 : 0, s.rStride, s.min, s.max);
        }
      } else {
        // Few rows, many output channels: split the columns at panel boundaries (each piece reads only its weights).
        const [p0, p1] = split(Math.ceil(s.n / GEMM_NR), piece, pieces);
        if (p0 < p1) {
          const n0 = p0 * GEMM_NR, n1 = Math.min(s.n, p1 * GEMM_NR);
          k.gemm(s.m, n1 - n0, s.k, s.a, s.aStride, s.packed + p0 * s.panelBytes, s.c + n0 * 4, s.cStride,
            s.r ? s.r + n0 * 4 : 0, s.rStride, s.min, s.max);
        }
      }
    },
  },
  qgemm: {
    maxPieces: (s) => (s.byRows ? Math.ceil(s.m / GEMM_MR) : Math.ceil(s.n / QGEMM_NR)),
    run(k, s, piece, pieces, slot) {
      if (s.byRows) {
        const [m0, m1] = splitBlocks(s.m, GEMM_MR, piece, pieces);
        if (m0 < m1) runQGemm(k, s.family, s.scheme, s, m1 - m0, 0, s.n, s.k, s.a + m0 * s.aStride, s.aStride, s.packed, s.c + m0 * s.cStride, s.cStride, s.wide[slot]);
      } else {
        // Few rows, many output channels (dense layers, late 1×1 convs): split the columns at panel boundaries.
        const [p0, p1] = split(Math.ceil(s.n / QGEMM_NR), piece, pieces);
        if (p0 < p1) runQGemm(k, s.family, s.scheme, s, s.m, p0 * QGEMM_NR, Math.min(s.n, p1 * QGEMM_NR), s.k, s.a, s.aStride, s.packed, s.c, s.cStride, s.wide[slot]);
      }
    },
  },
};
