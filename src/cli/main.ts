// mobilenet-wasm command line: classify, info, convert, bench.
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
import { defaultModelUrl } from '../assets.js';
import { EngineError, InputError } from '../errors.js';
import { parseArgs, numberFlag, stringFlag, type Args } from './args.js';
import { decodeImageFile } from './decode.js';
import { formatTable, formatBytes, percentile } from './format.js';

const USAGE = `mobilenet-wasm: MobileNetV2 inference in WebAssembly SIMD

  mobilenet-wasm classify <image...> [--model <file>|default] [--top 5] [--json]
  mobilenet-wasm info [--model <file> | --alpha A --resolution R --classes K] [--json]
  mobilenet-wasm convert <input> <output>
  mobilenet-wasm bench [--model <file>|default | --alpha A --resolution R] [--runs 50] [--warmup 5] [--profile] [--json]

Common options: --isa auto|relaxed|simd|scalar   --threads N|auto   --no-fuse (materialize every expanded tensor)`;

const BOOLEANS = ['json', 'profile', 'no-fuse', 'help'];

function loadOptions(args: Args): LoadOptions {
  const isa = stringFlag(args, 'isa') ?? 'auto';
  if (!['auto', 'relaxed', 'simd', 'scalar'].includes(isa)) throw new InputError(`--isa must be auto, relaxed, simd or scalar, got "${isa}"`);
  const t = stringFlag(args, 'threads') ?? '1';
  const threads = t === 'auto' ? 'auto' : Number(t);
  return { isa: isa as LoadOptions['isa'], fuse: !args.flags.has('no-fuse'), threads };
}

async function openModel(args: Args): Promise<Model> {
  const opts = loadOptions(args);
  if (args.flags.has('alpha') || args.flags.has('resolution')) {
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

async function info(args: Args): Promise<void> {
  let graph: Graph;
  if (args.flags.has('alpha') || args.flags.has('resolution') || args.flags.has('classes')) {
    graph = buildMobileNetV2({ alpha: numberFlag(args, 'alpha', 1), resolution: numberFlag(args, 'resolution', 224), classes: numberFlag(args, 'classes', 1001) });
  } else {
    const m = stringFlag(args, 'model') ?? 'default';
    const path = await import('node:path');
    graph = m === 'default'
      ? await importModelBytes(await readUrlBytes(defaultModelUrl()), { fileName: 'default' })
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
  const input = new Float32Array(model.info.inputShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 0.37) * 0.9;
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
  const r = { model: model.info.name, isa: model.info.isa, threads: model.info.threads, runs, firstMs, medianMs: percentile(times, 50), p10Ms: percentile(times, 10), p90Ms: percentile(times, 90), outputs: first.length };
  if (args.flags.has('json')) console.log(JSON.stringify(r));
  else console.log(`${r.model} (${r.isa}, ${r.threads} thread${r.threads > 1 ? 's' : ''}): first ${firstMs.toFixed(1)} ms (load + compile + first run); ${runs} runs: median ${r.medianMs.toFixed(2)} ms, p10 ${r.p10Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms`);
  if (args.flags.has('profile')) {
    const prof = model.profile(Math.max(5, Math.min(runs, 20)));
    console.log(formatTable(['step', 'kind', 'ms', 'share'], prof.map((p) => [p.name, p.kind, p.ms.toFixed(3), `${(100 * p.ms / prof.reduce((a, b) => a + b.ms, 0)).toFixed(1)}%`])));
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    const args = parseArgs(rest, BOOLEANS);
    switch (cmd) {
      case 'classify': await classify(args); return 0;
      case 'info': await info(args); return 0;
      case 'convert': await convert(args); return 0;
      case 'bench': await bench(args); return 0;
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
