// resize_bilinear: bilinear resize of H and W to `size` (TFLite RESIZE_BILINEAR semantics). Step `qresize`
// (int8 only: DeepLab's upsampling), over output rows. (Image preprocessing has its own kernel, the u8
// resize-normalize one, which is not an op: see src/ops/README.md.)
import type { ResizeBilinearNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { expectInputs, expectRank4, isPosInt, NUMERIC } from './checks.js';
import { familyOf, quantOf, unsupported } from './lower.js';
import { split } from './pieces.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

/** Named values of the kernel's flag arguments. */
const ALIGN_CORNERS = 1, HALF_PIXEL_CENTERS = 1, OFF = 0;

export const resizeBilinear: OpModule<ResizeBilinearNode> = {
  op: 'resize_bilinear',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    const { size } = n;
    if (!Array.isArray(size) || size.length !== 2 || !isPosInt(size[0]) || !isPosInt(size[1])) {
      throw new ShapeError(`${c.where}: size must be two positive integers [h, w], got ${preview(size)}`);
    }
    if (typeof n.alignCorners !== 'boolean' || typeof n.halfPixelCenters !== 'boolean') {
      throw new ShapeError(`${c.where}: alignCorners and halfPixelCenters must be booleans`);
    }
    if (n.alignCorners && n.halfPixelCenters) throw new ShapeError(`${c.where}: alignCorners and halfPixelCenters cannot both be true`);
    return [1, size[0], size[1], x[3]!];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({
      name: n.name, op: n.op, inputs: [...n.inputs], size: [...n.size], alignCorners: n.alignCorners, halfPixelCenters: n.halfPixelCenters,
    }),
    read: (c) => ({ ...c.base, op: 'resize_bilinear', size: c.pair('size'), alignCorners: c.bool('alignCorners'), halfPixelCenters: c.bool('halfPixelCenters') }),
  },
  // Resizing keeps the input's quantization.
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs });
    c.setQ(n.name, c.quantOf(c.inputs[0]));
  },
  lowerF32(n) {
    throw unsupported(n, `${n.op} of a float32 tensor is not supported (only of uint8 / int8 tensors)`);
  },
  lowerQ(n, ctx) {
    const [, inH, inW, ch] = ctx.shapes.get(n.inputs[0])!;
    const [, outH, outW] = ctx.shapes.get(n.name)!;
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    if (inQ.zeroPoint !== oq.zeroPoint || Math.fround(inQ.scale) !== Math.fround(oq.scale)) {
      throw unsupported(n, `input and output quantization differ ((${inQ.scale}, ${inQ.zeroPoint}) vs (${oq.scale}, ${oq.zeroPoint})); TFLite requires them equal`);
    }
    const family = familyOf(oq.dtype, `resize_bilinear "${n.name}"`);
    const scheme = ctx.scheme;
    return (r) => ({
      kind: 'qresize', name: n.name, family, scheme, inH, inW, channels: ch, input: r.v(n.inputs[0]), outH, outW, output: r.v(n.name),
      alignCorners: n.alignCorners, halfPixel: n.halfPixelCenters,
    });
  },
};

export const RESIZE_STEPS: { qresize: StepRunner<StepOf<'qresize'>> } = {
  qresize: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1) {
        k.quant[s.family][s.scheme].resize(s.inH, s.inW, s.channels, s.input, s.outH, s.outW, s.output, o0, o1,
          s.alignCorners ? ALIGN_CORNERS : OFF, s.halfPixel ? HALF_PIXEL_CENTERS : OFF);
      }
    },
  },
};
