// mobilenet-wasm command line: classify, segment, info, convert, bench.
import { writeFile } from 'node:fs/promises';
import { loadModel } from '../api.js';
import type { Model, LoadOptions } from '../model.js';
import { buildMobileNetV2 } from '../models/mobilenet-v2.js';
import { summarize, slimCounts } from '../graph/summary.js';
import type { Graph } from '../graph/ir.js';
import { activationBytes } from '../plan/compile.js';
import { importModelBytes } from '../formats/load-bytes.js';
import { writeNative } from '../formats/native/write.js';
import { readFileBytes, readUrlBytes } from '../io.js';
import { builtinModelFile, builtinModelUrl, isBuiltinModel } from '../assets.js';
import { EngineError, InputError } from '../errors.js';
import { parseArgs, numberFlag, stringFlag, type Args } from './args.js';
import { decodeImageFile, writeSegmentationPng } from './decode.js';
import { formatTable, formatBytes, percentile } from './format.js';

const USAGE = `mobilenet-wasm: MobileNetV2 inference in WebAssembly SIMD

  mobilenet-wasm classify <image...> [--model <file>|default] [--top 5] [--json]
  mobilenet-wasm segment <image> --model <segmentation.tflite> --out <mask.png> [--alpha 0.5] [--json]
      (--alpha: the overlay's opacity; the class map is drawn in the PASCAL VOC colours over the image)
  mobilenet-wasm info [--model <file> | --alpha A --resolution R --classes K] [--json]
  mobilenet-wasm convert <input> <output>
  mobilenet-wasm bench [--model <file>|default | --alpha A --resolution R] [--runs 50] [--warmup 5] [--profile] [--json]
  mobilenet-wasm quantize <model>|default <out.safetensors> --calibrate <folder> [--images 100] [--seed 0]
      [--method minmax|average|percentile] [--softmax float|int8] [--pool avgpool|mean] [--json]
      (int8 post-training quantization: per-channel weights, per-tensor activations calibrated on the folder's images)

Common options: --isa auto|relaxed|simd|scalar   --threads N|auto   --no-fuse (materialize every expanded tensor)
                --requant fp32|gemmlowp (quantized models: XNNPACK's arithmetic, TFLite's default; or TFLite's builtin)
                --labels <file> (class names, one per line, instead of the model's own)`;

const BOOLEANS = ['json', 'profile', 'no-fuse', 'help'];

async function loadOptions(args: Args): Promise<LoadOptions> {
  const isa = stringFlag(args, 'isa') ?? 'auto';
  if (!['auto', 'relaxed', 'simd', 'scalar'].includes(isa)) throw new InputError(`--isa must be auto, relaxed, simd or scalar, got "${isa}"`);
  const t = stringFlag(args, 'threads') ?? '1';
  const threads = t === 'auto' ? 'auto' : Number(t);
  const requant = stringFlag(args, 'requant') ?? 'fp32';
  if (requant !== 'fp32' && requant !== 'gemmlowp') throw new InputError(`--requant must be fp32 or gemmlowp, got "${requant}"`);
  const opts: LoadOptions = { isa: isa as LoadOptions['isa'], fuse: !args.flags.has('no-fuse'), threads, requant };
  const labelsFile = stringFlag(args, 'labels');
  if (labelsFile !== undefined) {
    let text: string;
    try {
      text = new TextDecoder().decode(await readFileBytes(labelsFile));
    } catch (e) {
      throw new InputError(`cannot read labels file "${labelsFile}": ${(e as Error).message}`);
    }
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    opts.labels = lines;
  }
  return opts;
}

/** The --model file (or the default), or a MobileNetV2 built from --alpha / --resolution (`build`: not for segment, whose --alpha is the overlay's). */
async function openModel(args: Args, build = true): Promise<Model> {
  const opts = await loadOptions(args);
  if (build && (args.flags.has('alpha') || args.flags.has('resolution'))) {
    return loadModel(buildMobileNetV2({
      alpha: numberFlag(args, 'alpha', 1), resolution: numberFlag(args, 'resolution', 224), classes: numberFlag(args, 'classes', 1001),
    }), opts);
  }
  return loadModel(stringFlag(args, 'model') ?? 'default', opts);
}

