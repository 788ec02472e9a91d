// conv2d: dense 2-D convolution, weights HWIO [kh, kw, cin, cout], bias [cout].
// Steps: a 3×3 window lowers to `conv3x3` / `qconv3x3` (the stem: a direct HWC kernel over output rows);
// an unpadded 1×1 with stride 1 lowers to a GEMM over the pixels (./gemm.ts). Other windows are unsupported.
import type { Conv2DNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { conv3x3Packing } from '../plan/pack.js';
import { qconv3x3DotPacking, qconv3x3Packing, qconv3x3ScratchBytes, qgemmWideBytes, qweightsOf } from '../plan/pack-q.js';
import { checkWeights, checkWindow, expectInputs, expectRank4, isPosInt, isSafePosInt } from './checks.js';
import { gemmByRows, lowerGemm, lowerQGemm } from './gemm.js';
import { clampOf, convRq, familyOf, isPlainPointwise, perThread, qout, quantOf, unsupported } from './lower.js';
import { split } from './pieces.js';
import { quantizeWeighted, weightCount, weightedTypes } from './weighted.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

const isStem = (n: Conv2DNode) => n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1];
const noDilation = (n: Conv2DNode) => n.dilation === undefined || (n.dilation[0] === 1 && n.dilation[1] === 1);

