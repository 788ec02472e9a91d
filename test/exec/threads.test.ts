// Multi-threaded inference (a thread team over shared memory, dist/thread.js) gives exactly the
// single-thread result, including partial runs (embed) and after many inferences.
import { describe, it, expect } from 'vitest';
import { loadModel } from '../../src/index.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';

describe('thread team', () => {
  it.each([2, 3])('tiny odd graph on %i threads is bit-identical to one thread', async (threads) => {
    const g = tinyGraph(19, 15, 'keras', 8);
    const x = randomArray(19 * 15 * 3, mulberry32(3), 1);
    const one = await loadModel(g, { isa: 'simd' });
    const many = await loadModel(g, { isa: 'simd', threads });
    expect(many.info.threads).toBe(threads);
    for (let i = 0; i < 20; i++) expect(await many.run(x)).toEqual(await one.run(x));
    many.dispose();
    one.dispose();
  });

  it('MobileNetV2 1.0/224 on 2 threads: run, embed and classify match one thread', async () => {
    const g = buildMobileNetV2({ alpha: 1, resolution: 224, classes: 1000, seed: 4 });
    const one = await loadModel(g);
    const two = await loadModel(g, { threads: 2 });
    const x = randomArray(224 * 224 * 3, mulberry32(4), 1);
    expect(await two.run(x)).toEqual(await one.run(x));
    const img = { data: new Uint8Array(64 * 48 * 4).map((_, i) => (i * 13) & 255), width: 64, height: 48 };
    expect(await two.embed(img)).toEqual(await one.embed(img));
    expect(await two.classify(img)).toEqual(await one.classify(img));
    two.dispose();
    one.dispose();
  });

  it("threads: 'auto' picks at least one thread and scalar kernels stay single-threaded", async () => {
    const g = buildMobileNetV2({ alpha: 0.35, resolution: 64, classes: 5 });
    const auto = await loadModel(g, { threads: 'auto' });
    expect(auto.info.threads).toBeGreaterThanOrEqual(1);
    auto.dispose();
    const scalar = await loadModel(g, { isa: 'scalar', threads: 2 });
    expect(scalar.info.threads).toBe(1);
    scalar.dispose();
  });

  it('rejects a bad thread count', async () => {
    await expect(loadModel(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 2 }), { threads: 0 })).rejects.toThrow(/threads/);
  });
});
