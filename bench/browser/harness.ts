// The browser benchmark's Node side: builds the page, the worker and one adapter module per engine (esbuild),
// exports the float models for TF.js and ONNX Runtime Web from our Graph (bench/peers/tfjs-graph.ts,
// onnx-graph.ts), serves everything from a small node:http server with COOP/COEP (crossOriginIsolated: threads),
// drives Debian's Chromium headless through playwright-core (test/browser/chromium.ts: same binary, same flags)
// and turns the workers' raw latencies into medians, p10/p90, ratios and the issue's targets.
//
// Sections (one page and fresh workers each; every engine of a section in the same dedicated worker, timed
// alternating run by run):
//   .tflite models (uint8 TF1, int8 per-channel TF2 PTQ): ours vs LiteRT.js (CPU accelerator; relaxed SIMD
//     build on 1 thread, threaded build on 2); output bytes compared.
//   float models (the built-in 'nsfw' network, the default model's float32 twin): ours vs TF.js wasm vs ONNX
//     Runtime Web; max |Δ| of the outputs.
//   2 threads: also ours on 1 thread and, after every round, two 1-thread inferences at once (this worker + a
//     probe worker): the team's speedup against the host's pair throughput, as bench/pair-probe.ts does in Node.
//   first inference: ours vs LiteRT.js on each .tflite file, each sample in a new browser with a new profile
//     (nothing cached, no compiled code), alternating engines.
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, type Browser } from '../../test/browser/chromium.js';
import { importModelBytes } from '../../src/formats/load-bytes.js';
import { dequantizeGraph } from '../../src/graph/dequantize.js';
import type { Graph } from '../../src/graph/ir.js';
import { percentile } from '../../src/cli/format.js';
import { toTfjsGraph } from '../peers/tfjs-graph.js';
import { toOnnxModel } from '../peers/onnx-graph.js';
import type { EngineName, EngineResult, EngineSpec, FirstResult, InputSpec, SectionConfig, SectionResult, StepTime, Urls } from './protocol.js';

/** The project root: the nearest folder above this file with our package.json (this file may run bundled from build/). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mobilenet-wasm') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench:browser: cannot find the mobilenet-wasm package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
export const ROOT = findRoot();
export const SHARED_DATA = path.resolve(ROOT, '../shared/data');
/** Each run builds into its own folder (removed at the end), so a test and a bench running at once do not collide. */
const OUT = path.join(ROOT, 'build/bench-browser', `run-${process.pid}`);

export type ModelId = 'uint8' | 'int8' | 'nsfw' | 'default-f32';
interface ModelDef { kind: 'tflite' | 'f32'; title: string; file?: string; builtin?: 'nsfw' | 'default'; precision?: 'float32'; oracle?: string }
export const MODELS: Record<ModelId, ModelDef> = {
  uint8: { kind: 'tflite', title: 'uint8 TF1 mobilenet_v2_1.0_224_quant.tflite', file: 'mobilenet_v2_1.0_224_quant.tflite', oracle: 'mobilenet_v2_1.0_224_quant.cat.out.uint8.bin' },
  int8: { kind: 'tflite', title: 'int8 per-channel TF2 tf2_mobilenet_v2_1.0_224_ptq.tflite', file: 'tf2_mobilenet_v2_1.0_224_ptq.tflite' },
  nsfw: { kind: 'f32', title: "f32 built-in 'nsfw' (nsfwjs MobileNetV2 1.0/224)", builtin: 'nsfw' },
  'default-f32': { kind: 'f32', title: "f32 default model's float32 twin (dequantized mobilenet_v2_1.0_224_quant)", builtin: 'default', precision: 'float32' },
};
export const MODEL_IDS = Object.keys(MODELS) as ModelId[];
const INPUT_FILE = 'cat.224x224.rgb.u8.bin';