export const conv2d: OpModule<Conv2DNode> = {
  op: 'conv2d',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    if (!isPosInt(n.outChannels)) throw new ShapeError(`${c.where}: outChannels must be a positive integer, got ${n.outChannels}`);
    const [outH, outW] = checkWindow(n, x);
    const [kh, kw] = n.kernel;
    const cin = x[3]!;
    const cout = n.outChannels;
    checkWeights(n, kh * kw * cin * cout, `${kh}·${kw}·${cin}·${cout}`, cout, '(outChannels)');
    return [1, outH, outW, cout];
  },
  types: weightedTypes,
  cost(n, inShape, outShape) {
    const [, oh, ow, cout] = outShape;
    const macs = oh! * ow! * n.kernel[0] * n.kernel[1] * inShape[3]! * cout!;
    return { macs, params: weightCount(n).weights + weightCount(n).bias };
  },
  slimParams: (n) => weightCount(n).weights,
  native: {
    arity: 1,
    write: (n, c) => ({
      name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride],
      ...(n.dilation !== undefined ? { dilation: [...n.dilation] } : {}), pad: c.pad(n.pad),
      activation: n.activation, outChannels: n.outChannels, ...c.tensorRefs(n),
    }),
    tensors(n, c) {
      const [kh, kw] = n.kernel;
      if (!isSafePosInt(kh) || !isSafePosInt(kw)) c.fail(`invalid kernel ${preview(n.kernel)}`);
      if (!isSafePosInt(n.outChannels)) c.fail(`invalid outChannels ${n.outChannels}`);
      const co = n.outChannels;
      const nw = (n.q ? n.q.data : n.weights).length;
      const per = kh * kw * co;
      if (nw % per !== 0 || nw === 0) c.fail(`${nw} weights do not make a [${kh}, ${kw}, cin, ${co}] kernel`);
      return c.weightTensors(n, [kh, kw, nw / per, co], co);
    },
    read(c) {
      const kernel = c.pair('kernel');
      const stride = c.pair('stride');
      const dil = c.r.dilation !== undefined ? { dilation: c.pair('dilation') } : {};
      const pad = c.pad();
      const activation = c.activation();
      if (!c.posInt(c.r.outChannels)) c.fail(`${c.where}: invalid outChannels ${preview(c.r.outChannels)}`);
      const oc = c.r.outChannels as number;
      const w = c.weights([kernel[0], kernel[1], -1, oc], () => oc);
      return { ...c.base, op: 'conv2d', kernel, stride, ...dil, pad, activation, ...w, outChannels: oc };
    },
  },
  quantize: (n, c) => quantizeWeighted(n, n.outChannels, c),
  scratch(n, ctx) {
    if (!n.q) return [];
    const inShape = ctx.shapes.get(n.inputs[0])!;
    // The int8 stem's im2col rows; the int8 GEMM's rows of A widened to int16.
    if (n.kernel[0] === 3 && n.kernel[1] === 3) return [{ label: 'im2col', bytes: qconv3x3ScratchBytes(inShape[3], ctx.shapes.get(n.name)![2]) }];
    return [{ label: 'wide', bytes: qgemmWideBytes(inShape[3]) }];
  },
  lowerF32(n, ctx) {
    const [, inH, inW, inC] = ctx.shapes.get(n.inputs[0])!;
    const [, outH, outW, outC] = ctx.shapes.get(n.name)!;
    const [min, max] = clampOf(n.activation);
    if (!noDilation(n)) throw unsupported(n, `dilation ${n.dilation!.join('×')} is not supported for float32 (only 1)`);
    if (isStem(n) && n.stride[0] <= 2) {
      const at = ctx.consts.add(conv3x3Packing(n.weights, n.bias, inC, outC));
      return (r) => ({
        kind: 'conv3x3', name: n.name, inH, inW, inC, input: r.v(n.inputs[0]), stride: n.stride[0], padTop: n.pad.top,
        padLeft: n.pad.left, packed: r.w(at), outC, output: r.v(n.name), outH, outW, min, max,
      });
    }
    if (isPlainPointwise(n)) {
      return lowerGemm(ctx, n.name, n.inputs[0], inH * inW, outC, inC, n.weights, n.bias, [min, max], gemmByRows(inH * inW, outC, inC, 'float32'));
    }
    throw unsupported(n, `${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} is not supported (only 3×3 with stride 1 or 2, and unpadded 1×1 with stride 1)`);
  },
  lowerQ(n, ctx) {
    const [, inH, inW, inC] = ctx.shapes.get(n.inputs[0])!;
    const [, outH, outW, outC] = ctx.shapes.get(n.name)!;
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `conv2d "${n.name}"`);
    const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, outC, oq.dtype);
    const o = qout(n.activation, oq);
    const [dh, dw] = n.dilation ?? [1, 1];
    if (isStem(n) && dh === 1 && dw === 1) {
      // The relaxed dot stem where the probe found the dot exact and the weights fit int8, else the family's kernel.
      const d = ctx.relaxedDot && scheme === 'fp32' ? qconv3x3DotPacking(qweightsOf(n.q!), inC, outC, inQ.zeroPoint, rq, family, ctx.relaxedDot) : null;
      const at = ctx.consts.add(d ? d.packing : qconv3x3Packing(qweightsOf(n.q!), inC, outC, inQ.zeroPoint, rq, family));
      const dot = d ? { dot: d.xor } : {};
      return (r) => ({ ...dot,
        kind: 'qconv3x3', name: n.name, family, scheme, inH, inW, inC, input: r.v(n.inputs[0]), stride: n.stride[0],
        padTop: n.pad.top, padLeft: n.pad.left, packed: r.w(at), outC, output: r.v(n.name), outH, outW, aZp: inQ.zeroPoint, ...o,
        scratch: perThread(ctx, (t) => r.s(`${n.name}/im2col${t}`)),
      });
    }
    if (isPlainPointwise(n)) {
      return lowerQGemm(ctx, n.name, n.inputs[0], inH * inW, outC, inC, n.q!, inQ.zeroPoint, rq, family, scheme, o, gemmByRows(inH * inW, outC, inC, 'int8'));
    }
    throw unsupported(n, `a ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} and dilation ${dh}×${dw} is not supported for ${oq.dtype} (only 3×3 without dilation, and unpadded 1×1 with stride 1)`);
  },
};

export const CONV2D_STEPS: { conv3x3: StepRunner<StepOf<'conv3x3'>>; qconv3x3: StepRunner<StepOf<'qconv3x3'>> } = {
  conv3x3: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1) k.conv3x3(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW, o0, o1, s.min, s.max);
    },
  },
  qconv3x3: {
    maxPieces: (s) => s.outH,
    run(k, s, piece, pieces, slot) {
      const [o0, o1] = split(s.outH, piece, pieces);
      if (o0 < o1 && s.dot !== undefined) {
        const sh = s.family === 'qu8' ? 128 : 0;
        k.qconv3x3dot!(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW,
          o0, o1, s.aZp, s.outZp - sh, s.qmin - sh, s.qmax - sh, s.scratch[slot], s.dot);
      } else if (o0 < o1) {
        k.quant[s.family][s.scheme].conv3x3(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW,
          o0, o1, s.aZp, s.outZp, s.qmin, s.qmax, s.scratch[slot]);
      }
    },
  },
};
