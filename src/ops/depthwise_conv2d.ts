// depthwise_conv2d: depthwise convolution with channel multiplier 1, weights [kh, kw, c], bias [c].
// Steps: `dwconv` (float32: 3×3, stride 1 or 2, pad ≤ 1, no dilation) and `qdwconv` (int8: 3×3, equal strides,
// any dilation), both one output row per kernel call over rows of the input; rows above or below the image read
// a zero row (float32: the plan's zero buffer; int8: a row of the input's zero point). Inside an inverted
// residual block the depthwise runs fused (./block.ts).
import type { DepthwiseConv2DNode } from '../graph/ir.js';
import { dwconv3x3Packing } from '../plan/pack.js';
import { qdwconv3x3Packing, qweightsOf } from '../plan/pack-q.js';
import { checkWeights, checkWindow, expectInputs, expectRank4, isPosInt, isSafePosInt } from './checks.js';
import { clampOf, convRq, familyOf, qout, quantOf, unsupported } from './lower.js';
import { split } from './pieces.js';
import { quantizeWeighted, weightCount, weightedTypes } from './weighted.js';
import type { OpModule, StepOf, StepRunner } from './types.js';
import { preview } from '../errors.js';

const noDilation = (d: [number, number] | undefined) => d === undefined || (d[0] === 1 && d[1] === 1);

export const depthwiseConv2d: OpModule<DepthwiseConv2DNode> = {
  op: 'depthwise_conv2d',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    const [outH, outW] = checkWindow(n, x);
    const [kh, kw] = n.kernel;
    const ch = x[3]!;
    checkWeights(n, kh * kw * ch, `${kh}·${kw}·${ch}`, ch, '(input channels)');
    return [1, outH, outW, ch];
  },
  types: weightedTypes,
  cost(n, _inShape, outShape) {
    const [, oh, ow, ch] = outShape;
    return { macs: oh! * ow! * n.kernel[0] * n.kernel[1] * ch!, params: weightCount(n).weights + weightCount(n).bias };
  },
  slimParams: (n) => weightCount(n).weights,
  native: {
    arity: 1,
    write: (n, c) => ({
      name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride],
      ...(n.dilation !== undefined ? { dilation: [...n.dilation] } : {}), pad: c.pad(n.pad), activation: n.activation, ...c.tensorRefs(n),
    }),
    tensors(n, c) {
      const [kh, kw] = n.kernel;
      if (!isSafePosInt(kh) || !isSafePosInt(kw)) c.fail(`invalid kernel ${preview(n.kernel)}`);
      const nw = (n.q ? n.q.data : n.weights).length;
      if (nw % (kh * kw) !== 0 || nw === 0) c.fail(`${nw} weights do not make a [${kh}, ${kw}, C] kernel`);
      const ch = nw / (kh * kw);
      return c.weightTensors(n, [kh, kw, ch], ch);
    },
    read(c) {
      const kernel = c.pair('kernel');
      const stride = c.pair('stride');
      const dil = c.r.dilation !== undefined ? { dilation: c.pair('dilation') } : {};
      const pad = c.pad();
      const activation = c.activation();
      const w = c.weights([kernel[0], kernel[1], -1], (s) => s[2]!);
      return { ...c.base, op: 'depthwise_conv2d', kernel, stride, ...dil, pad, activation, ...w };
    },
  },
  quantize: (n, c) => quantizeWeighted(n, n.bias.length, c, true),
  zeroBytes(n, shapes) {
    if (n.q) return 0;
    const [, , w, ch] = shapes.get(n.inputs[0])!;
    return w * ch * 4;
  },
  lowerF32(n, ctx) {
    const [, inH, inW, ch] = ctx.shapes.get(n.inputs[0])!;
    const [, outH, outW] = ctx.shapes.get(n.name)!;
    if (!(n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && n.stride[0] <= 2 && n.pad.left <= 1 && n.pad.top <= 1 && noDilation(n.dilation))) {
      throw unsupported(n, `${n.kernel.join('×')} kernel, stride ${n.stride.join('×')}, pad ${n.pad.top}/${n.pad.left}, dilation ${(n.dilation ?? [1, 1]).join('×')} is not supported for float32 (only 3×3, stride 1 or 2, pad ≤ 1, no dilation)`);
    }
    const [min, max] = clampOf(n.activation);
    const at = ctx.consts.add(dwconv3x3Packing(n.weights, n.bias, ch));
    return (r) => ({
      kind: 'dwconv', name: n.name, channels: ch, inH, inW, input: r.v(n.inputs[0]), stride: n.stride[0], padTop: n.pad.top,
      padLeft: n.pad.left, packed: r.w(at), output: r.v(n.name), outH, outW, min, max, zero: r.zero,
      inRowBytes: inW * ch * 4, outRowBytes: outW * ch * 4,
    });
  },
  lowerQ(n, ctx) {
    const [, inH, inW, ch] = ctx.shapes.get(n.inputs[0])!;
    const [, outH, outW] = ctx.shapes.get(n.name)!;
    if (n.kernel[0] !== 3 || n.kernel[1] !== 3 || n.stride[0] !== n.stride[1]) {
      throw unsupported(n, `a ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} is not supported (only 3×3 with equal strides)`);
    }
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `depthwise_conv2d "${n.name}"`);
    const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, ch, oq.dtype);
    const at = ctx.consts.add(qdwconv3x3Packing(qweightsOf(n.q!), ch, inQ.zeroPoint, rq, family));
    ctx.zpRow(inQ.zeroPoint, inW * ch);
    const o = qout(n.activation, oq);
    const dilation: [number, number] = [n.dilation?.[0] ?? 1, n.dilation?.[1] ?? 1];
    return (r) => ({
      kind: 'qdwconv', name: n.name, family, scheme, channels: ch, inH, inW, input: r.v(n.inputs[0]), stride: n.stride[0], dilation,
      padTop: n.pad.top, padLeft: n.pad.left, packed: r.w(at), output: r.v(n.name), outH, outW, aZp: inQ.zeroPoint, zero: r.zp(inQ.zeroPoint), ...o,
      inRowBytes: inW * ch, outRowBytes: outW * ch,
    });
  },
};

export const DEPTHWISE_STEPS: { dwconv: StepRunner<StepOf<'dwconv'>>; qdwconv: StepRunner<StepOf<'qdwconv'>> } = {
  dwconv: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces) {
      const row = (iy: number) => (iy < 0 || iy >= s.inH ? s.zero : s.input + iy * s.inRowBytes);
      const [o0, o1] = split(s.outH, piece, pieces);
      for (let oy = o0; oy < o1; oy++) {
        const iy = oy * s.stride - s.padTop;
        k.dwconv(s.channels, s.inW, row(iy), row(iy + 1), row(iy + 2), s.stride, s.padLeft, s.packed,
          s.output + oy * s.outRowBytes, s.outW, s.min, s.max);
      }
    },
  },
  qdwconv: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces) {
      const q = k.quant[s.family][s.scheme];
      const [dh, dw] = s.dilation;
      const row = (iy: number) => (iy < 0 || iy >= s.inH ? s.zero : s.input + iy * s.inRowBytes);
      const [o0, o1] = split(s.outH, piece, pieces);
      for (let oy = o0; oy < o1; oy++) {
        const iy = oy * s.stride - s.padTop;
        q.dwconv(s.channels, s.inW, row(iy), row(iy + dh), row(iy + 2 * dh), s.stride, dw, s.padLeft, s.packed,
          s.output + oy * s.outRowBytes, s.outW, s.aZp, s.outZp, s.qmin, s.qmax);
      }
    },
  },
};
