// quantize: float32 → uint8 / int8 (step `quantize`), or quantized → quantized with other parameters (step
// `requantize`: XNNPACK's convert between two quantizations of one dtype under the 'fp32' scheme, TFLite's
// Requantize otherwise). Only quantized graphs contain it; the quantizer emits it for the graph input.
import type { QuantizeNode } from '../graph/ir.js';
import { UnsupportedOpError } from '../errors.js';
import { dtypeRange, requantizeParams, requantizeParamsMulShift } from '../plan/requant.js';
import { expectInputs, NUMERIC } from './checks.js';
import { familyOf, numel, quantOf } from './lower.js';
import { MIN_ELEMENTS_PER_PIECE, splitBlocks } from './pieces.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const quantize: OpModule<QuantizeNode> = {
  op: 'quantize',
  shape(n, c) {
    expectInputs(n, 1);
    return [...c.lookup(n.inputs[0]!)];
  },
  types(_n, c) {
    c.inType(0, NUMERIC);
    c.outIs(['uint8', 'int8'], 'quantize produces a quantized value');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs] }),
    read: (c) => ({ ...c.base, op: 'quantize' }),
  },
  lowerF32(n) {
    // A quantize always has a quantized output, so compile() lowers it with lowerQ.
    throw new UnsupportedOpError(`cannot compile quantize "${n.name}": its output is not quantized`);
  },
  lowerQ(n, ctx) {
    const oq = quantOf(ctx, n.name);
    const [qmin, qmax] = dtypeRange(oq.dtype);
    const inT = ctx.typeOf(n.inputs[0]);
    const count = numel(ctx.shapes.get(n.name)!);
    const scheme = ctx.scheme;
    if (inT.dtype === 'float32') {
      const family = familyOf(oq.dtype, `quantize "${n.name}"`);
      return (r) => ({
        kind: 'quantize', name: n.name, family, scheme, n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
        scale: Math.fround(oq.scale), zp: oq.zeroPoint, qmin, qmax,
      });
    }
    const inQ = quantOf(ctx, n.inputs[0]);
    const family = familyOf(inQ.dtype, `quantize "${n.name}"`);
    // XNNPACK converts between two quantizations of one type; TFLite's own kernel does the rest.
    const xnn = scheme === 'fp32' && inQ.dtype === oq.dtype ? requantizeParamsMulShift(inQ, oq, oq.dtype) : null;
    const p = xnn ?? requantizeParams(inQ, oq, oq.dtype);
    return (r) => ({
      kind: 'requantize', name: n.name, family, scheme: xnn ? 'fp32' : 'gemmlowp', n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
      inZp: p.inZeroPoint, outZp: p.outZeroPoint, mult: p.mult, shift: p.shift, qmin: p.qmin, qmax: p.qmax,
    });
  },
};

export const QUANTIZE_STEPS: { quantize: StepRunner<StepOf<'quantize'>>; requantize: StepRunner<StepOf<'requantize'>> } = {
  quantize: {
    maxPieces: (s) => Math.floor(s.n / MIN_ELEMENTS_PER_PIECE),
    run(k, s, piece, pieces) {
      const [e0, e1] = splitBlocks(s.n, 16, piece, pieces);
      if (e0 < e1) k.quant[s.family][s.scheme].quantize(e1 - e0, s.input + 4 * e0, s.output + e0, s.scale, s.zp, s.qmin, s.qmax);
    },
  },
  requantize: {
    maxPieces: (s) => Math.floor(s.n / MIN_ELEMENTS_PER_PIECE),
    run(k, s, piece, pieces) {
      const [e0, e1] = splitBlocks(s.n, 16, piece, pieces);
      if (e0 < e1) k.quant[s.family][s.scheme].requantize(e1 - e0, s.input + e0, s.output + e0, s.inZp, s.outZp, s.mult, s.shift, s.qmin, s.qmax);
    },
  },
};
