// Teaching a model new classes on the device: labelled images (or embeddings) go in as examples; a k-NN predicts
// at once; train() fits a dense head and returns an ordinary model (backbone to its embedding + head) over the
// user's labels. Image examples can be augmented (mirror, crop, colour jitter) so a handful of photos gives the
// head more views; all randomness comes from the learner's seed.
import type { Graph } from '../graph/ir.js';
import { loadGraph, loadModel, type ModelSource } from '../api.js';
import type { LoadOptions, Model } from '../model.js';
import { toPixels, type ImageSource } from '../image/sources.js';
import { validateImage, type ImageInput } from '../image/preprocess.js';
import { mulberry32 } from '../models/random.js';
import { InputError } from '../errors.js';
import { KnnClassifier, type KnnPrediction } from './knn.js';
import { headLogits, trainHead, type HeadOptions, type TrainedHead } from './head.js';
import { backboneLogitsFn, taughtGraph } from './graph.js';
import { dequantizeGraph } from '../graph/dequantize.js';

export interface LearnerOptions extends LoadOptions {
  /** Seed of the augmentation and of training (default 0). */
  seed?: number;
}

export interface AddImageOptions {
  /** Augmented copies embedded beside the image itself (default 0). */
  augment?: number;
}

export interface TrainOptions extends HeadOptions {
  /** Example indices (in the order added) to train on and to hold out, instead of a seeded split by photo. */
  split?: { train: number[]; holdout: number[] };
  /**
   * Keep the backbone's own classes (e.g. ImageNet's 1000) beside the new ones: one softmax over both. The head's
   * logits are shifted onto the backbone's scale: by the least amount that makes every training example's own
   * class beat the backbone's best logit by 1.
   */
  keepClasses?: boolean;
}

export interface TaughtModel {
  /** The taught model, loaded (in-process) with the learner's load options. */
  model: Model;
  /** Its graph: save it with writeNative, quantize it, export it. */
  graph: Graph;
  head: TrainedHead;
  labels: string[];
}

export class Learner {
  readonly backbone: Graph;
  readonly #model: Model;
  readonly #options: LearnerOptions;
  readonly #rand: () => number;
  /** Examples in the order added: label and embedding. */
  readonly #examples: { label: string; embedding: Float32Array; group: number }[] = [];
  /** The source each example came from (an image and its augmented copies share one). */
  #nextGroup = 0;
  #knn = new KnnClassifier();

  private constructor(backbone: Graph, model: Model, options: LearnerOptions) {
    this.backbone = backbone;
    this.#model = model;
    this.#options = options;
    this.#rand = mulberry32((options.seed ?? 0) ^ 0x2545f491);
  }

  /** A learner on a backbone classifier ('default', a file, bytes, a Graph…): its embedding feeds the new head. */
  static async create(backbone: ModelSource, options: LearnerOptions = {}): Promise<Learner> {
    // precision 'float32': the backbone's float32 twin is the graph the taught model is built on (and quantized
    // from, for an int8 export), not only what runs.
    const imported = await loadGraph(backbone, options);
    const graph = options.precision === 'float32' ? dequantizeGraph(imported) : imported;
    if (!graph.meta.embeddingNode) throw new InputError(`model "${graph.name}" records no embedding node; it cannot be taught new classes`);
    const { seed: _seed, ...load } = options;
    return new Learner(graph, await loadModel(graph, load), options);
  }

  /** The labels, in the order their first example came. */
  get labels(): string[] {
    return this.#knn.labels;
  }

  counts(): Record<string, number> {
    return this.#knn.counts();
  }

  /** Adds an embedding as an example of `label`. */
  addEmbedding(label: string, embedding: ArrayLike<number>, group = this.#nextGroup++): void {
    this.#knn.add(label, embedding);
    this.#examples.push({ label, embedding: Float32Array.from(embedding), group });
  }