export interface BenchOptions {
  runs: number;
  warmup: number;
  models: ModelId[];
  threads: number[];
  /** Samples per engine and .tflite model of the first-inference measurement (0: skip it). */
  firstRuns: number;
  /** Pair probe beside the 2-thread sections. */
  pair: boolean;
  /** Run the peers beside ours (false: ours alone, to see our threads without another engine's between runs). */
  peers?: boolean;
  /** Per-step profile of ours after each section, averaged over this many inferences (0: none). */
  profile?: number;
  log?: (s: string) => void;
}

export interface Stats { median: number; p10: number; p90: number; n: number }
const stats = (t: number[]): Stats => {
  const s = [...t].sort((a, b) => a - b);
  return { median: percentile(s, 50), p10: percentile(s, 10), p90: percentile(s, 90), n: s.length };
};

export interface EngineSummary extends Omit<EngineResult, 'times' | 'output'> { stats: Stats; times: number[] }
export interface Comparison { peer: string; ratio: number; maxAbsDiff: number; differing: number; identical: boolean }
export interface SectionSummary {
  id: string; model: ModelId; title: string; threads: number; crossOriginIsolated: boolean;
  engines: EngineSummary[];
  /** ours (engines[0]) against every other engine: median ratio and output difference. */
  comparisons: Comparison[];
  /** uint8 model: ours vs the TFLite oracle's bytes for the same input. */
  oracle?: { maxAbsDiff: number; differing: number };
  pair?: { teamSpeedup: number; pairThroughput: number; teamOverPair: number; pairStats: Stats };
}
export interface FirstSummary {
  model: ModelId; title: string;
  ours: FirstResult[]; litert: FirstResult[];
  oursStats: Stats; litertStats: Stats; ratio: number;
  /** Output bytes of every first run identical between the engines. */
  identical: boolean;
}
export interface BenchResult {
  date: string; chromium: string; userAgent: string; hardwareConcurrency: number;
  /** The host's 1-minute load average when the run started and when it ended (os.loadavg; a shared machine). */
  loadAverage: { start: number; end: number };
  options: Omit<BenchOptions, 'log'>;
  sections: SectionSummary[];
  first: FirstSummary[];
  versions: Record<string, string>;
}
export type BenchOutcome = { skipped: string } | ({ skipped?: undefined } & BenchResult);

/** Why the bench cannot run here, or null. */
export function missing(models: ModelId[]): string | null {
  if (!hasChromium) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(path.join(ROOT, 'dist/index.js'))) return 'dist/ is not built (npm run build)';
  if (!existsSync(path.join(SHARED_DATA, 'oracle/inputs', INPUT_FILE))) return `../shared/data is absent (${SHARED_DATA}): no input image bytes`;
  for (const id of models) {
    const f = MODELS[id].file;
    if (f && !existsSync(path.join(SHARED_DATA, 'models', f))) return `../shared/data/models/${f} is absent`;
  }
  return null;
}

