// What the host gives two independent copies of the workload at once: one single-thread inference here and one
// on a worker thread (its own model, its own memory), started together. 2 × (one alone) / (both at once) is the
// throughput two cores give this very model at that moment, with no sharing and no synchronization between
// them: the host's capacity against which a two-thread latency speedup can be read. On a shared host it moves
// from one second to the next (another guest on a vCPU's physical core, memory bandwidth), so the bench takes
// it beside every timed pair (model.bench.ts threadScaling).
import { Worker } from 'node:worker_threads';

// ctl[0]: runs asked; ctl[1]: runs done; ms[0]: the worker's last inference, milliseconds.
const WORKER = `
const { parentPort, workerData: d } = require('node:worker_threads');
(async () => {
  const { loadModel } = await import(d.indexUrl);
  const model = await loadModel(d.source, { isa: 'simd' });
  const ctl = new Int32Array(d.ctl), ms = new Float64Array(d.ms);
  for (let i = 0; i < 3; i++) await model.run(d.input);
  parentPort.postMessage('ready');
  for (let seen = 0; ; ) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (seen < 0) break;
    const t0 = performance.now();
    await model.run(d.input);
    ms[0] = performance.now() - t0;
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
  model.dispose();
})().catch((e) => parentPort.postMessage({ error: String(e?.stack ?? e) }));
`;

export class PairProbe {
  #worker: Worker;
  #ctl: Int32Array;
  #ms: Float64Array;
  #asked = 0;

  private constructor(worker: Worker, ctl: Int32Array, ms: Float64Array) {
    this.#worker = worker;
    this.#ctl = ctl;
    this.#ms = ms;
  }

  /** A worker with its own single-thread model of `source` (a Graph or model bytes) that runs `input` on demand. */
  static async start(source: unknown, input: ArrayLike<number>): Promise<PairProbe> {
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const ms = new Float64Array(new SharedArrayBuffer(8));
    const indexUrl = new URL('./index.js', import.meta.url).href; // dist/bench.js beside dist/index.js
    const worker = new Worker(WORKER, { eval: true, workerData: { indexUrl, source, input, ctl: ctl.buffer, ms: ms.buffer } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`pair probe worker: ${m.error}`))));
      worker.once('error', reject);
    });
    return new PairProbe(worker, ctl, ms);
  }

  /** Runs `mine` here while the worker runs its inference; the slower of the two, in milliseconds. */
  async pairMs(mine: () => Promise<unknown>): Promise<number> {
    Atomics.store(this.#ctl, 0, ++this.#asked);
    Atomics.notify(this.#ctl, 0);
    const t0 = performance.now();
    await mine();
    const here = performance.now() - t0;
    while (Atomics.load(this.#ctl, 1) < this.#asked) Atomics.wait(this.#ctl, 1, this.#asked - 1, 1000);
    return Math.max(here, this.#ms[0]);
  }

  async close(): Promise<void> {
    Atomics.store(this.#ctl, 0, -1);
    Atomics.notify(this.#ctl, 0);
    await this.#worker.terminate();
  }
}
