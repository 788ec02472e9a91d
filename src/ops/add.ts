// add: element-wise sum of two equal-shaped tensors with a fused activation. Steps: `vadd` (float32) and
// `qvadd` (int8, rescaling both operands: TFLite's ADD or XNNPACK's multiply-shift one, ./lower.ts addBlock).
// A residual add right after a block's projection runs inside the fused block (./block.ts).
import type { AddNode } from '../graph/ir.js';
import { ShapeError } from '../errors.js';
import { expectInputs, fmt, NUMERIC } from './checks.js';
import { addBlock, clampOf, familyOf, numel, quantOf } from './lower.js';
import { MIN_ELEMENTS_PER_PIECE, split, splitBlocks } from './pieces.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const add: OpModule<AddNode> = {
  op: 'add',
  shape(n, c) {
    expectInputs(n, 2);
    const a = c.lookup(n.inputs[0]!);
    const b = c.lookup(n.inputs[1]!);
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      throw new ShapeError(`${c.where}: operands must have equal shapes, got "${n.inputs[0]}" ${fmt(a)} and "${n.inputs[1]}" ${fmt(b)}`);
    }
    return [...a];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.inType(1, [a.dtype]);
    c.outIs(a.dtype, 'the operands\' dtype');
  },
  native: {
    arity: 2,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation }),
    read: (c) => ({ ...c.base, op: 'add', activation: c.activation() }),
  },
  // Its own calibrated range (residual sums are not bounded by an activation) within the fused activation's.
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs });
    c.setQ(n.name, c.bounded(n.name, n.activation));
  },
  lowerF32(n, ctx) {
    const [min, max] = clampOf(n.activation);
    const count = numel(ctx.shapes.get(n.name)!);
    return (r) => ({ kind: 'vadd', name: n.name, n: count, a: r.v(n.inputs[0]), b: r.v(n.inputs[1]), output: r.v(n.name), min, max });
  },
  lowerQ(n, ctx) {
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `add "${n.name}"`);
    const p = addBlock(ctx, quantOf(ctx, n.inputs[0]), quantOf(ctx, n.inputs[1]), oq, n.activation);
    const at = ctx.consts.add(p.params);
    const count = numel(ctx.shapes.get(n.name)!);
    return (r) => ({
      kind: 'qvadd', name: n.name, family, scheme: p.scheme, n: count, a: r.v(n.inputs[0]), b: r.v(n.inputs[1]),
      output: r.v(n.name), params: r.w(at),
    });
  },
};

export const ADD_STEPS: { vadd: StepRunner<StepOf<'vadd'>>; qvadd: StepRunner<StepOf<'qvadd'>> } = {
  vadd: {
    maxPieces: (s) => Math.floor(s.n / MIN_ELEMENTS_PER_PIECE),
    run(k, s, piece, pieces) {
      const [a, b] = split(Math.ceil(s.n / 4), piece, pieces);
      const e0 = a * 4, e1 = Math.min(s.n, b * 4);
      if (e0 < e1) k.vadd(e1 - e0, s.a + e0 * 4, s.b + e0 * 4, s.output + e0 * 4, s.min, s.max);
    },
  },
  qvadd: {
    maxPieces: (s) => Math.floor(s.n / MIN_ELEMENTS_PER_PIECE),
    run(k, s, piece, pieces) {
      const [e0, e1] = splitBlocks(s.n, 16, piece, pieces);
      if (e0 < e1) k.quant[s.family][s.scheme].vadd(e1 - e0, s.a + e0, s.b + e0, s.output + e0, s.params);
    },
  },
};
