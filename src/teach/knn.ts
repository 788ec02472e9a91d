// k-nearest-neighbours over L2-normalized embeddings (cosine similarity): instant and incremental — adding or
// removing an example changes the next prediction, with no training. Confidences are the share of the k nearest
// examples in each class; ties between classes go to the class with the most similar example.
import { InputError } from '../errors.js';
import type { DenseLayer } from './head.js';

export interface KnnPrediction {
  /** The predicted class's label. */
  label: string;
  /** Per label, the share of the k nearest examples (sums to 1). */
  confidences: Record<string, number>;
  /** The k nearest examples: label and cosine similarity, most similar first. */
  neighbours: { label: string; similarity: number }[];
}

export class KnnClassifier {
  readonly #examples = new Map<string, Float32Array[]>();
  /** The norms of the embeddings added (a scale for toHead's temperature). */
  #norms: number[] = [];
  #dim = 0;

  /** Adds an example (its embedding is copied and normalized). */
  add(label: string, embedding: ArrayLike<number>): void {
    if (typeof label !== 'string' || label.length === 0) throw new InputError('KnnClassifier.add(): label must be a non-empty string');
    const v = normalized(embedding, 'KnnClassifier.add()');
    if (this.#dim && v.length !== this.#dim) throw new InputError(`KnnClassifier.add(): embedding has ${v.length} values, the others ${this.#dim}`);
    this.#dim = v.length;
    this.#norms.push(Math.hypot(...Array.from(embedding)));
    let list = this.#examples.get(label);
    if (!list) this.#examples.set(label, (list = []));
    list.push(v);
  }

  /** Removes one example of `label` (by its index among that label's examples), or all of them. */
  remove(label: string, index?: number): void {
    const list = this.#examples.get(label);
    if (!list) throw new InputError(`KnnClassifier.remove(): no class "${label}"`);
    if (index === undefined) this.#examples.delete(label);
    else {
      if (!Number.isInteger(index) || index < 0 || index >= list.length) throw new InputError(`KnnClassifier.remove(): class "${label}" has ${list.length} examples, no index ${index}`);
      list.splice(index, 1);
      if (list.length === 0) this.#examples.delete(label);
    }
    if (this.size === 0) {
      this.#dim = 0;
      this.#norms = [];
    }
  }

  /** Class labels, in the order they were first added. */
  get labels(): string[] {
    return [...this.#examples.keys()];
  }

  /** Examples per class. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#examples].map(([l, v]) => [l, v.length]));
  }

  get size(): number {
    let n = 0;
    for (const v of this.#examples.values()) n += v.length;
    return n;
  }

  /** The class of `embedding` by its k most similar examples (k is capped at the number of examples). */
  predict(embedding: ArrayLike<number>, k = 3): KnnPrediction {
    if (this.size === 0) throw new InputError('KnnClassifier.predict(): no examples yet; add() some first');
    if (!Number.isInteger(k) || k < 1) throw new InputError(`KnnClassifier.predict(): k must be a positive integer, got ${k}`);
    const q = normalized(embedding, 'KnnClassifier.predict()');
    if (q.length !== this.#dim) throw new InputError(`KnnClassifier.predict(): embedding has ${q.length} values, the examples ${this.#dim}`);
    const all: { label: string; similarity: number; order: number }[] = [];
    let order = 0;
    for (const [label, list] of this.#examples) {
      for (const v of list) {
        let dot = 0;
        for (let i = 0; i < q.length; i++) dot += q[i] * v[i];
        all.push({ label, similarity: dot, order: order++ });
      }
    }
    all.sort((a, b) => b.similarity - a.similarity || a.order - b.order);
    const nearest = all.slice(0, Math.min(k, all.length));
    const votes = new Map<string, number>();
    for (const n of nearest) votes.set(n.label, (votes.get(n.label) ?? 0) + 1);
    // The most votes; among equals, the class whose best example came first in `nearest` (the most similar).
    let label = nearest[0].label;
    for (const n of nearest) if ((votes.get(n.label) ?? 0) > (votes.get(label) ?? 0)) label = n.label;
    const confidences: Record<string, number> = {};
    for (const l of this.#examples.keys()) confidences[l] = (votes.get(l) ?? 0) / nearest.length;
    return { label, confidences, neighbours: nearest.map(({ label: l, similarity }) => ({ label: l, similarity })) };
  }

  /** The examples, for saving (a structured-clone- and JSON-friendly object; see fromJSON). */
  toJSON(): { version: 1; dim: number; norm: number; classes: { label: string; examples: number[][] }[] } {
    return {
      version: 1, dim: this.#dim, norm: this.#meanNorm(),
      classes: [...this.#examples].map(([label, list]) => ({ label, examples: list.map((v) => [...v]) })),
    };
  }

  /** The mean norm of the embeddings added (toHead's scale); 1 when none. */
  #meanNorm(): number {
    return this.#norms.reduce((a, v) => a + v, 0) / this.#norms.length || 1;
  }

  /**
   * The k-NN as graph layers (taughtGraph), with the ops every runtime has: a dense layer whose weights are the
   * normalized examples times beta gives beta·|q|·cos(q, example) for each (beta = temperature / the examples'
   * mean norm, folded into the weights), a softmax turns them into weights, a second dense layer sums them per class. That is a soft
   * nearest-neighbour vote (the nearest examples dominate as the temperature grows), not the k-vote of
   * predict(): a hard top-k needs a TOPK op the engine does not have, and dividing by |q| an L2 norm op.
   */
  toHead(temperature = 30): { layers: DenseLayer[]; classes: number; probabilities: true } {
    if (this.size === 0) throw new InputError('KnnClassifier.toHead(): no examples yet');
    if (!(temperature > 0 && temperature < 1e4)) throw new InputError(`KnnClassifier.toHead(): temperature must be in (0, 1e4), got ${temperature}`);
    const labels = this.labels;
    const n = this.size, dim = this.#dim, C = labels.length;
    const sim = new Float32Array(dim * n);
    const beta = temperature / this.#meanNorm();
    const member = new Float32Array(n * C);
    let j = 0;
    labels.forEach((l, c) => {
      for (const v of this.#examples.get(l)!) {
        for (let d = 0; d < dim; d++) sim[d * n + j] = v[d] * beta;
        member[j * C + c] = 1;
        j++;
      }
    });
    return {
      classes: C, probabilities: true,
      layers: [
        { weights: sim, bias: new Float32Array(n), inputs: dim, units: n, relu: false, softmax: true },
        { weights: member, bias: new Float32Array(C), inputs: n, units: C, relu: false },
      ],
    };
  }

  static fromJSON(state: unknown): KnnClassifier {
    const s = state as ReturnType<KnnClassifier['toJSON']>;
    if (!s || typeof s !== 'object' || s.version !== 1 || !Array.isArray(s.classes)) throw new InputError('KnnClassifier.fromJSON(): not a saved k-NN state (version 1)');
    const knn = new KnnClassifier();
    for (const c of s.classes) {
      if (!c || typeof c.label !== 'string' || !Array.isArray(c.examples)) throw new InputError('KnnClassifier.fromJSON(): a class entry is malformed');
      for (const e of c.examples) knn.add(c.label, e);
    }
    // The examples are stored normalized: their original scale comes with them.
    if (typeof s.norm === 'number' && s.norm > 0) knn.#norms = [s.norm];
    return knn;
  }
}

function normalized(v: ArrayLike<number>, where: string): Float32Array {
  if (!v || typeof v.length !== 'number' || v.length === 0) throw new InputError(`${where}: expected an embedding (an array of numbers)`);
  let sq = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${where}: the embedding holds a non-finite value at ${i}`);
    sq += x * x;
  }
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  return Float32Array.from(v, (x) => x * inv);
}
