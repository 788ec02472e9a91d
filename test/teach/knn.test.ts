// k-NN on normalized embeddings (src/teach/knn.ts): cosine neighbours, votes as confidences, incremental add and
// remove, ties, save and load, typed errors.
import { describe, expect, it } from 'vitest';
import { KnnClassifier } from '../../src/teach/knn.js';

describe('KnnClassifier', () => {
  it('as graph layers (toHead): similarities·beta, a softmax, a per-class sum; the nearest class wins', async () => {
    const { predictHead } = await import('../../src/teach/head.js');
    const k = new KnnClassifier();
    k.add('a', [2, 0]);
    k.add('a', [2, 0.4]);
    k.add('b', [0, 2]);
    const h = k.toHead(30);
    expect(h.layers.map((l) => [l.inputs, l.units, !!l.softmax])).toEqual([[2, 3, true], [3, 2, false]]);
    const p = predictHead(h, [1.8, 0.3]);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(0.99);
    expect(predictHead(h, [0.1, 2])[1]).toBeGreaterThan(0.99);
    expect(() => k.toHead(0)).toThrow(/temperature/);
    expect(() => new KnnClassifier().toHead()).toThrow(/no examples yet/);
  });

  it('predicts by the k most similar examples (cosine: scale does not matter)', () => {
    const k = new KnnClassifier();
    k.add('east', [1, 0]);
    k.add('east', [10, 1]);
    k.add('north', [0, 1]);
    k.add('north', [0.1, 5]);
    k.add('west', [-1, 0]);
    const p = k.predict([100, 5], 3);
    expect(p.label).toBe('east');
    expect(p.confidences).toEqual({ east: 2 / 3, north: 1 / 3, west: 0 });
    expect(p.neighbours[0].similarity).toBeCloseTo(Math.cos(Math.atan2(5, 100) - Math.atan2(1, 10)), 6);
    expect(k.predict([-3, 0.2], 1).label).toBe('west');
    expect(k.counts()).toEqual({ east: 2, north: 2, west: 1 });
  });

  it('is incremental: removing and adding examples changes the next prediction', () => {
    const k = new KnnClassifier();
    k.add('a', [1, 0]);
    k.add('b', [0.9, 0.1]);
    expect(k.predict([0.95, 0.05], 1).label).toBe('a');
    k.remove('a', 0);
    expect(k.labels).toEqual(['b']);
    expect(k.predict([1, 0], 1).label).toBe('b');
    k.remove('b');
    expect(k.size).toBe(0);
    expect(() => k.predict([1, 0])).toThrow(/no examples yet/);
    k.add('c', [1, 2, 3]); // the dimension may change once empty
    expect(k.predict([1, 2, 3]).label).toBe('c');
  });

  it('a tie in votes goes to the class with the most similar example', () => {
    const k = new KnnClassifier();
    k.add('a', [1, 0.2]);
    k.add('b', [1, 0.1]);
    expect(k.predict([1, 0], 2).label).toBe('b');
  });

  it('saves to JSON and loads back the same predictions', () => {
    const k = new KnnClassifier();
    k.add('x', [0.2, 0.4, 0.1]);
    k.add('y', [0.9, 0.1, 0.3]);
    const again = KnnClassifier.fromJSON(JSON.parse(JSON.stringify(k)));
    expect(again.predict([0.8, 0.2, 0.3])).toEqual(k.predict([0.8, 0.2, 0.3]));
    expect(() => KnnClassifier.fromJSON({ version: 2 })).toThrow(/not a saved k-NN state/);
    // The graph form (toHead) is the same after a round trip: the examples' scale is saved with them.
    expect(again.toHead().layers.map((l) => [...l.weights])).toEqual(k.toHead().layers.map((l) => [...l.weights]));
  });

  it('typed errors', () => {
    const k = new KnnClassifier();
    expect(() => k.add('', [1])).toThrow(/label/);
    expect(() => k.add('a', [NaN])).toThrow(/non-finite/);
    k.add('a', [1, 2]);
    expect(() => k.add('a', [1, 2, 3])).toThrow(/3 values, the others 2/);
    expect(() => k.predict([1, 2], 0)).toThrow(/k must be/);
    expect(() => k.remove('zz')).toThrow(/no class "zz"/);
  });
});
