// How much SIMD throughput the machine's second core adds: the register-resident i32x4.dot_i16x8_s loop (10 chains) of
// dist/wasm/roofline.wasm run alone, then on this thread and a worker thread at once. Two real cores give
// 2.0×; two hyperthreads of one core share its SIMD units and give little more than 1×. This bounds what a
// compute-bound two-thread inference can gain on this machine, measured in the same run as the bench.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rooflineUrl } from '../src/assets.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const instance = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), {});
const run = instance.exports.run_i16_dot_k10;
const flag = new Int32Array(workerData.flag);
for (let i = 0; i < 3; i++) run(workerData.iters); // past V8's tier-up to optimized code
parentPort.postMessage('ready');
Atomics.wait(flag, 0, 0);
const t0 = performance.now();
run(workerData.iters);
parentPort.postMessage(performance.now() - t0);
`;

export interface CoreScaling { soloMs: number; pairMs: number; scaling: number }

export async function measureCoreScaling(iters = 30_000_000): Promise<CoreScaling> {
  const bytes = readFileSync(fileURLToPath(rooflineUrl(false)));
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run_i16_dot_k10 as (n: number) => number;
  for (let i = 0; i < 3; i++) run(iters); // past V8's tier-up (Liftoff → TurboFan) before timing
  let soloMs = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    run(iters);
    soloMs = Math.min(soloMs, performance.now() - t0);
  }
  let pairMs = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const flag = new SharedArrayBuffer(4);
    const w = new Worker(WORKER, { eval: true, workerData: { bytes, iters, flag } });
    const msgs: unknown[] = [];
    let wake: (() => void) | null = null;
    w.on('message', (m) => { msgs.push(m); wake?.(); });
    const next = async () => { while (msgs.length === 0) await new Promise<void>((r) => { wake = r; }); return msgs.shift(); };
    await next(); // ready
    const t0 = performance.now();
    Atomics.store(new Int32Array(flag), 0, 1);
    Atomics.notify(new Int32Array(flag), 0);
    run(iters);
    const mine = performance.now() - t0;
    const theirs = (await next()) as number;
    pairMs = Math.min(pairMs, Math.max(mine, theirs));
    await w.terminate();
  }
  return { soloMs, pairMs, scaling: (2 * soloMs) / pairMs };
}
