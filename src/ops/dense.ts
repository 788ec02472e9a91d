// dense: fully connected [1,K] → [1,N], weights [K, N] (Keras layout), bias [N]. Lowers to a one-row GEMM
// (./gemm.ts), which threads share by column panels.
import type { DenseNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { qgemmWideBytes } from '../plan/pack-q.js';
import { checkWeights, expectInputs, fmt, isPosInt, vectorLength, isSafePosInt } from './checks.js';
import { lowerGemm, lowerQGemm } from './gemm.js';
import { clampOf, convRq, familyOf, numel, qout, quantOf } from './lower.js';
import { quantizeWeighted, weightCount, weightedTypes } from './weighted.js';
import type { OpModule } from './types.js';

export const dense: OpModule<DenseNode> = {
  op: 'dense',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    const k = vectorLength(x);
    if (k === undefined) throw new ShapeError(`${c.where}: input "${n.inputs[0]}" has shape ${fmt(x)}, expected [1,K] (or [1,1,1,K])`);
    if (!isPosInt(n.units)) throw new ShapeError(`${c.where}: units must be a positive integer, got ${n.units}`);
    checkWeights(n, k * n.units, `${k}·${n.units}`, n.units, '(units)');
    return [1, n.units];
  },
  types: weightedTypes,
  cost(n, inShape) {
    const macs = inShape[inShape.length - 1]! * n.units;
    return { macs, params: weightCount(n).weights + weightCount(n).bias };
  },
  // TF-Slim counts the classifier's biases (graph/summary.ts slimCounts).
  slimParams: (n) => weightCount(n).weights + weightCount(n).bias,
  native: {
    arity: 1,
    write: (n, c) => ({ name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation, units: n.units, ...c.tensorRefs(n) }),
    tensors(n, c) {
      if (!isSafePosInt(n.units)) c.fail(`invalid units ${n.units}`);
      const u = n.units;
      const nw = (n.q ? n.q.data : n.weights).length;
      if (nw % u !== 0 || nw === 0) c.fail(`${nw} weights are not a multiple of units=${u}`);
      return c.weightTensors(n, [nw / u, u], u);
    },
    read(c) {
      if (!c.posInt(c.r.units)) c.fail(`${c.where}: invalid units ${preview(c.r.units)}`);
      const units = c.r.units as number;
      const activation = c.activation();
      const w = c.weights([-1, units], () => units);
      return { ...c.base, op: 'dense', activation, ...w, units };
    },
  },
  quantize: (n, c) => quantizeWeighted(n, n.units, c),
  scratch: (n, ctx) => (n.q ? [{ label: 'wide', bytes: qgemmWideBytes(numel(ctx.shapes.get(n.inputs[0])!)) }] : []),
  lowerF32(n, ctx) {
    const k = numel(ctx.shapes.get(n.inputs[0])!);
    return lowerGemm(ctx, n.name, n.inputs[0], 1, n.units, k, n.weights, n.bias, clampOf(n.activation), false);
  },
  lowerQ(n, ctx) {
    const k = numel(ctx.shapes.get(n.inputs[0])!);
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `dense "${n.name}"`);
    const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, n.units, oq.dtype, true);
    return lowerQGemm(ctx, n.name, n.inputs[0], 1, n.units, k, n.q!, inQ.zeroPoint, rq, family, scheme, qout(n.activation, oq), false);
  },
};
