// The ONNX Runtime Web peer (bench/peers/ort.ts on the ONNX export of bench/peers/onnx-graph.ts) computes
// what our engine computes: the default model and a seeded MobileNetV2 1.0/224 agree within 1e-5 on the
// outputs (softmax scores), and closely on the logits (the graph without its softmax); small graphs at
// odd sizes in every padding mode (asymmetric pads), with relu / relu6 adds, a keepDims pool and a
// dense relu agree too; dilation and softmax beta are checked within ORT. Then a timing: ours vs ORT, alternating, median of 20 runs after
// warm-up (printed, not asserted: the machine is shared).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import type { Model } from '../../src/model.js';
import type { Graph, Node } from '../../src/graph/ir.js';
import { importModelBytes } from '../../src/formats/load-bytes.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { loadOrtPeer, type OrtPeer } from '../../bench/peers/ort.js';
import { hwcToC1hw, hwioToOihw, nhwcToNchw, toOnnx, toOnnxModel } from '../../bench/peers/onnx-graph.js';
import { mulberry32 } from '../helpers/random.js';
import { tinyGraph, randomArray } from '../helpers/tiny-graph.js';

const MODEL_FILE = new URL('../../models/nsfw.safetensors', import.meta.url);

function randomInput(g: Graph, seed: number, lo = 0, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return new Float32Array(g.input.shape.reduce((a, b) => a * b, 1)).map(() => lo + (hi - lo) * r());
}

function compare(a: Float32Array, b: Float32Array) {
  expect(a.length).toBe(b.length);
  let maxAbs = 0, maxRef = 0;
  for (let i = 0; i < a.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i])); maxRef = Math.max(maxRef, Math.abs(b[i])); }
  return { maxAbs, maxRef, rel: maxAbs / (maxRef || 1) };
}

/** The graph without its final softmax (output = the logits). */
function logitsOf(g: Graph): Graph {
  const last = g.nodes[g.nodes.length - 1];
  if (last.op !== 'softmax') return g;
  return { ...g, nodes: g.nodes.slice(0, -1), output: last.inputs[0], meta: { ...g.meta, outputIsProbabilities: false } };
}

