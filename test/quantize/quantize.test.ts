// Post-training quantization (src/quantize): the arithmetic of each choice on hand-made numbers, calibration
// ranges of a tiny graph against the naive float reference, the structure of the int8 graph, the native format
// round trip, and the engine running the result exactly like TFLite's integer arithmetic.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/ir.js';
import { readNative } from '../../src/formats/native/read.js';
import { writeNative } from '../../src/formats/native/write.js';
import { compile } from '../../src/plan/compile.js';
import { Runtime } from '../../src/exec/runtime.js';
import { activationRange } from '../../src/plan/requant.js';
import { loadModel } from '../../src/api.js';
import { Calibrator, calibrate, calibrationValues, percentileOf, type Ranges } from '../../src/quantize/calibrate.js';
import {
  SOFTMAX_INT8_QUANT, activationBounded, adjustScalesForBias, chooseQuant, preprocessRange, quantizeBias, quantizeGraph,
  quantizeLayer, quantizeWeightsPerChannel, weightRoundingBias,
} from '../../src/quantize/quantize.js';
import { pickImages, progressBar } from '../../src/quantize/command.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';
import { runReference } from '../helpers/reference-graph.js';
import { runTfliteReference } from '../helpers/reference-tflite-graph.js';

const f = Math.fround;

/** The tiny MobileNetV2-like graph with a softmax head, and `n` random inputs in [−1, 1]. */
function tinyWithSoftmax(seed = 3): Graph {
  const g = tinyGraph(13, 11, 'same', seed);
  g.nodes.push({ op: 'softmax', name: 'probs', inputs: ['logits'] });
  g.output = 'probs';
  g.meta.outputIsProbabilities = true;
  return g;
}
const inputs = (n: number, seed: number) => Array.from({ length: n }, (_, i) => randomArray(13 * 11 * 3, mulberry32(seed + i), 1));

async function calibrated(g: Graph, n = 12, method: 'minmax' | 'average' | 'percentile' = 'minmax'): Promise<Ranges> {
  const cal = await Calibrator.create(g, { method, isa: 'simd' });
  for (const x of inputs(n, 100)) cal.observeTensor(x);
  const r = cal.ranges();
  cal.dispose();
  return r;
}

