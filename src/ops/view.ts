// view: elements [begin, begin + numel(shape)) of the input's flat buffer, as `shape`. No step: like reshape,
// plan/compile.ts makes the output an alias of its input's buffer, `begin` elements in. It exposes each output
// of a node that computes several into one packed buffer (detection_postprocess).
import type { ViewNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { expectInputs, fmt, isNonNegInt, isPosInt, NUMERIC } from './checks.js';
import { numel } from './lower.js';
import type { OpModule } from './types.js';

const shapeOk = (s: unknown): s is number[] => Array.isArray(s) && s.length >= 1 && s.length <= 8 && s.every((d) => isPosInt(d));

export const view: OpModule<ViewNode> = {
  op: 'view',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    if (!shapeOk(n.shape) || !isNonNegInt(n.begin)) throw new ShapeError(`${c.where}: begin must be an integer ≥ 0 and shape 1 to 8 positive integers`);
    if (n.begin + numel(n.shape) > numel(x)) {
      throw new ShapeError(`${c.where}: elements ${n.begin}..${n.begin + numel(n.shape)} lie outside "${n.inputs[0]}" ${fmt(x)}`);
    }
    return [...n.shape];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], begin: n.begin, shape: [...n.shape] }),
    read(c) {
      const { shape, begin } = c.r;
      if (!shapeOk(shape) || !isNonNegInt(begin)) c.fail(`${c.where}: invalid begin ${preview(begin)} or shape ${preview(shape)}`);
      return { ...c.base, op: 'view', begin: begin as number, shape: [...(shape as number[])] };
    },
  },
  lowerF32: () => null,
  lowerQ: () => null,
};
