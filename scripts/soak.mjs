// Soak and storm (issue 14): long runs that must leave memory flat and every call settled.
//   1. 10,000 inferences on one model (9,000 run() + 1,000 classify() of an image): wasm memory and RSS sampled
//      every 1,000; the wasm memory must not change, RSS must not grow more than --rss-growth-mb.
//   2. 300 loadModel / dispose cycles: RSS (after a GC, every 50 cycles) must stay within --rss-growth-mb of where
//      it stood after the first 50 (V8 and the allocator settle on their working set in those).
//   3. A pool of 2 workers running the shipped default model (an inference takes tens of ms, so deaths land
//      mid-call) under a storm of worker deaths (scripts/soak-worker.mjs: each worker exits 600-2400 ms
//      after it starts): 2,000 calls, every one settled (resolved, or WorkerCrashedError), none pending.
//
//   node --expose-gc scripts/soak.mjs [--inferences 10000] [--cycles 300] [--storm 2000] [--rss-growth-mb 64] [--json]
// The model is a small built MobileNetV2 (alpha 0.35, 96×96, 10 classes) so a run takes minutes, not an hour;
// --model default soaks the shipped ImageNet model instead. Needs dist/ (npm run build). Exit status 1 on a failure.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    inferences: { type: 'string', default: '10000' }, cycles: { type: 'string', default: '300' }, storm: { type: 'string', default: '2000' },
    'rss-growth-mb': { type: 'string', default: '64' }, model: { type: 'string', default: 'small' }, json: { type: 'boolean', default: false },
  },
});
const engine = await import(new URL('../dist/index.js', import.meta.url).href);
const { loadModel, createPool, buildMobileNetV2, writeNative, WorkerCrashedError } = engine;
const MB = 2 ** 20;
const gc = () => globalThis.gc?.();
const rss = () => {
  gc();
  return process.memoryUsage().rss;
};
const source = values.model === 'small' ? writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 10, seed: 1 })) : values.model;
const growthCap = Number(values['rss-growth-mb']) * MB;
const report = { gc: typeof globalThis.gc === 'function', model: values.model };
const failures = [];
const log = values.json ? () => {} : console.log;

// 1. inferences
{
  const n = Number(values.inferences);
  const m = await loadModel(source);
  const len = m.info.inputShape.reduce((a, b) => a * b, 1);
  const input = m.info.inputType === 'float32' ? new Float32Array(len).fill(0.25) : m.info.inputType === 'int8' ? new Int8Array(len).fill(3) : new Uint8Array(len).fill(100);
  const image = { data: new Uint8Array(320 * 240 * 3).map((_, i) => (i * 31) & 255), width: 320, height: 240 };
  for (let i = 0; i < 50; i++) await m.run(input); // warm-up
  await m.classify(image);
  const samples = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) await m.classify(image);
    else await m.run(input);
    if (i % 1000 === 0 || i === n - 1) samples.push({ i, wasm: m.info.memoryBytes, rss: rss() });
  }
  const s = (performance.now() - t0) / 1000;
  const wasmFlat = samples.every((x) => x.wasm === samples[0].wasm);
  const rssGrowth = samples[samples.length - 1].rss - samples[0].rss;
  const rssMax = Math.max(...samples.map((x) => x.rss));
  report.inferences = { count: n, seconds: +s.toFixed(1), wasmBytes: samples[0].wasm, wasmFlat, rssStartMb: +(samples[0].rss / MB).toFixed(1), rssEndMb: +(samples[samples.length - 1].rss / MB).toFixed(1), rssMaxMb: +(rssMax / MB).toFixed(1) };
  if (!wasmFlat) failures.push('inferences: the wasm memory changed');
  if (rssGrowth > growthCap) failures.push(`inferences: RSS grew ${(rssGrowth / MB).toFixed(1)} MB`);
  log('inferences', report.inferences);
  m.dispose();
}

// 2. load / dispose cycles
{
  const n = Number(values.cycles);
  const marks = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m = await loadModel(source instanceof Uint8Array ? source.slice() : source);
    await m.run(m.info.inputType === 'float32' ? new Float32Array(m.info.inputShape.reduce((a, b) => a * b, 1)) : new Uint8Array(m.info.inputShape.reduce((a, b) => a * b, 1)));
    m.dispose();
    if (i % 50 === 0 || i === n - 1) marks.push({ i, rss: rss() });
  }
  const first = marks[Math.min(1, marks.length - 1)].rss;
  const max = Math.max(...marks.slice(1).map((x) => x.rss));
  report.cycles = { count: n, seconds: +((performance.now() - t0) / 1000).toFixed(1), rssAfter50Mb: +(first / MB).toFixed(1), rssLastMb: +(marks[marks.length - 1].rss / MB).toFixed(1), rssMaxMb: +(max / MB).toFixed(1), rssMb: marks.map((x) => +(x.rss / MB).toFixed(0)) };
  if (max - first > growthCap) failures.push(`cycles: RSS grew ${((max - first) / MB).toFixed(1)} MB`);
  log('load/dispose', report.cycles);
}

// 3. pool under a storm of worker deaths
{
  const n = Number(values.storm);
  const pool = createPool({ model: 'default', size: 2, maxQueue: n + 10, worker: { url: new URL('./soak-worker.mjs', import.meta.url) } });
  const t0 = performance.now();
  const info = await (async () => {
    for (;;) {
      try {
        return await pool.info();
      } catch (e) {
        if (!(e instanceof WorkerCrashedError)) throw e;
      }
    }
  })();
  const len = info.inputShape.reduce((a, b) => a * b, 1);
  const calls = Array.from({ length: n }, (_, i) => (i % 4 === 0
    ? pool.classify({ data: new Uint8Array(64 * 48 * 3).fill(i & 255), width: 64, height: 48 })
    : pool.run(info.inputType === 'float32' ? new Float32Array(len).fill((i % 7) / 7) : new Uint8Array(len).fill(i & 255))));
  const settled = await Promise.race([
    Promise.allSettled(calls),
    new Promise((r) => setTimeout(() => r(null), 600_000)),
  ]);
  const counts = { resolved: 0, crashed: 0, other: 0 };
  const others = new Set();
  if (settled) {
    for (const r of settled) {
      if (r.status === 'fulfilled') counts.resolved++;
      else if (r.reason instanceof WorkerCrashedError) counts.crashed++;
      else {
        counts.other++;
        others.add(`${r.reason?.name}: ${String(r.reason?.message).slice(0, 120)}`);
      }
    }
  }
  report.storm = { calls: n, model: 'default', deaths: 'each worker a few ms after its k-th message, k in 5..80', seconds: +((performance.now() - t0) / 1000).toFixed(1), ...counts, pendingAfter: pool.pending, allSettled: !!settled };
  if (!settled) failures.push('storm: calls still unsettled after 10 minutes');
  if (counts.other > 0) failures.push(`storm: ${counts.other} calls rejected with something other than WorkerCrashedError: ${[...others].join('; ')}`);
  if (pool.pending !== 0) failures.push(`storm: ${pool.pending} calls still pending`);
  log('storm', report.storm);
  await pool.close();
}

report.failures = failures;
if (values.json) console.log(JSON.stringify(report, null, 2));
else console.log(failures.length ? `FAILED: ${failures.join('; ')}` : 'soak: all flat, every call settled');
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(failures.length ? 1 : 0);
