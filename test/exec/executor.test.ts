// Whole graphs through compile + executor (fused blocks, ring buffers, slices) against the naive
// float64 reference interpreter, for both kernel builds, fused and unfused, many slice heights.
import { describe, it, expect } from 'vitest';
import type { Activation, Graph, Node, PaddingMode } from '../../src/graph/ir.js';
import { padFor } from '../../src/graph/shapes.js';
import { loadModel } from '../../src/index.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { runReference } from '../helpers/reference-graph.js';
import { mulberry32 } from '../helpers/random.js';

function randomArray(n: number, r: () => number, scale: number) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/** A small MobileNetV2-like graph on an arbitrary (odd) input size. */
function tinyGraph(H: number, W: number, mode: PaddingMode, seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [];
  let cur = 'input', c = 3, h = H, w = W;
  const conv = (name: string, k: number, s: number, oc: number, activation: Activation) => {
    const [pt, pb] = padFor(mode, h, k, s), [pl, pr] = padFor(mode, w, k, s);
    nodes.push({ op: 'conv2d', name, inputs: [cur], kernel: [k, k], stride: [s, s], pad: { top: pt, bottom: pb, left: pl, right: pr },
      activation, weights: randomArray(k * k * c * oc, r, Math.sqrt(3 / (k * k * c))), bias: randomArray(oc, r, 0.1), outChannels: oc });
    h = Math.floor((h + pt + pb - k) / s) + 1; w = Math.floor((w + pl + pr - k) / s) + 1; c = oc; cur = name;
  };
  const dw = (name: string, s: number) => {
    const [pt, pb] = padFor(mode, h, 3, s), [pl, pr] = padFor(mode, w, 3, s);
    nodes.push({ op: 'depthwise_conv2d', name, inputs: [cur], kernel: [3, 3], stride: [s, s], pad: { top: pt, bottom: pb, left: pl, right: pr },
      activation: 'relu6', weights: randomArray(9 * c, r, 0.5), bias: randomArray(c, r, 0.1) });
    h = Math.floor((h + pt + pb - 3) / s) + 1; w = Math.floor((w + pl + pr - 3) / s) + 1; cur = name;
  };
  const block = (p: string, t: number, oc: number, s: number) => {
    const inName = cur, inC = c;
    if (t !== 1) conv(`${p}_expand`, 1, 1, inC * t, 'relu6');
    dw(`${p}_depthwise`, s);
    conv(`${p}_project`, 1, 1, oc, 'none');
    if (s === 1 && inC === oc) { nodes.push({ op: 'add', name: `${p}_add`, inputs: [inName, cur], activation: 'none' }); cur = `${p}_add`; }
  };
  conv('stem', 3, 2, 8, 'relu6');
  block('b0', 1, 5, 1);
  block('b1', 6, 7, 2);
  block('b2', 6, 7, 1);
  block('b3', 3, 9, 2);
  block('b4', 6, 9, 1);
  nodes.push({ op: 'global_avg_pool', name: 'pool', inputs: [cur] });
  nodes.push({ op: 'dense', name: 'logits', inputs: ['pool'], activation: 'none', weights: randomArray(c * 11, r, 0.5), bias: randomArray(11, r, 0.1), units: 11 });
  return {
    name: `tiny-${H}x${W}-${mode}`, input: { name: 'input', shape: [1, H, W, 3] }, output: 'logits', nodes,
    meta: { architecture: 'test', paddingMode: mode, labels: [], preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 }, embeddingNode: 'pool' },
  };
}

function expectLogitsClose(out: Float32Array, ref: Float32Array, what: string) {
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < ref.length; i++) {
    const tol = 1e-4 * scale + 1e-5;
    if (Math.abs(out[i] - ref[i]) > tol) expect.fail(`${what}: logit ${i}: got ${out[i]}, expected ${ref[i]} (tol ${tol})`);
  }
}

const VARIANTS = [
  { isa: 'simd', fuse: true, sliceBudgetBytes: undefined },
  { isa: 'simd', fuse: true, sliceBudgetBytes: 1 }, // one output row per slice, ring of 3
  { isa: 'simd', fuse: true, sliceBudgetBytes: 6000 }, // a few rows, ring wraps mid-range
  { isa: 'simd', fuse: false, sliceBudgetBytes: undefined },
  { isa: 'scalar', fuse: true, sliceBudgetBytes: 3000 },
] as const;

describe('executor vs naive reference on odd shapes', () => {
  const cases: [number, number, PaddingMode][] = [[15, 13, 'same'], [16, 16, 'keras'], [17, 9, 'symmetric'], [9, 9, 'keras'], [8, 11, 'same'], [3, 3, 'symmetric']];
  describe.each(cases)('input %i×%i, padding %s', (H, W, mode) => {
    const g = tinyGraph(H, W, mode, H * 31 + W);
    const x = randomArray(H * W * 3, mulberry32(99), 1);
    const ref = runReference(g, x).get('logits')!;
    it.each(VARIANTS)('$isa fuse=$fuse budget=$sliceBudgetBytes', async (v) => {
      const m = await loadModel(g, v);
      expectLogitsClose(await m.run(x), ref, g.name);
      m.dispose();
    });
  });
});

describe('MobileNetV2 builder graphs run at every alpha (and several resolutions)', () => {
  const rows: [number, number][] = [[0.35, 32], [0.5, 64], [0.75, 40], [1.0, 96], [1.3, 32], [1.4, 48], [1.0, 224]];
  it.each(rows)('alpha %f at %i: matches the reference', async (alpha, resolution) => {
    const g = buildMobileNetV2({ alpha, resolution, classes: 17, seed: 3 });
    // Compare logits: cut the softmax so small probabilities cannot hide errors.
    const sm = g.nodes[g.nodes.length - 1];
    const logitsGraph: Graph = { ...g, nodes: g.nodes.slice(0, -1), output: sm.inputs[0] };
    const x = randomArray(resolution * resolution * 3, mulberry32(5), 1);
    const ref = runReference(logitsGraph, x).get(logitsGraph.output)!;
    for (const isa of ['simd', 'scalar'] as const) {
      const m = await loadModel(logitsGraph, { isa });
      expectLogitsClose(await m.run(x), ref, `${g.name} ${isa}`);
      expect(m.info.peakActivationBytes).toBeLessThanOrEqual(m.info.peakActivationBytesUnfused);
      m.dispose();
    }
  });
});