describe('chooseQuant: asymmetric int8 with a nudged zero point', () => {
  it('maps [min, max] onto [−128, 127] with 0 exactly representable', () => {
    const q = chooseQuant({ min: -1, max: 2 });
    expect(q.scale).toBe(f(f(3) / 255));
    expect(q.zeroPoint).toBe(Math.round(-128 + 1 / q.scale)); // −43
    expect(q.zeroPoint).toBe(-43);
    // Real 0 is the integer zeroPoint exactly; the covered range is within half a step of the asked one.
    expect(q.scale * (-128 - q.zeroPoint)).toBeCloseTo(-1, 1);
    expect(Math.abs(q.scale * (127 - q.zeroPoint) - 2)).toBeLessThanOrEqual(q.scale);
  });

  it('nudges a zero point that falls between integers to the nearest one', () => {
    const q = chooseQuant({ min: -0.3, max: 1.1 });
    const exact = -128 + 0.3 / q.scale; // −73.357…
    expect(Number.isInteger(q.zeroPoint)).toBe(true);
    expect(q.zeroPoint).toBe(Math.round(exact));
    expect(q.zeroPoint).not.toBe(exact);
  });

  it('widens ranges that do not contain 0 (so ReLU outputs get zero point −128)', () => {
    expect(chooseQuant({ min: 2, max: 5 })).toEqual({ scale: f(5 / 255), zeroPoint: -128 });
    expect(chooseQuant({ min: 0, max: 6 })).toEqual({ scale: f(6 / 255), zeroPoint: -128 });
    expect(chooseQuant({ min: -5, max: -2 })).toEqual({ scale: f(5 / 255), zeroPoint: 127 });
  });

  it('gives an all-zero tensor a usable scale and rejects nonsense', () => {
    expect(chooseQuant({ min: 0, max: 0 })).toEqual({ scale: f(1 / 255), zeroPoint: -128 });
    expect(() => chooseQuant({ min: 1, max: -1 })).toThrow(/min ≤ max/);
    expect(() => chooseQuant({ min: NaN, max: 1 })).toThrow(/finite/);
  });

  it('fused activations bound the range: ReLU6 → within [0, 6], ReLU → [0, max]', () => {
    expect(activationBounded({ min: -0.5, max: 7 }, 'relu6')).toEqual({ min: 0, max: 6 });
    expect(activationBounded({ min: 0, max: 4.2 }, 'relu6')).toEqual({ min: 0, max: 4.2 });
    expect(activationBounded({ min: 0, max: 4.2 }, 'relu6', 'fixed')).toEqual({ min: 0, max: 6 });
    expect(activationBounded({ min: -3, max: 9 }, 'relu')).toEqual({ min: 0, max: 9 });
    expect(activationBounded({ min: -3, max: 9 }, 'none')).toEqual({ min: -3, max: 9 });
    // …and come out as the clamp the compiler applies: ReLU6 over [0, 6] is the whole int8 range.
    expect(activationRange('relu6', chooseQuant({ min: 0, max: 6 }), 'int8')).toEqual([-128, 127]);
    expect(activationRange('relu6', chooseQuant({ min: 0, max: 12 }), 'int8')).toEqual([-128, 0]);
  });

  it('the input range is the image of 0..255 under meta.preprocess', () => {
    const g = tinyGraph(5, 5, 'same', 1);
    g.meta.preprocess = { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], offset: [-1, -1, -1], centralCrop: 1 };
    expect(preprocessRange(g)).toEqual({ min: -1, max: 1 });
    g.meta.preprocess = { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 };
    const q = chooseQuant(preprocessRange(g));
    expect(q).toEqual({ scale: f(1 / 255), zeroPoint: -128 });
    // Every pixel p/255 quantizes back to p − 128 exactly.
    for (let p = 0; p < 256; p++) expect(Math.round(f(p / 255) / q.scale) + q.zeroPoint).toBe(p - 128);
  });
});

describe('weights: int8 symmetric per output channel', () => {
  // HWIO [1, 1, 3, 2]: channel 0 = {0.5, −1, 0.25}, channel 1 = {0.02, 0.01, −0.04}.
  const w = Float32Array.from([0.5, 0.02, -1, 0.01, 0.25, -0.04]);

  it('scale[c] = max|w_c| / 127 and the largest weight of each channel is ±127', () => {
    const q = quantizeWeightsPerChannel(w, 2);
    expect(Array.from(q.scale)).toEqual([f(1 / 127), f(0.04 / 127)]);
    // 0.5 / fround(1/127) = 63.5000… → 64, 0.02 / scale = 63.4999… → 63, 31.75 → 32
    expect(Array.from(q.data)).toEqual([64, 63, -127, 32, 32, -127]);
    for (let i = 0; i < w.length; i++) expect(Math.abs(q.data[i] * q.scale[i % 2] - w[i])).toBeLessThanOrEqual(q.scale[i % 2] / 2 + 1e-9);
  });

  it('a channel of zeros gets scale 1 and zero weights', () => {
    const q = quantizeWeightsPerChannel(Float32Array.from([0, 3, 0, -3]), 2);
    expect(Array.from(q.scale)).toEqual([1, f(3 / 127)]);
    expect(Array.from(q.data)).toEqual([0, 127, 0, -127]);
  });

  it('rejects weights that are not whole channels or not finite', () => {
    expect(() => quantizeWeightsPerChannel(new Float32Array(5), 2)).toThrow(/whole number/);
    expect(() => quantizeWeightsPerChannel(Float32Array.from([1, NaN]), 2)).toThrow(/NaN/);
  });
});

