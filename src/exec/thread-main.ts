// Entry of a helper thread (bundled as dist/thread.js): instantiate the kernels over the team's
// shared memory, then work on every step the leader dispatches (exec/share.ts).
import type { Step } from '../plan/steps.js';
import { selectKernels } from '../plan/registry.js';
import { instantiateKernels, type Isa } from '../wasm/load.js';
import { pieceCount } from './executor.js';
import { ACTIVE, CONTROL_ADDRESS, CONTROL_SLOTS, HELPER_SPIN_MS, LINGER, QUIT, SEQ } from './control.js';
import { newRowCursor } from './block.js';
import { sharePieces } from './share.js';
import { inWebWorker, isNode } from '../platform.js';

export interface ThreadInit {
  module: WebAssembly.Module; memory: WebAssembly.Memory; steps: Step[]; isa: Isa;
  /** This helper's index in the team (1…threads−1; the leader is 0), which picks its scratch. */
  thread: number;
  threads: number;
}

type Post = (msg: unknown) => void;

async function start(init: ThreadInit, post: Post): Promise<void> {
  const k = selectKernels(await instantiateKernels(init.module, init.memory), init.isa);
  const ctl = new Int32Array(init.memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS);
  const cursor = newRowCursor();
  let seen = Atomics.load(ctl, SEQ);
  post({ type: 'ready' });
  for (;;) {
    for (let spins = 0, deadline = 0; Atomics.load(ctl, SEQ) === seen; ) {
      if ((++spins & 1023) !== 0) continue;
      if (Atomics.load(ctl, ACTIVE)) {
        deadline = 0; // an inference is under way: its next step is due (sleeping here cost up to a millisecond a step)
        continue;
      }
      const now = performance.now();
      if (deadline === 0) deadline = now + Math.max(HELPER_SPIN_MS, Atomics.load(ctl, LINGER) / 1000);
      else if (now > deadline) {
        Atomics.wait(ctl, SEQ, seen);
        deadline = 0; // woken by a step or by the leader's wake(): spin again either way
      }
    }
    seen = Atomics.load(ctl, SEQ);
    if (Atomics.load(ctl, QUIT)) return;
    const s = init.steps[seen & 0x3ff];
    sharePieces(ctl, k, s, (seen >>> 10) & 0xfff, pieceCount(s, init.threads), init.thread, init.threads, cursor);
  }
}

if (isNode && !inWebWorker()) {
  const { parentPort } = await import('node:worker_threads');
  parentPort!.once('message', (init: ThreadInit) => void start(init, (m) => parentPort!.postMessage(m)));
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage: Post };
  scope.onmessage = (e) => { scope.onmessage = null; void start(e.data as ThreadInit, (m) => scope.postMessage(m)); };
}
