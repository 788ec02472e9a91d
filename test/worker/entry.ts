// The worker entry the worker and pool tests run (bundled by ./bundle.ts): the shipped entry's engine API
// (worker/index.ts) plus a crash switch, __crash, which the package's worker does not have. Callers reach
// it through ./hooks.ts (crashWorker).
import { expose } from '../../src/workers/comlink.js';
import { createEngineApi } from '../../src/workers/engine-api.js';
import { registerErrorTransfer } from '../../src/workers/error-transfer.js';
import { nodeParentEndpoint, webWorkerScope } from '../../src/workers/spawn.js';
import { inWebWorker } from '../../src/platform.js';
import { InputError } from '../../src/errors.js';
// Detection is a separate entry; the test worker carries it (the shipped worker imports dist/detect.js on demand).
import '../../src/detect/index.js';

/** How __crash makes the worker die: process.exit() (Node worker threads; in a Web Worker, 'throw'), or an uncaught error. */
export type CrashMode = 'exit' | 'throw';

registerErrorTransfer();
const engine = createEngineApi();
let armed: CrashMode | null = null;

/** A call that never answers: the worker dies while it is in flight. */
const die = (how: CrashMode): Promise<never> =>
  new Promise<never>(() => {
    // process.exit only in Node: in Deno it exists too, but a web worker that exits sends no event.
    if (how === 'exit' && !inWebWorker() && typeof process !== 'undefined' && typeof process.exit === 'function') process.exit(70);
    setTimeout(() => {
      throw new Error('__crash(): simulated uncaught error in the worker');
    });
  });

/** The engine's call, unless a crash was armed for the next call. */
const armable = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => (...args: A): Promise<R> => (armed ? die(armed) : f(...args));

const api = {
  ...engine,
  run: armable(engine.run),
  classify: armable(engine.classify),
  embed: armable(engine.embed),
  segment: armable(engine.segment),
  profile: armable(engine.profile),
  /**
   * Makes this worker die. `when: 'now'` dies during this call; 'next-call' arms the next
   * run/classify/segment/embed/profile call to die while in flight (so a caller sees a crash mid-call).
   */
  __crash(how: CrashMode = 'exit', when: 'now' | 'next-call' = 'now'): Promise<void> {
    if (how !== 'exit' && how !== 'throw') throw new InputError(`__crash(): unknown mode ${String(how)}`);
    if (when === 'now') return die(how);
    armed = how;
    return Promise.resolve();
  },
};

const scope = webWorkerScope();
if (scope) expose(api, scope);
else void nodeParentEndpoint().then((port) => expose(api, port));

export type TestEngineApi = typeof api;
