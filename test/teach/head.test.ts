// The trained head (src/teach/head.ts): separable blobs are learned, XOR needs (and gets) the hidden layer, the
// result is a deterministic function of the seed, bad input is an InputError; and as a model graph
// (src/teach/graph.ts) the engine computes the same probabilities as the head in double precision.
import { describe, expect, it } from 'vitest';
import { predictHead, stratifiedSplit, trainHead } from '../../src/teach/head.js';
import { taughtGraph } from '../../src/teach/graph.js';
import { buildMobileNetV2, loadModel } from '../../src/index.js';
import { mulberry32 } from '../helpers/random.js';

/** `n` points per class around `classes` random centres in `dim` dimensions. */
function blobs(classes: number, n: number, dim: number, spread: number, seed: number) {
  const r = mulberry32(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => r() * 4));
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      x.push(Float32Array.from(centres[c], (v) => v + (r() - 0.5) * spread));
      y.push(c);
    }
  }
  return { x, y };
}

describe('trainHead', () => {
  it('learns separable blobs: held-out accuracy 1, confusion matrix diagonal', () => {
    const { x, y } = blobs(4, 25, 16, 1, 1);
    const h = trainHead(x, y, 4, { seed: 3 });
    expect(h.holdoutAccuracy).toBe(1);
    expect(h.holdout.length).toBe(20);
    expect(h.confusion.map((row, i) => row[i])).toEqual([5, 5, 5, 5]);
    expect(h.history[h.history.length - 1].trainLoss).toBeLessThan(h.history[0].trainLoss);
  });

  it('XOR: softmax regression cannot, one hidden ReLU layer can (backpropagation through it works)', () => {
    const x: Float32Array[] = [];
    const y: number[] = [];
    const r = mulberry32(9);
    for (let i = 0; i < 200; i++) {
      const a = r() < 0.5 ? 0 : 1, b = r() < 0.5 ? 0 : 1;
      x.push(Float32Array.from([a + (r() - 0.5) * 0.2, b + (r() - 0.5) * 0.2]));
      y.push(a ^ b);
    }
    const linear = trainHead(x, y, 2, { seed: 1, epochs: 150 });
    const deep = trainHead(x, y, 2, { seed: 1, epochs: 150, hidden: 16 });
    expect(linear.holdoutAccuracy!).toBeLessThan(0.85);
    expect(deep.holdoutAccuracy!).toBeGreaterThan(0.97);
  });

  it('is deterministic: the same seed gives the same weights, another seed others', () => {
    const { x, y } = blobs(3, 12, 8, 2, 5);
    const a = trainHead(x, y, 3, { seed: 11, hidden: 4, epochs: 30 });
    const b = trainHead(x, y, 3, { seed: 11, hidden: 4, epochs: 30 });
    const c = trainHead(x, y, 3, { seed: 12, hidden: 4, epochs: 30 });
    expect(a.layers.map((l) => [...l.weights])).toEqual(b.layers.map((l) => [...l.weights]));
    expect(a.layers[0].weights).not.toEqual(c.layers[0].weights);
  });

  it('stratified split: every class keeps a training example; fraction 0 holds nothing out', () => {
    const y = [0, 0, 0, 0, 0, 1, 1, 2];
    const s = stratifiedSplit(y, 3, 0.4, 1);
    expect(s.holdout.length).toBe(3); // 2 of class 0, 1 of class 1, none of the single class 2
    expect(new Set(s.train.map((i) => y[i]))).toEqual(new Set([0, 1, 2]));
    expect(stratifiedSplit(y, 3, 0, 1).holdout).toEqual([]);
  });

  it('bad input is an InputError naming it', () => {
    const x = [Float32Array.of(1, 2), Float32Array.of(3, 4)];
    expect(() => trainHead(x, [0, 0], 2)).toThrow(/class 1 has no example/);
    expect(() => trainHead(x, [0, 2], 2)).toThrow(/label 2 of example 1/);
    expect(() => trainHead([Float32Array.of(1, NaN), x[1]], [0, 1], 2)).toThrow(/NaN/);
    expect(() => trainHead(x, [0, 1], 2, { learningRate: 2 })).toThrow(/learningRate/);
    expect(() => trainHead([x[0], Float32Array.of(1)], [0, 1], 2)).toThrow(/same, non-zero length/);
  });
});

describe('taughtGraph', () => {
  it('backbone to its embedding + the head: the engine gives the head\'s probabilities for the embedding', async () => {
    const backbone = buildMobileNetV2({ alpha: 0.35, resolution: 64, classes: 7, seed: 2 });
    const m = await loadModel(backbone);
    const r = mulberry32(4);
    const images = Array.from({ length: 12 }, () => ({ data: Uint8Array.from({ length: 64 * 64 * 3 }, () => Math.floor(r() * 256)), width: 64, height: 64, channels: 3 as const }));
    const x = await Promise.all(images.map((im) => m.embed(im)));
    const y = images.map((_, i) => i % 3);
    for (const hidden of [0, 8]) {
      const head = trainHead(x, y, 3, { seed: 1, epochs: 20, hidden, holdout: 0 });
      const g = taughtGraph(backbone, head, ['a', 'b', 'c']);
      expect(g.nodes.some((n) => n.name === backbone.output)).toBe(false);
      const taught = await loadModel(g);
      expect(taught.info.labels).toEqual(['a', 'b', 'c']);
      expect(taught.info.embeddingSize).toBe(x[0].length);
      for (let i = 0; i < images.length; i += 5) {
        const want = predictHead(head, x[i]);
        const got = await taught.classify(images[i], { topK: 3 });
        for (const c of got) expect(Math.abs(c.score - want[c.index]), `hidden ${hidden} image ${i} ${c.label}`).toBeLessThan(1e-5);
        expect(await taught.embed(images[i])).toEqual(x[i]);
      }
      taught.dispose();
    }
    m.dispose();
  });
});
