// `mobilenet-wasm quantize <model> <out> --calibrate <folder>` (Node only): read a float model, calibrate it on
// the images of a folder, quantize it to int8 and write the native file. The CLI (src/cli/main.ts) parses the
// flags and draws the progress; everything else is here.
import { open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from '../graph/ir.js';
import { importModelBytes } from '../formats/load-bytes.js';
import { writeNative } from '../formats/native/write.js';
import { readNative } from '../formats/native/read.js';
import { readFileBytes, readUrlBytes } from '../io.js';
import { builtinModelUrl, isBuiltinModel } from '../assets.js';
import { InputError } from '../errors.js';
import { decodeImage, sniffImageFormat, IMAGE_FORMATS } from '../image/decode-node.js';
import { Calibrator, type RangeMethod } from './calibrate.js';
import { quantizeGraph, type QuantizeOptions } from './quantize.js';

export interface QuantizeCommandOptions extends Omit<QuantizeOptions, 'note'> {
  /** A model file (any format loadModel reads) or 'default'. */
  model: string;
  /** Where to write the int8 model (native format). */
  out: string;
  /** Folder of calibration images (any format decodeImage reads, told apart by their bytes; not recursive). */
  calibrate: string;
  /** Use at most this many images (default 100), picked by a seeded shuffle when the folder has more. */
  images?: number;
  seed?: number;
  method?: RangeMethod;
  percentile?: number;
  /** Called before the first image (0, total) and after each one. */
  onProgress?: (done: number, total: number) => void;
}

export interface QuantizeReport {
  model: string;
  out: string;
  /** Images picked for calibration (file names), including any that failed to decode. */
  images: string[];
  /** Picked images that could not be decoded (truncated, corrupt): left out of the calibration. */
  undecodable: { file: string; error: string }[];
  /** Files of the folder whose bytes are not an image (e.g. notes.txt): never picked. */
  notImages: string[];
  /** Files of the folder whose bytes are an image. */
  imagesInFolder: number;
  method: RangeMethod;
  /** Float values whose range was recorded (the graph input and every node output). */
  valuesCalibrated: number;
  /** Values of the int8 graph with an int8 quantization. */
  valuesQuantized: number;
  /** conv / depthwise / dense nodes with int8 weights. */
  layersQuantized: number;
  bytesBefore: number;
  bytesAfter: number;
  calibrationMs: number;
}

export const DEFAULT_CALIBRATION_IMAGES = 100;

/** `calibrating [#####.....] 23/50 images` */
export function progressBar(done: number, total: number, width = 20, label = 'calibrating', unit = 'images'): string {
  const filled = total > 0 ? Math.round((width * done) / total) : width;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}`;
}

/** Up to `n` of `files`: all of them in name order when they fit, else a seeded shuffle's first n (then sorted). */
export function pickImages(files: string[], n: number, seed = 0): string[] {
  const sorted = [...files].sort();
  if (sorted.length <= n) return sorted;
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
  }
  return sorted.slice(0, n).sort();
}

async function readModel(model: string): Promise<{ graph: Graph; bytes: number }> {
  if (isBuiltinModel(model)) {
    const bytes = await readUrlBytes(builtinModelUrl(model));
    return { graph: await importModelBytes(bytes, { fileName: `built-in model "${model}"` }), bytes: bytes.length };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(model);
  } catch (e) {
    throw new InputError(`cannot read model file "${model}": ${(e as Error).message}`);
  }
  const graph = await importModelBytes(bytes, { fileName: model, readShard: (p) => readFileBytes(path.resolve(path.dirname(model), p)) });
  return { graph, bytes: bytes.length };
}

/** Whether a file's first bytes are an image decodeImage reads (the format is never taken from the name). */
async function looksLikeImage(file: string): Promise<boolean> {
  const f = await open(file, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await f.read(head, 0, head.length, 0);
    return sniffImageFormat(head.subarray(0, bytesRead)) !== null;
  } finally {
    await f.close();
  }
}

export async function quantizeModelFile(o: QuantizeCommandOptions): Promise<QuantizeReport> {
  const limit = o.images ?? DEFAULT_CALIBRATION_IMAGES;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--images must be a positive integer, got ${limit}`);
  // The choices, checked before any work (the calibrator and the quantizer check them again, for API callers).
  const method = o.method ?? 'minmax';
  if (!['minmax', 'average', 'percentile'].includes(method)) throw new InputError(`calibrate: unknown range method "${method}" (minmax, average or percentile)`);
  if (o.pool !== undefined && o.pool !== 'avgpool' && o.pool !== 'mean') throw new InputError(`quantize: pool must be 'avgpool' or 'mean', got "${o.pool}"`);
  if (o.softmax !== undefined && o.softmax !== 'float' && o.softmax !== 'int8') throw new InputError(`quantize: softmax must be 'float' or 'int8', got "${o.softmax}"`);
  const entries: string[] = [];
  const notImages: string[] = [];
  try {
    for (const e of await readdir(o.calibrate, { withFileTypes: true })) {
      if (e.isFile()) (await looksLikeImage(path.join(o.calibrate, e.name)) ? entries : notImages).push(e.name);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'it is not a directory' : (e as Error).message.split('\n')[0];
    throw new InputError(`cannot read the calibration folder "${o.calibrate}": ${why}`);
  }
  notImages.sort();
  if (entries.length === 0) throw new InputError(`the calibration folder "${o.calibrate}" has no images (${IMAGE_FORMATS})`);
  const files = pickImages(entries, limit, o.seed ?? 0);
  const { graph, bytes: bytesBefore } = await readModel(o.model);

  const cal = await Calibrator.create(graph, { method, percentile: o.percentile });
  const t0 = performance.now();
  o.onProgress?.(0, files.length);
  const undecodable: { file: string; error: string }[] = [];
  let ranges;
  try {
    for (const [i, f] of files.entries()) {
      let image;
      try {
        image = await decodeImage(path.join(o.calibrate, f));
      } catch (e) {
        // A truncated or corrupt image is left out and reported, not fatal: the other images still calibrate.
        if (!(e instanceof InputError)) throw e;
        undecodable.push({ file: f, error: e.message });
      }
      if (image) cal.observeImage(image);
      o.onProgress?.(i + 1, files.length);
    }
    if (undecodable.length === files.length) {
      throw new InputError(`none of the ${files.length} images picked in "${o.calibrate}" could be decoded (first: ${undecodable[0].error})`);
    }
    ranges = cal.ranges();
  } finally {
    cal.dispose();
  }
  const calibrationMs = performance.now() - t0;
  const q = quantizeGraph(graph, ranges, {
    scheme: o.scheme, softmax: o.softmax, pool: o.pool, relu6: o.relu6, inputRange: o.inputRange, biasCorrection: o.biasCorrection,
    note: `calibrated on ${files.length - undecodable.length} images, ${method}`,
  });
  const out = writeNative(q);
  readNative(out, o.out); // what we write must read back
  await writeFile(o.out, out);
  return {
    model: o.model, out: o.out, images: files, undecodable, notImages, imagesInFolder: entries.length, method,
    valuesCalibrated: ranges.size,
    valuesQuantized: Object.keys(q.values ?? {}).length,
    layersQuantized: q.nodes.filter((n) => 'q' in n && n.q).length,
    bytesBefore, bytesAfter: out.length, calibrationMs,
  };
}
