// The ops detectors use, each in a small .tflite built with the flatbuffers builder and run by the engine, against
// a naive TypeScript reference on awkward shapes: CONCATENATION on every axis (uint8 rescaled when the
// quantization differs, float32, int8), LOGISTIC (uint8 / int8 / float32), PACK, RESHAPE, and
// TFLite_Detection_PostProcess (float and uint8 inputs, fast and regular NMS). The pieces a concatenation or the
// post-process reads come from 1×1 convolutions of the one input, and are graph outputs too: the reference
// combines the engine's own pieces, so the test checks the op (and several outputs) bit for bit.
import { describe, expect, it } from 'vitest';
import { encode } from 'flatbuffers/mjs/flexbuffers.js';
import '../../src/detect/index.js';
import { loadModel, type Model, type OutputTensor } from '../../src/index.js';
import { UnsupportedOpError } from '../../src/errors.js';
import { OPS } from '../../src/ops/index.js';
import { TfliteBuilder, concatOptions, convOptions, type OptionsSpec, type QuantSpec, type TensorTypeName } from '../helpers/tflite-builder.js';
import { Options } from '../../src/formats/tflite/schema.js';
import { refPostProcess, type RefOptions } from '../helpers/reference-detect.js';
import { mulberry32 } from '../helpers/random.js';

const f = Math.fround;
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** TFLite's std::round: half away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
/** lrintf: half to even. */
const roundEven = (x: number) => { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r; };
const packOptions = (count: number, axis: number): OptionsSpec => ({ type: Options.PackOptions, fields: [[0, 'i32', count], [1, 'i32', axis]] });
const logisticQ = (type: TensorTypeName): QuantSpec | undefined =>
  type === 'UINT8' ? { scale: [1 / 256], zeroPoint: [0] } : type === 'INT8' ? { scale: [1 / 256], zeroPoint: [-128] } : undefined;

function inputData(type: TensorTypeName, n: number, seed: number): Float32Array | Uint8Array | Int8Array {
  const r = mulberry32(seed);
  if (type === 'UINT8') return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  if (type === 'INT8') return Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
  return Float32Array.from({ length: n }, () => f(r() * 8 - 4));
}

/** A model builder whose one input [1,1,P,C] feeds 1×1 convolutions that make pieces of other widths. */
class Net {
  b = new TfliteBuilder();
  x: number;
  n = 0;
  constructor(readonly type: TensorTypeName, readonly pixels: number, readonly channels: number, readonly inQ?: QuantSpec) {
    this.x = this.b.input('x', [1, 1, pixels, channels], type, inQ);
  }
  /** A 1×1 convolution of the input to `cout` channels: [1,1,P,cout], with quantization `q` (quantized types). */
  piece(cout: number, q?: QuantSpec): number {
    const k = this.n++;
    const r = mulberry32(100 + k);
    const C = this.channels;
    const y = this.b.tensor(`piece${k}`, [1, 1, this.pixels, cout], this.type, q);
    if (this.type === 'FLOAT32') {
      const w = this.b.constant(`w${k}`, [cout, 1, 1, C], 'FLOAT32', Float32Array.from({ length: cout * C }, () => f(r() - 0.5)));
      const bias = this.b.constant(`b${k}`, [cout], 'FLOAT32', Float32Array.from({ length: cout }, () => f(r() - 0.5)));
      this.b.op('CONV_2D', [this.x, w, bias], [y], convOptions());
    } else {
      const ws = 0.02;
      const wq = this.type === 'UINT8' ? { scale: [ws], zeroPoint: [128] } : { scale: Array(cout).fill(ws), zeroPoint: Array(cout).fill(0) };
      const wdata = this.type === 'UINT8' ? Uint8Array.from({ length: cout * C }, () => Math.floor(r() * 256)) : Int8Array.from({ length: cout * C }, () => Math.floor(r() * 254) - 127);
      const w = this.b.constant(`w${k}`, [cout, 1, 1, C], this.type, wdata, wq);
      const bs = this.inQ!.scale[0]! * ws;
      const bias = this.b.constant(`b${k}`, [cout], 'INT32', Int32Array.from({ length: cout }, () => Math.floor(r() * 200) - 100), { scale: Array(cout).fill(bs), zeroPoint: Array(cout).fill(0) });
      this.b.op('CONV_2D', [this.x, w, bias], [y], convOptions(), 3);
    }
    return y;
  }
  reshape(t: number, shape: number[], q?: QuantSpec, type: TensorTypeName = this.type): number {
    const y = this.b.tensor(`reshaped${this.n++}`, shape, type, q);
    this.b.op('RESHAPE', [t, this.b.constant(`shape${this.n++}`, [shape.length], 'INT32', shape)], [y]);
    return y;
  }
  async run(outputs: number[], isa: 'simd' | 'scalar' = 'simd', seed = 1): Promise<{ x: ArrayLike<number>; outs: OutputTensor[]; model: Model['info'] }> {
    for (const o of outputs) this.b.output(o);
    const m = await loadModel(this.b.finish(), { isa }) as Model;
    try {
      const x = inputData(this.type, this.pixels * this.channels, seed);
      return { x, outs: await m.runAll(x), model: m.info };
    } finally {
      m.dispose();
    }
  }
}

