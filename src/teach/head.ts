// A classifier head fitted on embeddings: softmax regression, or one hidden ReLU layer then softmax, trained with
// AdamW (Adam with decoupled weight decay) on mini-batches, with early stopping on a held-out split. Everything
// that is random (the split, the initialization, the batch order) comes from one seed, and the arithmetic is
// plain double-precision JavaScript in a fixed order, so the same examples and options give the same weights
// on every engine and every run.
import { InputError } from '../errors.js';
import { mulberry32 } from '../models/random.js';

export interface HeadOptions {
  /** Units of a hidden ReLU layer before the softmax; 0 (default): softmax regression on the embedding. */
  hidden?: number;
  /** Passes over the training examples at most (default 200). */
  epochs?: number;
  /** Adam's step size (default 0.003). */
  learningRate?: number;
  /** Decoupled weight decay per step, relative to the learning rate (default 1e-4). */
  weightDecay?: number;
  /** Examples per Adam step (default 32). */
  batchSize?: number;
  /** Fraction of each class's examples held out to stop early and report accuracy (default 0.2; 0: none). */
  holdout?: number;
  /** Epochs without a better held-out loss before stopping (default 20). */
  patience?: number;
  /**
   * Which examples belong together (e.g. the augmented copies of one photo): the split holds out whole groups, so
   * the held-out accuracy is measured on photos the head never saw. Default: every example its own group.
   */
  groups?: ArrayLike<number>;
  /** An explicit split (indices into the examples) instead of the seeded stratified one. */
  split?: { train: number[]; holdout: number[] };
  seed?: number;
  /** Called after every epoch. */
  onEpoch?(e: EpochReport): void;
}

export interface EpochReport { epoch: number; epochs: number; trainLoss: number; holdoutLoss: number | null; holdoutAccuracy: number | null }

/** One dense layer, weights [in, out] (the IR's Keras layout), bias [out]. */
export interface DenseLayer {
  weights: Float32Array; bias: Float32Array; inputs: number; units: number; relu: boolean;
  /** A softmax follows the layer (the k-NN graph's soft vote; KnnClassifier.toHead). */
  softmax?: boolean;
}

export interface TrainedHead {
  /** Hidden layer (ReLU) if any, then the logits layer; a softmax follows. */
  layers: DenseLayer[];
  classes: number;
  /** The epoch whose weights were kept (best held-out loss; the last one without a holdout). */
  bestEpoch: number;
  epochsRun: number;
  /** Held-out examples' indices into the training set (empty without a holdout). */
  holdout: number[];
  holdoutAccuracy: number | null;
  /** confusion[true][predicted] on the held-out examples. */
  confusion: number[][];
  history: EpochReport[];
}

/**
 * Splits each class's examples: about `fraction` of each class's groups (at least one when it has two or more)
 * held out, whole; every class keeps a group for training. `groups` defaults to one group per example.
 */
export function stratifiedSplit(labels: ArrayLike<number>, classes: number, fraction: number, seed: number, groups?: ArrayLike<number>): { train: number[]; holdout: number[] } {
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const train: number[] = [];
  const holdout: number[] = [];
  for (let c = 0; c < classes; c++) {
    const byGroup = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== c) continue;
      const g = groups ? groups[i] : i;
      let list = byGroup.get(g);
      if (!list) byGroup.set(g, (list = []));
      list.push(i);
    }
    const keys = [...byGroup.keys()];
    shuffle(keys, rand);
    const k = fraction > 0 && keys.length >= 2 ? Math.min(keys.length - 1, Math.max(1, Math.round(keys.length * fraction))) : 0;
    keys.forEach((g, j) => (j < k ? holdout : train).push(...byGroup.get(g)!));
  }
  return { train: train.sort((a, b) => a - b), holdout: holdout.sort((a, b) => a - b) };
}

