// Model benchmark: our engine against TensorFlow.js wasm (XNNPACK, SIMD, 1 thread, the fused graph
// model tfjs-converter emits) on the same network, in one process, alternating run by run so machine
// noise hits both alike; then our own thread and pool scaling. Medians after warm-up, and ratios.
// Usage: npm run bench [-- --runs 50 --warmup 10 --only f32,small,threads,pool,int8,detect,ort --tflite <file> --ssd <file> --json]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadModel } from '../src/api.js';
import { createPool } from '../src/pool.js';
import { buildMobileNetV2 } from '../src/models/mobilenet-v2.js';
import { importModelBytes } from '../src/formats/load-bytes.js';
import { builtinModelUrl } from '../src/assets.js';
import { readUrlBytes } from '../src/io.js';
import { parseArgs, numberFlag, stringFlag } from '../src/cli/args.js';
import { percentile } from '../src/cli/format.js';
import type { Graph } from '../src/graph/ir.js';
import { toTfjsGraph } from './peers/tfjs-graph.js';
import type { PairProbe } from './pair-probe.js';

const args = parseArgs('bench', process.argv.slice(2), {
  runs: { type: 'string' }, warmup: { type: 'string' }, only: { type: 'string' }, tflite: { type: 'string' }, ssd: { type: 'string' }, json: { type: 'boolean' },
});
const runs = numberFlag(args, 'runs', 50, { integer: true, min: 1 });
const warmup = numberFlag(args, 'warmup', 10, { integer: true, min: 0 });
const only = new Set((stringFlag(args, 'only') ?? 'f32,small,threads,pool,int8,detect,ort').split(','));
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, ${os.platform()} ${os.arch()}, Node ${process.version}`,
  runs, warmup,
};
const log = (s: string) => { if (!args.flags.has('json')) console.log(s); };

const stats = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  return { median: percentile(s, 50), p10: percentile(s, 10), p90: percentile(s, 90) };
};
const f = (v: number) => v.toFixed(2).padStart(8);

/** Times several async functions alternating run by run; returns per-function stats. */
async function alternate(fns: (() => Promise<unknown>)[], n = runs, w = warmup) {
  for (let i = 0; i < w; i++) for (const fn of fns) await fn();
  const t: number[][] = fns.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < fns.length; j++) {
      const a = performance.now();
      await fns[j]();
      t[j].push(performance.now() - a);
    }
  }
  return t.map(stats);
}

// Every WebAssembly.Memory created from here on, to compare resident wasm memory with tfjs's.
const memories = new Set<WebAssembly.Memory>();
{
  const Orig = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(Orig, { construct(t, a) { const m = Reflect.construct(t, a) as WebAssembly.Memory; memories.add(m); return m; } });
  const orig = WebAssembly.instantiate;
  WebAssembly.instantiate = (async (...a: Parameters<typeof orig>) => {
    const r = await orig(...a);
    const inst = ('instance' in r ? r.instance : r) as WebAssembly.Instance;
    for (const v of Object.values(inst.exports)) if (v instanceof Orig) memories.add(v);
    return r;
  }) as typeof orig;
}

const require = createRequire(import.meta.url);
const tf = await import('@tensorflow/tfjs');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
wasm.setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
const tfSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
/** Memories our models created; the largest other one is tfjs's. */
const ours = new Set<WebAssembly.Memory>();
const tfMemory = () => Math.max(0, ...[...memories].filter((m) => !ours.has(m)).map((m) => m.buffer.byteLength));

/** The uint8 TFLite model of the int8 sections: --tflite, or the built-in default model's file (models/). */
function tfliteFile(): string {
  return stringFlag(args, 'tflite') ?? fileURLToPath(builtinModelUrl('default'));
}

/** The uint8 input of the int8 sections (224×224×3, a fixed pattern). */
function quantInput(): Uint8Array {
  return new Uint8Array(224 * 224 * 3).map((_, i) => (i * 7 + (i >> 9)) & 255);
}

function inputFor(g: Graph): Float32Array {
  const n = g.input.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 0.5 + 0.5;
  return x;
}

/** Ours (1 thread) vs tfjs-wasm on one graph, alternating; first inference reported apart. */
async function versusTfjs(label: string, graph: Graph) {
  const x = inputFor(graph);
  const before = new Set(memories);
  let t0 = performance.now();
  const m = await loadModel(graph, { isa: 'simd' });
  const out = await m.run(x);
  const oursFirst = performance.now() - t0;
  for (const mem of memories) if (!before.has(mem)) ours.add(mem);

  t0 = performance.now();
  const tfModel = await tf.loadGraphModel(tf.io.fromMemory(toTfjsGraph(graph) as never));
  const xt = tf.tensor4d(x, graph.input.shape);
  const tfRun = async () => { const y = tfModel.execute(xt) as import('@tensorflow/tfjs').Tensor; const d = await y.data(); y.dispose(); return d as Float32Array; };
  const tfOut = await tfRun();
  const tfFirst = performance.now() - t0;
  let maxDiff = 0;
  for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - tfOut[i]));

  const [so, st] = await alternate([() => m.run(x), tfRun]);
  const r = {
    model: label, macs: m.info.macs, maxAbsDiff: maxDiff,
    ours: { isa: m.info.isa, firstMs: oursFirst, ...so, wasmMemoryBytes: m.info.memoryBytes, peakActivationBytes: m.info.peakActivationBytes },
    tfjs: { version: tf.version.tfjs, simd: tfSimd, threads: wasm.getThreadsCount(), firstMs: tfFirst, ...st, wasmMemoryBytes: tfMemory() },
    ratio: so.median / st.median,
  };
  log(`\n${label}: ${(r.macs / 1e6).toFixed(1)} M MACs, ${runs} alternating runs after ${warmup} warm-up`);
  log(`engine                              first ms   median      p10      p90   wasm memory`);
  log(`mobilenet-wasm (${r.ours.isa}, 1 thread)        ${f(oursFirst)} ${f(so.median)} ${f(so.p10)} ${f(so.p90)}   ${(m.info.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
  log(`tfjs-wasm ${tf.version.tfjs} (XNNPACK, simd, 1 thread) ${f(tfFirst)} ${f(st.median)} ${f(st.p10)} ${f(st.p90)}   ${(r.tfjs.wasmMemoryBytes / 2 ** 20).toFixed(1)} MiB`);
  log(`ratio ours/tfjs (median) ${r.ratio.toFixed(3)}; first-inference ratio ${(oursFirst / tfFirst).toFixed(3)}; max |Δ| of outputs ${maxDiff.toExponential(2)}; ours ${(r.macs / so.median / 1e6).toFixed(1)} G MAC/s`);
  xt.dispose();
  tfModel.dispose();
  m.dispose();
  return r;
}

/** The float32 benchmarks' model: the built-in 'nsfw' MobileNetV2 1.0/224, the same network TF.js and ORT run. */
async function nsfwGraph(): Promise<Graph> {
  return importModelBytes(await readUrlBytes(builtinModelUrl('nsfw')), { fileName: 'nsfw' });
}

if (only.has('f32')) report.f32 = await versusTfjs("built-in 'nsfw' model (nsfwjs MobileNetV2 1.0/224)", await nsfwGraph());

if (only.has('small')) {
  report.small = [];
  for (const [alpha, resolution] of [[0.35, 96], [0.5, 160]]) {
    (report.small as unknown[]).push(await versusTfjs(`MobileNetV2 ${alpha}/${resolution} (seeded weights)`, buildMobileNetV2({ alpha, resolution, classes: 1000 })));
  }
}

/**
 * 1 thread against 2, alternating run by run, and after every pair the host's capacity for this workload at that
 * moment (bench/pair-probe.ts: two single-thread inferences at once, one per core). On a shared host one vCPU at
 * a time runs at ~60 % for a few hundred milliseconds, which no work split can hide; the pair throughput measured
 * in the same minutes, 2 × median(one alone) / median(two at once), shows how much of a speedup the host allowed.
 */
async function threadScaling(one: () => Promise<unknown>, two: () => Promise<unknown>, pair: PairProbe) {
  for (let i = 0; i < warmup; i++) { await one(); await two(); await pair.pairMs(one); }
  const t1: number[] = [], t2: number[] = [], tp: number[] = [];
  for (let i = 0; i < runs; i++) {
    let a = performance.now();
    await one();
    t1.push(performance.now() - a);
    a = performance.now();
    await two();
    t2.push(performance.now() - a);
    tp.push(await pair.pairMs(one));
  }
  const [s1, s2, sp] = [t1, t2, tp].map(stats);
  return { threads1: s1, threads2: s2, speedup: s1.median / s2.median, pairOfOne: sp, pairThroughput: (2 * s1.median) / sp.median };
}

function logScaling(label: string, r: Awaited<ReturnType<typeof threadScaling>>, threads: number) {
  const { threads1: s1, threads2: s2, pairOfOne: sp } = r;
  log(`${label}: 1 thread median ${s1.median.toFixed(2)} ms, ${threads} threads ${s2.median.toFixed(2)} ms: speedup ${r.speedup.toFixed(2)}× (p10 ${(s1.p10 / s2.p10).toFixed(2)}×)`);
  log(`  beside each pair, two 1-thread inferences at once (one per core) took ${sp.median.toFixed(2)} ms: ${r.pairThroughput.toFixed(2)}× the throughput of one (p10 ${((2 * s1.p10) / sp.p10).toFixed(2)}×)`);
}

if (only.has('threads')) {
  // Latency on 1 and 2 threads, f32 (default model) and int8 (the TFLite uint8 model when present), with
  // what the machine's second core adds to a register-resident SIMD loop (bench/core-scaling.ts) and, beside
  // every timed pair, to a second copy of the same inference (bench/pair-probe.ts).
  const { measureCoreScaling } = await import('./core-scaling.js');
  const { PairProbe } = await import('./pair-probe.js');
  const core = await measureCoreScaling();
  const g = await nsfwGraph();
  const x = inputFor(g);
  const one = await loadModel(g, { isa: 'simd' });
  const two = await loadModel(g, { isa: 'simd', threads: 2 });
  const pair = await PairProbe.start(g, x);
  const f32 = await threadScaling(() => one.run(x), () => two.run(x), pair);
  await pair.close();
  const threads: Record<string, unknown> = { ...f32, actualThreads: two.info.threads, simdLoopTwoThreadScaling: core };
  log(`\nthreads (alternating runs): a register-resident SIMD loop on 2 threads does ${core.scaling.toFixed(2)}× the work of 1 (2.00 = two full cores)`);
  logScaling('f32 default model', f32, two.info.threads);
  one.dispose();
  two.dispose();
  const file = tfliteFile();
  const { existsSync, readFileSync } = await import('node:fs');
  if (existsSync(file)) {
    const bytes = new Uint8Array(readFileSync(file));
    const q1 = await loadModel(bytes, { isa: 'simd' });
    const q2 = await loadModel(bytes, { isa: 'simd', threads: 2 });
    const xq = quantInput();
    const qpair = await PairProbe.start(bytes, xq);
    const int8 = await threadScaling(() => q1.run(xq as never), () => q2.run(xq as never), qpair);
    await qpair.close();
    threads.int8 = { model: path.basename(file), ...int8, actualThreads: q2.info.threads };
    logScaling(`int8 ${path.basename(file)}`, int8, q2.info.threads);
    q1.dispose();
    q2.dispose();
  } else {
    log(`int8 threads: skipped, ${file} not found (pass --tflite <mobilenet_v2_1.0_224_quant.tflite>)`);
  }
  report.threads = threads;
}

if (only.has('pool')) {
  // Throughput: N classify calls in flight at once on a pool of 2 workers vs one in-process model.
  const n = Math.max(40, runs);
  const img = { data: new Uint8Array(320 * 240 * 4).map((_, i) => (i * 31) & 255), width: 320, height: 240 };
  const copy = () => ({ ...img, data: img.data.slice() });
  const single = await loadModel('nsfw');
  for (let i = 0; i < 5; i++) await single.classify(copy());
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await single.classify(copy());
  const singleRate = n / ((performance.now() - t0) / 1000);
  const pool = createPool({ model: 'nsfw', size: 2, idleTimeoutMs: Infinity });
  await Promise.all(Array.from({ length: 10 }, () => pool.classify(copy())));
  t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => pool.classify(copy())));
  const poolRate = n / ((performance.now() - t0) / 1000);
  await pool.close();
  single.dispose();
  report.pool = { images: n, inProcessPerSecond: singleRate, pool2PerSecond: poolRate, scaling: poolRate / singleRate };
  log(`\npool throughput (classify 320×240 RGBA, ${n} images): in-process ${singleRate.toFixed(1)} img/s, pool of 2 workers ${poolRate.toFixed(1)} img/s (${(poolRate / singleRate).toFixed(2)}×)`);
}

