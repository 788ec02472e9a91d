// Model benchmark: our engine and TensorFlow.js wasm (XNNPACK, SIMD, 1 thread, fused graph model)
// on the same network in one process, alternating run by run so machine noise hits both alike.
// Usage: npm run bench [-- --runs 50 --warmup 10 --model default|<file> --alpha A --resolution R]
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { loadModel } from '../src/api.js';
import { buildMobileNetV2 } from '../src/models/mobilenet-v2.js';
import { importModelBytes } from '../src/formats/load-bytes.js';
import { defaultModelUrl } from '../src/assets.js';
import { readUrlBytes } from '../src/io.js';
import { parseArgs, numberFlag, stringFlag } from '../src/cli/args.js';
import { percentile } from '../src/cli/format.js';
import type { Graph } from '../src/graph/ir.js';
import { toTfjsGraph } from './peers/tfjs-graph.js';

const args = parseArgs(process.argv.slice(2), ['json']);
const runs = numberFlag(args, 'runs', 50);
const warmup = numberFlag(args, 'warmup', 10);

async function graphFor(): Promise<Graph> {
  if (args.flags.has('alpha') || args.flags.has('resolution')) {
    return buildMobileNetV2({ alpha: numberFlag(args, 'alpha', 1), resolution: numberFlag(args, 'resolution', 224), classes: 1000 });
  }
  const m = stringFlag(args, 'model') ?? 'default';
  const bytes = m === 'default' ? await readUrlBytes(defaultModelUrl()) : new Uint8Array(await readFile(m));
  return importModelBytes(bytes, { fileName: m });
}

const stats = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  return { median: percentile(s, 50), p10: percentile(s, 10), p90: percentile(s, 90) };
};

const graph = await graphFor();
const n = graph.input.shape.reduce((a, b) => a * b, 1);
const input = new Float32Array(n);
for (let i = 0; i < n; i++) input[i] = Math.sin(i * 0.37) * 0.5 + 0.5;

// Ours
let t0 = performance.now();
const ours = await loadModel(graph, { isa: 'simd' });
const oursOut = await ours.run(input);
const oursFirst = performance.now() - t0;

// TensorFlow.js wasm backend, SIMD, 1 thread
const require = createRequire(import.meta.url);
const tf = await import('@tensorflow/tfjs');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
wasm.setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
t0 = performance.now();
const tfModel = await tf.loadGraphModel(tf.io.fromMemory(toTfjsGraph(graph) as never));
const x = tf.tensor4d(input, graph.input.shape);
const tfRun = async () => { const y = tfModel.execute(x) as import('@tensorflow/tfjs').Tensor; const d = await y.data(); y.dispose(); return d as Float32Array; };
const tfOut = await tfRun();
const tfFirst = performance.now() - t0;

let maxDiff = 0;
for (let i = 0; i < oursOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(oursOut[i] - tfOut[i]));

for (let i = 0; i < warmup; i++) { await ours.run(input); await tfRun(); }
const tOurs: number[] = [], tTf: number[] = [];
for (let i = 0; i < runs; i++) {
  let a = performance.now(); await ours.run(input); tOurs.push(performance.now() - a);
  a = performance.now(); await tfRun(); tTf.push(performance.now() - a);
}
const so = stats(tOurs), st = stats(tTf);
const result = {
  date: new Date().toISOString(), machine: `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, ${os.platform()} ${os.arch()}, Node ${process.version}`,
  model: ours.info.name, macs: ours.info.macs, runs, warmup, maxAbsDiff: maxDiff,
  ours: { isa: ours.info.isa, firstMs: oursFirst, ...so, memoryBytes: ours.info.memoryBytes, peakActivationBytes: ours.info.peakActivationBytes },
  tfjsWasm: { version: tf.version.tfjs, simd, threads: wasm.getThreadsCount(), firstMs: tfFirst, ...st },
  ratio: so.median / st.median,
};
if (args.flags.has('json')) console.log(JSON.stringify(result, null, 2));
else {
  const f = (v: number) => v.toFixed(2).padStart(8);
  console.log(`${result.model}: ${(result.macs / 1e6).toFixed(1)} M MACs; ${runs} alternating runs after ${warmup} warm-up; ${result.machine}`);
  console.log(`engine                      first ms   median      p10      p90`);
  console.log(`mobilenet-wasm (${result.ours.isa}, 1 thr) ${f(oursFirst)} ${f(so.median)} ${f(so.p10)} ${f(so.p90)}`);
  console.log(`tfjs-wasm ${tf.version.tfjs} (simd ${simd ? 'on' : 'off'}, ${wasm.getThreadsCount()} thr) ${f(tfFirst)} ${f(st.median)} ${f(st.p10)} ${f(st.p90)}`);
  console.log(`ratio ours/tfjs (median): ${result.ratio.toFixed(3)}   max |Δ| of outputs: ${maxDiff.toExponential(2)}   ours ${(result.macs / so.median / 1e6).toFixed(1)} GMAC/s`);
}
