// The Runtime between Plan and Model: tensors in and out in their own types, image staging that is the
// Model's (classify() of a staged image = classify() of its tensor through run()), memory that grows for
// large images, thread counts validated, and a disposed runtime that says so.
import { describe, it, expect } from 'vitest';
import { compile, constantsBlob } from '../../src/plan/compile.js';
import { execute } from '../../src/exec/executor.js';
import { Runtime, threadCount } from '../../src/exec/runtime.js';
import { imageCrop } from '../../src/image/preprocess.js';
import { Model } from '../../src/model.js';
import { DisposedError, InputError } from '../../src/errors.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';

const image = (w: number, h: number, seed: number) => {
  const r = mulberry32(seed);
  return { data: Uint8Array.from({ length: w * h * 4 }, () => Math.floor(r() * 256)), width: w, height: h, channels: 4 as const };
};

describe('Runtime', () => {
  it('runs a plan: the input written, the output read, as executing the plan by hand gives', async () => {
    const g = tinyGraph(13, 11, 'same', 2);
    const plan = compile(g);
    const rt = await Runtime.create(plan, { isa: 'simd', name: g.name });
    expect(rt.threads).toBe(1);
    expect(rt.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    // The constants are in place: the region at weightsBase holds the plan's pieces.
    const blob = constantsBlob(plan);
    expect(blob.byteLength).toBe(plan.weightBytes);
    expect(new Float32Array(rt.memory.buffer, plan.weightsBase, blob.length)).toEqual(blob);
    const x = randomArray(13 * 11 * 3, mulberry32(4), 1);
    rt.write(plan.input, x);
    expect(rt.read(plan.input)).toEqual(x);
    rt.execute();
    const got = rt.real(plan.output);
    expect(got).toEqual(rt.read(plan.output)); // float32: real values are the values, copied
    expect(got.buffer).not.toBe(rt.memory.buffer);
    rt.write(plan.input, x); // the arena may have reused the input's bytes
    execute(plan, rt.kernels); // the same kernels by hand: the same output
    expect(rt.read(plan.output)).toEqual(got);
    rt.dispose();
  });

  it("stages an image as Model.classify does, and grows its memory for a large one", async () => {
    const g = tinyGraph(16, 16, 'same', 3);
    g.meta.preprocess = { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], offset: [-1, -1, -1], centralCrop: 0.875 };
    const rt = await Runtime.create(compile(g), { isa: 'simd', name: g.name });
    const model = await Model.create(g, 'builder', { isa: 'simd' });
    const before = rt.memoryBytes;
    const img = image(300, 200, 5);
    rt.stageImage(img, imageCrop(300, 200, 0.875), g.meta.preprocess);
    expect(rt.memoryBytes).toBeGreaterThan(before); // 240 000 pixel bytes do not fit beside a tiny plan
    const staged = rt.real(rt.plan.input);
    for (const v of staged) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-6);
    expect(await model.classify(img, { topK: 11 })).toEqual(await model.classify(image(300, 200, 5), { topK: 11 }));
    const fromTensor = await model.run(staged);
    const fromImage = await model.classify(img, { topK: 11 });
    const scores = softmax(fromTensor);
    for (const c of fromImage) expect(c.score).toBeCloseTo(scores[c.index], 6);
    model.dispose();
    rt.dispose();
  });

  it('dequantizes a quantized tensor when asked for its real values', async () => {
    const g = tinyGraph(9, 7, 'same', 6);
    const rt = await Runtime.create(compile(g), { isa: 'simd' });
    const t = { ...rt.plan.input, dtype: 'uint8' as const, length: 4, quant: { scale: 0.5, zeroPoint: 10 } };
    rt.write(t, [0, 10, 12, 255]);
    expect(Array.from(rt.real(t))).toEqual([-5, 0, 1, 122.5]);
    rt.dispose();
  });

  it('threadCount: validates the option, caps auto at 4, and is 1 for scalar kernels', async () => {
    expect(await threadCount('simd', undefined)).toBe(1);
    expect(await threadCount('scalar', 3)).toBe(1);
    expect(await threadCount('simd', 3)).toBe(3);
    const auto = await threadCount('simd', 'auto');
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(4);
    for (const bad of [0, 65, 1.5, NaN]) await expect(threadCount('simd', bad)).rejects.toBeInstanceOf(InputError);
  });

  it('a team of 2 over a shared memory gives the single-thread output bit for bit', async () => {
    const g = tinyGraph(19, 15, 'same', 7);
    const x = randomArray(19 * 15 * 3, mulberry32(9), 1);
    const one = await Runtime.create(compile(g), { isa: 'simd' });
    const two = await Runtime.create(compile(g, { parts: 2 }), { isa: 'simd', threads: 2 });
    expect(two.threads).toBe(2);
    expect(two.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const rt of [one, two]) {
      rt.wake();
      rt.write(rt.plan.input, x);
      rt.execute();
    }
    expect(two.read(two.plan.output)).toEqual(one.read(one.plan.output));
    one.dispose();
    two.dispose();
  });

  it('refuses to work once disposed', async () => {
    const rt = await Runtime.create(compile(tinyGraph(9, 7, 'same', 1)), { isa: 'simd', name: 'tiny' });
    rt.dispose();
    expect(() => rt.execute()).toThrow(DisposedError);
    expect(() => rt.read(compile(tinyGraph(9, 7, 'same', 1)).output)).toThrow(/model "tiny" has been disposed/);
    expect(() => rt.wake()).toThrow(DisposedError);
  });
});

function softmax(x: Float32Array): Float32Array {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