async function classify(args: Args): Promise<void> {
  if (args.positionals.length === 0) throw new InputError('classify: give at least one image file');
  const topK = numberFlag(args, 'top', 5);
  const model = await openModel(args);
  const out: { file: string; results: { index: number; label: string; score: number }[]; ms: number }[] = [];
  for (const file of args.positionals) {
    const image = await decodeImageFile(file);
    const t0 = performance.now();
    const results = await model.classify(image, { topK });
    out.push({ file, results, ms: +(performance.now() - t0).toFixed(2) });
  }
  if (args.flags.has('json')) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  for (const r of out) {
    console.log(`${r.file}  (${model.info.name}, ${r.ms.toFixed(1)} ms)`);
    console.log(formatTable(['#', 'index', 'label', 'score'], r.results.map((c, i) => [String(i + 1), String(c.index), c.label, c.score.toFixed(4)])));
  }
}

async function segment(args: Args): Promise<void> {
  const [file] = args.positionals;
  if (!file || args.positionals.length !== 1) throw new InputError('segment: usage: mobilenet-wasm segment <image> --model <segmentation.tflite> --out <mask.png>');
  if (!args.flags.has('model')) throw new InputError('segment: give the segmentation model with --model <file> (the default model classifies)');
  const outFile = stringFlag(args, 'out');
  if (!outFile) throw new InputError('segment: give the output PNG with --out <mask.png>');
  const alpha = numberFlag(args, 'alpha', 0.5);
  if (!(alpha >= 0 && alpha <= 1)) throw new InputError(`--alpha must be in [0, 1], got ${alpha}`);
  const model = await openModel(args, false);
  const image = await decodeImageFile(file);
  const t0 = performance.now();
  // The class map at the model's output resolution, resampled to the image (nearest neighbour).
  const seg = await model.segment(image, { size: { width: image.width, height: image.height } });
  const ms = performance.now() - t0;
  await writeSegmentationPng(outFile, image, seg, alpha);
  const counts = new Map<number, number>();
  for (const c of seg.classes) counts.set(c, (counts.get(c) ?? 0) + 1);
  const classes = [...counts].sort((a, b) => b[1] - a[1]).map(([index, pixels]) => ({
    index, label: seg.labels[index] ?? String(index), pixels, share: pixels / seg.classes.length,
  }));
  if (args.flags.has('json')) {
    console.log(JSON.stringify({ file, out: outFile, width: seg.width, height: seg.height, modelOutput: model.info.outputShape, ms: +ms.toFixed(2), classes }, null, 2));
    return;
  }
  const [, h, w] = model.info.outputShape;
  console.log(`${file}  (${model.info.name}, ${ms.toFixed(1)} ms): class map ${w}×${h} → ${outFile} (${seg.width}×${seg.height})`);
  console.log(formatTable(['index', 'label', 'pixels', 'share'], classes.map((c) => [String(c.index), c.label, String(c.pixels), `${(100 * c.share).toFixed(1)}%`])));
}

async function info(args: Args): Promise<void> {
  let graph: Graph;
  if (args.flags.has('alpha') || args.flags.has('resolution') || args.flags.has('classes')) {
    graph = buildMobileNetV2({ alpha: numberFlag(args, 'alpha', 1), resolution: numberFlag(args, 'resolution', 224), classes: numberFlag(args, 'classes', 1001) });
  } else {
    const m = stringFlag(args, 'model') ?? 'default';
    const path = await import('node:path');
    graph = isBuiltinModel(m)
      ? await importModelBytes(await readUrlBytes(builtinModelUrl(m)), { fileName: builtinModelFile(m) })
      : await importModelBytes(await readFileBytes(m), { fileName: m, readShard: (p) => readFileBytes(path.resolve(path.dirname(m), p)) });
  }
  const s = summarize(graph);
  const slim = slimCounts(graph);
  const peak = activationBytes(graph, true);
  const peakUnfused = activationBytes(graph, false);
  if (args.flags.has('json')) {
    console.log(JSON.stringify({
      name: graph.name, macs: s.macs, params: s.params, peakActivationBytes: peak, peakActivationBytesUnfused: peakUnfused,
      slim: { macsM: slim.macsM, paramsM: slim.paramsM, params: slim.params }, layers: s.layers,
    }, null, 2));
    return;
  }
  const shape = (v: number[]) => v.slice(1).join('×');
  console.log(formatTable(['layer', 'op', 'input', 'output', 'MACs', 'params'],
    s.layers.map((l) => [l.name, l.op, shape(l.inputShape), shape(l.outputShape), l.macs.toLocaleString('en-US'), l.params.toLocaleString('en-US')])));
  console.log(`\n${graph.name}: ${s.macs.toLocaleString('en-US')} multiply-adds, ${s.params.toLocaleString('en-US')} parameters (batch norm folded)`);
  console.log(`TF-Slim table convention: ${slim.macsM} M MACs, ${slim.paramsM.toFixed(2)} M parameters`);
  console.log(`peak activation memory: ${formatBytes(peak)} with fused inverted-residual blocks, ${formatBytes(peakUnfused)} unfused`);
}

