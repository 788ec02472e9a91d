// The fused inverted-residual block (not an IR op: a unit plan/partition.ts forms from a pointwise expansion,
// a 3×3 depthwise, a pointwise projection and an optional residual add; plan/fusion.ts decides which blocks
// fuse). Steps `block` (float32) and `qblock` (int8) compute slices of output rows (exec/block.ts), keeping
// expanded rows in a per-thread ring, so the expanded tensor never exists whole. Threads share a block by
// output rows; each thread's ring and depthwise slice are its own scratch.
import type { BlockUnit } from '../plan/partition.js';
import { dwconv3x3Packing, gemmPacking } from '../plan/pack.js';
import { qdwconv3x3Packing, qgemmWideBytes, qweightsOf } from '../plan/pack-q.js';
import { packQGemmConst } from './gemm.js';
import { chooseSliceRows } from '../plan/fusion.js';
import type { QuantScheme } from '../plan/registry.js';
import type { QDot, QOut } from '../plan/steps.js';
import { runBlockRows, runQBlockRows } from '../exec/block.js';
import { SLACK, addBlock, clampOf, convRq, familyOf, perThread, qout, quantOf } from './lower.js';
import { split } from './pieces.js';
import type { LowerContext, Pending, ScratchNeed, StepOf, StepRunner } from './types.js';

/** Geometry and scratch sizes of a fused block (float32 or int8 rows). */
export function blockGeometry(u: BlockUnit, shapes: Map<string, number[]>, budget: number) {
  const [, inH, inW, inC] = shapes.get(u.input)!;
  const [, outH, outW] = shapes.get(u.depthwise.name)!;
  const expC = u.expand ? u.expand.outChannels : inC;
  const s = u.depthwise.stride[0];
  const dilation = u.depthwise.dilation?.[0] ?? 1;
  const elem = u.depthwise.q ? 1 : 4;
  const sliceRows = chooseSliceRows(inW, outW, expC, s, outH, budget, elem, dilation);
  const ringRows = u.expand ? Math.min(inH, (sliceRows - 1) * s + 2 * dilation + 1) : 0;
  return {
    inH, inW, inC, outH, outW, expC, stride: s, dilation, sliceRows, ringRows,
    ringBytes: ringRows * inW * expC * elem,
    dwBytes: sliceRows * outW * expC * elem,
    rowBytes: inW * expC * elem,
  };
}

/** Per-thread scratch of a fused block: its ring of expanded rows, its depthwise slice, (int8) its GEMMs' widened rows. */
export function blockScratch(u: BlockUnit, shapes: Map<string, number[]>, budget: number): ScratchNeed[] {
  const b = blockGeometry(u, shapes, budget);
  const out: ScratchNeed[] = [];
  if (b.ringBytes) out.push({ label: 'ring', bytes: b.ringBytes + SLACK });
  out.push({ label: 'dw', bytes: b.dwBytes + SLACK });
  if (u.depthwise.q) out.push({ label: 'wide', bytes: qgemmWideBytes(Math.max(b.inC, b.expC)) });
  return out;
}

/** Bytes of the float32 zero buffer a fused block's depthwise reads (0 for int8: it reads a zero-point row). */
export const blockZeroBytes = (u: BlockUnit, shapes: Map<string, number[]>, budget: number): number =>
  u.depthwise.q ? 0 : blockGeometry(u, shapes, budget).rowBytes;

/** Lowers a fused block: `block` for float32, `qblock` when its depthwise has integer weights. */
export function lowerBlock(u: BlockUnit, ctx: LowerContext): Pending {
  return u.depthwise.q ? lowerQBlock(u, ctx) : lowerF32Block(u, ctx);
}

function lowerF32Block(u: BlockUnit, ctx: LowerContext): Pending {
  const b = blockGeometry(u, ctx.shapes, ctx.budget);
  const { consts } = ctx;
  const dw = u.depthwise;
  const expand = u.expand ? { at: consts.add(gemmPacking(u.expand.weights, u.expand.bias, b.inC, b.expC)), clamp: clampOf(u.expand.activation) } : null;
  const dwAt = consts.add(dwconv3x3Packing(dw.weights, dw.bias, b.expC));
  const projAt = consts.add(gemmPacking(u.project.weights, u.project.bias, b.expC, u.project.outChannels));
  const [dwMin, dwMax] = clampOf(dw.activation);
  const [projMin, projMax] = clampOf(u.project.activation);
  return (r) => ({
    kind: 'block', name: u.output, inH: b.inH, inW: b.inW, inC: b.inC, input: r.v(u.input), expC: b.expC,
    expand: expand ? { packed: r.w(expand.at), min: expand.clamp[0], max: expand.clamp[1] } : null,
    stride: b.stride, padTop: dw.pad.top, padLeft: dw.pad.left, dwPacked: r.w(dwAt), dwMin, dwMax,
    outH: b.outH, outW: b.outW, outC: u.project.outChannels, projPacked: r.w(projAt), projMin, projMax,
    shortcut: u.shortcut ? r.v(u.shortcut) : 0, output: r.v(u.output), sliceRows: b.sliceRows, ringRows: b.ringRows,
    ring: perThread(ctx, (t) => (b.ringRows ? r.s(`${u.output}/ring${t}`) : 0)),
    dwBuf: perThread(ctx, (t) => r.s(`${u.output}/dw${t}`)), zero: r.zero,
  });
}