describe('bias: int32 at scale inputScale·weightScale[c]', () => {
  it('rounds b / (sIn·sW) halves away from zero', () => {
    const sIn = 0.5, sW = Float32Array.from([0.25, 0.5]);
    // b / (sIn·sW) = 2.5 and −2.5 exactly
    expect(Array.from(quantizeBias(Float32Array.from([0.3125, -0.625]), sIn, sW))).toEqual([3, -3]);
    expect(Array.from(quantizeBias(Float32Array.from([0.3, -0.01]), sIn, sW))).toEqual([2, 0]);
  });

  it('widens the weight scale where the bias would overflow int32', () => {
    const b = Float32Array.from([1e6, 0.1]);
    const s = Float32Array.from([1e-6, 1e-6]);
    expect(adjustScalesForBias(b, 1e-3, s)).toBe(1);
    expect(s[1]).toBe(f(1e-6));
    const q = quantizeBias(b, 1e-3, s);
    expect(Math.abs(q[0])).toBeLessThanOrEqual(2 ** 30 + 1);
    expect(() => quantizeBias(b, 1e-3, Float32Array.from([1e-6, 1e-6]))).toThrow(/overflows int32/);
    // quantizeLayer does it and requantizes the weights with the wider scale.
    const layer = quantizeLayer(Float32Array.from([1e-4, 1e-4]), b, 2, 1e-3);
    expect(layer.scale[0]).toBeGreaterThan(1e-4 / 127);
    expect(Math.abs(layer.bias[0])).toBeLessThanOrEqual(2 ** 30 + 1);
  });

  it('bias correction: with the mean input the int8 layer has the float layer\'s mean output', () => {
    const r = mulberry32(5);
    const cin = 6, cout = 4;
    const w = randomArray(9 * cin * cout, r, 0.7); // 3×3 HWIO
    const b = randomArray(cout, r, 0.2);
    const mean = Array.from({ length: cin }, () => 0.3 + r());
    const plain = quantizeLayer(w, b, cout, 0.02);
    const corrected = quantizeLayer(w, b, cout, 0.02, { inputMean: mean, depthwise: false });
    const err = weightRoundingBias(w, plain.data, plain.scale, mean, false);
    for (let c = 0; c < cout; c++) {
      let exact = b[c], withQ = 0;
      for (let i = c; i < w.length; i += cout) {
        const ic = Math.floor(i / cout) % cin;
        exact += w[i] * mean[ic];
        withQ += plain.data[i] * plain.scale[c] * mean[ic];
      }
      const s = f(0.02 * plain.scale[c]);
      expect(Math.abs(withQ + corrected.bias[c] * s - exact)).toBeLessThanOrEqual(s); // corrected: off by bias rounding only
      expect(Math.abs(withQ + plain.bias[c] * s - exact - err[c])).toBeLessThanOrEqual(s);
    }
  });
});

