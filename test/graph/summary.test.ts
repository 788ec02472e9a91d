import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import type { Graph, Node } from '../../src/graph/ir.js';
import { slimCounts, summarize } from '../../src/graph/summary.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';

const f32 = (n: number): Float32Array => new Float32Array(n);
const P0 = { top: 0, left: 0, bottom: 0, right: 0 };
const P1 = { top: 1, left: 1, bottom: 1, right: 1 };

/** input [1,9,9,3] → conv3x3 s2 (pad 1) 8ch [1,5,5,8] → dw3x3 → 1x1 proj → add → pool → dense 5 → softmax */
function tiny(): Graph {
  const nodes: Node[] = [
    { op: 'conv2d', name: 'c1', inputs: ['x'], kernel: [3, 3], stride: [2, 2], pad: P1, activation: 'relu6', weights: f32(3 * 3 * 3 * 8), bias: f32(8), outChannels: 8 },
    { op: 'depthwise_conv2d', name: 'dw', inputs: ['c1'], kernel: [3, 3], stride: [1, 1], pad: P1, activation: 'relu6', weights: f32(9 * 8), bias: f32(8) },
    { op: 'conv2d', name: 'proj', inputs: ['dw'], kernel: [1, 1], stride: [1, 1], pad: P0, activation: 'none', weights: f32(8 * 8), bias: f32(8), outChannels: 8 },
    { op: 'add', name: 'sum', inputs: ['c1', 'proj'], activation: 'none' },
    { op: 'global_avg_pool', name: 'pool', inputs: ['sum'] },
    { op: 'dense', name: 'fc', inputs: ['pool'], activation: 'none', weights: f32(8 * 5), bias: f32(5), units: 5 },
    { op: 'softmax', name: 'prob', inputs: ['fc'] },
  ];
  return {
    name: 'tiny',
    input: { name: 'x', shape: [1, 9, 9, 3] },
    output: 'prob',
    nodes,
    meta: { architecture: 'test', paddingMode: 'symmetric', labels: [], preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 } },
  };
}

describe('summarize', () => {
  it('per-layer shapes, MACs and params of a small graph (hand-computed)', () => {
    const s = summarize(tiny());
    expect(s.layers).toEqual([
      { name: 'c1', op: 'conv2d', inputShape: [1, 9, 9, 3], outputShape: [1, 5, 5, 8], macs: 5 * 5 * 3 * 3 * 3 * 8, params: 216 + 8 },
      { name: 'dw', op: 'depthwise_conv2d', inputShape: [1, 5, 5, 8], outputShape: [1, 5, 5, 8], macs: 5 * 5 * 9 * 8, params: 72 + 8 },
      { name: 'proj', op: 'conv2d', inputShape: [1, 5, 5, 8], outputShape: [1, 5, 5, 8], macs: 5 * 5 * 8 * 8, params: 64 + 8 },
      { name: 'sum', op: 'add', inputShape: [1, 5, 5, 8], outputShape: [1, 5, 5, 8], macs: 0, params: 0 },
      { name: 'pool', op: 'global_avg_pool', inputShape: [1, 5, 5, 8], outputShape: [1, 8], macs: 0, params: 0 },
      { name: 'fc', op: 'dense', inputShape: [1, 8], outputShape: [1, 5], macs: 40, params: 45 },
      { name: 'prob', op: 'softmax', inputShape: [1, 5], outputShape: [1, 5], macs: 0, params: 0 },
    ]);
    expect(s.macs).toBe(5400 + 1800 + 1600 + 40);
    expect(s.params).toBe(224 + 80 + 72 + 45);
  });

  it('dense on [1,1,1,K] counts K·N', () => {
    const g = tiny();
    g.nodes[4] = { op: 'conv2d', name: 'pool', inputs: ['sum'], kernel: [5, 5], stride: [1, 1], pad: P0, activation: 'none', weights: f32(25 * 8 * 8), bias: f32(8), outChannels: 8 };
    const fc = summarize(g).layers.find((l) => l.name === 'fc')!;
    expect(fc.inputShape).toEqual([1, 1, 1, 8]);
    expect(fc.macs).toBe(40);
  });

  it('returned shapes are copies', () => {
    const s = summarize(tiny());
    s.layers[0]!.outputShape[1] = 99;
    expect(summarize(tiny()).layers[0]!.outputShape).toEqual([1, 5, 5, 8]);
  });

  it('validates through inferShapes', () => {
    const g = tiny();
    (g.nodes[2] as { weights: Float32Array }).weights = f32(63);
    expect(() => summarize(g)).toThrow(ShapeError);
    expect(() => summarize(g)).toThrow('conv2d "proj": weights have 63 values, expected 1·1·8·8 = 64');
  });

  it('layer totals add up and params equal the stored floats for MobileNetV2', () => {
    const g = buildMobileNetV2({ alpha: 0.5, resolution: 128 });
    const s = summarize(g);
    expect(s.layers).toHaveLength(g.nodes.length);
    expect(s.layers.reduce((a, l) => a + l.macs, 0)).toBe(s.macs);
    let stored = 0;
    for (const n of g.nodes) if ('weights' in n) stored += n.weights.length + n.bias.length;
    expect(s.params).toBe(stored);
    expect(s.layers.find((l) => l.name === 'Conv1')).toEqual({
      name: 'Conv1', op: 'conv2d', inputShape: [1, 128, 128, 3], outputShape: [1, 64, 64, 16],
      macs: 64 * 64 * 27 * 16, params: 27 * 16 + 16,
    });
    expect(s.layers.find((l) => l.name === 'block_1_depthwise')).toMatchObject({
      inputShape: [1, 64, 64, 48], outputShape: [1, 32, 32, 48], macs: 32 * 32 * 9 * 48, params: 9 * 48 + 48,
    });
    expect(s.layers.find((l) => l.name === 'Logits')).toMatchObject({ inputShape: [1, 1280], outputShape: [1, 1001], macs: 1280 * 1001 });
  });
});

describe('slimCounts', () => {
  it('excludes conv biases (folded BN) but keeps the dense bias; truncates', () => {
    const c = slimCounts(tiny());
    expect(c.macs).toBe(8840);
    expect(c.params).toBe(216 + 72 + 64 + 40 + 5);
    expect(c.macsM).toBe(0);
    expect(c.paramsM).toBe(0);
  });

  it('MACs (M) truncates: 300,775,552 → 300 for mobilenet_v2_1.0_224', () => {
    const c = slimCounts(buildMobileNetV2());
    expect(c).toEqual({ macs: 300_775_552, params: 3_472_041, macsM: 300, paramsM: 3.47 });
  });
});
