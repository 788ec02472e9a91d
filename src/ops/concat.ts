// concat: concatenation along any axis (inputs of one rank, equal but at the axis). One byte-generic step
// `concat` for every dtype: the dimensions before the axis are `pixels` rows, and each input's contiguous run
// after them (its axis extent × the inner dimensions) is copied, or (uint8 inputs of other quantization)
// rescaled as TFLite does.
import type { ConcatNode } from '../graph/ir.js';
import { ShapeError, UnsupportedOpError, preview } from '../errors.js';
import { concatParams } from '../plan/requant.js';
import { fmt, NUMERIC } from './checks.js';
import { ELEM_BYTES, numel } from './lower.js';
import { split } from './pieces.js';
import type { LowerContext, OpModule, Pending, StepOf, StepRunner } from './types.js';

/** Byte copies, or TFLite's float rescale for uint8 inputs of other quantization. */
function lowerConcat(n: ConcatNode, ctx: LowerContext): Pending {
  const out = ctx.typeOf(n.name);
  const elem = ELEM_BYTES[out.dtype];
  const outShape = ctx.shapes.get(n.name)!;
  const rows = numel(outShape.slice(0, n.axis));
  let offset = 0;
  const slices = n.inputs.map((v) => {
    const t = ctx.typeOf(v);
    const c = numel(ctx.shapes.get(v)!.slice(n.axis));
    const p = t.quant && out.quant ? concatParams(t.quant, out.quant) : { copy: true, scale: 1, bias: 0, outZeroPoint: 0 };
    if (!p.copy && out.dtype !== 'uint8') {
      throw new UnsupportedOpError(`cannot compile concat "${n.name}": input "${v}" has quantization (${t.quant!.scale}, ${t.quant!.zeroPoint}) but the output (${out.quant!.scale}, ${out.quant!.zeroPoint}); an ${out.dtype} concatenation needs equal quantization (as in TFLite)`);
    }
    const s = { v, bytes: c * elem, offset, copy: p.copy, scale: p.scale, bias: p.bias, outZp: p.outZeroPoint };
    offset += c * elem;
    return s;
  });
  return (r) => ({
    kind: 'concat', name: n.name, pixels: rows, output: r.v(n.name), outStride: offset,
    slices: slices.map(({ v, ...s }) => ({ input: r.v(v), ...s })),
  });
}

export const concat: OpModule<ConcatNode> = {
  op: 'concat',
  shape(n, c) {
    if (!Array.isArray(n.inputs) || n.inputs.length < 1) {
      throw new ShapeError(`${c.where}: expected at least 1 input, got ${Array.isArray(n.inputs) ? 0 : 'no inputs array'}`);
    }
    const xs = n.inputs.map((i) => c.lookup(i));
    const x0 = xs[0]!;
    const ax = n.axis;
    if (!Number.isInteger(ax) || ax < 0 || ax >= x0.length) throw new ShapeError(`${c.where}: axis ${String(ax)} is outside 0..${x0.length - 1}`);
    for (const [k, s] of xs.entries()) {
      if (s.length !== x0.length || s.some((d, i) => i !== ax && d !== x0[i])) {
        throw new ShapeError(`${c.where}: input "${n.inputs[k]}" has shape ${fmt(s)} but "${n.inputs[0]}" has ${fmt(x0)}; all but axis ${ax} must agree`);
      }
    }
    return x0.map((d, i) => (i === ax ? xs.reduce((sum, s) => sum + s[ax]!, 0) : d));
  },
  types(n, c) {
    const a = c.inType(0, NUMERIC);
    for (let k = 1; k < n.inputs.length; k++) c.inType(k, [a.dtype]);
    c.outIs(a.dtype, 'the inputs\' dtype');
  },
  native: {
    arity: -1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], axis: n.axis }),
    read(c) {
      const ax = c.r.axis;
      if (typeof ax !== 'number' || !Number.isInteger(ax) || ax < 0 || ax > 7) c.fail(`${c.where}: invalid axis ${preview(ax)}`);
      return { ...c.base, op: 'concat', axis: ax as number };
    },
  },
  // Its own calibrated range (the inputs are rescaled to it).
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs });
    c.setQ(n.name, c.calibrated(n.name));
  },
  lowerF32: lowerConcat,
  lowerQ: lowerConcat,
};

export const CONCAT_STEPS: { concat: StepRunner<StepOf<'concat'>> } = {
  concat: {
    maxPieces: (s) => s.pixels,
    run(k, s, piece, pieces) {
      const [p0, p1] = split(s.pixels, piece, pieces);
      if (p0 >= p1) return;
      const copy = k.quant.qu8.fp32.concat;
      for (const c of s.slices) {
        copy(p1 - p0, c.bytes, c.input + p0 * c.bytes, s.output + p0 * s.outStride + c.offset, s.outStride, c.copy ? 1 : 0, c.scale, c.bias, c.outZp);
      }
    },
  },
};