describe('calibration', () => {
  it('percentileOf: histogram percentiles rounded outward to a bin edge', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => i);
    expect(percentileOf(x, 100, 0, 999)).toBe(999);
    expect(percentileOf(x, 0, 0, 999)).toBe(0);
    const hi = percentileOf(x, 99, 0, 999);
    expect(hi).toBeGreaterThanOrEqual(989);
    expect(hi).toBeLessThan(991);
    const lo = percentileOf(x, 1, 0, 999);
    expect(lo).toBeLessThanOrEqual(10);
    expect(lo).toBeGreaterThan(8);
  });

  it('records min / max / per-channel mean of every value, as the float reference computes them', async () => {
    const g = tinyGraph(13, 11, 'same', 3);
    const xs = inputs(6, 100);
    const cal = await Calibrator.create(g, { isa: 'simd' });
    expect(cal.values).toEqual(calibrationValues(g));
    expect(cal.values).toEqual(['input', ...g.nodes.map((n) => n.name)]);
    for (const x of xs) cal.observeTensor(x);
    const ranges = cal.ranges();
    const refs = xs.map((x) => runReference(g, x));
    for (const v of cal.values) {
      const all = refs.map((m) => (v === 'input' ? xs[refs.indexOf(m)] : m.get(v)!));
      const min = Math.min(...all.map((a) => Math.min(...a)));
      const max = Math.max(...all.map((a) => Math.max(...a)));
      const r = ranges.get(v)!;
      expect(r.min, `${v} min`).toBeCloseTo(min, 4);
      expect(r.max, `${v} max`).toBeCloseTo(max, 4);
      const C = r.channelMean!.length;
      const mean0 = all.reduce((s, a) => s + a.filter((_, i) => i % C === 0).reduce((p, q) => p + q, 0) / (a.length / C), 0) / all.length;
      expect(r.channelMean![0], `${v} mean`).toBeCloseTo(mean0, 4);
    }
    cal.dispose();
  });

  it('average: the mean of per-input minima and maxima; percentile: inside min/max', async () => {
    const g = tinyGraph(13, 11, 'same', 3);
    const mm = await calibrated(g, 12, 'minmax');
    const avg = await calibrated(g, 12, 'average');
    const pct = await calibrated(g, 12, 'percentile');
    const xs = inputs(12, 100);
    const refs = xs.map((x) => runReference(g, x).get('b2_project')!);
    const meanMax = refs.reduce((s, a) => s + Math.max(...a), 0) / refs.length;
    expect(avg.get('b2_project')!.max).toBeCloseTo(meanMax, 4);
    for (const v of calibrationValues(g)) {
      expect(avg.get(v)!.max).toBeLessThanOrEqual(mm.get(v)!.max + 1e-6);
      expect(pct.get(v)!.max).toBeLessThanOrEqual(mm.get(v)!.max + 1e-6);
      expect(pct.get(v)!.min).toBeGreaterThanOrEqual(mm.get(v)!.min - 1e-6);
    }
  });

  it('images are preprocessed as classify() does: calibrate() on pixels = observeTensor on the resized tensor', async () => {
    const g = tinyGraph(13, 11, 'same', 3);
    g.meta.preprocess = { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 };
    const r = mulberry32(9);
    const img = { data: Uint8Array.from({ length: 40 * 30 * 3 }, () => Math.floor(r() * 256)), width: 40, height: 30, channels: 3 as const };
    const progress: number[] = [];
    const viaImages = await calibrate(g, [img], { isa: 'simd', onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1]);
    expect(viaImages.images).toBe(1);
    const cal = await Calibrator.create(g, { isa: 'simd' });
    const x = cal.inputTensor(img);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    cal.observeTensor(x);
    for (const [v, range] of cal.ranges()) expect(viaImages.ranges.get(v)!.max, v).toBe(range.max);
    // The model's own classify() sees the same tensor: its float output equals the reference on x.
    const m = await loadModel(g, { isa: 'simd' });
    const out = await m.run(x);
    const ref = runReference(g, x).get('logits')!;
    for (let i = 0; i < ref.length; i++) expect(out[i]).toBeCloseTo(ref[i], 4);
    m.dispose();
  });

  it('refuses a quantized graph and an empty calibration', async () => {
    const g = tinyWithSoftmax();
    const q = quantizeGraph(g, await calibrated(g, 2));
    await expect(Calibrator.create(q)).rejects.toThrow(/already quantized/);
    const cal = await Calibrator.create(g, { isa: 'simd' });
    expect(() => cal.ranges()).toThrow(/no calibration input/);
    await expect(Calibrator.create(g, { method: 'median' as 'minmax' })).rejects.toThrow(/unknown range method/);
  });
});

