// Image staging (issue 14, defect 3): a large image is resized in a transient instance, so the model's wasm memory
// is the same after it as before (one thread and a team), the largest documented image (16384×16384) works with
// threads: 2, and the transient path gives the same input tensor, bit for bit, as staging in the model's memory.
import { describe, it, expect } from 'vitest';
import { loadModel, loadGraph, buildMobileNetV2 } from '../../src/index.js';
import { compile } from '../../src/plan/compile.js';
import { Runtime } from '../../src/exec/runtime.js';
import { validateImage, imageCrop } from '../../src/image/preprocess.js';

const pixels = (w: number, h: number, c: 3 | 4 = 3) => {
  const data = new Uint8Array(w * h * c);
  for (let i = 0; i < data.length; i += 4099) data.fill((i * 7) & 255, i, i + 4099);
  return { data, width: w, height: h, channels: c };
};

describe('image staging', () => {
  it('the transient instance stages exactly what the model memory would (float32 and uint8 inputs, a crop)', async () => {
    for (const graph of [buildMobileNetV2({ alpha: 0.35, resolution: 64, classes: 5 }), await loadGraph('default')]) {
      const plan = compile(graph);
      const inPlace = await Runtime.create(plan);
      const apart = await Runtime.create(plan, { stageInPlaceBytes: 0 });
      const img = validateImage(pixels(700, 523, 4));
      for (const fraction of [1, 0.875]) {
        const crop = imageCrop(img.width, img.height, fraction);
        inPlace.stageImage(img, crop, graph.meta.preprocess);
        apart.stageImage(img, crop, graph.meta.preprocess);
        const a = new Uint8Array(inPlace.memory.buffer, plan.input.address, plan.input.length * (plan.input.dtype === 'float32' ? 4 : 1));
        const b = new Uint8Array(apart.memory.buffer, plan.input.address, a.length);
        expect(Buffer.compare(a, b)).toBe(0);
      }
      expect(apart.memoryBytes).toBeLessThan(inPlace.memoryBytes);
      inPlace.dispose();
      apart.dispose();
    }
  });

  for (const threads of [1, 2]) {
    it(`a 10000×10000 classify leaves the model's memory as it was (threads: ${threads})`, async () => {
      const m = await loadModel('default', { threads });
      const small = await m.classify(pixels(640, 480));
      const before = m.info.memoryBytes;
      const big = await m.classify(pixels(10000, 10000));
      expect(m.info.memoryBytes).toBe(before);
      expect(big.length).toBe(5);
      expect(await m.classify(pixels(640, 480))).toEqual(small);
      m.dispose();
    }, 120_000);
  }

  it('the largest documented image, 16384×16384, classifies with threads: 2 (was "Maximum memory size exceeded")', async () => {
    const m = await loadModel('default', { threads: 2 });
    const before = m.info.memoryBytes;
    const r = await m.classify(pixels(16384, 16384));
    expect(r.length).toBe(5);
    expect(m.info.memoryBytes).toBe(before);
    m.dispose();
  }, 180_000);
});