function checkedSplit(split: { train: number[]; holdout: number[] }, y: ArrayLike<number>, classes: number, n: number): { train: number[]; holdout: number[] } {
  const seen = new Set<number>();
  for (const i of [...split.train, ...split.holdout]) {
    if (!Number.isInteger(i) || i < 0 || i >= n || seen.has(i)) throw new InputError(`trainHead(): split index ${i} is out of range or repeated`);
    seen.add(i);
  }
  for (let c = 0; c < classes; c++) if (!split.train.some((i) => y[i] === c)) throw new InputError(`trainHead(): the split leaves class ${c} no training example`);
  return { train: [...split.train].sort((a, b) => a - b), holdout: [...split.holdout].sort((a, b) => a - b) };
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** Fits a head on `x` (one embedding per example, all the same length) with labels `y` in 0..classes−1. */
export function trainHead(x: Float32Array[], y: ArrayLike<number>, classes: number, opts: HeadOptions = {}): TrainedHead {
  const n = x.length;
  if (!Number.isInteger(classes) || classes < 2) throw new InputError(`trainHead(): need at least 2 classes, got ${classes}`);
  if (n < classes || y.length !== n) throw new InputError(`trainHead(): ${n} examples and ${y.length} labels for ${classes} classes; every class needs an example`);
  const dim = x[0]?.length ?? 0;
  if (dim < 1 || x.some((v) => v.length !== dim)) throw new InputError('trainHead(): embeddings must all have the same, non-zero length');
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= classes) throw new InputError(`trainHead(): label ${y[i]} of example ${i} is not in 0..${classes - 1}`);
    if (!x[i].every(Number.isFinite)) throw new InputError(`trainHead(): embedding ${i} holds a NaN or an infinity`);
  }
  for (let c = 0; c < classes; c++) if (!Array.prototype.some.call(y, (v: number) => v === c)) throw new InputError(`trainHead(): class ${c} has no example`);
  const hidden = opts.hidden ?? 0;
  const epochs = opts.epochs ?? 200;
  const lr = opts.learningRate ?? 0.003;
  const wd = opts.weightDecay ?? 1e-4;
  const batch = opts.batchSize ?? 32;
  const patience = opts.patience ?? 20;
  const seed = opts.seed ?? 0;
  const fraction = opts.holdout ?? 0.2;
  if (!Number.isInteger(hidden) || hidden < 0 || hidden > 4096) throw new InputError(`trainHead(): hidden must be an integer in 0..4096, got ${hidden}`);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100000) throw new InputError(`trainHead(): epochs must be an integer in 1..100000, got ${epochs}`);
  if (!(lr > 0 && lr < 1)) throw new InputError(`trainHead(): learningRate must be in (0, 1), got ${lr}`);
  if (!(wd >= 0 && wd < 1)) throw new InputError(`trainHead(): weightDecay must be in [0, 1), got ${wd}`);
  if (!Number.isInteger(batch) || batch < 1) throw new InputError(`trainHead(): batchSize must be a positive integer, got ${batch}`);
  if (!(fraction >= 0 && fraction < 1)) throw new InputError(`trainHead(): holdout must be in [0, 1), got ${fraction}`);

  const groups = opts.groups;
  if (groups !== undefined && (groups.length !== n || !Array.prototype.every.call(groups, Number.isInteger))) {
    throw new InputError(`trainHead(): groups must hold one integer per example (${n})`);
  }
  const { train, holdout } = opts.split ? checkedSplit(opts.split, y, classes, n) : stratifiedSplit(y, classes, fraction, seed, groups);
  const rand = mulberry32(seed);
  // Inputs are centred on the training set's mean and divided by ONE scale (the root mean variance over all
  // dimensions), folded back into the first layer at the end, so one learning rate suits any backbone's embedding
  // scale. One scale, not one per dimension: a feature that is nearly constant over a few examples would
  // otherwise be blown up, and new images that move it would swing the prediction.
  const mean = new Float64Array(dim);
  for (const i of train) for (let d = 0; d < dim; d++) mean[d] += x[i][d] / train.length;
  let variance = 0;
  for (const i of train) for (let d = 0; d < dim; d++) variance += (x[i][d] - mean[d]) ** 2 / (train.length * dim);
  const std = new Float64Array(dim).fill(Math.sqrt(variance) || 1);
  const xs = x.map((v) => Float64Array.from(v, (e, d) => (e - mean[d]) / std[d]));

  const sizes = hidden > 0 ? [dim, hidden, classes] : [dim, classes];
  const params = sizes.slice(1).map((out, l) => {
    const inp = sizes[l];
    // He initialization for the ReLU layer, Glorot for the logits (uniform, from the seed).
    const bound = l < sizes.length - 2 ? Math.sqrt(6 / inp) : Math.sqrt(6 / (inp + out));
    return {
      w: Float64Array.from({ length: inp * out }, () => (rand() * 2 - 1) * bound), b: new Float64Array(out), inp, out,
      mw: new Float64Array(inp * out), vw: new Float64Array(inp * out), mb: new Float64Array(out), vb: new Float64Array(out),
      gw: new Float64Array(inp * out), gb: new Float64Array(out),
    };
  });

  const acts = sizes.map((s) => new Float64Array(s));
  const deltas = sizes.map((s) => new Float64Array(s));
  const forward = (v: Float64Array): Float64Array => {
    acts[0].set(v);
    params.forEach((p, l) => {
      const a = acts[l];
      const z = acts[l + 1];
      for (let o = 0; o < p.out; o++) z[o] = p.b[o];
      for (let i = 0; i < p.inp; i++) {
        const ai = a[i];
        if (ai === 0) continue;
        const row = i * p.out;
        for (let o = 0; o < p.out; o++) z[o] += ai * p.w[row + o];
      }
      if (l < params.length - 1) for (let o = 0; o < p.out; o++) z[o] = Math.max(0, z[o]);
    });
    return softmaxInPlace(acts[acts.length - 1]);
  };
  const lossOf = (idx: number[]): { loss: number; correct: number } => {
    let loss = 0;
    let correct = 0;
    for (const i of idx) {
      const p = forward(xs[i]);
      loss -= Math.log(Math.max(p[y[i]], 1e-12));
      if (argmax(p) === y[i]) correct++;
    }
    return { loss: idx.length ? loss / idx.length : 0, correct };
  };

  let step = 0;
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const history: EpochReport[] = [];
  let best = { loss: Infinity, epoch: 0, weights: params.map((p) => ({ w: p.w.slice(), b: p.b.slice() })) };
  const order = train.slice();
  let epoch = 0;
  for (epoch = 1; epoch <= epochs; epoch++) {
    shuffle(order, rand);
    let trainLoss = 0;
    for (let s = 0; s < order.length; s += batch) {
      const slice = order.slice(s, s + batch);
      for (const p of params) {
        p.gw.fill(0);
        p.gb.fill(0);
      }
      for (const i of slice) {
        const prob = forward(xs[i]);
        trainLoss -= Math.log(Math.max(prob[y[i]], 1e-12));
        const top = deltas[deltas.length - 1];
        for (let o = 0; o < classes; o++) top[o] = prob[o] - (o === y[i] ? 1 : 0);
        for (let l = params.length - 1; l >= 0; l--) {
          const p = params[l];
          const a = acts[l];
          const d = deltas[l + 1];
          for (let o = 0; o < p.out; o++) p.gb[o] += d[o];
          for (let k = 0; k < p.inp; k++) {
            const ak = a[k];
            const row = k * p.out;
            if (ak !== 0) for (let o = 0; o < p.out; o++) p.gw[row + o] += ak * d[o];
          }
          if (l > 0) {
            const below = deltas[l];
            for (let k = 0; k < p.inp; k++) {
              let sum = 0;
              const row = k * p.out;
              for (let o = 0; o < p.out; o++) sum += p.w[row + o] * d[o];
              below[k] = a[k] > 0 ? sum : 0; // ReLU'
            }
          }
        }
      }
      step++;
      const c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
      for (const p of params) {
        adam(p.w, p.gw, p.mw, p.vw, slice.length, lr, wd, b1, b2, eps, c1, c2);
        adam(p.b, p.gb, p.mb, p.vb, slice.length, lr, 0, b1, b2, eps, c1, c2);
      }
    }
    trainLoss /= order.length;
    const h = holdout.length ? lossOf(holdout) : null;
    const report: EpochReport = {
      epoch, epochs, trainLoss, holdoutLoss: h ? h.loss : null, holdoutAccuracy: h ? h.correct / holdout.length : null,
    };
    history.push(report);
    opts.onEpoch?.(report);
    const score = h ? h.loss : trainLoss;
    if (score < best.loss - 1e-9) best = { loss: score, epoch, weights: params.map((p) => ({ w: p.w.slice(), b: p.b.slice() })) };
    else if (h && epoch - best.epoch >= patience) break;
  }
  best.weights.forEach((bw, l) => {
    params[l].w.set(bw.w);
    params[l].b.set(bw.b);
  });
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (const i of holdout) {
    const pred = argmax(forward(xs[i]));
    confusion[y[i]][pred]++;
    if (pred === y[i]) correct++;
  }
  // Fold the standardization into the first layer: w'[d][o] = w[d][o] / std[d], b'[o] = b[o] − Σ_d mean[d]·w'[d][o].
  const first = params[0];
  const w0 = new Float64Array(first.w.length);
  const b0 = Float64Array.from(first.b);
  for (let d = 0; d < dim; d++) {
    for (let o = 0; o < first.out; o++) {
      const v = first.w[d * first.out + o] / std[d];
      w0[d * first.out + o] = v;
      b0[o] -= mean[d] * v;
    }
  }
  const layers: DenseLayer[] = params.map((p, l) => ({
    weights: Float32Array.from(l === 0 ? w0 : p.w), bias: Float32Array.from(l === 0 ? b0 : p.b), inputs: p.inp, units: p.out, relu: l < params.length - 1,
  }));
  return {
    layers, classes, bestEpoch: best.epoch, epochsRun: Math.min(epoch, epochs), holdout,
    holdoutAccuracy: holdout.length ? correct / holdout.length : null, confusion, history,
  };
}