if (only.has('int8')) {
  // int8: our engine on the TFLite uint8 model vs the TFLite runtime (wasm, XNNPACK, 1 thread) on the
  // same file, and vs our f32 engine on the same network (MobileNetV2 1.0/224, 1001 classes).
  const file = tfliteFile();
  const { readFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const { loadTflitePeer } = await import('./peers/tflite.js');
  if (!existsSync(file)) {
    log(`\nint8: skipped, ${file} not found (pass --tflite <mobilenet_v2_1.0_224_quant.tflite>)`);
  } else {
    const bytes = new Uint8Array(await readFile(file));
    const xq = quantInput();
    // First inference: load (import, plan, pack; the runtime's interpreter and delegate set-up) + first run.
    let t0 = performance.now();
    const q = await loadModel(bytes, { isa: 'simd' });
    await q.run(xq as never);
    const oursFirst = performance.now() - t0;
    t0 = performance.now();
    const peer = await loadTflitePeer(bytes, { threads: 1 });
    peer.runSync(xq);
    const peerFirst = performance.now() - t0;
    const f32 = await loadModel(buildMobileNetV2({ alpha: 1, resolution: 224, classes: 1001 }), { isa: 'simd' });
    const xf = inputFor(buildMobileNetV2({ alpha: 1, resolution: 224, classes: 1001 }));
    const a = (await q.run(xq as never)) as unknown as Uint8Array, b = peer.runSync(xq);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    const [sq, sp, sf] = await alternate([() => q.run(xq as never), async () => peer.runSync(xq), () => f32.run(xf)]);
    report.int8 = {
      model: path.basename(file), ours: { ...sq, firstMs: oursFirst, wasmMemoryBytes: q.info.memoryBytes }, tflite: { ...sp, firstMs: peerFirst, ...peer.info }, oursF32: sf,
      ratioVsTflite: sq.median / sp.median, ratioVsOurF32: sq.median / sf.median, maxOutputDiff: maxDiff,
    };
    log(`\nint8 (${path.basename(file)}), ${runs} alternating runs after ${warmup} warm-up:`);
    log(`mobilenet-wasm int8 (1 thread) median ${sq.median.toFixed(2)} ms (p10 ${sq.p10.toFixed(2)}, p90 ${sq.p90.toFixed(2)}), wasm memory ${(q.info.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
    log(`TFLite runtime wasm + XNNPACK (1 thread) median ${sp.median.toFixed(2)} ms (p10 ${sp.p10.toFixed(2)}, p90 ${sp.p90.toFixed(2)})`);
    log(`mobilenet-wasm f32 same network (1 thread) median ${sf.median.toFixed(2)} ms`);
    log(`first inference: ours ${oursFirst.toFixed(1)} ms (TFLite import, plan, weight packing, first run; our kernel module may already be compiled in this process), TFLite runtime ${peerFirst.toFixed(1)} ms (wasm compile + interpreter + XNNPACK set-up + first run)`);
    log(`ratios: int8/TFLite ${(sq.median / sp.median).toFixed(3)}, int8/our f32 ${(sq.median / sf.median).toFixed(3)}; max |Δ| output bytes vs TFLite ${maxDiff}`);
    peer.dispose();
    q.dispose();
    f32.dispose();
  }
}

if (only.has('detect')) {
  // Detection: SSD MobileNetV2 COCO (uint8, 300×300, TFLite_Detection_PostProcess) on our engine (1 and 2 threads)
  // vs the TFLite runtime (wasm, XNNPACK, 1 thread: its threaded build cannot start in Node) on the same file.
  const file = stringFlag(args, 'ssd') ?? fileURLToPath(new URL('../../shared/data/models/ssd_mobilenet_v2_coco_quant_postprocess.tflite', import.meta.url));
  const { readFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  if (!existsSync(file)) {
    log(`\ndetect: skipped, ${file} not found (pass --ssd <ssd_mobilenet_v2_coco_quant_postprocess.tflite>)`);
  } else {
    await import('../src/detect/index.js');
    const { loadTflitePeer } = await import('./peers/tflite.js');
    const bytes = new Uint8Array(await readFile(file));
    const x = new Uint8Array(300 * 300 * 3).map((_, i) => (i * 113 + (i >> 7)) & 255);
    let t0 = performance.now();
    const one = await loadModel(bytes, { isa: 'simd' });
    await one.runAll(x);
    const oursFirst = performance.now() - t0;
    const two = await loadModel(bytes, { isa: 'simd', threads: 2 });
    t0 = performance.now();
    const peer = await loadTflitePeer(bytes, { threads: 1 });
    peer.runSync(x);
    const peerFirst = performance.now() - t0;
    const boxes = new Uint8Array((await one.runAll(x))[0]!.buffer);
    const same = Buffer.compare(Buffer.from(boxes), Buffer.from(peer.runSync(x))) === 0;
    const [s1, sp, s2] = await alternate([() => one.runAll(x), async () => peer.runSync(x), () => two.runAll(x)]);
    report.detect = {
      model: path.basename(file), ours: { ...s1, firstMs: oursFirst }, ours2Threads: { ...s2, actualThreads: two.info.threads }, tflite: { ...sp, firstMs: peerFirst, ...peer.info },
      ratioVsTflite: s1.median / sp.median, ratio2ThreadsVsTflite: s2.median / sp.median, boxesIdentical: same,
    };
    log(`\ndetect (${path.basename(file)}), ${runs} alternating runs after ${warmup} warm-up:`);
    log(`mobilenet-wasm (1 thread) median ${s1.median.toFixed(2)} ms (p10 ${s1.p10.toFixed(2)}, p90 ${s1.p90.toFixed(2)})`);
    log(`mobilenet-wasm (${two.info.threads} threads) median ${s2.median.toFixed(2)} ms (p10 ${s2.p10.toFixed(2)}, p90 ${s2.p90.toFixed(2)})`);
    log(`TFLite runtime wasm + XNNPACK (1 thread) median ${sp.median.toFixed(2)} ms (p10 ${sp.p10.toFixed(2)}, p90 ${sp.p90.toFixed(2)})`);
    log(`first inference: ours ${oursFirst.toFixed(1)} ms, TFLite runtime ${peerFirst.toFixed(1)} ms`);
    log(`ratios: ours/TFLite ${(s1.median / sp.median).toFixed(3)} (1 thread), ${(s2.median / sp.median).toFixed(3)} (ours on ${two.info.threads} threads); boxes output identical to the runtime's: ${same}`);
    peer.dispose();
    one.dispose();
    two.dispose();
  }
}

// ==== section `ort` (begin): ONNX Runtime Web peer ====
// The default model vs onnxruntime-web (wasm EP, SIMD, 1 thread, graphOptimizationLevel 'all') on the
// ONNX export of the same Graph (bench/peers/onnx-graph.ts: NCHW, opset 13). The NHWC → NCHW input
// conversion is done once, outside the timed region (peer.prepare); runs alternate with ours.
if (only.has('ort')) {
  const { loadOrtPeer } = await import('./peers/ort.js');
  const g = await nsfwGraph();
  const x = inputFor(g);
  const before = new Set(memories);
  let t0 = performance.now();
  const m = await loadModel(g, { isa: 'simd' });
  const out = await m.run(x);
  const oursFirst = performance.now() - t0;
  const mine = [...memories].filter((mem) => !before.has(mem));
  for (const mem of mine) ours.add(mem);
  t0 = performance.now();
  const peer = await loadOrtPeer(g, { threads: 1 });
  const xt = peer.prepare(x);
  const ortOut = await peer.runPrepared(xt);
  const ortFirst = performance.now() - t0;
  let maxDiff = 0;
  for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - ortOut[i]));
  const [so, sp] = await alternate([() => m.run(x), () => peer.runPrepared(xt)]);
  // ORT's wasm memory: the largest memory created since this section started that is not ours.
  const ortMemory = Math.max(0, ...[...memories].filter((mem) => !before.has(mem) && !ours.has(mem)).map((mem) => mem.buffer.byteLength));
  const { version, simd, threads, importMs, exportMs, loadMs, modelBytes } = peer.info;
  report.ort = {
    model: 'default model (nsfwjs MobileNetV2 1.0/224)', macs: m.info.macs, maxAbsDiff: maxDiff,
    ours: { isa: m.info.isa, threads: m.info.threads, firstMs: oursFirst, ...so, wasmMemoryBytes: m.info.memoryBytes },
    ort: { version, simd, threads, graphOptimizationLevel: 'all', onnxBytes: modelBytes, importMs, exportMs, sessionMs: loadMs, firstMs: ortFirst, ...sp, wasmMemoryBytes: ortMemory },
    ratio: so.median / sp.median,
  };
  log(`\nONNX Runtime Web, default model: ${(m.info.macs / 1e6).toFixed(1)} M MACs, ${runs} alternating runs after ${warmup} warm-up`);
  log(`engine                              first ms   median      p10      p90   wasm memory`);
  log(`mobilenet-wasm (${m.info.isa}, 1 thread)        ${f(oursFirst)} ${f(so.median)} ${f(so.p10)} ${f(so.p90)}   ${(m.info.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
  log(`onnxruntime-web ${version} (wasm, simd, ${threads} thread) ${f(ortFirst)} ${f(sp.median)} ${f(sp.p10)} ${f(sp.p90)}   ${ortMemory ? (ortMemory / 2 ** 20).toFixed(1) + ' MiB' : '?'}`);
  log(`ratio ours/ORT (median) ${(so.median / sp.median).toFixed(3)}; first-inference ratio ${(oursFirst / ortFirst).toFixed(3)}; max |Δ| of outputs ${maxDiff.toExponential(2)}; ORT first = ONNX export ${exportMs.toFixed(0)} ms + import ${importMs.toFixed(0)} ms + session ${loadMs.toFixed(0)} ms + first run ${(ortFirst - exportMs - importMs - loadMs).toFixed(0)} ms`);
  await peer.dispose();
  m.dispose();
}
// ==== section `ort` (end) ====

if (args.flags.has('json')) console.log(JSON.stringify(report, null, 2));
log(`\n${report.machine}, ${report.date}`);
process.exit(0);
