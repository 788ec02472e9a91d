// The bench page: does no work itself, it starts the workers the Node runner (./harness.ts) asks for through
// window.benchSection / window.benchFirst and hands back their results. Each call gets fresh workers.
import type { EngineSpec, FirstResult, InputSpec, SectionConfig, SectionResult, WorkerReply, WorkerRequest } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

function call<T>(w: Worker, req: WorkerRequest, want: WorkerReply['type']): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    w.onmessage = (ev: MessageEvent<WorkerReply>) => {
      const m = ev.data;
      if (m.type === 'error') reject(new Error(m.error));
      else if (m.type === want) resolve(('result' in m ? m.result : undefined) as T);
    };
    w.onerror = (e) => reject(new Error(`worker error: ${e.message} (${e.filename}:${e.lineno})`));
    w.postMessage(req);
  });
}

async function benchSection(config: SectionConfig): Promise<SectionResult> {
  const w = new Worker(WORKER_URL); // classic: see worker.ts
  let probe: Worker | undefined;
  let ctl: SharedArrayBuffer | undefined, probeMs: SharedArrayBuffer | undefined;
  try {
    if (config.pairOf !== undefined) {
      ctl = new SharedArrayBuffer(8);
      probeMs = new SharedArrayBuffer(8);
      probe = new Worker(WORKER_URL);
      await call(probe, { type: 'probe', spec: config.engines[config.pairOf], input: config.input, ctl, probeMs }, 'ready');
    }
    return await call<SectionResult>(w, { type: 'section', config, ctl, probeMs }, 'section');
  } finally {
    if (ctl) { Atomics.store(new Int32Array(ctl), 0, -1); Atomics.notify(new Int32Array(ctl), 0); }
    w.terminate();
    probe?.terminate();
  }
}

async function benchFirst(spec: EngineSpec, input: InputSpec): Promise<FirstResult> {
  const w = new Worker(WORKER_URL);
  try {
    return await call<FirstResult>(w, { type: 'first', spec, input }, 'first');
  } finally {
    w.terminate();
  }
}

Object.assign(window, { benchSection, benchFirst, benchReady: true });
document.getElementById('status')!.textContent = `ready (crossOriginIsolated: ${self.crossOriginIsolated})`;
