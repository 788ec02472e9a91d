// The bench worker: a classic dedicated worker (LiteRT.js loads its runtime with importScripts, which module
// workers lack; the engines' ES modules come in through dynamic import()). One worker runs one section: every
// engine of it loaded side by side in this one thread, then timed alternating run by run, the order rotating
// every round so no engine always runs right after another. A 'first' request loads one engine in a fresh
// context and times import → load → first run; a 'probe' request is the pair probe's second inference.
import type {
  EngineModule, EngineResult, EngineSpec, FirstResult, InputSpec, LoadedEngine, SectionConfig, SectionResult, WorkerReply, WorkerRequest,
} from './protocol.js';

const PAIR_PAUSE_MS = 20;
const post = (m: WorkerReply) => (self as unknown as Worker).postMessage(m);

async function inputOf(spec: InputSpec): Promise<Uint8Array | Float32Array> {
  const res = await fetch(spec.url);
  if (!res.ok) throw new Error(`input: HTTP ${res.status} for ${spec.url}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n) throw new Error(`input: ${bytes.length} bytes at ${spec.url}, expected ${n}`);
  if (!spec.float) return bytes;
  const { scale, offset } = spec.float;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = bytes[i] * scale[i % 3] + offset[i % 3];
  return x;
}

/** Names of the .wasm files fetched since Resource Timing entry `from`. */
function wasmSince(from: number): string[] {
  return performance.getEntriesByType('resource').slice(from).map((e) => e.name).filter((u) => /\.wasm(\?|$)/.test(u))
    .map((u) => u.slice(u.lastIndexOf('/') + 1));
}

async function loadEngine(spec: EngineSpec, input: Uint8Array | Float32Array, shape: number[]): Promise<LoadedEngine> {
  const mod = (await import(/* @vite-ignore */ `${spec.urls.engines}${spec.engine}.js`)) as EngineModule;
  return mod.load(spec, input, shape);
}

async function section(c: SectionConfig, ctl?: Int32Array, probeMs?: Float64Array): Promise<SectionResult> {
  performance.setResourceTimingBufferSize(10_000);
  const input = await inputOf(c.input);
  const engines: LoadedEngine[] = [];
  const results: EngineResult[] = [];
  for (const spec of c.engines) {
    const before = performance.getEntriesByType('resource').length;
    const t0 = performance.now();
    const e = await loadEngine(spec, input, c.input.shape);
    const out = await e.run();
    const loadAndFirstMs = performance.now() - t0;
    engines.push(e);
    results.push({
      engine: spec.engine, label: spec.label, threads: spec.threads, info: e.info, wasmFetched: wasmSince(before),
      loadAndFirstMs, times: [], output: Array.from(out),
    });
  }
  let asked = 0;
  const pair = async (): Promise<number> => {
    // The probe worker runs its own 1-thread inference while ours on 1 thread runs here; the slower one counts.
    // First a pause, so that no engine's threads still spinning after the round (ours for up to 1 ms, XNNPACK's
    // thread pools) run beside the pair.
    await new Promise((r) => setTimeout(r, PAIR_PAUSE_MS));
    Atomics.store(ctl!, 0, ++asked);
    Atomics.notify(ctl!, 0);
    const t0 = performance.now();
    await engines[c.pairOf!].run();
    const here = performance.now() - t0;
    while (Atomics.load(ctl!, 1) < asked) Atomics.wait(ctl!, 1, asked - 1, 1000);
    return Math.max(here, probeMs![0]);
  };
  const pairTimes: number[] = [];
  const round = async (r: number, record: boolean) => {
    for (let k = 0; k < engines.length; k++) {
      const j = (r + k) % engines.length;
      const t0 = performance.now();
      await engines[j].run();
      if (record) results[j].times.push(performance.now() - t0);
    }
    if (c.pairOf !== undefined) {
      const ms = await pair();
      if (record) pairTimes.push(ms);
    }
  };
  for (let r = 0; r < c.warmup; r++) await round(r, false);
  for (let r = 0; r < c.runs; r++) await round(r, true);
  if (c.profile) {
    for (let j = 0; j < engines.length; j++) if (engines[j].profile) results[j].profile = await engines[j].profile!(c.profile);
  }
  for (const e of engines) await e.dispose();
  return {
    id: c.id, crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency,
    engines: results, ...(c.pairOf !== undefined ? { pairTimes } : {}),
  };
}

async function first(spec: EngineSpec, inputSpec: InputSpec): Promise<FirstResult> {
  const input = await inputOf(inputSpec); // not timed: the app has its pixels already
  const before = performance.getEntriesByType('resource').length;
  const t0 = performance.now();
  const mod = (await import(/* @vite-ignore */ `${spec.urls.engines}${spec.engine}.js`)) as EngineModule;
  const t1 = performance.now();
  const e = await mod.load(spec, input, inputSpec.shape);
  const t2 = performance.now();
  const out = await e.run();
  const t3 = performance.now();
  const entries = performance.getEntriesByType('resource').slice(before) as PerformanceResourceTiming[];
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('mobilenet-wasm:') && m.startTime >= t1);
  const phases: Record<string, number> = {};
  marks.reduce((prev, m) => { phases[m.name.slice('mobilenet-wasm:'.length)] = m.startTime - prev; return m.startTime; }, t1);
  const transferBytes = entries.filter((x) => /\.(m?js|wasm)(\?|$)/.test(x.name)).reduce((a, x) => a + (x.transferSize || 0), 0);
  await e.dispose();
  return {
    engine: spec.engine, totalMs: t3 - t0, importMs: t1 - t0, loadMs: t2 - t1, firstRunMs: t3 - t2,
    ...(marks.length ? { phases } : {}), wasmFetched: wasmSince(before), transferBytes, info: e.info, output: Array.from(out),
  };
}

async function probe(spec: EngineSpec, inputSpec: InputSpec, ctl: Int32Array, ms: Float64Array): Promise<void> {
  const input = await inputOf(inputSpec);
  const e = await loadEngine(spec, input, inputSpec.shape);
  for (let i = 0; i < 3; i++) await e.run();
  post({ type: 'ready' });
  // ctl[0]: runs asked (negative: stop); ctl[1]: runs done; ms[0]: this worker's last inference.
  for (let seen = 0; ;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (seen < 0) break;
    const t0 = performance.now();
    await e.run();
    ms[0] = performance.now() - t0;
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
  await e.dispose();
}

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const m = ev.data;
  try {
    if (m.type === 'section') {
      const ctl = m.ctl ? new Int32Array(m.ctl) : undefined;
      const ms = m.probeMs ? new Float64Array(m.probeMs) : undefined;
      post({ type: 'section', result: await section(m.config, ctl, ms) });
    } else if (m.type === 'first') {
      post({ type: 'first', result: await first(m.spec, m.input) });
    } else {
      await probe(m.spec, m.input, new Int32Array(m.ctl), new Float64Array(m.probeMs));
    }
  } catch (e) {
    post({ type: 'error', error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
};
