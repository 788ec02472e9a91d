// argmax: index of the maximum along channels, [1,H,W,C] → [1,H,W] int32 or int64 (ties: lowest index).
// Step `argmax` (int8 inputs only: DeepLab's class map), over pixels.
import type { ArgmaxNode } from '../graph/ir.js';
import { UnsupportedOpError, preview } from '../errors.js';
import { expectInputs, expectRank4, NUMERIC } from './checks.js';
import { familyOf, quantOf, unsupported } from './lower.js';
import { split } from './pieces.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const argmax: OpModule<ArgmaxNode> = {
  op: 'argmax',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    if (n.axis !== 3) throw new UnsupportedOpError(`${c.where}: argmax along axis ${String(n.axis)} is not supported (only 3, channels)`);
    if (n.outputType !== 'int32' && n.outputType !== 'int64') {
      throw new UnsupportedOpError(`${c.where}: outputType "${String(n.outputType)}" is not supported (int32 or int64)`);
    }
    return [1, x[1]!, x[2]!];
  },
  types(n, c) {
    c.inType(0, NUMERIC);
    c.outIs(n.outputType, 'the node\'s outputType');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], axis: n.axis, outputType: n.outputType }),
    read(c) {
      const { r } = c;
      if (r.axis !== 3) c.fail(`${c.where}: invalid axis ${preview(r.axis)} (must be 3)`);
      if (r.outputType !== 'int32' && r.outputType !== 'int64') c.fail(`${c.where}: invalid outputType ${preview(r.outputType)}`);
      return { ...c.base, op: 'argmax', axis: 3, outputType: r.outputType as 'int32' | 'int64' };
    },
  },
  lowerF32(n) {
    throw unsupported(n, `${n.op} of a float32 tensor is not supported (only of uint8 / int8 tensors)`);
  },
  lowerQ(n, ctx) {
    const [, h, w, ch] = ctx.shapes.get(n.inputs[0])!;
    const inQ = quantOf(ctx, n.inputs[0]);
    const family = familyOf(inQ.dtype, `argmax "${n.name}"`);
    const scheme = ctx.scheme;
    return (r) => ({
      kind: 'argmax', name: n.name, family, scheme, pixels: h * w, channels: ch, input: r.v(n.inputs[0]), output: r.v(n.name),
      int64: n.outputType === 'int64',
    });
  },
};

export const ARGMAX_STEPS: { argmax: StepRunner<StepOf<'argmax'>> } = {
  argmax: {
    maxPieces: (s) => s.pixels,
    run(k, s, piece, pieces) {
      const [p0, p1] = split(s.pixels, piece, pieces);
      const q = k.quant[s.family][s.scheme];
      if (p0 < p1) (s.int64 ? q.argmax64 : q.argmax)(p1 - p0, s.channels, s.input + p0 * s.channels, s.output + p0 * (s.int64 ? 8 : 4));
    },
  },
};
