// Quantized graphs through the whole engine (import → compile → executor → Model), on TFLite files built in
// the test (test/helpers/tflite-builder.ts), against test/helpers/reference-tflite-graph.ts: TFLite's integer
// arithmetic composed node by node from the naive ports in test/helpers/reference-q.ts, in both requantization
// schemes. Every comparison is exact: the engine's kernels and the references compute the same integer
// arithmetic. Also: every intermediate value (each node kept materialized), fused vs unfused blocks, SIMD vs
// scalar, steps split into parts and a 2-thread team, the typed run() API and classify() on quantized inputs.
import { describe, expect, it } from 'vitest';
import { importTflite } from '../../src/formats/tflite/import.js';
import type { Graph } from '../../src/graph/ir.js';
import { compile, type Plan } from '../../src/plan/compile.js';
import { qgemmWideBytes } from '../../src/plan/pack-q.js';
import { execute, runPiece as runStepPart } from '../../src/exec/executor.js';
import { Runtime } from '../../src/exec/runtime.js';
import { loadModel, writeNative, InputError, UnsupportedOpError } from '../../src/index.js';
import {
  TfliteBuilder, addOptions, argMaxOptions, concatOptions, convOptions, depthwiseOptions, fullyConnectedOptions, poolOptions,
  reducerOptions, reshapeOptions, resizeBilinearOptions, seq, softmaxOptions, type ActName,
} from '../helpers/tflite-builder.js';
import { runTfliteReference, type Scheme } from '../helpers/reference-tflite-graph.js';

type QType = 'UINT8' | 'INT8';
interface T { id: number; shape: number[]; type: QType | 'FLOAT32' | 'INT32' | 'INT64'; scale: number; zp: number }

/** Builds quantized TFLite graphs tensor by tensor, choosing weights and plausible output quantization. */
class Net {
  readonly b = new TfliteBuilder();
  #seed = 7;
  #n = 0;
  constructor(readonly type: QType, readonly perChannel: boolean) {}

  get lo() { return this.type === 'UINT8' ? 0 : -128; }
  get hi() { return this.type === 'UINT8' ? 255 : 127; }
  #name(p: string) { return `${p}_${this.#n++}`; }
  #ints(n: number, lo: number, hi: number) { return seq(n, lo, hi, this.#seed++); }

  input(shape: number[], type: QType | 'FLOAT32', scale = 1 / 128, zp = type === 'UINT8' ? 128 : 0): T {
    const id = this.b.input('input', shape, type, type === 'FLOAT32' ? undefined : { scale: [scale], zeroPoint: [zp] });
    return { id, shape, type, scale, zp };
  }

  act(shape: number[], scale: number, zp: number, type: QType = this.type, name = this.#name('t')): T {
    return { id: this.b.tensor(name, shape, type, { scale: [scale], zeroPoint: [zp] }), shape, type, scale, zp };
  }