const median = (t: number[]) => { const s = [...t].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

describe('ONNX export helpers', () => {
  it('permutes weights and inputs', () => {
    // HWIO [1,2,2,3] → OIHW [3,2,1,2]
    const w = Float32Array.from({ length: 12 }, (_, i) => i);
    const o = hwioToOihw(w, 1, 2, 2, 3);
    for (let x = 0; x < 2; x++) for (let i = 0; i < 2; i++) for (let c = 0; c < 3; c++) expect(o[(c * 2 + i) * 2 + x]).toBe(w[(x * 2 + i) * 3 + c]);
    const d = hwcToC1hw(Float32Array.from({ length: 18 }, (_, i) => i), 3, 3, 2);
    expect(Array.from(d.subarray(0, 9))).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16]);
    expect(Array.from(nhwcToNchw(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('refuses what it cannot express', () => {
    const g = tinyGraph(9, 9, 'same', 1);
    // A reshape that flattens a spatial value reads NHWC order, which the NCHW export cannot reproduce.
    const spatial = g.nodes.find((n) => n.op === 'global_avg_pool')!.inputs[0];
    const [, h, w, c] = inferShapes(g).get(spatial)!;
    expect(() => toOnnx({ ...g, nodes: [...g.nodes, { op: 'reshape', name: 'r', inputs: [spatial], shape: [1, h * w * c] }], output: 'r' })).toThrow(/reshape "r".*depends on the layout/);
    // A squeeze to [1, C] is the same in both layouts: exported.
    expect(toOnnxModel({ ...g, nodes: [...g.nodes, { op: 'reshape', name: 'r', inputs: ['logits'], shape: [1, 11] }], output: 'r' }).ops.Reshape).toBe(1);
    expect(() => toOnnx({ ...g, input: { ...g.input, dtype: 'uint8' } })).toThrow();
  });
});

describe('ONNX Runtime Web peer', () => {
  let peer: OrtPeer;
  let ours: Model;
  let graph: Graph;
  beforeAll(async () => {
    graph = await importModelBytes(new Uint8Array(readFileSync(MODEL_FILE)), { fileName: 'nsfw.safetensors' });
    [peer, ours] = await Promise.all([loadOrtPeer(graph, { threads: 1 }), loadModel('nsfw')]);
  });
  afterAll(async () => { await peer?.dispose(); ours?.dispose(); });

  it('runs onnxruntime-web wasm, SIMD, one thread', () => {
    const { info } = peer;
    console.log(`[ort peer] onnxruntime-web ${info.version}, ${info.wasmFile.split('/').slice(-1)[0]}, simd ${info.simd}, ${info.threads} thread; ` +
      `ONNX ${(info.modelBytes / 2 ** 20).toFixed(1)} MiB ${JSON.stringify(info.onnxOps)}; session created in ${info.loadMs.toFixed(0)} ms`);
    expect(info.version).toBe('1.30.0');
    expect(info.simd).toBe(true);
    expect(info.threads).toBe(1);
    expect(info.inputShape).toEqual([1, 3, 224, 224]);
    expect(info.outputShape).toEqual([1, 5]);
    expect(info.onnxOps).toMatchObject({ Conv: 52, Clip: 35, Add: 10, GlobalAveragePool: 1, Gemm: 3, Relu: 2, Softmax: 1 });
  });

  it('default model: outputs agree with ours within 1e-5 (and run() returns fresh copies)', async () => {
    for (const seed of [1, 2]) {
      const x = randomInput(graph, seed);
      const [a, b] = [await ours.run(x), await peer.run(x)];
      const c = compare(b, a);
      console.log(`[ort peer] default model, random input ${seed}: max |Δ| ${c.maxAbs.toExponential(2)} (scores up to ${c.maxRef.toFixed(3)})`);
      expect(c.maxAbs).toBeLessThanOrEqual(1e-5);
      const again = b.slice();
      await peer.run(randomInput(graph, seed + 100));
      expect(b).toEqual(again);
    }
  });

  it('prepare + runPrepared equals run, and the prepared tensor can be reused', async () => {
    const x = randomInput(graph, 3);
    const t = peer.prepare(x);
    expect(t.dims).toEqual([1, 3, 224, 224]);
    const a = await peer.runPrepared(t), b = await peer.runPrepared(t), c = await peer.run(x);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('default model logits (softmax dropped) agree closely', async () => {
    const g = logitsOf(graph);
    const [p, m] = await Promise.all([loadOrtPeer(g), loadModel(g)]);
    try {
      const x = randomInput(g, 4);
      const c = compare(await p.run(x), await m.run(x));
      console.log(`[ort peer] default model logits: max |Δ| ${c.maxAbs.toExponential(2)}, largest |logit| ${c.maxRef.toFixed(2)}, relative ${c.rel.toExponential(2)}`);
      expect(c.rel).toBeLessThanOrEqual(1e-5);
    } finally { await p.dispose(); m.dispose(); }
  });

  it('MobileNetV2 1.0/224 (seeded, 1000 classes): outputs within 1e-5, logits closely', async () => {
    const g = buildMobileNetV2({ alpha: 1, resolution: 224, classes: 1000 });
    for (const [label, gg] of [['scores', g], ['logits', logitsOf(g)]] as const) {
      const [p, m] = await Promise.all([loadOrtPeer(gg), loadModel(gg)]);
      try {
        const x = randomInput(gg, 5, -1, 1);
        const c = compare(await p.run(x), await m.run(x));
        console.log(`[ort peer] MobileNetV2 1.0/224 ${label}: max |Δ| ${c.maxAbs.toExponential(2)} (max |ours| ${c.maxRef.toExponential(2)}, relative ${c.rel.toExponential(2)})`);
        if (label === 'scores') expect(c.maxAbs).toBeLessThanOrEqual(1e-5);
        expect(c.rel).toBeLessThanOrEqual(1e-5);
      } finally { await p.dispose(); m.dispose(); }
    }
  });

  it.each([[37, 29, 'same'], [37, 29, 'keras'], [37, 29, 'symmetric'], [24, 31, 'same']] as const)(
    'small graph %ix%i, %s padding: agrees with ours', async (h, w, mode) => {
      const g = tinyGraph(h, w, mode, h * w);
      const [p, m] = await Promise.all([loadOrtPeer(g), loadModel(g)]);
      try {
        const x = randomInput(g, 6, -1, 1);
        const c = compare(await p.run(x), await m.run(x));
        expect(c.rel).toBeLessThanOrEqual(1e-5);
      } finally { await p.dispose(); m.dispose(); }
    });

  it('relu / relu6 adds, keepDims pool and dense relu: agree with ours; softmax beta scales the logits', async () => {
    const g = tinyGraph(21, 17, 'same', 7);
    const r = mulberry32(99);
    const nodes: Node[] = g.nodes.map((n): Node => {
      if (n.name === 'b2_add' && n.op === 'add') return { ...n, activation: 'relu6' };
      if (n.name === 'b4_add' && n.op === 'add') return { ...n, activation: 'relu' };
      if (n.name === 'pool' && n.op === 'global_avg_pool') return { ...n, keepDims: true };
      if (n.name === 'logits' && n.op === 'dense') return { ...n, activation: 'relu' };
      return n;
    });
    nodes.push({ op: 'dense', name: 'head', inputs: ['logits'], activation: 'none', weights: randomArray(11 * 6, r, 0.5), bias: randomArray(6, r, 0.1), units: 6 });
    const withSoftmax = (beta?: number): Graph => ({ ...g, nodes: [...nodes, { op: 'softmax', name: 'prob', inputs: ['head'], ...(beta !== undefined ? { beta } : {}) }], output: 'prob' });
    const gg = withSoftmax();
    expect(toOnnxModel(gg).ops).toMatchObject({ Relu: 2, Flatten: 1, Softmax: 1 });
    const x = randomInput(gg, 8, -1, 1);
    const [p, m] = await Promise.all([loadOrtPeer(gg), loadModel(gg)]);
    try {
      expect(compare(await p.run(x), await m.run(x)).maxAbs).toBeLessThanOrEqual(1e-6);
    } finally { await p.dispose(); m.dispose(); }

    // beta: the IR's exp(beta·x) normalized, checked against ORT's own logits (our float executor
    // currently ignores beta, so it is not the yardstick here).
    const gb = withSoftmax(0.7);
    expect(toOnnxModel(gb).ops.Mul).toBe(1);
    const [pb, pl] = await Promise.all([loadOrtPeer(gb), loadOrtPeer({ ...g, nodes, output: 'head' })]);
    try {
      const z = await pl.run(x), y = await pb.run(x);
      const mx = Math.max(...z), e = Array.from(z, (v) => Math.exp(0.7 * (v - mx))), sum = e.reduce((a, b) => a + b, 0);
      expect(compare(y, Float32Array.from(e, (v) => v / sum)).maxAbs).toBeLessThanOrEqual(1e-6);
    } finally { await pb.dispose(); await pl.dispose(); }
  });

  it('dilation: a dilated 3×3 depthwise equals the 5×5 one with a zero-interleaved kernel (ORT on both)', async () => {
    // Our engine has no dilated depthwise with pad 2, so the dilations attribute is checked inside ORT.
    const r = mulberry32(11);
    const C = 6, w3 = randomArray(9 * C, r, 0.5), bias = randomArray(C, r, 0.1), w5 = new Float32Array(25 * C);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < C; c++) w5[((2 * y) * 5 + 2 * x) * C + c] = w3[(y * 3 + x) * C + c];
    const one = (kernel: [number, number], dilation: [number, number], weights: Float32Array): Graph => ({
      name: 'dil', input: { name: 'x', shape: [1, 11, 9, C] }, output: 'dw',
      nodes: [{ op: 'depthwise_conv2d', name: 'dw', inputs: ['x'], kernel, stride: [1, 1], dilation, pad: { top: 2, left: 1, bottom: 2, right: 3 }, activation: 'relu6', weights, bias }],
      meta: { architecture: 'test', paddingMode: 'same', labels: [], preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 } },
    });
    const a = one([3, 3], [2, 2], w3), b = one([5, 5], [1, 1], w5);
    const [pa, pb] = await Promise.all([loadOrtPeer(a), loadOrtPeer(b)]);
    try {
      const x = randomInput(a, 12, -2, 2);
      const [ya, yb] = [await pa.run(x), await pb.run(x)];
      expect(ya.length).toBe(11 * 9 * C);
      expect(compare(ya, yb).maxAbs).toBeLessThanOrEqual(1e-6);
    } finally { await pa.dispose(); await pb.dispose(); }
  });

  it('a spatial output is returned in NHWC order', async () => {
    const g = tinyGraph(15, 13, 'symmetric', 3);
    const cut = g.nodes.findIndex((n) => n.name === 'b2_project');
    const gg: Graph = { ...g, nodes: g.nodes.slice(0, cut + 1), output: 'b2_project' };
    expect(toOnnxModel(gg).ops.Transpose).toBe(1);
    const [p, m] = await Promise.all([loadOrtPeer(gg), loadModel(gg)]);
    try {
      const x = randomInput(gg, 9, -1, 1);
      expect(compare(await p.run(x), await m.run(x)).rel).toBeLessThanOrEqual(1e-5);
    } finally { await p.dispose(); m.dispose(); }
  });

  it('refuses a second thread count in the same process', async () => {
    await expect(loadOrtPeer(graph, { threads: 2 })).rejects.toThrow(/initialized with 1 thread/);
  });

  it('times 20 runs of the default model, ours vs ORT alternating', async () => {
    const x = randomInput(graph, 10);
    const t = peer.prepare(x);
    for (let i = 0; i < 5; i++) { await ours.run(x); await peer.runPrepared(t); }
    const to: number[] = [], tp: number[] = [];
    for (let i = 0; i < 20; i++) {
      let a = performance.now(); await ours.run(x); to.push(performance.now() - a);
      a = performance.now(); await peer.runPrepared(t); tp.push(performance.now() - a);
    }
    const mo = median(to), mp = median(tp);
    console.log(`[ort peer] default model, 20 alternating runs after 5 warm-up: ours (${ours.info.isa}, 1 thread) median ${mo.toFixed(2)} ms ` +
      `(min ${Math.min(...to).toFixed(2)}), ORT Web ${peer.info.version} (wasm simd, 1 thread) median ${mp.toFixed(2)} ms (min ${Math.min(...tp).toFixed(2)}); ` +
      `ours/ORT ${(mo / mp).toFixed(3)}`);
    expect(mp).toBeGreaterThan(0);
  });
});
