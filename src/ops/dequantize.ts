// dequantize: uint8 / int8 → float32 (step `dequantize`).
import type { DequantizeNode } from '../graph/ir.js';
import { expectInputs } from './checks.js';
import { familyOf, numel, quantOf } from './lower.js';
import { MIN_ELEMENTS_PER_PIECE, splitBlocks } from './pieces.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const dequantize: OpModule<DequantizeNode> = {
  op: 'dequantize',
  shape(n, c) {
    expectInputs(n, 1);
    return [...c.lookup(n.inputs[0]!)];
  },
  types(_n, c) {
    c.inType(0, ['uint8', 'int8']);
    c.outIs('float32', 'dequantize produces float32');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs] }),
    read: (c) => ({ ...c.base, op: 'dequantize' }),
  },
  lowerF32(n, ctx) {
    // Its input is always quantized (types()), so compile() lowers it with lowerQ.
    return dequantize.lowerQ(n, ctx);
  },
  lowerQ(n, ctx) {
    const inQ = quantOf(ctx, n.inputs[0]);
    const family = familyOf(inQ.dtype, `dequantize "${n.name}"`);
    const count = numel(ctx.shapes.get(n.name)!);
    const scheme = ctx.scheme;
    return (r) => ({
      kind: 'dequantize', name: n.name, family, scheme, n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
      scale: Math.fround(inQ.scale), zp: inQ.zeroPoint,
    });
  },
};

export const DEQUANTIZE_STEPS: { dequantize: StepRunner<StepOf<'dequantize'>> } = {
  dequantize: {
    maxPieces: (s) => Math.floor(s.n / MIN_ELEMENTS_PER_PIECE),
    run(k, s, piece, pieces) {
      const [e0, e1] = splitBlocks(s.n, 16, piece, pieces);
      if (e0 < e1) k.quant[s.family][s.scheme].dequantize(e1 - e0, s.input + e0, s.output + 4 * e0, s.scale, s.zp);
    },
  },
};