const pkgVersion = (name: string) => (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Bundles the page, the worker and the engine adapters into build/bench-browser/run-<pid>/. */
export async function buildAssets(): Promise<void> {
  const esbuild = await import('esbuild');
  mkdirSync(path.join(OUT, 'engines'), { recursive: true });
  const here = path.join(ROOT, 'bench/browser');
  const common = { bundle: true, target: 'es2022', platform: 'browser' as const, logLevel: 'warning' as const, sourcemap: true, legalComments: 'none' as const };
  await esbuild.build({
    ...common, format: 'esm', outdir: path.join(OUT, 'engines'),
    entryPoints: ['ours', 'litert', 'tfjs', 'ort'].map((e) => path.join(here, 'engines', `${e}.ts`)),
    // ort.wasm.min.mjs imports ort-wasm-simd-threaded.mjs from env.wasm.wasmPaths at run time (the "bundle"
    // variant would inline it and start its pthreads from this adapter's URL instead).
    conditions: ['onnxruntime-web-use-extern-wasm'],
    define: { LITERT_VERSION: JSON.stringify(pkgVersion('@litertjs/core')) },
  });
  await esbuild.build({ ...common, format: 'esm', entryPoints: [path.join(here, 'page.ts')], outfile: path.join(OUT, 'page.js') });
  await esbuild.build({ ...common, format: 'iife', entryPoints: [path.join(here, 'worker.ts')], outfile: path.join(OUT, 'worker.js') });
  copyFileSync(path.join(here, 'page.html'), path.join(OUT, 'page.html'));
}

/** The Graph of a float model as our loadModel() builds it in the page (built-in file, twin dequantized). */
async function floatGraph(id: ModelId): Promise<Graph> {
  const def = MODELS[id];
  const file = def.builtin === 'nsfw' ? 'models/nsfw.safetensors' : 'models/mobilenet_v2_1.0_224_quant.tflite';
  const g = await importModelBytes(new Uint8Array(readFileSync(path.join(ROOT, file))), { fileName: path.basename(file) });
  return def.precision === 'float32' ? dequantizeGraph(g) : g;
}

/** Writes build/bench-browser/run-<pid>/models/<id>/{model.json, weights.bin, model.onnx}; returns the model's preprocessing. */
async function writeFloatModel(id: ModelId): Promise<{ scale: number[]; offset: number[] }> {
  const g = await floatGraph(id);
  const dir = path.join(OUT, 'models', id);
  mkdirSync(dir, { recursive: true });
  const t = toTfjsGraph(g);
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(t.weightData));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    format: 'graph-model', generatedBy: 'mobilenet-wasm bench/peers/tfjs-graph.ts', convertedBy: null,
    modelTopology: t.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: t.weightSpecs }],
  }));
  writeFileSync(path.join(dir, 'model.onnx'), toOnnxModel(g).bytes);
  return { scale: [...g.meta.preprocess.scale], offset: [...g.meta.preprocess.offset] };
}

// ---- the server: /<mount>/<file>, every response crossOriginIsolated-compatible ----
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.wasm': 'application/wasm',
};
interface BenchServer { origin: string; notFound: string[]; close(): Promise<void> }

