// Post-training quantization of the default model, evaluated on a held-out set: prints int8 vs float32
// top-1 agreement, mean |Δp| and the latency of both.
//
//   npx esbuild scripts/ptq-eval.ts --bundle --platform=node --format=esm \
//     --outfile=build/ptq-eval.mjs --packages=external && node build/ptq-eval.mjs [options]
//
// Options: --model <file> (default models/nsfw.safetensors, the built-in 'nsfw' model)  --calibration N (48)  --eval N (396)
//          --method minmax|average|percentile  --percentile P  --softmax float|int8  --pool avgpool|mean
//          --relu6 calibrated|fixed  --no-bias-correction  --runs N (latency runs, 30)  --out <file> (write the
//          int8 model)  --json  --ablation (also print the figures of the alternative choices)
//
// Held-out set (test/helpers/ptq-data.ts): the photos of ../shared/data/images (its segmentation mask left
// out) unmodified, plus seeded augmentations of them (rotation, crop, flips, brightness / saturation / hue,
// contrast, grayscale or blur, resize) and seeded synthetic drawings (random SVG scenes), seeds
// EVAL_SEED_BASE…; calibration uses seeds CALIBRATION_SEED_BASE…, so no calibration image is an evaluation
// image. Both sets derive from the same few photos, though: "held out" means unseen pixels, not unseen scenes.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../src/graph/ir.js';
import { readNative } from '../src/formats/native/read.js';
import { writeNative } from '../src/formats/native/write.js';
import { loadModel } from '../src/api.js';
import { Calibrator, type RangeMethod, type Ranges } from '../src/quantize/calibrate.js';
import { quantizeGraph, type QuantizeOptions } from '../src/quantize/quantize.js';
import { CALIBRATION_SEED_BASE, EVAL_SEED_BASE, imageSet, loadPhotos, type RawImage } from '../test/helpers/ptq-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string) => process.argv.includes(`--${name}`);

const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
  return b;
};

interface Figures { agree: number; n: number; meanAbsDiff: number; maxAbsDiff: number; disagreements: string[]; bytes: number }

/** Quantizes with `opts` and compares the int8 model's outputs with the float ones on every input. */
async function evaluate(graph: Graph, ranges: Ranges, opts: QuantizeOptions, xs: Float32Array[], ref: Float32Array[], labels: string[]): Promise<Figures> {
  const bytes = writeNative(quantizeGraph(graph, ranges, opts));
  const int8 = await loadModel(readNative(bytes, 'int8'));
  let agree = 0, sum = 0, max = 0;
  const disagreements: string[] = [];
  for (let k = 0; k < xs.length; k++) {
    const p = ref[k];
    const q = await int8.run(xs[k]);
    const a = argmax(p), b = argmax(q);
    if (a === b) agree++;
    else disagreements.push(`${labels[k]}: float32 ${graph.meta.labels[a]} ${p[a].toFixed(3)} / int8 ${graph.meta.labels[b]} ${q[b].toFixed(3)} (float32 gives it ${p[b].toFixed(3)})`);
    for (let i = 0; i < p.length; i++) {
      const d = Math.abs(p[i] - q[i]);
      sum += d;
      max = Math.max(max, d);
    }
  }
  int8.dispose();
  return { agree, n: xs.length, meanAbsDiff: sum / (xs.length * ref[0].length), maxAbsDiff: max, disagreements, bytes: bytes.length };
}