/** Concatenation reference: outer rows × each input's run, uint8 rescaled as TFLite's ConcatenationWithScaling. */
function refConcat(xs: ArrayLike<number>[], shapes: number[][], axis: number, qs: (QuantSpec | undefined)[], outQ: QuantSpec | undefined, type: TensorTypeName): number[] {
  const outer = numel(shapes[0]!.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    xs.forEach((x, k) => {
      const inner = numel(shapes[k]!.slice(axis));
      const q = qs[k];
      const copy = type !== 'UINT8' || !q || !outQ || (f(q.scale[0]!) === f(outQ.scale[0]!) && q.zeroPoint![0] === outQ.zeroPoint![0]);
      for (let j = 0; j < inner; j++) {
        const v = x[o * inner + j]!;
        if (copy) { out.push(v); continue; }
        const scale = f(f(q!.scale[0]!) * f(1 / f(outQ!.scale[0]!)));
        const bias = f(-q!.zeroPoint![0]! * scale);
        out.push(Math.min(255, Math.max(0, roundAway(f(f(v * scale) + bias)) + outQ!.zeroPoint![0]!)));
      }
    });
  }
  return out;
}

describe('CONCATENATION on any axis (pieces of one input, themselves graph outputs)', () => {
  const cases: { type: TensorTypeName; shapes: number[][]; axis: number; qs?: [number, number][]; outQ?: [number, number] }[] = [
    { type: 'FLOAT32', shapes: [[2, 3, 5], [2, 4, 5]], axis: 1 },
    { type: 'FLOAT32', shapes: [[1, 7], [3, 7], [2, 7]], axis: 0 },
    { type: 'FLOAT32', shapes: [[2, 3, 1], [2, 3, 4], [2, 3, 3]], axis: -1 },
    { type: 'UINT8', shapes: [[1, 5, 1, 4], [1, 3, 1, 4], [1, 1, 1, 4]], axis: 1, qs: [[0.5, 100], [0.25, 3], [0.5, 100]], outQ: [0.5, 100] },
    { type: 'UINT8', shapes: [[3, 2], [3, 5], [3, 1]], axis: 1, qs: [[0.091, 179], [0.0377, 148], [0.2, 7]], outQ: [0.2, 7] },
    { type: 'INT8', shapes: [[2, 2, 3], [2, 1, 3]], axis: 1, qs: [[0.1, -3], [0.1, -3]], outQ: [0.1, -3] },
  ];
  for (const c of cases) {
    for (const isa of ['simd', 'scalar'] as const) {
      it(`${c.type} ${c.shapes.map((p) => `[${p}]`).join(' + ')} along ${c.axis} (${isa})`, async () => {
        // Each piece: a conv to numel(shape)/P channels over P pixels, reshaped; P = the shapes' common first... any divisor: 1.
        const q = (v?: [number, number]): QuantSpec | undefined => (v ? { scale: [v[0]], zeroPoint: [v[1]] } : undefined);
        const net = new Net(c.type, 1, 3, c.type === 'FLOAT32' ? undefined : { scale: [0.05], zeroPoint: c.type === 'UINT8' ? 128 : 0 } as unknown as QuantSpec);
        if (net.inQ) (net as { inQ: QuantSpec }).inQ = { scale: [0.05], zeroPoint: [c.type === 'UINT8' ? 128 : 0] };
        const pieces = c.shapes.map((s, k) => net.reshape(net.piece(numel(s), q(c.qs?.[k])), s, q(c.qs?.[k])));
        const rank = c.shapes[0]!.length;
        const ax = c.axis < 0 ? c.axis + rank : c.axis;
        const outShape = c.shapes[0]!.map((d, i) => (i === ax ? c.shapes.reduce((s, p) => s + p[ax]!, 0) : d));
        const cat = net.b.tensor('cat', outShape, c.type, q(c.outQ));
        net.b.op('CONCATENATION', pieces, [cat], concatOptions(c.axis));
        const { outs, model } = await net.run([cat, ...pieces], isa);
        expect(model.outputs.map((o) => o.shape)).toEqual([outShape, ...c.shapes]);
        const want = refConcat(outs.slice(1) as ArrayLike<number>[], c.shapes, ax, c.shapes.map((_, k) => q(c.qs?.[k])), q(c.outQ), c.type);
        expect(Array.from(outs[0] as ArrayLike<number>)).toEqual(want);
      });
    }
  }
});

