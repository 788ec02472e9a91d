// mobilenet-wasm command line: classify, segment, detect, info, convert, bench, quantize.
// Conventions: `--help` / `-h` on every command prints its usage and does nothing else; unknown options are
// rejected by name; `--` ends the options; every mistake is one line on stderr and a non-zero exit (2 for a
// malformed command line, 1 for everything else), with the stack trace only under --debug or MOBILENET_WASM_DEBUG=1.
import { readFileSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../api.js';
import '../detect/index.js'; // the CLI detects too (a separate entry for the web bundles)
import type { LoadOptions, ModelInfo } from '../model.js';
import type { Graph } from '../graph/ir.js';
import type { Limits } from '../plan/limits.js';
import { buildMobileNetV2 } from '../models/mobilenet-v2.js';
import { pascalVocColor } from '../models/pascal-voc.js';
import { slimCounts } from '../graph/summary.js';
import { importModelBytes } from '../formats/load-bytes.js';
import { writeNative } from '../formats/native/write.js';
import { readFileBytes } from '../io.js';
import { isBuiltinModel } from '../assets.js';
import { EngineError, InputError } from '../errors.js';
import { decodeImage } from '../image/decode-node.js';
import { parseArgs, wantsHelp, numberFlag, stringFlag, choiceFlag, UsageError, type Args, type OptionSpec } from './args.js';
import { writeDetectionsPng, writeSegmentationPng } from './overlay.js';
import { formatTable, formatBytes, percentile } from './format.js';

const BOOL: OptionSpec = { type: 'boolean' };
const STR: OptionSpec = { type: 'string' };
/** Accepted by every command. */
const EVERYWHERE = { help: { type: 'boolean', short: 'h' }, debug: BOOL } satisfies Record<string, OptionSpec>;
/** How a model is compiled (commands that run one). */
const LOADING = {
  isa: STR, threads: STR, 'no-fuse': BOOL, requant: STR, labels: STR, precision: STR,
  'max-memory-mb': STR, 'max-input-pixels': STR, 'max-macs': STR, 'max-image-pixels': STR,
} satisfies Record<string, OptionSpec>;

const LOADING_HELP = `Model options:
  --model <file>|<name>   a model file (.tflite, .safetensors, TF.js model.json) or a built-in model:
                          'default' (ImageNet MobileNetV2, the default) or 'nsfw' (the nsfwjs classifier)
  --precision model|float32   float32 runs a quantized model as its float32 twin (default: as stored)
  --isa auto|relaxed|simd|scalar   kernel set (default auto)
  --threads N|auto        threads for one inference (default 1)
  --no-fuse               materialize every expanded tensor (no fused inverted-residual blocks)
  --requant fp32|gemmlowp quantized models: XNNPACK's arithmetic (default) or TFLite's builtin
  --labels <file>         class names, one per line, instead of the model's own
  --max-memory-mb N  --max-input-pixels N  --max-macs N  --max-image-pixels N
                          resource limits (README: Limits); a model or image beyond one is refused`;

const GENERAL_HELP = `  -h, --help              this help; nothing is run
  --debug                 print the stack trace of an error (also: MOBILENET_WASM_DEBUG=1)
  --                      ends the options: later words are files even if they start with '-'`;

interface Command {
  options: Record<string, OptionSpec>;
  usage: string;
  run(args: Args): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  classify: {
    options: { ...EVERYWHERE, ...LOADING, model: STR, top: STR, json: BOOL },
    usage: `Usage: mobilenet-wasm classify <image...> [--model <file>|default] [--top 5] [--json]

Classifies each image (JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP or SVG, told apart by their bytes) and prints the
top classes. A file that cannot be read or decoded is reported and the others are still classified; the exit
status is then 1.

  --top N                 how many classes to show per image (default 5)
  --json                  an array of { file, model, results: [{ index, label, score }], ms } (or { file, error })
${LOADING_HELP}
${GENERAL_HELP}`,
    run: classify,
  },
  segment: {
    options: { ...EVERYWHERE, ...LOADING, model: STR, out: STR, alpha: STR, json: BOOL },
    usage: `Usage: mobilenet-wasm segment <image> --model <segmentation.tflite> --out <overlay.png> [--alpha 0.5] [--json]

Runs a segmentation model (e.g. DeepLabV3 on PASCAL VOC) and writes the class map, in the PASCAL VOC colours,
over the image as a PNG; prints the classes found with their colours.

  --out <file.png>        where to write the overlay (a file, not a directory)
  --alpha A               the overlay's opacity in [0, 1] (default 0.5)
  --json                  { file, out, model, width, height, modelOutput, ms, classes: [{ index, label, color, pixels, share }] }
${LOADING_HELP}
${GENERAL_HELP}`,
    run: segment,
  },
  detect: {
    options: { ...EVERYWHERE, ...LOADING, model: STR, threshold: STR, max: STR, out: STR, json: BOOL },
    usage: `Usage: mobilenet-wasm detect <image...> --model <detector.tflite> [--labels <file>] [--threshold 0.5] [--out annotated.png] [--json]

Runs an object detector (an SSD ending in TFLite_Detection_PostProcess, e.g. ssd_mobilenet_v2_coco_quant_postprocess)
on each image, stretched to the model's input size, and prints one line per object: label, score and its box in
the image's pixels (x, y, width, height). An image that cannot be read is reported and the others go on.

  --labels <file>         class names, one per line (line i names class i, as coco_labels.txt)
  --threshold T           leave out objects scoring below T in [0, 1] (default 0.5)
  --max N                 at most N objects per image
  --out <file.png>        write the image with labelled boxes (one image only)
  --json                  an array of { file, model, width, height, ms, detections: [{ label, index, score, box, normalized }] }
${LOADING_HELP}
${GENERAL_HELP}`,
    run: detect,
  },
  info: {
    options: { ...EVERYWHERE, model: STR, labels: STR, alpha: STR, resolution: STR, classes: STR, json: BOOL },
    usage: `Usage: mobilenet-wasm info [--model <file>|default | --alpha A --resolution R [--classes K]] [--json]

Describes a model: task, input type and shape, preprocessing, labels, then every layer with its shapes,
multiply-adds and parameters, and the activation memory. --alpha / --resolution describe the MobileNetV2 of that
width and input size instead (built in code, as in the TF-Slim checkpoint table).

  --model <file>|<name>   a model file or a built-in model name (default 'default')
  --labels <file>         class names, one per line, instead of the model's own
  --alpha A --resolution R [--classes K]   MobileNetV2 of width A (0.35 … 1.4), input R×R, K classes (default 1001)
  --json                  everything as JSON
${GENERAL_HELP}`,
    run: info,
  },
  convert: {
    options: { ...EVERYWHERE },
    usage: `Usage: mobilenet-wasm convert <input model> <output.safetensors|output.tflite>

Converts a model (.tflite, .safetensors, TF.js model.json with its weight files) to the format the output's
extension names: this engine's native file (.safetensors, the graph in its metadata) or a TFLite flatbuffer
(.tflite, with the labels in an appended zip as TFLite classifiers carry them).

${GENERAL_HELP}`,
    run: convert,
  },
  bench: {
    options: { ...EVERYWHERE, ...LOADING, model: STR, alpha: STR, resolution: STR, classes: STR, runs: STR, warmup: STR, profile: BOOL, json: BOOL },
    usage: `Usage: mobilenet-wasm bench [--model <file>|default | --alpha A --resolution R] [--runs 50] [--warmup 5] [--profile] [--json]

Times inference on a synthetic input: the first run (load + compile + run), then the median, p10 and p90 of
--runs runs after --warmup runs.

  --runs N                timed runs, at least 1 (default 50)
  --warmup N              untimed runs first (default 5)
  --profile               per-step times, multiply-adds/s and share of the measured SIMD peak
  --alpha A --resolution R [--classes K]   time a MobileNetV2 built in code instead of --model
  --json                  the figures as JSON
${LOADING_HELP}
${GENERAL_HELP}`,
    run: bench,
  },
  quantize: {
    options: {
      ...EVERYWHERE, calibrate: STR, images: STR, seed: STR, method: STR, percentile: STR, softmax: STR, pool: STR, json: BOOL,
    },
    usage: `Usage: mobilenet-wasm quantize <model>|default <out.safetensors> --calibrate <folder> [--images 100] [--seed 0]
         [--method minmax|average|percentile] [--percentile 99.99] [--softmax float|int8] [--pool avgpool|mean] [--json]

int8 post-training quantization: per-channel weights, per-tensor activations calibrated on the images of a folder
(any format classify reads, told apart by their bytes; files that are not images are listed and left out, images
that cannot be decoded are reported).

  --calibrate <folder>    the calibration images (not recursive)
  --images N              use at most N of them, picked by a seeded shuffle (default 100)
  --seed S                the shuffle's seed (default 0)
  --method M              activation ranges: minmax (default), average (of per-image ranges) or percentile
  --percentile P          with --method percentile (default 99.99)
  --softmax float|int8    keep the final softmax in float (default) or quantize it
  --pool avgpool|mean     the global pooling op in the int8 graph
  --json                  the report as JSON
${GENERAL_HELP}`,
    run: quantize,
  },
  train: {
    options: {
      ...EVERYWHERE, out: STR, model: STR, head: STR, holdout: STR, augment: STR, hidden: STR, epochs: STR, seed: STR, int8: BOOL, json: BOOL, 'keep-classes': BOOL,
    },
    usage: `Usage: mobilenet-wasm train <folder> --out <model.tflite|model.safetensors|state.json> [--head dense|knn] [--holdout 0.2]
         [--int8] [--keep-classes] [--model default] [--augment 4] [--hidden 0] [--epochs 200] [--seed 0] [--json]

Teaches a model your own classes: <folder> holds one sub-folder per class, named by its label, with its photos
(any format classify reads). Each class's photos are split, seeded, into training and held-out ones; the
held-out accuracy and confusion matrix are measured on photos the model never saw.

  --out <file>            the taught model, backbone + the new head (.tflite, which the TensorFlow Lite runtime
                          runs with our outputs, or .safetensors), or with --head knn also the
                          examples' embeddings and labels (.json) for the library's KnnClassifier
  --head dense|knn        a dense softmax head trained on the embeddings (default), or k-nearest-neighbours
                          (as a model: a soft nearest-neighbour vote in dense and softmax layers)
  --keep-classes          keep the backbone's own classes (ImageNet's) beside the new ones (dense head)
  --holdout F             fraction of each class's photos held out (default 0.2; 0 for none)
  --int8                  quantize the taught model to int8, calibrated on the training photos
  --model <file>|<name>   the backbone whose embeddings are used (default 'default', ImageNet MobileNetV2)
  --augment N             augmented copies (mirror, crop, colour) of each training photo (default 4)
  --hidden N              units of a hidden ReLU layer in the head (default 0: none)
  --epochs N              training passes at most (default 200; stops early on the held-out loss)
  --seed S                seed of the split, the augmentation and the training (default 0)
  --json                  the report as JSON
${GENERAL_HELP}`,
    run: train,
  },
};

const USAGE = `mobilenet-wasm ${version()}: MobileNetV2 inference in WebAssembly SIMD

Usage: mobilenet-wasm <command> [options] [--] [files...]

Commands:
  classify <image...>                 top classes of each image
  segment <image> --out <file.png>    class map of an image, drawn over it (segmentation models)
  detect <image...> --model <file>    objects with boxes (SSD detectors), optionally drawn (--out)
  info                                a model's task, input, preprocessing, labels and layers
  convert <input> <output>            convert a model to the native format or to .tflite
  bench                               time inference
  quantize <model> <out> --calibrate <folder>   int8 post-training quantization
  train <folder> --out <file>         teach a model your own classes (one sub-folder per class)

  mobilenet-wasm <command> --help     the command's options
  mobilenet-wasm --version            the version

Errors are one line on stderr (exit status 1; 2 for a malformed command line); --debug or
MOBILENET_WASM_DEBUG=1 adds the stack trace.`;

/** The package's version, from the package.json above this file (src/cli/ in the repository, dist/ when built). */
function version(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'mobilenet-wasm') return String(pkg.version);
    } catch {
      // no package.json at this level: look further up
    }
  }
  return 'unknown';
}