describe('quantizeGraph', () => {
  it('int8 graph: QUANTIZE after the float input, int8 weights and values, float softmax after DEQUANTIZE', async () => {
    const g = tinyWithSoftmax();
    const ranges = await calibrated(g);
    const q = quantizeGraph(g, ranges);
    expect(q.input).toEqual({ name: 'input', shape: [1, 13, 11, 3] });
    expect(q.nodes[0]).toEqual({ op: 'quantize', name: 'input/quantize', inputs: ['input'] });
    expect(q.nodes.find((n) => n.name === 'stem')!.inputs).toEqual(['input/quantize']);
    expect(q.nodes.slice(-2).map((n) => [n.op, n.name, n.inputs])).toEqual([
      ['dequantize', 'logits/dequantize', ['logits']], ['softmax', 'probs', ['logits/dequantize']],
    ]);
    expect(q.output).toBe('probs');
    for (const n of g.nodes) {
      if (n.op === 'softmax') {
        expect(q.values!.probs).toBeUndefined();
        continue;
      }
      const t = q.values![n.name];
      expect(t?.dtype, n.name).toBe('int8');
      const m = q.nodes.find((x) => x.name === n.name)!;
      if (m.op === 'conv2d' || m.op === 'depthwise_conv2d' || m.op === 'dense') {
        expect(m.q!.dtype).toBe('int8');
        expect(m.weights.length + m.bias.length).toBe(0);
        expect(Array.from(m.q!.zeroPoint).every((z) => z === 0)).toBe(true);
        if (m.activation !== 'none') expect(t.quant!.zeroPoint, `${n.name}: ReLU output`).toBe(-128);
        if (m.activation === 'relu6') expect(t.quant!.scale).toBeLessThanOrEqual(f(6 / 255));
      }
    }
    // The pool keeps its input's quantization and AVERAGE_POOL_2D's rounding.
    const pool = q.nodes.find((n) => n.name === 'pool')!;
    expect(pool).toMatchObject({ op: 'global_avg_pool', rounding: 'avgpool' });
    expect(q.values!.pool).toEqual(q.values![pool.inputs[0]]);
    // Residual adds get their own range.
    expect(q.values!.b2_add.quant).toEqual(chooseQuant(ranges.get('b2_add')!));
    expect(q.meta.source).toMatch(/int8 post-training quantization/);
    expect(g.nodes.find((n) => n.name === 'stem')!.inputs).toEqual(['input']); // the float graph is untouched
  });

  it('softmax int8 (TFLite: scale 1/256, zero point −128, then DEQUANTIZE); no softmax: DEQUANTIZE the output', async () => {
    const g = tinyWithSoftmax();
    const ranges = await calibrated(g);
    const q = quantizeGraph(g, ranges, { softmax: 'int8' });
    expect(q.values!.probs).toEqual({ dtype: 'int8', quant: SOFTMAX_INT8_QUANT });
    expect(q.output).toBe('probs/dequantize');
    const plain = tinyGraph(13, 11, 'same', 3);
    const q2 = quantizeGraph(plain, ranges);
    expect(q2.output).toBe('logits/dequantize');
    expect(q2.nodes.at(-1)).toEqual({ op: 'dequantize', name: 'logits/dequantize', inputs: ['logits'] });
    const q3 = quantizeGraph(g, ranges, { pool: 'mean' });
    expect(q3.values!.pool.quant).toEqual(chooseQuant(ranges.get('pool')!));
    expect(q3.nodes.find((n) => n.name === 'pool')).toMatchObject({ rounding: 'mean' });
  });

  it('refuses missing ranges, quantized graphs and unknown options', async () => {
    const g = tinyWithSoftmax();
    const ranges = await calibrated(g, 2);
    const partial = new Map(ranges);
    partial.delete('b1_depthwise');
    expect(() => quantizeGraph(g, partial)).toThrow(/no calibrated range for value "b1_depthwise"/);
    const q = quantizeGraph(g, ranges);
    expect(() => quantizeGraph(q, ranges)).toThrow(/already quantized/);
    expect(() => quantizeGraph(g, ranges, { scheme: 'int4' as 'int8-per-channel' })).toThrow(/unknown scheme/);
    expect(() => quantizeGraph(g, ranges, { pool: 'max' as 'mean' })).toThrow(/pool must be/);
  });

  it('round-trips through the native format byte for byte', async () => {
    const g = tinyWithSoftmax();
    for (const softmax of ['float', 'int8'] as const) {
      const q = quantizeGraph(g, await calibrated(g), { softmax });
      const bytes = writeNative(q);
      const back = readNative(bytes, 'q.safetensors');
      expect(back.values).toEqual(q.values);
      expect(back.nodes.map((n) => [n.op, n.name, n.inputs])).toEqual(q.nodes.map((n) => [n.op, n.name, n.inputs]));
      const stem = back.nodes.find((n) => n.name === 'stem')!;
      const stemQ = q.nodes.find((n) => n.name === 'stem')!;
      if (stem.op !== 'conv2d' || stemQ.op !== 'conv2d') throw new Error('stem is a conv2d');
      expect(stem.q!.data).toEqual(stemQ.q!.data);
      expect(stem.q!.scale).toEqual(stemQ.q!.scale);
      expect(stem.q!.bias).toEqual(stemQ.q!.bias);
      expect(back.nodes.find((n) => n.name === 'pool')).toMatchObject({ rounding: 'avgpool' });
      expect(writeNative(back)).toEqual(bytes);
    }
  });
});