async function medianMs(model: { run(x: Float32Array): Promise<Float32Array> }, x: Float32Array, runs: number): Promise<number> {
  for (let i = 0; i < 5; i++) await model.run(x);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await model.run(x);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

async function main(): Promise<void> {
  const modelPath = flag('model') ?? path.join(ROOT, 'models/nsfw.safetensors');
  const nCal = Number(flag('calibration') ?? 48);
  const nEval = Number(flag('eval') ?? 396);
  const method = (flag('method') ?? 'minmax') as RangeMethod;
  const qopts: QuantizeOptions = {
    softmax: (flag('softmax') ?? 'float') as QuantizeOptions['softmax'],
    pool: (flag('pool') ?? 'avgpool') as QuantizeOptions['pool'],
    relu6: (flag('relu6') ?? 'calibrated') as QuantizeOptions['relu6'],
    biasCorrection: !has('no-bias-correction'),
    note: `calibrated on ${nCal} images, ${method}`,
  };
  const graph = readNative(readFileSync(modelPath), modelPath);
  const photos = await loadPhotos(path.resolve(ROOT, '../shared/data/images'));
  const calSet = await imageSet(photos, CALIBRATION_SEED_BASE, nCal);
  const evalSet: RawImage[] = [...photos, ...(await imageSet(photos, EVAL_SEED_BASE, nEval))];

  const t0 = performance.now();
  const cal = await Calibrator.create(graph, { method, percentile: flag('percentile') ? Number(flag('percentile')) : undefined });
  for (const img of calSet) cal.observeImage(img);
  const ranges = cal.ranges();
  const calMs = performance.now() - t0;
  if (flag('out')) writeFileSync(flag('out')!, writeNative(quantizeGraph(graph, ranges, qopts)));

  // Inputs exactly as classify() makes them, and the float32 outputs.
  const f32 = await loadModel(graph);
  const xs = evalSet.map((img) => cal.inputTensor(img));
  const ref: Float32Array[] = [];
  for (const x of xs) ref.push(await f32.run(x));
  const classes = new Map<string, number>();
  for (const p of ref) classes.set(graph.meta.labels[argmax(p)], (classes.get(graph.meta.labels[argmax(p)]) ?? 0) + 1);
  const labels = evalSet.map((i) => i.label);
  const main = await evaluate(graph, ranges, qopts, xs, ref, labels);

  const runs = Number(flag('runs') ?? 30);
  const int8 = await loadModel(writeNative(quantizeGraph(graph, ranges, qopts)));
  const latency = { f32Ms: 0, int8Ms: 0 };
  // Alternate the two models so that machine noise hits both alike.
  for (let round = 0; round < 3; round++) {
    latency.f32Ms += (await medianMs(f32, xs[0], runs)) / 3;
    latency.int8Ms += (await medianMs(int8, xs[0], runs)) / 3;
  }
  int8.dispose();

  const ablation: Record<string, Omit<Figures, 'disagreements'>> = {};
  if (has('ablation')) {
    const variants: [string, Ranges, QuantizeOptions][] = [
      ['no bias correction', ranges, { ...qopts, biasCorrection: false }],
      ['softmax int8', ranges, { ...qopts, softmax: 'int8' }],
      ['pool mean (own range)', ranges, { ...qopts, pool: 'mean' }],
    ];
    for (const m of ['average', 'percentile'] as const) {
      const c = await Calibrator.create(graph, { method: m });
      for (const img of calSet) c.observeImage(img);
      variants.push([`${m} ranges`, c.ranges(), qopts]);
      c.dispose();
    }
    for (const [name, r, o] of variants) {
      const { disagreements: _, ...fig } = await evaluate(graph, r, o, xs, ref, labels);
      ablation[name] = fig;
    }
  }

  const result = {
    model: graph.name, calibrationImages: nCal, evalImages: main.n, photos: photos.length, method, ...qopts,
    top1Agreement: main.agree / main.n, meanAbsDiff: main.meanAbsDiff, maxAbsDiff: main.maxAbsDiff,
    float32Top1: Object.fromEntries(classes), calibrationMs: Math.round(calMs), bytesF32: readFileSync(modelPath).length,
    bytesInt8: main.bytes, ...latency, disagreements: main.disagreements, ablation,
  };
  if (has('json')) console.log(JSON.stringify(result, null, 2));
  else {
    const pct = (f: { agree: number; n: number }) => `${(100 * f.agree / f.n).toFixed(1)} % (${f.agree}/${f.n})`;
    console.log(`${graph.name}: int8 vs float32 on ${main.n} held-out images (${photos.length} photos + ${nEval} augmented / synthetic)`);
    console.log(`calibration: ${nCal} images (seeds ${CALIBRATION_SEED_BASE}…), ${method}, ${(calMs / 1000).toFixed(1)} s; softmax ${qopts.softmax}, pool ${qopts.pool}, bias correction ${qopts.biasCorrection ? 'on' : 'off'}`);
    console.log(`top-1 agreement ${pct(main)}; mean |Δp| ${main.meanAbsDiff.toFixed(4)}, max |Δp| ${main.maxAbsDiff.toFixed(4)}`);
    console.log(`float32 top-1 classes: ${[...classes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`size: ${result.bytesF32} → ${result.bytesInt8} bytes; latency (median of ${runs}, one thread, ${f32.info.isa}): float32 ${latency.f32Ms.toFixed(2)} ms, int8 ${latency.int8Ms.toFixed(2)} ms`);
    for (const d of main.disagreements) console.log(`  disagree: ${d}`);
    for (const [name, f] of Object.entries(ablation)) console.log(`  ${name.padEnd(24)} agreement ${pct(f)}, mean |Δp| ${f.meanAbsDiff.toFixed(4)}, max |Δp| ${f.maxAbsDiff.toFixed(4)}`);
  }
  f32.dispose();
  cal.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