// ---- helpers ------------------------------------------------------------------------------------------------

/** Rejects positionals beyond `max` (a stray word would otherwise be silently ignored). */
function expectPositionals(args: Args, min: number, max: number, usage: string): string[] {
  const p = args.positionals;
  if (p.length < min) throw new UsageError(`${args.command}: ${usage}`);
  if (p.length > max) throw new UsageError(`${args.command}: unexpected argument "${p[max]}" (usage: ${usage})`);
  return p;
}

/** Node's error codes for a path, in words. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return String((e as Error).message).split('\n')[0];
}

/** What is at `p`: 'file', 'dir', or null when nothing is. */
async function kindOf(p: string): Promise<'file' | 'dir' | null> {
  try {
    return (await stat(p)).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

/** An input file that must exist and not be a directory (checked before any work, for a clear message). */
async function inputFile(p: string, what: string): Promise<string> {
  const kind = await kindOf(p);
  if (kind === null) throw new InputError(`${what} "${p}": no such file`);
  if (kind === 'dir') throw new InputError(`${what} "${p}" is a directory, not a file`);
  return p;
}

/** An output file: not an existing directory, and its folder exists (checked before any work). */
async function outputFile(p: string, what: string, example: string): Promise<string> {
  if (p.endsWith('/') || p.endsWith(path.sep) || (await kindOf(p)) === 'dir') {
    throw new InputError(`${what} "${p}" is a directory; give a file name, e.g. ${path.join(p, example)}`);
  }
  const parent = path.dirname(path.resolve(p));
  if ((await kindOf(parent)) !== 'dir') throw new InputError(`cannot write ${what} "${p}": the folder ${path.dirname(p)} does not exist`);
  return p;
}

async function loadOptions(args: Args): Promise<LoadOptions> {
  const isa = choiceFlag(args, 'isa', ['auto', 'relaxed', 'simd', 'scalar'] as const, 'auto');
  const t = stringFlag(args, 'threads') ?? '1';
  const threads = t === 'auto' ? 'auto' : numberFlag(args, 'threads', 1, { integer: true, min: 1 });
  const requant = choiceFlag(args, 'requant', ['fp32', 'gemmlowp'] as const, 'fp32');
  const precision = choiceFlag(args, 'precision', ['model', 'float32'] as const, 'model');
  const opts: LoadOptions = { isa, fuse: !args.flags.has('no-fuse'), threads, requant, precision };
  const limits: Limits = {};
  const limit = (flag: string, key: keyof Limits, unit = 1) => {
    if (args.flags.has(flag)) limits[key] = numberFlag(args, flag, 0, { min: 1 }) * unit;
  };
  limit('max-memory-mb', 'maxMemoryBytes', 2 ** 20);
  limit('max-input-pixels', 'maxInputPixels');
  limit('max-macs', 'maxMacs');
  limit('max-image-pixels', 'maxImagePixels');
  if (Object.keys(limits).length > 0) opts.limits = limits;
  const labelsFile = stringFlag(args, 'labels');
  if (labelsFile !== undefined) {
    let text: string;
    try {
      text = new TextDecoder().decode(await readFileBytes(labelsFile));
    } catch (e) {
      throw new InputError(`cannot read labels file "${labelsFile}": ${fsReason(e)}`);
    }
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    opts.labels = lines;
  }
  return opts;
}

/** --model: a file, or a built-in name ('default', …) that loadModel() resolves; a directory is refused here. */
async function modelSource(args: Args): Promise<string> {
  const m = stringFlag(args, 'model') ?? 'default';
  if (!isBuiltinModel(m) && (await kindOf(m)) === 'dir') throw new InputError(`--model "${m}" is a directory; give the model file (.tflite, .safetensors, model.json)`);
  return m;
}

/** A MobileNetV2 from --alpha / --resolution / --classes, when one of those is given. */
function builtGraph(args: Args) {
  if (!args.flags.has('alpha') && !args.flags.has('resolution') && !args.flags.has('classes')) return null;
  return buildMobileNetV2({
    alpha: numberFlag(args, 'alpha', 1),
    resolution: numberFlag(args, 'resolution', 224, { integer: true, min: 1 }),
    classes: numberFlag(args, 'classes', 1001, { integer: true, min: 1 }),
  });
}

/** One line: a multi-line message is joined. */
const oneLine = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');

function printError(e: unknown, debug: boolean): void {
  if (debug && e instanceof Error && e.stack) {
    console.error(e.stack);
    return;
  }
  if (e instanceof EngineError) console.error(`mobilenet-wasm: ${e.name}: ${oneLine(e.message)}`);
  else console.error(`mobilenet-wasm: ${oneLine(e instanceof Error ? `${e.name}: ${e.message}` : String(e))} (an internal error: --debug shows where)`);
}

// ---- commands -----------------------------------------------------------------------------------------------

async function classify(args: Args): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('classify: give at least one image file (mobilenet-wasm classify --help)');
  const topK = numberFlag(args, 'top', 5, { integer: true, min: 1 });
  const json = args.flags.has('json');
  const source = await modelSource(args);
  const opts = await loadOptions(args);
  const model = await loadModel(source, opts);
  type Row = { file: string; model: string; modelSource: string; results: { index: number; label: string; score: number }[]; ms: number } | { file: string; error: string };
  const out: Row[] = [];
  let failed = 0;
  try {
    for (const file of files) {
      // Each image on its own: a bad one is reported (stderr, one line) and the batch goes on.
      try {
        const image = await decodeImage(file, { maxPixels: opts.limits?.maxImagePixels });
        const t0 = performance.now();
        const results = await model.classify(image, { topK });
        const row = { file, model: model.info.name, modelSource: source, results, ms: +(performance.now() - t0).toFixed(2) };
        out.push(row);
        if (!json) {
          console.log(`${file}  (${model.info.name}, ${row.ms.toFixed(1)} ms)`);
          console.log(formatTable(['#', 'index', 'label', 'score'], results.map((c, i) => [String(i + 1), String(c.index), c.label, c.score.toFixed(4)])));
        }
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        failed++;
        out.push({ file, error: `${e.name}: ${oneLine(e.message)}` });
        printError(e, args.flags.has('debug') || process.env.MOBILENET_WASM_DEBUG === '1');
      }
    }
  } finally {
    model.dispose();
  }
  if (json) console.log(JSON.stringify(out, null, 2));
  return failed > 0 ? 1 : 0;
}

async function segment(args: Args): Promise<number> {
  const [file] = expectPositionals(args, 1, 1, 'mobilenet-wasm segment <image> --model <segmentation.tflite> --out <overlay.png>');
  if (!args.flags.has('model')) throw new UsageError('segment: give the segmentation model with --model <file> (the default model classifies)');
  const outArg = stringFlag(args, 'out');
  if (!outArg) throw new UsageError('segment: give the output PNG with --out <overlay.png>');
  const alpha = numberFlag(args, 'alpha', 0.5, { min: 0, max: 1 });
  const outFile = await outputFile(outArg, '--out', 'overlay.png');
  await inputFile(file, 'image');
  const opts = await loadOptions(args);
  const model = await loadModel(await modelSource(args), opts);
  try {
    const image = await decodeImage(file, { maxPixels: opts.limits?.maxImagePixels });
    const t0 = performance.now();
    // The class map at the model's output resolution, resampled to the image (nearest neighbour).
    const seg = await model.segment(image, { size: { width: image.width, height: image.height } });
    const ms = performance.now() - t0;
    await writeSegmentationPng(outFile, image, seg, alpha);
    const counts = new Map<number, number>();
    for (const c of seg.classes) counts.set(c, (counts.get(c) ?? 0) + 1);
    const classes = [...counts].sort((a, b) => b[1] - a[1]).map(([index, pixels]) => ({
      index, label: seg.labels[index] ?? String(index), color: pascalVocColor(index), pixels, share: pixels / seg.classes.length,
    }));
    if (args.flags.has('json')) {
      console.log(JSON.stringify({ file, out: outFile, model: model.info.name, width: seg.width, height: seg.height, modelOutput: model.info.outputShape, ms: +ms.toFixed(2), classes }, null, 2));
      return 0;
    }
    const [, h, w] = model.info.outputShape;
    console.log(`${file}  (${model.info.name}, ${ms.toFixed(1)} ms): class map ${w}×${h} → ${outFile} (${seg.width}×${seg.height})`);
    const hex = ([r, g, b]: number[]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    const table = formatTable(['index', 'label', 'colour', 'pixels', 'share'],
      classes.map((c) => [String(c.index), c.label, hex(c.color), String(c.pixels), `${(100 * c.share).toFixed(1)}%`])).split('\n');
    // On a terminal that takes colour, a swatch of each class's colour before its row (24-bit ANSI).
    const swatches = process.stdout.isTTY && !process.env.NO_COLOR;
    const swatch = ([r, g, b]: number[]) => `\x1b[38;2;${r};${g};${b}m██\x1b[0m `;
    console.log(table.map((line, i) => (swatches ? (i < 2 ? '   ' : swatch(classes[i - 2].color)) : '') + line).join('\n'));
    return 0;
  } finally {
    model.dispose();
  }
}

async function detect(args: Args): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('detect: give at least one image file (mobilenet-wasm detect --help)');
  if (!args.flags.has('model')) throw new UsageError('detect: give the detector with --model <file> (the default model classifies)');
  const scoreThreshold = numberFlag(args, 'threshold', 0.5, { min: 0, max: 1 });
  const maxResults = args.flags.has('max') ? numberFlag(args, 'max', 1, { integer: true, min: 1 }) : undefined;
  const outArg = stringFlag(args, 'out');
  if (outArg !== undefined && files.length !== 1) throw new UsageError('detect: --out takes one image (got ' + files.length + ')');
  const outFile = outArg === undefined ? undefined : await outputFile(outArg, '--out', 'annotated.png');
  const json = args.flags.has('json');
  const model = await loadModel(await modelSource(args), await loadOptions(args));
  const out: unknown[] = [];
  let failed = 0;
  try {
    if (model.info.task !== 'detect') throw new InputError(`detect: model "${model.info.name}" is not a detector (task ${model.info.task})`);
    for (const file of files) {
      try {
        const image = await decodeImage(file);
        const t0 = performance.now();
        const found = await model.detect(image, { scoreThreshold, ...(maxResults ? { maxResults } : {}) });
        const ms = +(performance.now() - t0).toFixed(2);
        if (outFile) await writeDetectionsPng(outFile, image, found);
        out.push({ file, model: model.info.name, width: image.width, height: image.height, ms, detections: found });
        if (json) continue;
        console.log(`${file}  (${model.info.name}, ${image.width}×${image.height}, ${ms.toFixed(1)} ms): ${found.length} object${found.length === 1 ? '' : 's'}${outFile ? ` → ${outFile}` : ''}`);
        for (const d of found) {
          const b = d.box;
          console.log(`  ${d.label}  ${d.score.toFixed(3)}  x ${b.x.toFixed(0)}, y ${b.y.toFixed(0)}, ${b.width.toFixed(0)}×${b.height.toFixed(0)}`);
        }
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        failed++;
        out.push({ file, error: `${e.name}: ${oneLine(e.message)}` });
        printError(e, args.flags.has('debug') || process.env.MOBILENET_WASM_DEBUG === '1');
      }
    }
  } finally {
    model.dispose();
  }
  if (json) console.log(JSON.stringify(out, null, 2));
  return failed > 0 ? 1 : 0;
}

/** Input, preprocessing and labels, in words. */
function describe(i: ModelInfo): string[] {
  const [, h, w, c] = i.inputShape;
  const q = i.inputQuant ? ` (scale ${+i.inputQuant.scale.toPrecision(6)}, zero point ${i.inputQuant.zeroPoint})` : '';
  const p = i.preprocess;
  const same = (v: number[]) => v.every((x) => x === v[0]);
  const range = [0, 1, 2].map((k) => [p.offset[k], 255 * p.scale[k] + p.offset[k]].map((v) => +v.toFixed(4)));
  const rangeText = same(range.map((r) => r[0])) && same(range.map((r) => r[1])) ? `[${range[0][0]}, ${range[0][1]}]` : range.map((r) => `[${r[0]}, ${r[1]}]`).join(' ');
  const crop = p.centralCrop === 1 ? 'no crop' : `central crop ${p.centralCrop}`;
  const shown = i.labels.slice(0, 10).map((l) => JSON.stringify(l)).join(', ');
  return [
    `task: ${i.task}${i.task === 'segment' ? ` (${i.labels.length} classes per pixel)` : ` (${i.labels.length} classes)`}`,
    `input: ${i.inputType} ${i.inputShape.join('×')} (NHWC: ${w}×${h} RGB${c === 3 ? '' : `, ${c} channels`})${q}`,
    `output${i.outputs.length > 1 ? 's' : ''}: ${i.outputs.map((o) => `${o.dtype} ${o.shape.join('×')}${i.outputs.length > 1 ? ` ("${o.name}")` : ''}`).join(', ')}`,
    `preprocessing: ${crop}, bilinear resize to ${w}×${h}, pixel·scale + offset → ${rangeText} (scale ${p.scale.map((v) => +v.toPrecision(6)).join(', ')}; offset ${p.offset.map((v) => +v.toPrecision(6)).join(', ')})`,
    `labels: ${shown}${i.labels.length > 10 ? `, … (${i.labels.length} in all)` : ''}`,
  ];
}

async function info(args: Args): Promise<number> {
  expectPositionals(args, 0, 0, 'mobilenet-wasm info [--model <file>|default | --alpha A --resolution R]');
  const graph = builtGraph(args);
  if (graph && args.flags.has('model')) throw new UsageError('info: give either --model or --alpha / --resolution, not both');
  const slim = graph ? slimCounts(graph) : null;
  const labels = stringFlag(args, 'labels');
  const opts = await loadOptions({ ...args, flags: new Map(labels === undefined ? [] : [['labels', labels]]) });
  const model = await loadModel(graph ?? (await modelSource(args)), opts);
  const i = model.info;
  model.dispose();
  if (args.flags.has('json')) {
    console.log(JSON.stringify({
      name: i.name, format: i.format, task: i.task, inputShape: i.inputShape, inputType: i.inputType, ...(i.inputQuant ? { inputQuant: i.inputQuant } : {}),
      outputShape: i.outputShape, outputType: i.outputType, preprocess: i.preprocess, labelCount: i.labels.length, labels: i.labels,
      macs: i.macs, params: i.params, peakActivationBytes: i.peakActivationBytes, peakActivationBytesUnfused: i.peakActivationBytesUnfused,
      ...(slim ? { slim: { macsM: slim.macsM, paramsM: slim.paramsM, params: slim.params } } : {}), layers: i.layers,
    }, null, 2));
    return 0;
  }
  console.log(`${i.name} (${i.format})`);
  for (const line of describe(i)) console.log(`  ${line}`);
  console.log();
  const shape = (v: number[]) => v.slice(1).join('×');
  console.log(formatTable(['layer', 'op', 'input', 'output', 'MACs', 'params'],
    i.layers.map((l) => [stepLabel(l.name), l.op, shape(l.inputShape), shape(l.outputShape), l.macs.toLocaleString('en-US'), l.params.toLocaleString('en-US')])));
  console.log(`\n${i.name}: ${i.macs.toLocaleString('en-US')} multiply-adds, ${i.params.toLocaleString('en-US')} parameters (batch norm folded)`);
  if (slim) console.log(`TF-Slim table convention: ${slim.macsM} M MACs, ${slim.paramsM.toFixed(2)} M parameters`);
  console.log(`peak activation memory: ${formatBytes(i.peakActivationBytes)} with fused inverted-residual blocks, ${formatBytes(i.peakActivationBytesUnfused)} unfused`);
  return 0;
}

async function convert(args: Args): Promise<number> {
  const [input, output] = expectPositionals(args, 2, 2, 'mobilenet-wasm convert <input model> <output.safetensors|output.tflite>');
  await inputFile(input, 'convert: input model');
  await outputFile(output, 'convert: output', 'model.safetensors');
  const graph = await importModelBytes(await readFileBytes(input), {
    fileName: input, readShard: (p) => readFileBytes(path.resolve(path.dirname(input), p)),
  });
  const bytes = await writeModel(output, graph, 'convert');
  try {
    await writeFile(output, bytes);
  } catch (e) {
    throw new InputError(`convert: cannot write "${output}": ${fsReason(e)}`);
  }
  console.log(`wrote ${output}: ${formatBytes(bytes.byteLength)}, ${graph.nodes.length} nodes, ${graph.meta.labels.length} labels`);
  return 0;
}

/** The bytes of `graph` in the format `file`'s extension names: .tflite (src/formats/tflite/write.ts) or the native .safetensors. */
async function writeModel(file: string, graph: Graph, command: string): Promise<Uint8Array> {
  if (/\.tflite$/i.test(file)) return (await import('../formats/tflite/write.js')).writeTflite(graph);
  if (/\.safetensors$/i.test(file)) return writeNative(graph);
  throw new UsageError(`${command}: the output must end in .safetensors (this engine's format) or .tflite, got "${file}"`);
}

async function bench(args: Args): Promise<number> {
  expectPositionals(args, 0, 0, 'mobilenet-wasm bench [--model <file>|default | --alpha A --resolution R] [--runs 50]');
  const runs = numberFlag(args, 'runs', 50, { integer: true, min: 1 });
  const warmup = numberFlag(args, 'warmup', 5, { integer: true, min: 0 });
  const graph = builtGraph(args);
  if (graph && args.flags.has('model')) throw new UsageError('bench: give either --model or --alpha / --resolution, not both');
  const t0 = performance.now();
  const model = await loadModel(graph ?? (await modelSource(args)), await loadOptions(args));
  try {
    const n = model.info.inputShape.reduce((a, b) => a * b, 1);
    const wave = (i: number) => Math.sin(i * 0.37) * 0.9;
    const input = model.info.inputType === 'uint8' ? Uint8Array.from({ length: n }, (_, i) => Math.round(127.5 + 127 * wave(i)))
      : model.info.inputType === 'int8' ? Int8Array.from({ length: n }, (_, i) => Math.round(127 * wave(i)))
      : Float32Array.from({ length: n }, (_, i) => wave(i));
    const first = await model.run(input);
    const firstMs = performance.now() - t0;
    for (let i = 0; i < warmup; i++) await model.run(input);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await model.run(input);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const r = { model: model.info.name, isa: model.info.isa, threads: model.info.threads, inputType: model.info.inputType, runs, firstMs, medianMs: percentile(times, 50), p10Ms: percentile(times, 10), p90Ms: percentile(times, 90), outputs: first.length };
    if (args.flags.has('json')) console.log(JSON.stringify(r));
    else console.log(`${r.model} (${r.isa}, ${r.threads} thread${r.threads > 1 ? 's' : ''}): first ${firstMs.toFixed(1)} ms (load + compile + first run); ${runs} runs: median ${r.medianMs.toFixed(2)} ms, p10 ${r.p10Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms`);
    if (args.flags.has('profile')) {
      // Per step: time, multiply-adds/s, and the share of the machine's register-resident SIMD peak
      // measured now, in this process (f32 steps against mul+add, int8 steps against i32x4.dot_i16x8_s).
      const { measurePeaks } = await import('../roofline/peak.js');
      const peaks = await measurePeaks();
      const peakOf = (k: string) => peaks.find((p) => p.kernel === k)?.gmacs ?? NaN;
      const f32Peak = Math.max(peakOf('f32_muladd'), model.info.isa === 'relaxed' ? peakOf('f32_relaxed_madd') : 0);
      const i8Peak = peakOf('i16_dot');
      const prof = model.profile(Math.max(5, Math.min(runs, 20)));
      const total = prof.reduce((a, p) => a + p.ms, 0);
      const rows = prof.map((p) => {
        const g = p.macs / (p.ms / 1000) / 1e9;
        const peak = p.kind.startsWith('q') ? i8Peak : f32Peak;
        return [stepLabel(p.name), p.kind, p.ms.toFixed(3), `${(100 * p.ms / total).toFixed(1)}%`, p.macs ? (p.macs / 1e6).toFixed(2) : '', p.macs ? g.toFixed(1) : '', p.macs ? `${(100 * g / peak).toFixed(0)}%` : ''];
      });
      console.log(formatTable(['step', 'kind', 'ms', 'share', 'M MACs', 'GMAC/s', '% peak'], rows));
      const macs = prof.reduce((a, p) => a + p.macs, 0);
      console.log(`\ntotal ${total.toFixed(2)} ms, ${(macs / 1e6).toFixed(1)} M MACs, ${(macs / (total / 1000) / 1e9).toFixed(1)} GMAC/s`);
      console.log(`measured peak (1 thread, register-resident): ${peaks.map((p) => `${p.kernel} ${p.gmacs.toFixed(1)} GMAC/s`).join(', ')}`);
    }
  } finally {
    model.dispose();
  }
  return 0;
}

/** `quantize`: calibrate a float model on a folder of images and write its int8 version (src/quantize/). */
async function quantize(args: Args): Promise<number> {
  const usage = 'usage: mobilenet-wasm quantize <model>|default <out.safetensors> --calibrate <folder> [--images N] [--seed S]';
  const folder = stringFlag(args, 'calibrate');
  if (args.positionals.length < 2 || !folder) throw new UsageError(`quantize: ${usage}`);
  const [model, out] = expectPositionals(args, 2, 2, usage);
  const { quantizeModelFile, progressBar, DEFAULT_CALIBRATION_IMAGES } = await import('../quantize/command.js');
  type Opts = Parameters<typeof quantizeModelFile>[0];
  await outputFile(out, 'quantize: output', 'model-int8.safetensors');
  const r = await quantizeModelFile({
    model, out, calibrate: folder,
    images: numberFlag(args, 'images', DEFAULT_CALIBRATION_IMAGES, { integer: true, min: 1 }),
    seed: numberFlag(args, 'seed', 0, { integer: true }),
    // --method, --softmax and --pool are checked by the quantizer itself (one message for CLI and API).
    method: stringFlag(args, 'method') as Opts['method'],
    percentile: args.flags.has('percentile') ? numberFlag(args, 'percentile', 99.99, { min: 0, max: 100 }) : undefined,
    softmax: stringFlag(args, 'softmax') as Opts['softmax'], pool: stringFlag(args, 'pool') as Opts['pool'],
    onProgress: (done, total) => process.stderr.write(`\r${progressBar(done, total)}${done === total ? '\n' : ''}`),
  });
  // Images that failed to decode: reported, one line each, after the progress bar.
  for (const u of r.undecodable) console.error(`mobilenet-wasm: skipped "${path.join(folder, u.file)}": ${u.error}`);
  if (args.flags.has('json')) {
    console.log(JSON.stringify(r, null, 2));
    return 0;
  }
  const used = r.images.length - r.undecodable.length;
  const failedNote = r.undecodable.length ? ` (${r.undecodable.length} could not be decoded)` : '';
  console.log(`calibrated ${r.valuesCalibrated} values on ${used} of the ${r.imagesInFolder} images in ${folder}${failedNote} (${r.method} ranges, ${(r.calibrationMs / 1000).toFixed(1)} s)`);
  if (r.notImages.length) {
    const list = r.notImages.length > 5 ? `${r.notImages.slice(0, 5).join(', ')}, …` : r.notImages.join(', ');
    console.log(`left out ${r.notImages.length} file${r.notImages.length > 1 ? 's' : ''} that ${r.notImages.length > 1 ? 'are' : 'is'} not an image: ${list}`);
  }
  console.log(`quantized ${r.layersQuantized} conv / depthwise / dense layers to int8 (per-channel weights) and ${r.valuesQuantized} values to int8 (per-tensor)`);
  console.log(`wrote ${out}: ${formatBytes(r.bytesBefore)} (float32) → ${formatBytes(r.bytesAfter)} (int8)`);
  return 0;
}

/** `train`: teach the backbone the classes of a folder's sub-folders (src/teach/command.ts). */
async function train(args: Args): Promise<number> {
  const usage = 'usage: mobilenet-wasm train <folder> --out <model.tflite|model.safetensors|state.json> [--head dense|knn] [--holdout 0.2] [--int8] [--keep-classes]';
  const [folder] = expectPositionals(args, 1, 1, usage);
  const out = stringFlag(args, 'out');
  if (!out) throw new UsageError(`train: --out is required (${usage})`);
  const head = choiceFlag(args, 'head', ['dense', 'knn'] as const, 'dense');
  const int8 = args.flags.has('int8');
  const keepClasses = args.flags.has('keep-classes');
  const json = out.toLowerCase().endsWith('.json');
  if (head === 'knn' && keepClasses) throw new UsageError('train: --keep-classes needs a dense head (its logits sit beside the backbone\'s)');
  if (keepClasses && int8) throw new UsageError('train: --keep-classes models are float32 only (--int8 cannot quantize the two logits as one)');
  if (json && head !== 'knn') throw new UsageError('train: a .json --out holds a k-NN\'s examples: add --head knn');
  if (json && int8) throw new UsageError('train: --int8 quantizes a model; a .json --out holds examples');
  if (head === 'knn' && int8) throw new UsageError('train: a k-NN model is float32 only (--int8: its inner softmax cannot be quantized)');
  if (!json && !/\.(safetensors|tflite)$/i.test(out)) throw new UsageError(`train: --out must name a .tflite or .safetensors file (or .json with --head knn), got "${out}"`);
  await outputFile(out, 'train: --out', json ? 'examples.json' : 'taught.safetensors');
  if ((await kindOf(folder)) !== 'dir') throw new InputError(`train: "${folder}" is not a folder`);
  const { trainFolder, formatConfusion } = await import('../teach/command.js');
  const { progressBar } = await import('../quantize/command.js');
  const tty = process.stderr.isTTY;
  const r = await trainFolder({
    folder, model: stringFlag(args, 'model') ?? 'default', head, int8, keepClasses,
    holdout: numberFlag(args, 'holdout', 0.2, { min: 0, max: 0.95 }),
    augment: numberFlag(args, 'augment', 4, { integer: true, min: 0, max: 64 }),
    hidden: numberFlag(args, 'hidden', 0, { integer: true, min: 0, max: 4096 }),
    epochs: numberFlag(args, 'epochs', 200, { integer: true, min: 1, max: 100000 }),
    seed: numberFlag(args, 'seed', 0, { integer: true }),
    onProgress: (what, done, total) => {
      if (!tty && done !== total) return;
      process.stderr.write(`\r${progressBar(done, total, 20, what.padEnd(11), what === 'training' ? 'epochs' : 'images')}${done === total ? '\n' : ''}`);
    },
  });
  try {
    for (const s of r.skipped) console.error(`mobilenet-wasm: skipped "${s.file}": ${s.error}`);
    if (json) await writeFile(out, JSON.stringify(r.learner.save()));
    else await writeFile(out, await writeModel(out, r.graph!, 'train'));
    if (args.flags.has('json')) {
      const { graph: _g, learner: _l, ...report } = r;
      console.log(JSON.stringify({ ...report, out }, null, 2));
      return 0;
    }
    const counts = r.labels.map((l) => `${l} ${r.photos[l].train}+${r.photos[l].holdout}`).join(', ');
    console.log(`classes (training + held-out photos): ${counts}`);
    if (r.notImages.length) console.log(`left out ${r.notImages.length} file${r.notImages.length > 1 ? 's' : ''} that ${r.notImages.length > 1 ? 'are' : 'is'} not an image: ${r.notImages.slice(0, 5).join(', ')}${r.notImages.length > 5 ? ', …' : ''}`);
    if (r.epochs) console.log(`dense head: ${r.epochs.run} epochs, kept epoch ${r.epochs.best}`);
    if (r.holdoutAccuracy === null) console.log('held-out accuracy: none held out (--holdout 0)');
    else {
      const n = r.confusion.flat().reduce((a, b) => a + b, 0);
      console.log(`held-out accuracy: ${(100 * r.holdoutAccuracy).toFixed(1)} % (${Math.round(r.holdoutAccuracy * n)} of ${n} photos)\n`);
      console.log(formatConfusion(r.labels, r.confusion));
    }
    console.log(`\nwrote ${out}${int8 ? ' (int8)' : ''}`);
    return r.skipped.length ? 1 : 0;
  } finally {
    r.learner.dispose();
  }
}

// ---- entry --------------------------------------------------------------------------------------------------

/** Runs the CLI on `argv` (the words after the executable); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const cut = argv.indexOf('--');
  const beforeCut = cut < 0 ? argv : argv.slice(0, cut);
  const debug = beforeCut.includes('--debug') || process.env.MOBILENET_WASM_DEBUG === '1';
  try {
    // Options before the command: --help, --version, --debug.
    let i = 0;
    for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '--'; i++) {
      const a = argv[i];
      if (a === '--help' || a === '-h') {
        console.log(USAGE);
        return 0;
      }
      if (a === '--version' || a === '-v') {
        console.log(version());
        return 0;
      }
      if (a !== '--debug') throw new UsageError(`unknown option ${a} before the command (mobilenet-wasm --help lists the commands)`);
    }
    const [cmd, ...rest] = argv.slice(argv[i] === '--' ? i + 1 : i);
    if (cmd === undefined) {
      console.log(USAGE);
      return 1;
    }
    if (cmd === 'help') {
      const about = rest[0];
      if (about === undefined) console.log(USAGE);
      else if (Object.hasOwn(COMMANDS, about)) console.log(COMMANDS[about].usage);
      else throw new UsageError(`help: unknown command "${about}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, cmd)) throw new UsageError(`unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')}; mobilenet-wasm --help)`);
    const command = COMMANDS[cmd];
    if (wantsHelp(rest)) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(parseArgs(cmd, rest, command.options));
  } catch (e) {
    printError(e, debug);
    return e instanceof UsageError ? 2 : 1;
  }
}

/** A step's or layer's name for a table: TFLite names join every fused tensor with ';', so the first one, shortened (--json keeps the whole name). */
function stepLabel(name: string): string {
  const first = name.split(';')[0];
  return first.length > 60 ? `${first.slice(0, 29)}…${first.slice(-30)}` : first;
}
