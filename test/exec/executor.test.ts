// Whole graphs through compile + executor (fused blocks, ring buffers, slices) against the naive
// float64 reference interpreter, for both kernel builds, fused and unfused, many slice heights.
import { describe, it, expect } from 'vitest';
import type { Graph, PaddingMode } from '../../src/graph/ir.js';
import { loadModel } from '../../src/index.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { runReference } from '../helpers/reference-graph.js';
import { mulberry32 } from '../helpers/random.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';

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

describe('unsupported float attributes are refused at load', () => {
  it('softmax with beta ≠ 1 gives UnsupportedOpError naming the node', async () => {
    const { UnsupportedOpError } = await import('../../src/errors.js');
    const g = buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 });
    const sm = g.nodes[g.nodes.length - 1];
    if (sm.op !== 'softmax') throw new Error('expected a softmax head');
    sm.beta = 2;
    await expect(loadModel(g)).rejects.toThrow(UnsupportedOpError);
    await expect(loadModel(g)).rejects.toThrow(new RegExp(`softmax "${sm.name}": beta 2`));
  });
});