describe('the int8 graph on the engine', () => {
  it('computes exactly TFLite\'s integer arithmetic (every int8 value) and stays close to the float graph', async () => {
    const g = tinyWithSoftmax();
    const q = quantizeGraph(g, await calibrated(g, 16));
    const names = q.nodes.filter((n) => q.values![n.name]).map((n) => n.name);
    const plan = compile(q, { keep: names });
    const rt = await Runtime.create(plan, { isa: 'simd' });
    let agree = 0;
    const xs = inputs(8, 500);
    for (const x of xs) {
      rt.write(plan.input, x);
      rt.execute();
      // The reference runs the integer part (up to the int8 logits); the float tail is DEQUANTIZE + softmax.
      const ref = runTfliteReference({ ...q, nodes: q.nodes.slice(0, -2), output: 'logits' }, x, 'fp32');
      for (const v of names) {
        const t = plan.kept.get(v)!;
        expect(t.dtype).toBe('int8');
        expect(Array.from(rt.read(t) as Int8Array), v).toEqual(Array.from(ref.get(v)!));
      }
      const out = rt.read(plan.output) as Float32Array;
      const { scale, zeroPoint } = q.values!.logits.quant!;
      const logits = Array.from(ref.get('logits')!, (v) => f(scale * (v - zeroPoint)));
      const e = logits.map((v) => Math.exp(v - Math.max(...logits)));
      const want = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      for (let i = 0; i < want.length; i++) expect(out[i]).toBeCloseTo(want[i], 6);
      const fl = runReference(g, x).get('probs')!;
      const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));
      if (argmax(fl) === argmax(out)) agree++;
      for (let i = 0; i < fl.length; i++) expect(Math.abs(out[i] - fl[i]), `class ${i}`).toBeLessThan(0.1);
    }
    expect(agree).toBeGreaterThanOrEqual(xs.length - 1);
  });

  it('loads as a model from the native bytes (classify / run / embed with float32 in and out)', async () => {
    const g = tinyWithSoftmax();
    const q = quantizeGraph(g, await calibrated(g, 8));
    const m = await loadModel(writeNative(q));
    const x = inputs(1, 900)[0];
    const p = await m.run(x);
    expect(p.length).toBe(11);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const e = await m.embed({ data: new Uint8Array(13 * 11 * 3).fill(100), width: 11, height: 13, channels: 3 });
    expect(e.length).toBe(9);
    m.dispose();
  });
});

describe('quantize command helpers', () => {
  it('progressBar draws done/total', () => {
    expect(progressBar(0, 50)).toBe('calibrating [....................] 0/50 images');
    expect(progressBar(23, 50)).toBe('calibrating [#########...........] 23/50 images');
    expect(progressBar(50, 50)).toBe('calibrating [####################] 50/50 images');
  });

  it('pickImages: all files when they fit, else a seeded subset', () => {
    const files = Array.from({ length: 30 }, (_, i) => `img${i}.jpg`);
    expect(pickImages(files.slice(0, 5).reverse(), 10, 1)).toEqual(files.slice(0, 5).sort());
    const a = pickImages(files, 10, 1);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(pickImages(files, 10, 1)).toEqual(a);
    expect(pickImages(files, 10, 2)).not.toEqual(a);
  });
});