/** LOGISTIC reference per element: float32 as TFLite's reference kernel; 8-bit as XNNPACK's table (output 1/256). */
function refLogistic(type: TensorTypeName, v: number, inQ?: QuantSpec, outQ?: QuantSpec): number {
  if (type === 'FLOAT32') return f(1 / f(1 + f(Math.exp(-v))));
  const [qmin, qmax] = type === 'UINT8' ? [0, 255] : [-128, 127];
  const x = f(f(inQ!.scale[0]!) * f(v - inQ!.zeroPoint![0]!));
  if (f(outQ!.scale[0]!) === 1 / 256 && outQ!.zeroPoint![0] === qmin) {
    const y = x < 0 ? f(256 / f(1 + f(Math.exp(-x)))) : f(256 - f(256 / f(1 + f(Math.exp(x)))));
    return Math.min(qmax, Math.max(qmin, roundEven(y) + qmin));
  }
  const y = f(f(1 / f(1 + f(Math.exp(-x)))) * f(1 / f(outQ!.scale[0]!)));
  return Math.min(qmax, Math.max(qmin, roundAway(y) + outQ!.zeroPoint![0]!));
}

describe('LOGISTIC', () => {
  const cases: { type: TensorTypeName; shape: number[]; inQ?: [number, number]; outQ?: [number, number] }[] = [
    { type: 'FLOAT32', shape: [1, 3, 5, 7] },
    { type: 'UINT8', shape: [1, 1, 1917, 91], inQ: [0.331191748380661, 222] },
    { type: 'UINT8', shape: [1, 2, 3, 5], inQ: [0.05, 3], outQ: [1 / 100, 7] },
    { type: 'INT8', shape: [1, 4, 1, 17], inQ: [0.07, -5] },
  ];
  for (const c of cases) {
    it(`${c.type} [${c.shape}]${c.outQ ? ' (output quantization other than 1/256)' : ''}`, async () => {
      const q = (v?: [number, number]): QuantSpec | undefined => (v ? { scale: [v[0]], zeroPoint: [v[1]] } : undefined);
      const inQ = q(c.inQ);
      const outQ = q(c.outQ) ?? logisticQ(c.type);
      const b = new TfliteBuilder();
      const x = b.input('x', c.shape, c.type, inQ);
      const y = b.tensor('y', c.shape, c.type, outQ);
      b.op('LOGISTIC', [x], [y]);
      b.output(y);
      const m = await loadModel(b.finish()) as Model;
      try {
        // Every input byte at least once (8-bit), then random values.
        const n = numel(c.shape);
        const data = c.type === 'FLOAT32' ? inputData('FLOAT32', n, 3) : c.type === 'UINT8' ? Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255) : Int8Array.from({ length: n }, (_, i) => ((i * 37) & 255) - 128);
        const got = await m.run(data) as ArrayLike<number>;
        const want = Array.from(data as ArrayLike<number>, (v) => refLogistic(c.type, v, inQ, outQ));
        expect(Array.from(got)).toEqual(want);
      } finally {
        m.dispose();
      }
    });
  }
});