function lowerQBlock(u: BlockUnit, ctx: LowerContext): Pending {
  const b = blockGeometry(u, ctx.shapes, ctx.budget);
  const { consts } = ctx;
  const dw = u.depthwise;
  const dtype = dw.q!.dtype;
  const family = familyOf(dtype, `block "${u.output}"`);
  const inQ = quantOf(ctx, u.input);
  let expand: ({ at: number; scheme: QuantScheme } & QOut & QDot) | null = null;
  let dwInQ = inQ;
  if (u.expand) {
    const eq = quantOf(ctx, u.expand.name);
    const { rq, scheme } = convRq(ctx, inQ, u.expand.q!, eq, b.expC, dtype);
    const { at, qdot } = packQGemmConst(ctx, qweightsOf(u.expand.q!), b.inC, b.expC, inQ.zeroPoint, rq, family, scheme);
    expand = { at, scheme, ...qout(u.expand.activation, eq), ...qdot };
    dwInQ = eq;
  }
  const dwQ = quantOf(ctx, dw.name);
  const dwRq = convRq(ctx, dwInQ, dw.q!, dwQ, b.expC, dtype);
  const dwAt = consts.add(qdwconv3x3Packing(qweightsOf(dw.q!), b.expC, dwInQ.zeroPoint, dwRq.rq, family));
  const pq = quantOf(ctx, u.project.name);
  const outC = u.project.outChannels;
  const projRq = convRq(ctx, dwQ, u.project.q!, pq, outC, dtype);
  const proj = packQGemmConst(ctx, qweightsOf(u.project.q!), b.expC, outC, dwQ.zeroPoint, projRq.rq, family, projRq.scheme);
  // The projection writes the output buffer, then the ADD runs in place: a = the projection, b = the shortcut.
  const residual = u.add ? addBlock(ctx, pq, quantOf(ctx, u.shortcut!), quantOf(ctx, u.add.name), u.add.activation) : null;
  const resAt = residual ? consts.add(residual.params) : 0;
  ctx.zpRow(dwInQ.zeroPoint, b.rowBytes);
  return (r) => ({
    kind: 'qblock', name: u.output, family, scheme: ctx.scheme,
    inH: b.inH, inW: b.inW, inC: b.inC, input: r.v(u.input), expC: b.expC,
    expand: expand ? { packed: r.w(expand.at), scheme: expand.scheme, outZp: expand.outZp, qmin: expand.qmin, qmax: expand.qmax, ...(expand.dot === undefined ? {} : { dot: expand.dot }), ...(expand.misfits ? { misfits: expand.misfits } : {}) } : null,
    stride: b.stride, dilation: b.dilation, padTop: dw.pad.top, padLeft: dw.pad.left,
    dw: { packed: r.w(dwAt), scheme: dwRq.scheme, aZp: dwInQ.zeroPoint, ...qout(dw.activation, dwQ) },
    outH: b.outH, outW: b.outW, outC,
    project: { packed: r.w(proj.at), scheme: projRq.scheme, ...qout(u.project.activation, pq), ...proj.qdot },
    residual: residual ? { params: r.w(resAt), scheme: residual.scheme, shortcut: r.v(u.shortcut!) } : null,
    output: r.v(u.output), sliceRows: b.sliceRows, ringRows: b.ringRows,
    ring: perThread(ctx, (t) => (b.ringRows ? r.s(`${u.output}/ring${t}`) : 0)),
    dwBuf: perThread(ctx, (t) => r.s(`${u.output}/dw${t}`)),
    zero: r.zp(dwInQ.zeroPoint),
    wide: perThread(ctx, (t) => r.s(`${u.output}/wide${t}`)),
  });
}

export const BLOCK_STEPS: { block: StepRunner<StepOf<'block'>>; qblock: StepRunner<StepOf<'qblock'>> } = {
  block: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces, slot, cursor) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1) runBlockRows(k, s, o0, o1, s.ring[slot], s.dwBuf[slot], cursor);
    },
  },
  qblock: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces, slot, cursor) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1) runQBlockRows(k, s, o0, o1, s.ring[slot], s.dwBuf[slot], s.wide[slot], cursor);
    },
  },
};
