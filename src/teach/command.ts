// `mobilenet-wasm train <folder>`: one sub-folder per class, its name the label. Each class's photos are split
// (seeded) into training and held-out ones; training photos are embedded with augmented copies, held-out ones as
// they are, so the held-out accuracy and confusion matrix are measured on photos the head never saw. With
// --int8 the taught model (built on the backbone's float32 twin) is quantized, calibrated on the training photos.
// A k-NN head is written as its examples (.json) or as a model graph (KnnClassifier.toHead; float32 only).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from '../graph/ir.js';
import { InputError } from '../errors.js';
import { decodeImage, sniffImageFormat } from '../image/decode-node.js';
import { readFileBytes } from '../io.js';
import { mulberry32 } from '../models/random.js';
import { Learner } from './learner.js';
import { KnnClassifier } from './knn.js';
import { taughtGraph } from './graph.js';
import { quantizeTaught } from './quantize.js';

export interface TrainCommandOptions {
  folder: string;
  /** Backbone model ('default', a file…). */
  model: string;
  head: 'dense' | 'knn';
  holdout: number;
  augment: number;
  hidden: number;
  epochs: number;
  seed: number;
  int8: boolean;
  /** Keep the backbone's own classes beside the new ones (a dense head only). */
  keepClasses?: boolean;
  onProgress?(what: 'embedding' | 'training' | 'calibrating', done: number, total: number): void;
}

export interface TrainReport {
  labels: string[];
  /** Photos per label: used for training, held out. */
  photos: Record<string, { train: number; holdout: number }>;
  /** Files that are not images (left out) and images that could not be decoded (reported; the exit status is 1). */
  notImages: string[];
  skipped: { file: string; error: string }[];
  head: 'dense' | 'knn';
  holdoutAccuracy: number | null;
  /** confusion[true][predicted] over the held-out photos, in `labels` order. */
  confusion: number[][];
  epochs?: { run: number; best: number };
  graph?: Graph;
  learner: Learner;
}

/** Lists `<folder>/<label>/<image files>`; a label needs at least one image. */
async function listClasses(folder: string): Promise<{ label: string; files: string[] }[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (e) {
    throw new InputError(`train: cannot read folder "${folder}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const classes: { label: string; files: string[] }[] = [];
  for (const d of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(path.join(folder, d.name), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(folder, d.name, e.name)).sort();
    classes.push({ label: d.name, files });
  }
  if (classes.length < 2) throw new InputError(`train: "${folder}" needs one sub-folder per class, at least 2 (found ${classes.length})`);
  return classes;
}

export async function trainFolder(o: TrainCommandOptions): Promise<TrainReport> {
  if (!(o.holdout >= 0 && o.holdout < 1)) throw new InputError(`train: --holdout must be in [0, 1), got ${o.holdout}`);
  const classes = await listClasses(o.folder);
  const rand = mulberry32(o.seed ^ 0x68e31da4);
  const learner = await Learner.create(o.model, { seed: o.seed, ...(o.int8 ? { precision: 'float32' as const } : {}) });
  const skipped: TrainReport['skipped'] = [];
  const notImages: string[] = [];
  const photos: TrainReport['photos'] = {};
  const trainIdx: number[] = [];
  const holdIdx: number[] = [];
  const holdTruth: number[] = [];
  const calibration: Awaited<ReturnType<typeof decodeImage>>[] = [];
  let done = 0;
  const total = classes.reduce((a, c) => a + c.files.length, 0);
  let count = 0;
  for (const [ci, c] of classes.entries()) {
    // Decode first: files that are not images are reported and left out of the split.
    const images: { file: string; image: Awaited<ReturnType<typeof decodeImage>> }[] = [];
    for (const file of c.files) {
      try {
        const bytes = await readFileBytes(file);
        if (!sniffImageFormat(bytes)) notImages.push(file);
        else images.push({ file, image: await decodeImage(bytes, { name: file }) });
      } catch (e) {
        skipped.push({ file, error: (e as Error).message });
      }
      o.onProgress?.('embedding', ++done, total);
    }
    if (images.length === 0) throw new InputError(`train: class "${c.label}" (${path.join(o.folder, c.label)}) has no image`);
    const order = images.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const k = o.holdout > 0 && images.length >= 2 ? Math.min(images.length - 1, Math.max(1, Math.round(images.length * o.holdout))) : 0;
    photos[c.label] = { train: images.length - k, holdout: k };
    for (const [j, idx] of order.entries()) {
      const held = j < k;
      const n = await learner.addImage(c.label, images[idx].image, { augment: held ? 0 : o.augment });
      for (let m = 0; m < n; m++) (held ? holdIdx : trainIdx).push(count + m);
      if (held) holdTruth.push(ci);
      else calibration.push(images[idx].image);
      count += n;
    }
  }
  const labels = classes.map((c) => c.label);
  const confusion = labels.map(() => labels.map(() => 0));
  if (o.head === 'knn') {
    // The k-NN over the training photos, checked on the held-out ones.
    const state = learner.save();
    const knn = new KnnClassifier();
    for (const i of trainIdx) knn.add(state.examples[i].label, state.examples[i].embedding);
    holdIdx.forEach((i, j) => confusion[holdTruth[j]][labels.indexOf(knn.predict(state.examples[i].embedding).label)]++);
    const right = confusion.reduce((a, row, i) => a + row[i], 0);
    // The same k-NN as a model graph (KnnClassifier.toHead), for a .tflite or .safetensors --out.
    const graph = taughtGraph(learner.backbone, knn.toHead(), labels, { name: `${learner.backbone.name}-knn` });
    return { labels, photos, notImages, skipped, head: 'knn', holdoutAccuracy: holdIdx.length ? right / holdIdx.length : null, confusion, graph, learner };
  }
  const taught = await learner.train({
    split: { train: trainIdx, holdout: holdIdx }, hidden: o.hidden, epochs: o.epochs, keepClasses: o.keepClasses,
    onEpoch: (e) => o.onProgress?.('training', e.epoch, e.epochs),
  });
  // Stopped early: the bar ends at the epochs run.
  if (taught.head.epochsRun < o.epochs) o.onProgress?.('training', taught.head.epochsRun, taught.head.epochsRun);
  let graph = taught.graph;
  taught.model.dispose();
  if (o.int8) graph = await quantizeTaught(graph, calibration, { onProgress: (d, t) => o.onProgress?.('calibrating', d, t) });
  return {
    labels, photos, notImages, skipped, head: 'dense', holdoutAccuracy: taught.head.holdoutAccuracy, confusion: taught.head.confusion,
    epochs: { run: taught.head.epochsRun, best: taught.head.bestEpoch }, graph, learner,
  };
}

/** The confusion matrix as text: a row per true label, a column per predicted one. */
export function formatConfusion(labels: string[], m: number[][]): string {
  const w = Math.max('true \\ predicted'.length, ...labels.map((l) => l.length));
  const head = `${'true \\ predicted'.padEnd(w)}  ${labels.map((l) => l.padStart(Math.max(5, l.length))).join('  ')}`;
  const rows = labels.map((l, i) => `${l.padEnd(w)}  ${m[i].map((v, j) => String(v).padStart(Math.max(5, labels[j].length))).join('  ')}`);
  return [head, ...rows].join('\n');
}