describe('PACK and RESHAPE', () => {
  for (const [type, axis] of [['FLOAT32', 0], ['FLOAT32', 2], ['UINT8', 1], ['FLOAT32', -1]] as const) {
    it(`PACK of three [2,3] ${type} along ${axis}`, async () => {
      const uq = type === 'UINT8' ? { scale: [0.1], zeroPoint: [10] } : undefined;
      const net = new Net(type, 2, 4, type === 'UINT8' ? { scale: [0.05], zeroPoint: [128] } : undefined);
      const pieces = [0, 1, 2].map(() => net.reshape(net.piece(3, uq), [2, 3], uq));
      const ax = axis < 0 ? axis + 3 : axis;
      const shape = [2, 3];
      shape.splice(ax, 0, 3);
      const y = net.b.tensor('packed', shape, type, uq);
      net.b.op('PACK', pieces, [y], packOptions(3, axis));
      const { outs } = await net.run([y, ...pieces]);
      // out[i][k][j] (axis 1): the naive index map.
      const src = outs.slice(1) as ArrayLike<number>[];
      const want: number[] = [];
      const strides = [shape[1]! * shape[2]!, shape[2]!, 1];
      const flat = new Array(numel(shape));
      for (let k = 0; k < 3; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
        const idx = [i, j];
        idx.splice(ax, 0, k);
        flat[idx[0]! * strides[0]! + idx[1]! * strides[1]! + idx[2]!] = src[k]![i * 3 + j];
      }
      want.push(...flat);
      expect(Array.from(outs[0] as ArrayLike<number>)).toEqual(want);
    });
  }

  it('RESHAPE to any rank keeps the bytes (an alias), also as one of several outputs', async () => {
    const net = new Net('FLOAT32', 3, 4);
    const p = net.piece(6);
    const a = net.reshape(p, [2, 9]);
    const c = net.reshape(p, [3, 3, 2]);
    const { outs } = await net.run([a, c, p]);
    expect([...(outs[0] as Float32Array)]).toEqual([...(outs[2] as Float32Array)]);
    expect([...(outs[1] as Float32Array)]).toEqual([...(outs[2] as Float32Array)]);
  });
});

