// reshape: same elements, new shape (RESHAPE, SQUEEZE, Flatten). No step: plan/compile.ts makes its output an
// alias of its input's buffer (the input's lifetime covers the alias's readers).
import type { ReshapeNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { expectInputs, fmt, isPosInt, NUMERIC } from './checks.js';
import { numel } from './lower.js';
import type { OpModule } from './types.js';

export const reshape: OpModule<ReshapeNode> = {
  op: 'reshape',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    const { shape } = n;
    if (!Array.isArray(shape) || shape.length < 1 || shape.length > 8 || !shape.every((d) => isPosInt(d))) {
      throw new ShapeError(`${c.where}: shape must be 1 to 8 positive integers, got ${preview(shape)}`);
    }
    if (numel(shape) !== numel(x)) {
      throw new ShapeError(`${c.where}: cannot reshape "${n.inputs[0]}" ${fmt(x)} (${numel(x)} elements) to ${fmt(shape)} (${numel(shape)} elements)`);
    }
    return [...shape];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], shape: [...n.shape] }),
    read(c) {
      const sh = c.r.shape;
      if (!Array.isArray(sh) || sh.length < 1 || sh.length > 8 || !sh.every(c.posInt)) c.fail(`${c.where}: invalid shape ${preview(sh)}`);
      return { ...c.base, op: 'reshape', shape: [...(sh as number[])] };
    },
  },
  // Same values, same quantization.
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs });
    c.setQ(n.name, c.quantOf(c.inputs[0]));
  },
  lowerF32: () => null,
  lowerQ: () => null,
};