/** AdamW on one parameter array with its gradient summed over `count` examples. */
function adam(w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, count: number, lr: number, wd: number,
  b1: number, b2: number, eps: number, c1: number, c2: number): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] / count;
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    w[i] -= lr * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + eps) + wd * w[i]);
  }
}

function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) z[i] /= sum;
  return z;
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

/** Logits of a trained head for one embedding (the same arithmetic the model graph runs, in double). */
export function headLogits(head: Pick<TrainedHead, 'layers'>, embedding: ArrayLike<number>): Float64Array {
  let a: Float64Array = Float64Array.from(embedding);
  for (const l of head.layers) {
    const z = Float64Array.from(l.bias);
    for (let i = 0; i < l.inputs; i++) for (let o = 0; o < l.units; o++) z[o] += a[i] * l.weights[i * l.units + o];
    a = l.relu ? z.map((v) => Math.max(0, v)) : z;
    if (l.softmax) a = softmaxInPlace(a);
  }
  return a;
}

/** Probabilities of a trained head (or a k-NN head, whose output already is) for one embedding. */
export function predictHead(head: Pick<TrainedHead, 'layers'> & { probabilities?: boolean }, embedding: ArrayLike<number>): Float64Array {
  const z = headLogits(head, embedding);
  return head.probabilities ? z : softmaxInPlace(z);
}