describe('TFLite_Detection_PostProcess', () => {
  const N = 37; // anchors
  const anchorsOf = (seed: number) => {
    const r = mulberry32(seed);
    // Anchors on a coarse grid so boxes overlap and ties happen (y, x, h, w).
    return Array.from({ length: N }, () => [Math.floor(r() * 4) / 4 + 0.125, Math.floor(r() * 4) / 4 + 0.125, 0.25 + Math.floor(r() * 3) / 8, 0.25 + Math.floor(r() * 3) / 8]);
  };
  const opts = (o: Partial<RefOptions>): RefOptions => ({
    maxDetections: 6, maxClassesPerDetection: 1, detectionsPerClass: 4, scoreThreshold: 0.3, iouThreshold: 0.45, numClasses: 4,
    useRegularNms: false, scales: { y: 10, x: 10, h: 5, w: 5 }, ...o,
  });
  const flex = (o: RefOptions) => encode({
    max_detections: o.maxDetections, max_classes_per_detection: o.maxClassesPerDetection, detections_per_class: o.detectionsPerClass,
    nms_score_threshold: o.scoreThreshold, nms_iou_threshold: o.iouThreshold, num_classes: o.numClasses, use_regular_nms: o.useRegularNms,
    y_scale: o.scales.y, x_scale: o.scales.x, h_scale: o.scales.h, w_scale: o.scales.w,
  });

  const cases: { type: TensorTypeName; o: Partial<RefOptions>; name: string }[] = [
    { type: 'FLOAT32', o: {}, name: 'float, fast NMS, background column' },
    { type: 'FLOAT32', o: { maxClassesPerDetection: 2 }, name: 'float, fast NMS, 2 classes per box' },
    { type: 'FLOAT32', o: { useRegularNms: true }, name: 'float, regular NMS' },
    { type: 'FLOAT32', o: { maxDetections: 40, scoreThreshold: 0.6 }, name: 'float, fewer candidates than max_detections' },
    { type: 'UINT8', o: {}, name: 'uint8, fast NMS' },
    { type: 'UINT8', o: { useRegularNms: true, numClasses: 5 }, name: 'uint8, regular NMS, no background column' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const o = opts(c.o);
      const C = c.type === 'UINT8' && o.numClasses === 5 ? 5 : o.numClasses + 1;
      const q8 = c.type === 'UINT8';
      const encQ = q8 ? { scale: [0.02], zeroPoint: [128] } : undefined;
      const net = new Net(c.type, N, 3, q8 ? { scale: [0.05], zeroPoint: [128] } : undefined);
      const enc = net.reshape(net.piece(4, encQ), [1, N, 4], encQ);
      const logits = net.piece(C, q8 ? { scale: [0.04], zeroPoint: [120] } : undefined);
      const sq = logisticQ(c.type);
      const sig = net.b.tensor('sig', [1, 1, N, C], c.type, sq);
      net.b.op('LOGISTIC', [logits], [sig]);
      const scores = net.reshape(sig, [1, N, C], sq);
      const anchors = anchorsOf(5);
      const aQ = { scale: [1 / 255], zeroPoint: [0] };
      const anchorT = q8
        ? net.b.constant('anchors', [N, 4], 'UINT8', Uint8Array.from(anchors.flat(), (v) => Math.round(v * 255)), aQ)
        : net.b.constant('anchors', [N, 4], 'FLOAT32', Float32Array.from(anchors.flat()));
      const rows = o.useRegularNms ? o.maxDetections : o.maxDetections * o.maxClassesPerDetection;
      const outs = [[1, rows, 4], [1, rows], [1, rows], [1]].map((s, k) => net.b.tensor(`det${k}`, s, 'FLOAT32'));
      net.b.customOp('TFLite_Detection_PostProcess', [enc, scores, anchorT], outs, flex(o));
      const { outs: got, model } = await net.run([...outs, enc, scores]);
      expect(model.task).toBe('detect');
      // Reference on the real values the kernel sees: float32 dequantization as TFLite's, per row.
      const real = (t: ArrayLike<number>, q?: QuantSpec) => Array.from(t, (v) => (q ? f(f(v - q.zeroPoint![0]!) * f(q.scale[0]!)) : v));
      const rowsOf = (a: number[], w: number) => Array.from({ length: a.length / w }, (_, i) => a.slice(i * w, i * w + w));
      const e = rowsOf(real(got[4] as ArrayLike<number>, encQ), 4);
      const s = rowsOf(real(got[5] as ArrayLike<number>, sq), C);
      const an = q8 ? rowsOf(real(Uint8Array.from(anchors.flat(), (v) => Math.round(v * 255)), aQ), 4) : anchors.map((a) => a.map(f));
      const want = refPostProcess(e, s, an, o);
      const count = (got[3] as Float32Array)[0]!;
      const perRow = o.useRegularNms ? 1 : o.maxClassesPerDetection;
      expect(count * perRow).toBe(want.length);
      expect(want.length).toBeGreaterThan(0);
      const dets = Array.from({ length: want.length }, (_, r) => ({
        box: [...(got[0] as Float32Array).subarray(4 * r, 4 * r + 4)], cls: (got[1] as Float32Array)[r], score: (got[2] as Float32Array)[r],
      }));
      expect(dets).toEqual(want.map((d) => ({ box: d.box, cls: d.cls, score: f(d.score) })));
      expect([...(got[2] as Float32Array).subarray(want.length)].every((v) => v === 0)).toBe(true);
    });
  }

  it('bad options and shapes are typed errors naming the op', async () => {
    const build = (o: RefOptions, anchorsShape = [N, 4]) => {
      const net = new Net('FLOAT32', N, 3);
      const enc = net.reshape(net.piece(4), [1, N, 4]);
      const scores = net.reshape(net.piece(5), [1, N, 5]);
      const a = net.b.constant('anchors', anchorsShape, 'FLOAT32', new Float32Array(numel(anchorsShape)).fill(0.5));
      const outs = [[1, 6, 4], [1, 6], [1, 6], [1]].map((s, k) => net.b.tensor(`det${k}`, s, 'FLOAT32'));
      net.b.customOp('TFLite_Detection_PostProcess', [enc, scores, a], outs, flex(o));
      for (const t of outs) net.b.output(t);
      return net.b.finish();
    };
    await expect(loadModel(build(opts({ iouThreshold: 0 })))).rejects.toThrow(/detection_postprocess .*nms_iou_threshold must be in \(0, 1\]/);
    await expect(loadModel(build(opts({}), [N + 1, 4]))).rejects.toThrow(/anchors "anchors" have shape \[38,4\], expected \[37,4\]/);
    await expect(loadModel(build(opts({ numClasses: 2 })))).rejects.toThrow(/scores have 5 classes for num_classes 2/);
  });
});

describe('unknown operators and the op table', () => {
  it('an unknown custom operator is an UnsupportedOpError naming it', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 2, 2, 3], 'FLOAT32');
    const y = b.tensor('y', [1, 2, 2, 3], 'FLOAT32');
    b.customOp('MyFancyOp', [x], [y], encode({ k: 1 }));
    b.output(y);
    const err = await loadModel(b.finish()).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err.message).toMatch(/CUSTOM "MyFancyOp".*custom operators are not supported/);
  });

  it('the detection entry adds its ops to the table', () => {
    for (const op of ['view', 'logistic', 'detection_postprocess'] as const) expect(OPS[op]?.op).toBe(op);
  });
});