  /** Embeds an image (and `augment` augmented copies of it) as examples of `label`; returns how many were added. */
  async addImage(label: string, image: ImageSource, opts: AddImageOptions = {}): Promise<number> {
    const augment = opts.augment ?? 0;
    if (!Number.isInteger(augment) || augment < 0 || augment > 64) throw new InputError(`addImage(): augment must be an integer in 0..64, got ${augment}`);
    const pixels = validateImage(await toPixels(image));
    const views = [pixels, ...Array.from({ length: augment }, () => augmented(pixels, this.#rand))];
    const group = this.#nextGroup++;
    for (const v of views) this.addEmbedding(label, await this.#model.embed(v), group);
    return views.length;
  }

  /** Removes example `index` of `label` (counted among that label's examples), or all its examples. */
  remove(label: string, index?: number): void {
    this.#knn.remove(label, index);
    let seen = 0;
    for (let i = 0; i < this.#examples.length; i++) {
      if (this.#examples[i].label !== label) continue;
      if (index === undefined || seen++ === index) {
        this.#examples.splice(i, 1);
        i--;
        if (index !== undefined) break;
      }
    }
  }

  /** The k-NN's prediction for an image (no training needed). */
  async predict(image: ImageSource, k = 3): Promise<KnnPrediction> {
    return this.#knn.predict(await this.#model.embed(image), k);
  }

  /** Fits a dense head on the examples and returns the taught model. */
  async train(opts: TrainOptions = {}): Promise<TaughtModel> {
    const labels = this.labels;
    if (labels.length < 2) throw new InputError(`train(): needs examples of at least 2 labels, has ${labels.length}`);
    const index = new Map(labels.map((l, i) => [l, i]));
    const { keepClasses, ...headOpts } = opts;
    const y = this.#examples.map((e) => index.get(e.label)!);
    const head = trainHead(this.#examples.map((e) => e.embedding), y, labels.length,
      { seed: this.#options.seed ?? 0, groups: this.#examples.map((e) => e.group), ...headOpts });
    if (keepClasses) {
      const backboneZ = backboneLogitsFn(dequantizeGraph(this.backbone));
      const held = new Set(head.holdout);
      let shift = -Infinity;
      this.#examples.forEach((e, i) => {
        if (held.has(i)) return;
        const z = headLogits(head, e.embedding);
        shift = Math.max(shift, Math.max(...backboneZ(e.embedding)) + 1 - z[y[i]]);
      });
      const last = head.layers[head.layers.length - 1];
      last.bias = Float32Array.from(last.bias, (b) => b + shift);
    }
    const graph = taughtGraph(this.backbone, head, labels, { keepClasses });
    const { seed: _seed, ...load } = this.#options;
    return { model: await loadModel(graph, load), graph, head, labels };
  }

  /**
   * The k-NN as an ordinary model: backbone + the examples as a soft nearest-neighbour vote in dense and softmax
   * layers (KnnClassifier.toHead), so it loads, quantizes and exports like a trained head's model.
   */
  async knnModel(temperature?: number): Promise<{ model: Model; graph: Graph; labels: string[] }> {
    const labels = this.labels;
    const graph = taughtGraph(this.backbone, this.#knn.toHead(temperature), labels, { name: `${this.backbone.name}-knn` });
    const { seed: _seed, ...load } = this.#options;
    return { model: await loadModel(graph, load), graph, labels };
  }

  /** The examples (labels and embeddings), for saving; `Learner.create(backbone)` then `load(state)` restores them. */
  save(): { version: 1; backbone: string; examples: { label: string; embedding: number[]; group: number }[] } {
    return { version: 1, backbone: this.backbone.name, examples: this.#examples.map((e) => ({ label: e.label, embedding: [...e.embedding], group: e.group })) };
  }

  /** Adds the examples of a saved state (from a learner on the same backbone). */
  load(state: unknown): void {
    const s = state as ReturnType<Learner['save']>;
    if (!s || typeof s !== 'object' || s.version !== 1 || !Array.isArray(s.examples)) throw new InputError('Learner.load(): not a saved learner state (version 1)');
    if (s.backbone !== this.backbone.name) throw new InputError(`Learner.load(): the state was made on "${s.backbone}", this learner's backbone is "${this.backbone.name}"`);
    for (const e of s.examples) {
      if (!e || typeof e.label !== 'string' || !Array.isArray(e.embedding)) throw new InputError('Learner.load(): an example is malformed');
      this.addEmbedding(e.label, e.embedding, Number.isInteger(e.group) ? this.#nextGroup + e.group : undefined);
    }
    this.#nextGroup += 1 + Math.max(-1, ...s.examples.map((e) => (Number.isInteger(e.group) ? e.group : -1)));
  }

  dispose(): void {
    this.#model.dispose();
  }
}

/**
 * A randomly augmented copy of an image: mirrored half the time, cropped to 70–100 % of each side at a random
 * place, brightness, contrast and saturation each scaled by 0.8–1.2.
 */
export function augmented(img: ImageInput & { channels: 3 | 4 }, rand: () => number): ImageInput {
  const { width: W, height: H, channels: C } = img;
  const cw = Math.max(1, Math.round(W * (0.7 + 0.3 * rand())));
  const ch = Math.max(1, Math.round(H * (0.7 + 0.3 * rand())));
  const x0 = Math.floor(rand() * (W - cw + 1));
  const y0 = Math.floor(rand() * (H - ch + 1));
  const flip = rand() < 0.5;
  const bright = 0.8 + 0.4 * rand();
  const contrast = 0.8 + 0.4 * rand();
  const sat = 0.8 + 0.4 * rand();
  const out = new Uint8Array(cw * ch * 3);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = x0 + (flip ? cw - 1 - x : x);
      const s = ((y0 + y) * W + sx) * C;
      let r = img.data[s], g = img.data[s + 1], b = img.data[s + 2];
      const grey = 0.299 * r + 0.587 * g + 0.114 * b;
      r = grey + (r - grey) * sat;
      g = grey + (g - grey) * sat;
      b = grey + (b - grey) * sat;
      const o = (y * cw + x) * 3;
      out[o] = clamp(((r - 128) * contrast + 128) * bright);
      out[o + 1] = clamp(((g - 128) * contrast + 128) * bright);
      out[o + 2] = clamp(((b - 128) * contrast + 128) * bright);
    }
  }
  return { data: out, width: cw, height: ch, channels: 3 };
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
