// The worker entry (dist/worker.js): the engine API over Comlink. All logic lives in src/workers/.
// Browsers and Deno talk to `self`; Node talks to worker_threads' parentPort, imported only there.
import { expose } from '../src/workers/comlink.js';
import { createEngineApi } from '../src/workers/engine-api.js';
import { registerErrorTransfer } from '../src/workers/error-transfer.js';
import { nodeParentEndpoint, webWorkerScope } from '../src/workers/spawn.js';

registerErrorTransfer();
const api = createEngineApi();
const scope = webWorkerScope();
if (scope) expose(api, scope);
else void nodeParentEndpoint().then((port) => expose(api, port));

export type EngineApi = typeof api;