async function startServer(): Promise<BenchServer> {
  const mounts: Record<string, string> = {
    bench: OUT,
    dist: path.join(ROOT, 'dist'),
    models: path.join(ROOT, 'models'), // dist/index.js finds its built-in models in ../models/
    tflite: path.join(SHARED_DATA, 'models'),
    inputs: path.join(SHARED_DATA, 'oracle/inputs'),
    litert: path.join(ROOT, 'node_modules/@litertjs/core/wasm'),
    tfjs: path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
    ort: path.join(ROOT, 'node_modules/onnxruntime-web/dist'),
  };
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') { res.writeHead(204).end(); return; }
    const [mount, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const base = mount !== undefined && Object.hasOwn(mounts, mount) ? mounts[mount] : null;
    const file = base ? path.resolve(base, ...rest) : null;
    if (!base || !file || !file.startsWith(base + path.sep) || !existsSync(file) || !statSync(file).isFile() || req.method !== 'GET') {
      notFound.push(url.pathname);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', () => ok()); });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`, notFound,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

const PAGE_TIMEOUT_MS = 600_000;

async function openPage(browser: Browser, origin: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${origin}/bench/page.html`, { timeout: PAGE_TIMEOUT_MS });
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, null, { timeout: 60_000 });
  return { page, errors };
}

function maxDiff(a: number[], b: number[]): { maxAbsDiff: number; differing: number } {
  if (a.length !== b.length) return { maxAbsDiff: Infinity, differing: Math.max(a.length, b.length) };
  let m = 0, n = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d > m) m = d; if (d) n++; }
  return { maxAbsDiff: m, differing: n };
}

export async function runBrowserBench(o: BenchOptions): Promise<BenchOutcome> {
  const log = o.log ?? (() => {});
  const why = missing(o.models);
  if (why) return { skipped: why };
  try {
    return await run(o, log);
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}

async function run(o: BenchOptions, log: (s: string) => void): Promise<BenchResult> {
  await buildAssets();
  const floatPre = new Map<ModelId, { scale: number[]; offset: number[] }>();
  for (const id of o.models) if (MODELS[id].kind === 'f32') floatPre.set(id, await writeFloatModel(id));

  const server = await startServer();
  const base = server.origin;
  const urls: Urls = {
    dist: `${base}/dist/index.js`, litertWasm: `${base}/litert/`, tfjsWasm: `${base}/tfjs/`, ortWasm: `${base}/ort/`, engines: `${base}/bench/engines/`,
  };
  const inputFor = (id: ModelId): InputSpec => ({ url: `${base}/inputs/${INPUT_FILE}`, shape: [1, 224, 224, 3], ...(floatPre.has(id) ? { float: floatPre.get(id)! } : {}) });
  const specFor = (id: ModelId, engine: EngineName, threads: number, label?: string): EngineSpec => {
    const def = MODELS[id];
    const model: EngineSpec['model'] = def.kind === 'tflite' ? { tflite: `${base}/tflite/${def.file}` }
      : engine === 'ours' ? { builtin: def.builtin, ...(def.precision ? { precision: def.precision } : {}) }
        : engine === 'tfjs' ? { tfjs: `${base}/bench/models/${id}/model.json` } : { onnx: `${base}/bench/models/${id}/model.onnx` };
    return { engine, label: label ?? engine, threads, model, urls };
  };

  const result: BenchResult = {
    date: new Date().toISOString(), chromium: '', userAgent: '', hardwareConcurrency: 0, loadAverage: { start: loadavg()[0], end: NaN },
    options: { runs: o.runs, warmup: o.warmup, models: o.models, threads: o.threads, firstRuns: o.firstRuns, pair: o.pair },
    sections: [], first: [],
    versions: {
      '@litertjs/core': pkgVersion('@litertjs/core'), '@tensorflow/tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm'),
      'onnxruntime-web': pkgVersion('onnxruntime-web'), 'playwright-core': pkgVersion('playwright-core'),
    },
  };
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    result.chromium = browser.context.browser()?.version() ?? '';
    for (const threads of o.threads) {
      for (const id of o.models) {
        const def = MODELS[id];
        const peers: EngineName[] = o.peers === false ? [] : def.kind === 'tflite' ? ['litert'] : ['tfjs', 'ort'];
        const engines = [specFor(id, 'ours', threads), ...peers.map((p) => specFor(id, p, threads))];
        const pairOf = o.pair && threads > 1 ? engines.push(specFor(id, 'ours', 1, 'ours 1 thread')) - 1 : undefined;
        const config: SectionConfig = {
          id: `${id}-t${threads}`, input: inputFor(id), engines, runs: o.runs, warmup: o.warmup,
          ...(pairOf !== undefined ? { pairOf } : {}), ...(o.profile ? { profile: o.profile } : {}),
        };
        log(`[bench:browser] ${def.title}, ${threads} thread(s): ${engines.map((e) => e.label).join(', ')}, ${o.runs} rounds after ${o.warmup} warm-up${pairOf !== undefined ? ', pair probe' : ''}`);
        const { page, errors } = await openPage(browser, base);
        let r: SectionResult;
        try {
          r = await page.evaluate((c) => (window as unknown as { benchSection(c: SectionConfig): Promise<SectionResult> }).benchSection(c), config);
        } catch (e) {
          throw new Error(`section ${config.id}: ${(e as Error).message}${errors.length ? `\nconsole: ${errors.join('\n')}` : ''}`);
        } finally {
          await page.close();
        }
        result.userAgent = r.userAgent;
        result.hardwareConcurrency = r.hardwareConcurrency;
        result.sections.push(summarizeSection(id, threads, r));
      }
    }
    await browser.close();
    browser = undefined;

    for (const id of o.models.filter((m) => MODELS[m].kind === 'tflite')) {
      if (o.firstRuns < 1) break;
      log(`[bench:browser] first inference, ${MODELS[id].title}: ${o.firstRuns} fresh browser profiles per engine`);
      const got: Record<'ours' | 'litert', FirstResult[]> = { ours: [], litert: [] };
      for (let i = 0; i < o.firstRuns; i++) {
        for (const engine of (i % 2 ? ['litert', 'ours'] : ['ours', 'litert']) as ('ours' | 'litert')[]) {
          const fresh = await launchChromium(); // a new profile (user-data-dir) and process: no HTTP or code cache
          try {
            const { page, errors } = await openPage(fresh, base);
            try {
              got[engine].push(await page.evaluate(([s, inp]) => (window as unknown as { benchFirst(s: EngineSpec, i: InputSpec): Promise<FirstResult> }).benchFirst(s, inp), [specFor(id, engine, 1), inputFor(id)] as const));
            } catch (e) {
              throw new Error(`first inference ${engine} ${id}: ${(e as Error).message}${errors.length ? `\nconsole: ${errors.join('\n')}` : ''}`);
            }
          } finally {
            await fresh.close();
          }
        }
      }
      const oursStats = stats(got.ours.map((r) => r.totalMs)), litertStats = stats(got.litert.map((r) => r.totalMs));
      const identical = [...got.ours, ...got.litert].every((r) => maxDiff(r.output, got.ours[0].output).maxAbsDiff === 0);
      result.first.push({ model: id, title: MODELS[id].title, ...got, oursStats, litertStats, ratio: oursStats.median / litertStats.median, identical });
    }
  } finally {
    await browser?.close();
    await server.close();
  }
  result.loadAverage.end = loadavg()[0];
  return result;

  function summarizeSection(id: ModelId, threads: number, r: SectionResult): SectionSummary {
    const [ours, ...others] = r.engines;
    const summary = (e: EngineResult): EngineSummary => {
      const { output: _o, ...rest } = e;
      return { ...rest, stats: stats(e.times) };
    };
    const engines = r.engines.map(summary);
    const comparisons = others.filter((e) => e.label === e.engine).map((e) => {
      const d = maxDiff(ours.output, e.output);
      return { peer: e.engine, ratio: stats(ours.times).median / stats(e.times).median, ...d, identical: d.maxAbsDiff === 0 };
    });
    const s: SectionSummary = { id: r.id, model: id, title: MODELS[id].title, threads, crossOriginIsolated: r.crossOriginIsolated, engines, comparisons };
    const oracle = MODELS[id].oracle;
    if (oracle && existsSync(path.join(SHARED_DATA, 'oracle/outputs', oracle))) {
      s.oracle = maxDiff(ours.output, Array.from(readFileSync(path.join(SHARED_DATA, 'oracle/outputs', oracle))));
    }
    if (r.pairTimes) {
      const one = r.engines.find((e) => e.label === 'ours 1 thread')!;
      const t1 = stats(one.times).median, t2 = stats(ours.times).median, pairStats = stats(r.pairTimes);
      const teamSpeedup = t1 / t2, pairThroughput = (2 * t1) / pairStats.median;
      s.pair = { teamSpeedup, pairThroughput, teamOverPair: teamSpeedup / pairThroughput, pairStats };
    }
    return s;
  }
}

// ---- the report ----
const ms = (v: number) => v.toFixed(2);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function engineTitle(e: EngineSummary): string {
  const i = e.info as Record<string, unknown>;
  switch (e.engine) {
    case 'ours': return `mobilenet-wasm (${String(i.isa)}, ${String(i.threads)} thr)${e.label !== 'ours' ? ' [pair row]' : ''}`;
    case 'litert': return `LiteRT.js ${String(i.version)} (${String(i.build)}, ${String(i.threads)} thr)`;
    case 'tfjs': return `TF.js wasm ${String(i.version)} (${String(i.threads)} thr)`;
    case 'ort': return `ORT Web ${String(i.version)} (${String(i.threads)} thr)`;
  }
}

export interface TargetRow { target: string; peer: string; ours: string; ratio: number | null; goal: string; met: boolean | null; note?: string }

/** Every target of issue 17's "Targets" section, with what this run measured for it. */
export function targets(r: BenchResult): TargetRow[] {
  const rows: TargetRow[] = [];
  const sec = (m: ModelId, t: number) => r.sections.find((s) => s.model === m && s.threads === t);
  const vs = (label: string, m: ModelId, t: number, peer: EngineName, limit: number) => {
    const s = sec(m, t);
    const c = s?.comparisons.find((x) => x.peer === peer);
    const p = s?.engines.find((e) => e.engine === peer && e.label === peer);
    if (!s || !c || !p) { rows.push({ target: label, peer: 'not run', ours: 'not run', ratio: null, goal: `≤ ${limit.toFixed(2)}`, met: null }); return; }
    rows.push({ target: label, peer: `${ms(p.stats.median)} ms`, ours: `${ms(s.engines[0].stats.median)} ms`, ratio: c.ratio, goal: `≤ ${limit.toFixed(2)}`, met: c.ratio <= limit });
  };
  vs('Chromium 1 thr, int8 per-channel (TF2 PTQ) vs LiteRT.js', 'int8', 1, 'litert', 0.70);
  vs('Chromium 1 thr, uint8 (TF1) vs LiteRT.js', 'uint8', 1, 'litert', 0.55);
  vs("Chromium 1 thr, f32 'nsfw' vs TF.js wasm", 'nsfw', 1, 'tfjs', 0.60);
  vs('Chromium 1 thr, f32 default twin vs TF.js wasm', 'default-f32', 1, 'tfjs', 0.60);
  vs("Chromium 1 thr, f32 'nsfw' vs ORT Web", 'nsfw', 1, 'ort', 0.45);
  vs('Chromium 1 thr, f32 default twin vs ORT Web', 'default-f32', 1, 'ort', 0.45);
  for (const m of MODEL_IDS) {
    const s = sec(m, 2);
    const label = `Chromium 2 thr, ${m}: team speedup / pair throughput`;
    if (!s?.pair) { rows.push({ target: label, peer: 'not run', ours: 'not run', ratio: null, goal: '≥ 0.95', met: null }); continue; }
    rows.push({ target: label, peer: `pair ${s.pair.pairThroughput.toFixed(2)}×`, ours: `team ${s.pair.teamSpeedup.toFixed(2)}×`, ratio: s.pair.teamOverPair, goal: '≥ 0.95', met: s.pair.teamOverPair >= 0.95, note: 'one run; the target is the median of ≥ 3' });
  }
  rows.push({ target: 'Node 2 thr, f32 and int8: team speedup / pair throughput', peer: '-', ours: '-', ratio: null, goal: '≥ 0.95', met: null, note: 'measured by npm run bench -- --only threads' });
  vs('Chromium 2 thr, int8 per-channel vs LiteRT.js threaded', 'int8', 2, 'litert', 0.70);
  vs('Chromium 2 thr, uint8 vs LiteRT.js threaded', 'uint8', 2, 'litert', 0.70);
  for (const m of ['int8', 'uint8'] as const) {
    const f = r.first.find((x) => x.model === m);
    const label = `First inference, fresh context, ${m} vs LiteRT.js`;
    if (!f) { rows.push({ target: label, peer: 'not run', ours: 'not run', ratio: null, goal: '≤ 0.50', met: null }); continue; }
    rows.push({ target: label, peer: `${ms(f.litertStats.median)} ms`, ours: `${ms(f.oursStats.median)} ms`, ratio: f.ratio, goal: '≤ 0.50', met: f.ratio <= 0.5 });
  }
  rows.push({ target: 'Node figures keep their ratios; bytes = oracle everywhere', peer: '-', ours: '-', ratio: null, goal: 'no change', met: null, note: 'measured by npm run bench and npm test' });
  return rows;
}

/**
 * Our per-step profile of a section: time per step kind, and the steps that cost the most (on 2 threads: the
 * steps whose team time exceeds half their 1-thread time the most, i.e. where the second core is lost).
 */
function formatProfile(s: SectionSummary): string[] {
  const team = s.engines[0].profile, one = s.engines.find((e) => e.label === 'ours 1 thread')?.profile;
  if (!team) return [];
  const out: string[] = [];
  const total = (p: StepTime[]) => p.reduce((a, x) => a + x.ms, 0);
  const kinds = new Map<string, [number, number]>();
  team.forEach((x, i) => { const k = kinds.get(x.kind) ?? [0, 0]; k[0] += x.ms; k[1] += one?.[i]?.ms ?? 0; kinds.set(x.kind, k); });
  const byKind = [...kinds].sort((a, b) => b[1][0] - a[1][0]).map(([k, [t, o]]) => one ? `${k} ${t.toFixed(2)}/${o.toFixed(2)}` : `${k} ${t.toFixed(2)}`);
  out.push(`  profile of ours (${team.length} steps, ${total(team).toFixed(2)} ms${one ? ` on ${s.threads} threads, ${total(one).toFixed(2)} ms on 1` : ''}), ms by step kind${one ? ' (team/1 thread)' : ''}: ${byKind.join(', ')}`);
  const rows = team.map((x, i) => ({ ...x, one: one?.[i]?.ms ?? 0, lost: one ? x.ms - (one[i]?.ms ?? 0) / s.threads : x.ms }));
  rows.sort((a, b) => b.lost - a.lost);
  for (const r of rows.slice(0, 12)) {
    const name = r.name.length > 56 ? `${r.name.slice(0, 26)}…${r.name.slice(-29)}` : r.name;
    out.push(`    ${pad(`${r.kind} ${name}`, 70)} ${lpad(r.ms.toFixed(3), 7)}${one ? ` ${lpad(r.one.toFixed(3), 7)}  ×${(r.one / r.ms).toFixed(2)}` : ''}`);
  }
  return out;
}

export function formatReport(r: BenchResult): string {
  const out: string[] = [];
  out.push(`Chromium ${r.chromium} headless, ${r.hardwareConcurrency} logical cores, ${r.date}; host load average ${r.loadAverage.start.toFixed(1)} at the start, ${r.loadAverage.end.toFixed(1)} at the end`);
  out.push(`${r.options.runs} alternating rounds after ${r.options.warmup} warm-up per section; one dedicated worker per section holds every engine; latencies in ms`);
  for (const s of r.sections) {
    out.push('', `${s.title}, ${s.threads} thread(s)${s.crossOriginIsolated ? '' : '  (NOT crossOriginIsolated)'}`);
    out.push(`  ${pad('engine', 58)} ${lpad('median', 8)} ${lpad('p10', 8)} ${lpad('p90', 8)}   load+1st`);
    for (const e of s.engines) out.push(`  ${pad(engineTitle(e), 58)} ${lpad(ms(e.stats.median), 8)} ${lpad(ms(e.stats.p10), 8)} ${lpad(ms(e.stats.p90), 8)}   ${lpad(e.loadAndFirstMs.toFixed(0), 6)}`);
    for (const c of s.comparisons) {
      const diff = MODELS[s.model].kind === 'tflite'
        ? `output bytes ${c.identical ? 'identical' : `DIFFER (${c.differing} of them)`}, max |Δ| ${c.maxAbsDiff}`
        : `max |Δ| of outputs ${c.maxAbsDiff.toExponential(2)}`;
      out.push(`  ours/${c.peer} ${c.ratio.toFixed(3)}; ${diff}`);
    }
    if (s.oracle) out.push(`  ours vs the TFLite oracle (same input bytes): max |Δ| ${s.oracle.maxAbsDiff}, ${s.oracle.differing} bytes differ`);
    if (s.pair) out.push(`  pair probe: two 1-thread inferences at once ${ms(s.pair.pairStats.median)} ms: pair throughput ${s.pair.pairThroughput.toFixed(2)}×; team speedup ${s.pair.teamSpeedup.toFixed(2)}× = ${s.pair.teamOverPair.toFixed(2)} of it`);
    out.push(...formatProfile(s));
  }
  for (const f of r.first) {
    out.push('', `First inference in a fresh browser profile, ${f.title} (${f.ours.length} samples each; import + load + first run):`);
    const line = (name: string, rs: FirstResult[], st: Stats) => {
      const med = (k: 'importMs' | 'loadMs' | 'firstRunMs') => stats(rs.map((x) => x[k])).median.toFixed(0);
      out.push(`  ${pad(name, 12)} median ${lpad(st.median.toFixed(0), 6)} ms (p10 ${st.p10.toFixed(0)}, p90 ${st.p90.toFixed(0)}): import ${med('importMs')}, load ${med('loadMs')}, first run ${med('firstRunMs')}; JS+wasm transferred ${(rs[0].transferBytes / 1024).toFixed(0)} KiB (uncompressed); wasm ${rs[0].wasmFetched.join(', ') || '?'}`);
    };
    line('ours', f.ours, f.oursStats);
    const phases = Object.keys(f.ours[0]?.phases ?? {});
    if (phases.length) out.push(`               load phases (medians, ms since the previous mark): ${phases.map((p) => `${p} ${stats(f.ours.map((x) => x.phases?.[p] ?? NaN)).median.toFixed(0)}`).join(', ')}`);
    line('LiteRT.js', f.litert, f.litertStats);
    out.push(`  ratio ours/LiteRT.js ${f.ratio.toFixed(3)}; output bytes ${f.identical ? 'identical in every sample' : 'DIFFER'}`);
  }
  out.push('', 'Which wasm each engine loaded (Resource Timing of the section worker):');
  const seen = new Set<string>();
  for (const s of r.sections) for (const e of s.engines) {
    const i = e.info as Record<string, unknown>;
    const key = `${e.engine}|${e.threads}|${e.wasmFetched.join(',')}|${String(i.build ?? i.isa ?? '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const extra = e.engine === 'ours' ? `isa ${String(i.isa)}` : e.engine === 'litert' ? `build ${String(i.build)}, relaxed SIMD validated: ${String(i.relaxedSimd)}`
      : e.engine === 'tfjs' ? `SIMD ${String(i.simd)}, multithread support ${String(i.multithreadSupport)}${e.threads > Number(i.threads) ? ' (getThreadsCount() after setThreadsCount)' : ''}` : `graphOptimizationLevel ${String(i.graphOptimizationLevel)}`;
    out.push(`  ${pad(`${e.engine}, ${e.threads} thread(s) asked, ${String(i.threads)} used`, 36)} ${pad(e.wasmFetched.join(', ') || '(none fetched)', 44)} ${extra}`);
  }
  const rows = targets(r);
  out.push('', 'Targets (issue 17; ratio = ours / peer latency, or team speedup / pair throughput):');
  out.push(`  ${pad('target', 58)} ${lpad('peer', 13)} ${lpad('ours', 13)} ${lpad('ratio', 7)}  ${pad('goal', 12)} met`);
  for (const t of rows) {
    out.push(`  ${pad(t.target, 58)} ${lpad(t.peer, 13)} ${lpad(t.ours, 13)} ${lpad(t.ratio === null ? '-' : t.ratio.toFixed(3), 7)}  ${pad(t.goal, 12)} ${pad(t.met === null ? '-' : t.met ? 'yes' : 'NO', 3)}${t.note ? `  ${t.note}` : ''}`);
  }
  out.push('', `versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; ${r.userAgent}`);
  return out.join('\n');
}
