// The public Model API on a small built graph: inputs are validated with typed errors, and a
// failed call leaves the model working.
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel, buildMobileNetV2, InputError, DisposedError, EngineError, type Model } from '../src/index.js';

let model: Model;
beforeAll(async () => {
  model = await loadModel(buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 10, seed: 2 }));
});

const image = (w: number, h: number, c: 3 | 4 = 4) => {
  const data = new Uint8ClampedArray(w * h * c);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 255;
  return { data, width: w, height: h, channels: c };
};

describe('Model', () => {
  it('describes itself', () => {
    expect(model.info.inputShape).toEqual([1, 96, 96, 3]);
    expect(model.info.outputShape).toEqual([1, 10]);
    expect(model.info.embeddingSize).toBe(1280);
    expect(model.info.macs).toBeGreaterThan(0);
    expect(model.info.peakActivationBytes).toBeLessThan(model.info.peakActivationBytesUnfused);
  });

  it('classifies RGBA and RGB images of any size into sorted top-k', async () => {
    const a = await model.classify(image(50, 37, 4), { topK: 3 });
    expect(a).toHaveLength(3);
    expect(a[0].score).toBeGreaterThanOrEqual(a[1].score);
    const total = (await model.classify(image(50, 37, 4), { topK: 10 })).reduce((s, c) => s + c.score, 0);
    expect(total).toBeCloseTo(1, 5);
    const rgb = image(50, 37, 3);
    const b = await model.classify(rgb, { topK: 3 });
    expect(b.map((c) => c.index)).toEqual(a.map((c) => c.index)); // same pixels, alpha ignored
  });

  it('embeds into the pooled features', async () => {
    const e = await model.embed(image(96, 96));
    expect(e).toHaveLength(1280);
    expect(e.some((v) => v !== 0)).toBe(true);
  });

  it('rejects bad inputs with InputError and keeps working', async () => {
    const before = await model.run(new Float32Array(96 * 96 * 3).fill(0.5));
    await expect(model.run(new Float32Array(10))).rejects.toThrow(InputError);
    await expect(model.run(new Float32Array(10))).rejects.toThrow(/10 values, expected 27648/);
    await expect(model.classify({ data: new Uint8Array(5), width: 2, height: 2 })).rejects.toThrow(InputError);
    await expect(model.classify({ data: new Uint8Array(12), width: 0, height: 2 })).rejects.toThrow(/width and height/);
    await expect(model.classify(image(4, 4), { topK: 0 })).rejects.toThrow(/topK/);
    await expect(model.classify(null as never)).rejects.toThrow(InputError);
    const after = await model.run(new Float32Array(96 * 96 * 3).fill(0.5));
    expect(after).toEqual(before);
  });

  it('throws DisposedError after dispose', async () => {
    const m = await loadModel(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 }));
    m.dispose();
    await expect(m.run(new Float32Array(32 * 32 * 3))).rejects.toThrow(DisposedError);
  });

  it('names the problem when the source is bad', async () => {
    await expect(loadModel(new Uint8Array([1, 2, 3]))).rejects.toThrow(EngineError);
    await expect(loadModel('/nonexistent/model.safetensors')).rejects.toThrow(/nonexistent/);
  });
});

describe('loadModel on damaged model files', () => {
  it('gives ModelFormatError with a byte offset for a truncated built-in model, and the engine keeps working', async () => {
    const { readFileSync } = await import('node:fs');
    const { ModelFormatError } = await import('../src/index.js');
    const bytes = new Uint8Array(readFileSync(new URL('../models/nsfw.safetensors', import.meta.url)));
    for (const cut of [4, 100, 5000, bytes.length >> 1, bytes.length - 1]) {
      await expect(loadModel(bytes.subarray(0, cut))).rejects.toThrow(ModelFormatError);
    }
    await expect(loadModel(bytes.subarray(0, bytes.length >> 1))).rejects.toThrow(/byte \d+/);
    const ok = await loadModel(bytes);
    expect((await ok.run(new Float32Array(224 * 224 * 3))).length).toBe(5);
  });

  it('names the format it cannot read', async () => {
    await expect(loadModel(new TextEncoder().encode('hello, this is not a model'))).rejects.toThrow(/68 65 6c 6c|unknown|not a/i);
  });
});
