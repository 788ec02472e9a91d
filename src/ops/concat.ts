// concat: concatenation along channels (all inputs [1,H,W,Ci]). One byte-generic step `concat` for every dtype:
// each input's channel slice is copied, or (uint8 inputs of other quantization) rescaled as TFLite does.
import type { ConcatNode } from '../graph/ir.js';
import { ShapeError, UnsupportedOpError, preview } from '../errors.js';
import { concatParams } from '../plan/requant.js';
import { expectRank4, fmt, NUMERIC } from './checks.js';
import { ELEM_BYTES } from './lower.js';
import { split } from './pieces.js';
import type { LowerContext, OpModule, Pending, StepOf, StepRunner } from './types.js';

/** Byte copies, or TFLite's float rescale for uint8 inputs of other quantization. */
function lowerConcat(n: ConcatNode, ctx: LowerContext): Pending {
  const out = ctx.typeOf(n.name);
  const elem = ELEM_BYTES[out.dtype];
  const [, H, W, C] = ctx.shapes.get(n.name)!;
  let offset = 0;
  const slices = n.inputs.map((v) => {
    const t = ctx.typeOf(v);
    const c = ctx.shapes.get(v)![3];
    const p = t.quant && out.quant ? concatParams(t.quant, out.quant) : { copy: true, scale: 1, bias: 0, outZeroPoint: 0 };
    if (!p.copy && out.dtype !== 'uint8') {
      throw new UnsupportedOpError(`cannot compile concat "${n.name}": input "${v}" has quantization (${t.quant!.scale}, ${t.quant!.zeroPoint}) but the output (${out.quant!.scale}, ${out.quant!.zeroPoint}); an ${out.dtype} concatenation needs equal quantization (as in TFLite)`);
    }
    const s = { v, bytes: c * elem, offset, copy: p.copy, scale: p.scale, bias: p.bias, outZp: p.outZeroPoint };
    offset += c * elem;
    return s;
  });
  return (r) => ({
    kind: 'concat', name: n.name, pixels: H * W, output: r.v(n.name), outStride: C * elem,
    slices: slices.map(({ v, ...s }) => ({ input: r.v(v), ...s })),
  });
}

export const concat: OpModule<ConcatNode> = {
  op: 'concat',
  shape(n, c) {
    if (!Array.isArray(n.inputs) || n.inputs.length < 1) {
      throw new ShapeError(`${c.where}: expected at least 1 input, got ${Array.isArray(n.inputs) ? 0 : 'no inputs array'}`);
    }
    if (n.axis !== 3) throw new UnsupportedOpError(`${c.where}: concatenation along axis ${String(n.axis)} is not supported (only 3, channels)`);
    const xs = n.inputs.map((i) => {
      const s = c.lookup(i);
      expectRank4(n, i, s);
      return s;
    });
    const [, h, wd] = xs[0]!;
    for (const [k, s] of xs.entries()) {
      if (s[1] !== h || s[2] !== wd) {
        throw new ShapeError(`${c.where}: input "${n.inputs[k]}" has shape ${fmt(s)} but "${n.inputs[0]}" has ${fmt(xs[0]!)}; H and W must agree`);
      }
    }
    return [1, h!, wd!, xs.reduce((sum, s) => sum + s[3]!, 0)];
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
      if (c.r.axis !== 3) c.fail(`${c.where}: invalid axis ${preview(c.r.axis)} (must be 3)`);
      return { ...c.base, op: 'concat', axis: 3 };
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