  /** An activation after a fused `act`: ReLU6 outputs get TF's [0, 6] quantization. */
  #outAct(shape: number[], act: ActName, fanIn: number, x: T, wScale: number): T {
    if (act === 'RELU6') return this.act(shape, 6 / 255, this.lo);
    const s = Math.sqrt(fanIn) * 74 * 37 * x.scale * wScale / 40;
    return this.act(shape, s, this.type === 'UINT8' ? 100 + (this.#n % 40) : -20 + (this.#n % 40));
  }

  #weights(count: number, channels: number, qdim: number) {
    if (this.type === 'UINT8') {
      const zp = 110 + (this.#seed % 30);
      return { data: this.#ints(count, zp - 70, zp + 70), quant: { scale: [0.01 + (this.#seed % 7) * 0.002], zeroPoint: [zp] }, mean: 0.01 + (this.#seed % 7) * 0.002 };
    }
    const scales = this.perChannel ? this.#ints(channels, 5, 30).map((v) => v / 1000) : [0.012];
    return { data: this.#ints(count, -127, 127), quant: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: qdim }, mean: scales.reduce((a, v) => a + v, 0) / scales.length };
  }

  #bias(n: number, x: T, wScale: number[]) {
    return this.b.constant(this.#name('bias'), [n], 'INT32', this.#ints(n, -3000, 3000), {
      scale: Array.from({ length: wScale.length }, (_, c) => x.scale * wScale[c]), zeroPoint: wScale.map(() => 0),
    });
  }

  conv(x: T, o: { k: number; cout: number; stride?: number; dilation?: number; act?: ActName; padding?: 'SAME' | 'VALID' }): T {
    const [, H, W, C] = x.shape;
    const s = o.stride ?? 1;
    const d = o.dilation ?? 1;
    const eff = (o.k - 1) * d + 1;
    const [oh, ow] = (o.padding ?? 'SAME') === 'SAME' ? [Math.ceil(H / s), Math.ceil(W / s)] : [Math.floor((H - eff) / s) + 1, Math.floor((W - eff) / s) + 1];
    const w = this.#weights(o.cout * o.k * o.k * C, o.cout, 0);
    const wt = this.b.constant(this.#name('w'), [o.cout, o.k, o.k, C], this.type, w.data, w.quant);
    const y = this.#outAct([1, oh, ow, o.cout], o.act ?? 'NONE', o.k * o.k * C, x, w.mean);
    this.b.op('CONV_2D', [x.id, wt, this.#bias(o.cout, x, w.quant.scale)], [y.id], convOptions({ stride: s, dilation: d, activation: o.act ?? 'NONE', padding: o.padding }));
    return y;
  }

  dw(x: T, o: { stride?: number; dilation?: number; act?: ActName }): T {
    const [, H, W, C] = x.shape;
    const s = o.stride ?? 1;
    const w = this.#weights(9 * C, C, 3);
    const wt = this.b.constant(this.#name('dw'), [1, 3, 3, C], this.type, w.data, w.quant);
    const y = this.#outAct([1, Math.ceil(H / s), Math.ceil(W / s), C], o.act ?? 'NONE', 9, x, w.mean);
    this.b.op('DEPTHWISE_CONV_2D', [x.id, wt, this.#bias(C, x, w.quant.scale)], [y.id], depthwiseOptions({ stride: s, dilation: o.dilation ?? 1, activation: o.act ?? 'NONE' }));
    return y;
  }

  fc(x: T, n: number, act: ActName = 'NONE'): T {
    const K = x.shape.reduce((a, v) => a * v, 1);
    const saved = this.perChannel;
    (this as { perChannel: boolean }).perChannel = false; // TF2 FULLY_CONNECTED weights are per tensor
    const w = this.#weights(n * K, n, 0);
    (this as { perChannel: boolean }).perChannel = saved;
    const wt = this.b.constant(this.#name('fc'), [n, K], this.type, w.data, w.quant);
    const y = this.#outAct([1, n], act, K, x, w.mean);
    this.b.op('FULLY_CONNECTED', [x.id, wt, this.#bias(n, x, w.quant.scale)], [y.id], fullyConnectedOptions({ activation: act }));
    return y;
  }

  add(a: T, b: T, act: ActName = 'NONE'): T {
    const y = this.act(a.shape, Math.max(a.scale, b.scale) * 1.3, this.type === 'UINT8' ? 128 : 3);
    this.b.op('ADD', [a.id, b.id], [y.id], addOptions(act));
    return y;
  }

  /** An inverted residual block: [1×1 expand + ReLU6] → 3×3 depthwise + ReLU6 → 1×1 project [+ ADD]. */
  block(x: T, o: { expand?: number; stride?: number; dilation?: number; cout: number; residual?: boolean }): T {
    const e = o.expand ? this.conv(x, { k: 1, cout: x.shape[3] * o.expand, act: 'RELU6' }) : x;
    const d = this.dw(e, { stride: o.stride, dilation: o.dilation, act: 'RELU6' });
    const p = this.conv(d, { k: 1, cout: o.cout });
    return o.residual ? this.add(p, x) : p;
  }

  avgpool(x: T): T {
    const [, H, W, C] = x.shape;
    const y = this.act([1, 1, 1, C], x.scale, x.zp);
    this.b.op('AVERAGE_POOL_2D', [x.id], [y.id], poolOptions({ filter: [H, W], padding: 'VALID' }));
    return y;
  }

  mean(x: T, keepDims: boolean, scale = x.scale * 0.7, zp = x.zp + 3): T {
    const C = x.shape[3];
    const y = this.act(keepDims ? [1, 1, 1, C] : [1, C], scale, zp);
    this.b.op('MEAN', [x.id, this.b.constant(this.#name('axes'), [2], 'INT32', [1, 2])], [y.id], reducerOptions(keepDims));
    return y;
  }

  reshape(x: T, shape: number[]): T {
    const y = { ...x, id: this.b.tensor(this.#name('r'), shape, x.type, x.type === 'FLOAT32' ? undefined : { scale: [x.scale], zeroPoint: [x.zp] }), shape };
    this.b.op('RESHAPE', [x.id, this.b.constant(this.#name('shape'), [shape.length], 'INT32', shape)], [y.id], reshapeOptions(shape));
    return y;
  }

  softmax(x: T, beta = 1): T {
    const y = this.act(x.shape, 1 / 256, this.lo);
    this.b.op('SOFTMAX', [x.id], [y.id], softmaxOptions(beta));
    return y;
  }

  quantize(x: T, type: QType, scale: number, zp: number): T {
    const y = this.act(x.shape, scale, zp, type);
    this.b.op('QUANTIZE', [x.id], [y.id]);
    return y;
  }

  dequantize(x: T): T {
    const y = { id: this.b.tensor(this.#name('f'), x.shape, 'FLOAT32'), shape: x.shape, type: 'FLOAT32' as const, scale: 1, zp: 0 };
    this.b.op('DEQUANTIZE', [x.id], [y.id]);
    return y;
  }

  resize(x: T, size: [number, number], o: { alignCorners?: boolean; halfPixelCenters?: boolean }): T {
    const y = this.act([1, size[0], size[1], x.shape[3]], x.scale, x.zp, x.type as QType);
    this.b.op('RESIZE_BILINEAR', [x.id, this.b.constant(this.#name('size'), [2], 'INT32', size)], [y.id], resizeBilinearOptions(o));
    return y;
  }

  concat(xs: T[], scale: number, zp: number): T {
    const [, H, W] = xs[0].shape;
    const y = this.act([1, H, W, xs.reduce((a, x) => a + x.shape[3], 0)], scale, zp);
    this.b.op('CONCATENATION', xs.map((x) => x.id), [y.id], concatOptions(3));
    return y;
  }

  pad(x: T, p: [number, number, number, number]): T {
    const [, H, W, C] = x.shape;
    const y = this.act([1, H + p[0] + p[1], W + p[2] + p[3], C], x.scale, x.zp, x.type as QType);
    this.b.op('PAD', [x.id, this.b.constant(this.#name('pads'), [4, 2], 'INT32', [0, 0, p[0], p[1], p[2], p[3], 0, 0])], [y.id]);
    return y;
  }

  argmax(x: T, type: 'INT32' | 'INT64'): T {
    const [, H, W] = x.shape;
    const y = { id: this.b.tensor(this.#name('argmax'), [1, H, W], type), shape: [1, H, W], type, scale: 1, zp: 0 };
    this.b.op('ARG_MAX', [x.id, this.b.constant(this.#name('axis'), [1], 'INT32', [3])], [y.id], argMaxOptions(type));
    return y;
  }

  finish(out: T): Uint8Array {
    this.b.output(out.id);
    return this.b.finish();
  }
}

// ---- the models ------------------------------------------------------------------------------------------

/** TF1-style uint8 per-tensor MobileNetV2 in miniature: odd sizes, stride-2 blocks, residual adds, pool, softmax. */
function uint8Net(): Uint8Array {
  const n = new Net('UINT8', false);
  const x = n.input([1, 15, 13, 3], 'UINT8');
  let h = n.conv(x, { k: 3, cout: 8, stride: 2, act: 'RELU6' });
  h = n.block(h, { cout: 8 }); // no expansion (the first MobileNetV2 block)
  h = n.block(h, { expand: 6, stride: 2, cout: 12 });
  h = n.block(h, { expand: 6, cout: 12, residual: true });
  h = n.block(h, { expand: 4, cout: 12, residual: true });
  h = n.conv(h, { k: 1, cout: 40, act: 'RELU6' });
  h = n.avgpool(h);
  h = n.conv(h, { k: 1, cout: 10 });
  return n.finish(n.softmax(n.reshape(h, [1, 10])));
}

/** TF2-style int8 per-channel with uint8 model input and output (QUANTIZE edges), MEAN, FULLY_CONNECTED, int8 softmax. */
function int8Net(): Uint8Array {
  const n = new Net('INT8', true);
  const x = n.input([1, 17, 11, 3], 'UINT8');
  let h = n.quantize(x, 'INT8', 1 / 128, 0); // uint8 → int8: TFLite's requantization (mixed types)
  h = n.conv(h, { k: 3, cout: 16, stride: 2, act: 'RELU6' });
  h = n.block(h, { expand: 3, stride: 2, cout: 16 });
  h = n.block(h, { expand: 6, cout: 16, residual: true });
  h = n.block(h, { expand: 2, cout: 24 });
  h = n.mean(h, false);
  h = n.fc(h, 12, 'RELU');
  h = n.fc(h, 9);
  h = n.softmax(h);
  return n.finish(n.quantize(h, 'UINT8', 1 / 256, 0));
}

/** int8 with float32 input and output (QUANTIZE / DEQUANTIZE), 4-D MEAN with keep_dims, softmax beta. */
function int8FloatEdges(): Uint8Array {
  const n = new Net('INT8', true);
  const x = n.input([1, 9, 10, 3], 'FLOAT32');
  let h = n.quantize(x, 'INT8', 0.02, -5);
  h = n.conv(h, { k: 3, cout: 12, stride: 1, act: 'RELU6' });
  h = n.block(h, { expand: 4, cout: 12, residual: true });
  h = n.mean(h, true);
  h = n.conv(h, { k: 1, cout: 7 });
  h = n.softmax(n.reshape(h, [1, 7]), 0.7);
  return n.finish(n.dequantize(h));
}

/** DeepLab in miniature: dilated blocks (fused and standalone), the image-pooling branch, requantize, concat with rescale, resize, argmax int64. */
function deeplabNet(argmaxType: 'INT32' | 'INT64' = 'INT64'): Uint8Array {
  const n = new Net('UINT8', false);
  const x = n.input([1, 19, 21, 3], 'UINT8');
  let h = n.conv(x, { k: 3, cout: 8, stride: 2, act: 'RELU6' });
  h = n.block(h, { expand: 6, cout: 8, residual: true, dilation: 2 });
  h = n.block(h, { expand: 4, cout: 12, dilation: 2 });
  const standalone = n.dw(h, { dilation: 2, act: 'RELU6' }); // two readers: not fused, runs on its own
  h = n.add(n.conv(standalone, { k: 1, cout: 12 }), standalone);
  const pooled = n.conv(n.avgpool(h), { k: 1, cout: 16, act: 'RELU' });
  const up = n.quantize(n.resize(pooled, [h.shape[1], h.shape[2]], { alignCorners: true }), 'UINT8', pooled.scale * 2.1, 3);
  const aspp = n.conv(h, { k: 1, cout: 16, act: 'RELU' });
  const cat = n.concat([up, aspp], aspp.scale, aspp.zp);
  const logits = n.conv(n.conv(cat, { k: 1, cout: 16, act: 'RELU' }), { k: 1, cout: 5 });
  const big = n.resize(logits, [19, 21], { alignCorners: true });
  return n.finish(n.argmax(big, argmaxType));
}

/**
 * The remaining ops: PAD, VALID conv, half-pixel and plain RESIZE, int8 → int8 QUANTIZE, CONCATENATION (uint8 with
 * rescale; int8 with equal quantization), MEAN with equal quantization (integer mean), a 1×1 → 2×2 RESIZE, ARG_MAX int32.
 */
function miscNet(type: QType): Uint8Array {
  const n = new Net(type, type === 'INT8');
  const x = n.input([1, 7, 6, 4], type, 0.05, type === 'UINT8' ? 120 : -3);
  const p = n.pad(x, [1, 2, 0, 3]);
  const c = n.conv(p, { k: 3, cout: 6, padding: 'VALID', act: 'RELU' });
  const r = n.resize(c, [11, 9], { halfPixelCenters: true });
  const q = n.quantize(r, type, r.scale * 0.8, r.zp + 2);
  // uint8: r is rescaled to q's quantization inside the concatenation; int8 needs equal quantization first
  const cat = n.concat([q, type === 'UINT8' ? r : n.quantize(r, type, q.scale, q.zp)], q.scale, q.zp);
  const m = n.reshape(n.mean(cat, false, cat.scale, cat.zp), [1, 1, 1, 12]);
  const dw = n.dw(n.resize(c, [4, 3], {}), { stride: 2 });
  const up = n.resize(m, [2, 2], { alignCorners: true });
  const same = (t: T) => (type === 'UINT8' ? t : n.quantize(t, type, dw.scale, dw.zp));
  const parts = [dw, same(n.conv(dw, { k: 1, cout: 3 })), same(up)];
  return n.finish(n.argmax(n.concat(parts, dw.scale, dw.zp), 'INT32'));
}

// ---- running ---------------------------------------------------------------------------------------------

async function plainRun(graph: Graph, input: ArrayLike<number>, o: { fuse?: boolean; parts?: number; requant?: Scheme; keep?: string[]; isa?: 'simd' | 'scalar' } = {}) {
  const plan = compile(graph, { fuse: o.fuse, parts: o.parts, requant: o.requant, keep: o.keep });
  const rt = await Runtime.create(plan, { isa: o.isa ?? 'simd' });
  const k = rt.kernels;
  rt.write(plan.input, input);
  const parts = o.parts ?? 1;
  if (parts === 1) execute(plan, k);
  else for (const s of plan.steps) for (let p = parts - 1; p >= 0; p--) runStepPart(k, s, p, parts);
  const read = (t: Plan['output']): number[] => Array.from(rt.read(t) as ArrayLike<number | bigint>, Number);
  return { plan, read: (name: string) => read(name === graph.input.name ? plan.input : plan.kept.get(name) ?? (name === graph.output ? plan.output : undefined)!) };
}

function inputFor(graph: Graph, seed = 3): number[] {
  const n = graph.input.shape.reduce((a, v) => a * v, 1);
  const d = graph.input.dtype ?? 'float32';
  if (d === 'float32') return seq(n, -1000, 1000, seed).map((v) => Math.fround(v / 700));
  return d === 'uint8' ? seq(n, 0, 255, seed) : seq(n, -128, 127, seed);
}

/** Exact equality with the first mismatch named. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string) {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) expect.fail(`${label}: index ${i} of ${expected.length}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

/** How many distinct values a tensor holds (a test whose outputs all saturate would prove little). */
const distinct = (x: ArrayLike<number>) => new Set(Array.from(x)).size;

const MODELS: [string, () => Uint8Array][] = [
  ['uint8 per-tensor MobileNetV2-like', uint8Net],
  ['int8 per-channel, uint8 input / output', int8Net],
  ['int8 per-channel, float32 input / output', int8FloatEdges],
  ['uint8 DeepLab-like (dilation 2, ASPP, argmax int64)', () => deeplabNet('INT64')],
  ['uint8 misc ops (pad, resize, concat, mean, argmax int32)', () => miscNet('UINT8')],
  ['int8 misc ops', () => miscNet('INT8')],
];

describe.each(MODELS)('%s', (_label, build) => {
  const graphP = importTflite(build(), { fileName: 'built.tflite' });

  it.each(['fp32', 'gemmlowp'] as Scheme[])('every value equals the TFLite reference (%s), each node materialized', async (scheme) => {
    const g = await graphP;
    const x = inputFor(g);
    const ref = runTfliteReference(g, x, scheme);
    const names = g.nodes.map((n) => n.name);
    const { read: get } = await plainRun(g, x, { fuse: false, keep: names, requant: scheme });
    let varied = 0;
    for (const name of names) {
      expectSame(get(name), ref.get(name)!, `${scheme} ${name}`);
      if (distinct(ref.get(name)!) > 2) varied++;
    }
    expect(varied, 'values with more than two distinct elements').toBeGreaterThan(names.length / 2);
  });

  it.each(['fp32', 'gemmlowp'] as Scheme[])('fused blocks, scalar kernels and 3 parts give the same output (%s)', async (scheme) => {
    const g = await graphP;
    const x = inputFor(g, 5);
    const want = runTfliteReference(g, x, scheme).get(g.output)!;
    const fused = await plainRun(g, x, { requant: scheme });
    expectSame(fused.read(g.output), want, 'fused');
    expectSame((await plainRun(g, x, { requant: scheme, isa: 'scalar' })).read(g.output), want, 'scalar');
    expectSame((await plainRun(g, x, { requant: scheme, parts: 3 })).read(g.output), want, '3 parts');
    expectSame((await plainRun(g, x, { requant: scheme, parts: 2, fuse: false })).read(g.output), want, '2 parts unfused');
  });

  it("each part's GEMM scratch (A rows widened to int16) is its own, big enough, and overlaps no other scratch of the step", async () => {
    const g = await graphP;
    for (const fuse of [true, false]) {
      const plan = compile(g, { parts: 3, fuse });
      let checked = 0;
      for (const s of plan.steps) {
        if (s.kind !== 'qgemm' && s.kind !== 'qblock') continue;
        const depth = s.kind === 'qgemm' ? s.k : Math.max(s.inC, s.expC);
        const regions: [number, number, string][] = [];
        for (let p = 0; p < 3; p++) {
          regions.push([s.wide[p], s.wide[p] + qgemmWideBytes(depth), `wide${p}`]);
          if (s.kind === 'qblock') {
            regions.push([s.dwBuf[p], s.dwBuf[p] + s.sliceRows * s.outW * s.expC, `dw${p}`]);
            if (s.ringRows) regions.push([s.ring[p], s.ring[p] + s.ringRows * s.inW * s.expC, `ring${p}`]);
          }
        }
        for (const [a0, a1, an] of regions) {
          expect(a0, `${s.name} ${an}`).toBeGreaterThanOrEqual(plan.arenaBase);
          expect(a1, `${s.name} ${an}`).toBeLessThanOrEqual(plan.totalBytes);
          for (const [b0, b1, bn] of regions) if (an !== bn) expect(a1 <= b0 || b1 <= a0, `${s.name}: ${an} overlaps ${bn}`).toBe(true);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    }
  });
});

describe('the two requantization schemes', () => {
  it('really differ (some values of the uint8 and int8 models) and the default is fp32', async () => {
    for (const build of [uint8Net, int8Net]) {
      const g = await importTflite(build(), { fileName: 'built.tflite' });
      const x = inputFor(g);
      const a = runTfliteReference(g, x, 'fp32');
      const b = runTfliteReference(g, x, 'gemmlowp');
      expect(g.nodes.some((n) => a.get(n.name)!.some((v, i) => v !== b.get(n.name)![i]))).toBe(true);
      const keep = g.nodes.map((n) => n.name);
      const dflt = await plainRun(g, x, { fuse: false, keep });
      for (const name of keep) expectSame(dflt.read(name), a.get(name)!, `default ${name}`);
    }
  });
});

describe('scales XNNPACK refuses', () => {
  it("a conv whose requantization scale is ≥ 256 runs TFLite's arithmetic, like TFLite's delegate leaving it to TFLite", async () => {
    const g = await importTflite(uint8Net(), { fileName: 'built.tflite' });
    const head = g.nodes.filter((n) => n.op === 'conv2d').at(-2)!; // the 1×1 conv before the pool
    g.values![head.name] = { dtype: 'uint8', quant: { scale: 1e-6, zeroPoint: 0 } };
    const pool = g.nodes.find((n) => n.op === 'global_avg_pool')!;
    g.values![pool.name] = { dtype: 'uint8', quant: { scale: 1e-6, zeroPoint: 0 } };
    const plan = compile(g, { fuse: false });
    expect(plan.steps.find((s) => s.name === head.name)).toMatchObject({ kind: 'qgemm', scheme: 'gemmlowp' });
    expect(plan.steps.filter((s) => 'scheme' in s && s.scheme === 'fp32').length).toBeGreaterThan(5);
    const x = inputFor(g);
    const keep = g.nodes.map((n) => n.name);
    const ref = runTfliteReference(g, x, 'fp32');
    const { read: get } = await plainRun(g, x, { keep });
    for (const name of keep) expectSame(get(name), ref.get(name)!, name);
  });
});

describe('quantized models through loadModel', () => {
  it('fuses the int8 blocks (dilated ones too) and reports the smaller arena', async () => {
    const g = await importTflite(deeplabNet(), { fileName: 'built.tflite' });
    const plan = compile(g);
    const blocks = plan.steps.filter((s) => s.kind === 'qblock');
    expect(blocks.length).toBe(2);
    expect(blocks.every((s) => s.kind === 'qblock' && s.dilation === 2)).toBe(true);
    expect(plan.steps.some((s) => s.kind === 'qdwconv' && s.dilation[0] === 2)).toBe(true);
    const u = await importTflite(uint8Net(), { fileName: 'built.tflite' });
    const p = compile(u);
    expect(p.steps.filter((s) => s.kind === 'qblock').length).toBe(4);
    expect(p.arenaBytes).toBeLessThan(p.arenaBytesUnfused);
    expect(p.steps.some((s) => s.kind === 'pad' || s.kind === 'gemm')).toBe(false);
  });

  it('run() takes and returns the model types; info reflects them', async () => {
    for (const [build, inType, outType, Out] of [
      [uint8Net, 'uint8', 'uint8', Uint8Array], [int8FloatEdges, 'float32', 'float32', Float32Array],
      [() => deeplabNet('INT64'), 'uint8', 'int64', BigInt64Array], [() => deeplabNet('INT32'), 'uint8', 'int32', Int32Array],
      [() => miscNet('INT8'), 'int8', 'int32', Int32Array],
    ] as const) {
      const bytes = build();
      const g = await importTflite(bytes, { fileName: 'built.tflite' });
      const m = await loadModel(bytes);
      expect(m.info.inputType).toBe(inType);
      expect(m.info.outputType).toBe(outType);
      expect(m.info.requant).toBe('fp32');
      const x = inputFor(g);
      const typed = inType === 'uint8' ? Uint8Array.from(x) : inType === 'int8' ? Int8Array.from(x) : Float32Array.from(x);
      const out = await m.run(typed);
      expect(out).toBeInstanceOf(Out);
      expectSame(Array.from(out as ArrayLike<number | bigint>, Number), runTfliteReference(g, x).get(g.output)!, `${inType} → ${outType}`);
      m.dispose();
    }
  });

  it('run() rejects the wrong input type and length, and the model stays usable', async () => {
    const m = await loadModel(uint8Net());
    const x = Uint8Array.from(inputFor(await importTflite(uint8Net(), { fileName: 'b' })));
    const before = await m.run(x);
    await expect(m.run(new Float32Array(x.length))).rejects.toThrow(InputError);
    await expect(m.run(new Float32Array(x.length))).rejects.toThrow(/takes a Uint8Array of 585 values.*got Float32Array/);
    await expect(m.run(new Int8Array(x.length))).rejects.toThrow(InputError);
    await expect(m.run(new Uint8Array(10))).rejects.toThrow(/10 values, expected 585/);
    expect(await m.run(x)).toEqual(before);
    m.dispose();
    const f = await loadModel(int8FloatEdges());
    await expect(f.run(new Uint8Array(270))).rejects.toThrow(/takes a Float32Array/);
    f.dispose();
  });

  it.each(['fp32', 'gemmlowp'] as Scheme[])('2 threads: bit-identical to one thread (%s)', async (requant) => {
    for (const build of [uint8Net, int8Net, () => deeplabNet()]) {
      const bytes = build();
      const g = await importTflite(bytes, { fileName: 'built.tflite' });
      const one = await loadModel(bytes, { requant });
      const two = await loadModel(bytes, { requant, threads: 2 });
      expect(two.info.threads).toBe(2);
      for (let seed = 1; seed < 6; seed++) {
        const x = Uint8Array.from(inputFor(g, seed));
        expect(await two.run(x)).toEqual(await one.run(x));
      }
      one.dispose();
      two.dispose();
    }
  });

  it('classify() quantizes preprocessed pixels into a quantized input; segment() maps classes', async () => {
    const img = { data: Uint8Array.from(seq(40 * 30 * 4, 0, 255, 9)), width: 40, height: 30 };
    for (const build of [uint8Net, int8Net, int8FloatEdges]) {
      const m = await loadModel(build());
      const res = await m.classify(img, { topK: 3 });
      expect(res).toHaveLength(3);
      expect(res[0].score).toBeGreaterThanOrEqual(res[1].score);
      const total = (await m.classify(img, { topK: 100 })).reduce((a, r) => a + r.score, 0);
      expect(Math.abs(total - 1)).toBeLessThan(0.1); // dequantized probabilities
      await expect(m.segment(img)).rejects.toThrow(/not a segmentation model/);
      m.dispose();
    }
    // A uint8 input fed raw pixels (q = pixel): an image of the input's own size is the identity.
    const m = await loadModel(deeplabNet());
    expect(m.info.task).toBe('segment');
    const g = await importTflite(deeplabNet(), { fileName: 'built.tflite' });
    const px = Uint8Array.from(inputFor(g, 4));
    const seg = await m.segment({ data: px, width: 21, height: 19, channels: 3 });
    expect(seg).toMatchObject({ width: 21, height: 19 });
    expectSame(seg.classes, Array.from(await m.run<BigInt64Array>(px), Number), 'segment vs run');
    expect(seg.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3', 'class_4']);
    const big = await m.segment({ data: px, width: 21, height: 19, channels: 3 }, { size: { width: 42, height: 38 } });
    expect(big.classes.length).toBe(42 * 38);
    expect(big.classes[2 * 42 + 2]).toBe(seg.classes[1 * 21 + 1]);
    await expect(m.classify({ data: px, width: 21, height: 19, channels: 3 })).rejects.toThrow(/segmentation model/);
    await expect(m.segment({ data: px, width: 21, height: 19, channels: 3 }, { size: { width: 0, height: 3 } })).rejects.toThrow(InputError);
    m.dispose();
  });

  it('a quantized graph saved in the native format computes the same bytes (MEAN rounding kept)', async () => {
    for (const build of [int8FloatEdges, () => deeplabNet()]) {
      const bytes = build();
      const g = await importTflite(bytes, { fileName: 'built.tflite' });
      const native = await loadModel(writeNative(g));
      const direct = await loadModel(bytes);
      expect(native.info).toMatchObject({ inputType: direct.info.inputType, outputType: direct.info.outputType, task: direct.info.task });
      const x = inputFor(g, 8);
      const typed = direct.info.inputType === 'uint8' ? Uint8Array.from(x) : Float32Array.from(x);
      expect(await native.run(typed)).toEqual(await direct.run(typed));
      native.dispose();
      direct.dispose();
    }
    const g = await importTflite(int8FloatEdges(), { fileName: 'built.tflite' });
    expect(g.nodes.find((n) => n.op === 'global_avg_pool')).toMatchObject({ keepDims: true, rounding: 'mean' });
  });

  it('names the node it cannot compile', async () => {
    const n = new Net('UINT8', false);
    const x = n.input([1, 9, 9, 3], 'UINT8');
    const y = n.conv(x, { k: 5, cout: 4 });
    await expect(loadModel(n.finish(y))).rejects.toThrow(UnsupportedOpError);
    const n2 = new Net('UINT8', false);
    const x2 = n2.input([1, 9, 9, 3], 'UINT8');
    const y2 = n2.conv(x2, { k: 5, cout: 4 });
    await expect(loadModel(n2.finish(y2))).rejects.toThrow(/conv2d "t_\d+": a 5×5 kernel/);
  });
});
