// pad: zero padding of H and W (a quantized value pads with its zero point). One byte-generic step `pad`
// for every dtype (the qu8 kernel copies pixels of `pixelBytes` bytes), over output rows.
import type { PadNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { expectInputs, expectRank4, isNonNegInt, NUMERIC } from './checks.js';
import { ELEM_BYTES, quantOf } from './lower.js';
import { split } from './pieces.js';
import type { LowerContext, OpModule, Pending, StepOf, StepRunner } from './types.js';

/** The output's bytes outside the input are `fill`. */
function lowerPad(n: PadNode, ctx: LowerContext, fill: number): Pending {
  const [, inH, inW, C] = ctx.shapes.get(n.inputs[0])!;
  const [, outH, outW] = ctx.shapes.get(n.name)!;
  const pixelBytes = C * ELEM_BYTES[ctx.typeOf(n.name).dtype];
  return (r) => ({
    kind: 'pad', name: n.name, inH, inW, pixelBytes, input: r.v(n.inputs[0]), padTop: n.pad.top, padLeft: n.pad.left,
    outH, outW, output: r.v(n.name), fill,
  });
}

export const pad: OpModule<PadNode> = {
  op: 'pad',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    const p = n.pad;
    if (p == null || !isNonNegInt(p.top) || !isNonNegInt(p.left) || !isNonNegInt(p.bottom) || !isNonNegInt(p.right)) {
      throw new ShapeError(`${c.where}: pad must have non-negative integer top/left/bottom/right, got ${preview(p)}`);
    }
    return [1, x[1]! + p.top + p.bottom, x[2]! + p.left + p.right, x[3]!];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n, c) => ({ name: n.name, op: n.op, inputs: [...n.inputs], pad: c.pad(n.pad) }),
    read: (c) => ({ ...c.base, op: 'pad', pad: c.pad() }),
  },
  // Padding keeps the input's quantization.
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs });
    c.setQ(n.name, c.quantOf(c.inputs[0]));
  },
  lowerF32: (n, ctx) => lowerPad(n, ctx, 0),
  lowerQ: (n, ctx) => lowerPad(n, ctx, quantOf(ctx, n.name).zeroPoint),
};

export const PAD_STEPS: { pad: StepRunner<StepOf<'pad'>> } = {
  pad: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1) k.quant.qu8.fp32.pad(s.inH, s.inW, s.pixelBytes, s.input, s.padTop, s.padLeft, s.outH, s.outW, s.output, o0, o1, s.fill);
    },
  },
};
