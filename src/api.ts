// The public entry point: loadModel() runs a model in process (src/load.ts) or in a worker
// (src/workers/client.ts, loaded only when asked for).
import type { LoadOptions } from './model-api.js';
import type { Model } from './model.js';
import { loadInProcess, type ModelSource } from './load.js';
import type { ModelWorkerOptions, WorkerModel } from './workers/client.js';

export type { ModelSource } from './load.js';
export { loadGraph } from './load.js';

/** `worker: true` (or `{ url }`): run the model in a Web Worker / worker thread; see workers/client.ts. */
export interface LoadModelOptions extends LoadOptions { worker?: boolean | ModelWorkerOptions }

export function loadModel(source: ModelSource, options: LoadOptions & { worker: true | ModelWorkerOptions }): Promise<WorkerModel>;
export function loadModel(source: ModelSource, options?: LoadOptions & { worker?: false }): Promise<Model>;
export function loadModel(source: ModelSource, options?: LoadModelOptions): Promise<Model | WorkerModel>;
export async function loadModel(source: ModelSource, { worker, ...options }: LoadModelOptions = {}): Promise<Model | WorkerModel> {
  if (worker) return (await import('./workers/client.js')).WorkerModel.load(source, { ...options, worker });
  return loadInProcess(source, options);
}
