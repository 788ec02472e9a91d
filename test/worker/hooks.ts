// Test-only reach into workers and pools: crash a worker model's worker (needs the tests' worker entry,
// ./entry.ts, which ./bundle.ts builds), and list a pool's loaded worker models.
import { callWorker, type WorkerModel } from '../../src/workers/client.js';
import { loadedWorkers } from '../../src/pool.js';
import type { Pool } from '../../src/pool.js';
import type { CrashMode } from './entry.js';

/** Makes the model's worker die now, or arms it to die during its next call (see TestEngineApi.__crash). */
export function crashWorker(model: WorkerModel, how: CrashMode = 'exit', when: 'now' | 'next-call' = 'now'): Promise<void> {
  return callWorker<void>(model, '__crash', how, when);
}

/** The pool's live worker models (loaded ones only). */
export function __poolWorkers(pool: Pool): WorkerModel[] {
  return loadedWorkers(pool);
}