async function convert(args: Args): Promise<void> {
  const [input, output] = args.positionals;
  if (!input || !output) throw new InputError('convert: usage: mobilenet-wasm convert <input> <output>');
  const path = await import('node:path');
  const graph = await importModelBytes(await readFileBytes(input), {
    fileName: input, readShard: (p) => readFileBytes(path.resolve(path.dirname(input), p)),
  });
  const bytes = writeNative(graph);
  await writeFile(output, bytes);
  console.log(`wrote ${output}: ${formatBytes(bytes.byteLength)}, ${graph.nodes.length} nodes, ${graph.meta.labels.length} labels`);
}

async function bench(args: Args): Promise<void> {
  const runs = numberFlag(args, 'runs', 50);
  const warmup = numberFlag(args, 'warmup', 5);
  const t0 = performance.now();
  const model = await openModel(args);
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

}

/** `quantize`: calibrate a float model on a folder of images and write its int8 version (src/quantize/). */
async function quantize(args: Args): Promise<void> {
  const [model, out] = args.positionals;
  const folder = stringFlag(args, 'calibrate');
  if (!model || !out || args.positionals.length !== 2 || !folder) {
    throw new InputError('quantize: usage: mobilenet-wasm quantize <model>|default <out.safetensors> --calibrate <folder> [--images N] [--seed S]');
  }
  const { quantizeModelFile, progressBar, DEFAULT_CALIBRATION_IMAGES } = await import('../quantize/command.js');
  type Opts = Parameters<typeof quantizeModelFile>[0];
  const r = await quantizeModelFile({
    model, out, calibrate: folder, images: numberFlag(args, 'images', DEFAULT_CALIBRATION_IMAGES), seed: numberFlag(args, 'seed', 0),
    method: stringFlag(args, 'method') as Opts['method'], percentile: args.flags.has('percentile') ? numberFlag(args, 'percentile', 99.99) : undefined,
    softmax: stringFlag(args, 'softmax') as Opts['softmax'], pool: stringFlag(args, 'pool') as Opts['pool'],
    onProgress: (done, total) => process.stderr.write(`\r${progressBar(done, total)}${done === total ? '\n' : ''}`),
  });
  if (args.flags.has('json')) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  console.log(`calibrated ${r.valuesCalibrated} values on ${r.images.length} of the ${r.imagesInFolder} images in ${folder} (${r.method} ranges, ${(r.calibrationMs / 1000).toFixed(1)} s)`);
  console.log(`quantized ${r.layersQuantized} conv / depthwise / dense layers to int8 (per-channel weights) and ${r.valuesQuantized} values to int8 (per-tensor)`);
  console.log(`wrote ${out}: ${formatBytes(r.bytesBefore)} (float32) → ${formatBytes(r.bytesAfter)} (int8)`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    const args = parseArgs(rest, BOOLEANS);
    switch (cmd) {
      case 'classify': await classify(args); return 0;
      case 'segment': await segment(args); return 0;
      case 'info': await info(args); return 0;
      case 'convert': await convert(args); return 0;
      case 'bench': await bench(args); return 0;
      case 'quantize': await quantize(args); return 0;
      case undefined: case 'help': case '--help': case '-h': console.log(USAGE); return cmd ? 0 : 1;
      default: console.error(`unknown command "${cmd}"\n\n${USAGE}`); return 2;
    }
  } catch (e) {
    if (e instanceof EngineError) {
      console.error(`mobilenet-wasm: ${e.name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** A step's name for the profile table: TFLite names join every fused tensor with ';', so the first one, shortened. */
function stepLabel(name: string): string {
  const first = name.split(';')[0];
  return first.length > 60 ? `${first.slice(0, 29)}…${first.slice(-30)}` : first;
}
