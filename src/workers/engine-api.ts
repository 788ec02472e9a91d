// The object a worker exposes through Comlink: in-process Models kept in a table, addressed by a
// numeric handle (one worker can hold several). Every method is the in-process call plus the
// handle; tensors going back are transferred, not copied (they are fresh copies already).
import { loadModel, type ModelSource } from '../api.js';
import type { ClassifyOptions, InputTensor, LoadOptions, Model, ModelInfo, OutputTensor, SegmentOptions } from '../model.js';
import type { WireImage } from './client.js';
import { DisposedError, InputError } from '../errors.js';
import { transfer } from './comlink.js';

/** How __crash makes the worker die: process.exit() (Node worker threads; in a Web Worker, 'throw'), or an uncaught error. */
export type CrashMode = 'exit' | 'throw';

export function createEngineApi() {
  const models = new Map<number, Model>();
  let nextHandle = 1;
  let armed: CrashMode | null = null;

  const model = (handle: number): Model => {
    const m = models.get(handle);
    if (!m) throw new DisposedError(`no model with handle ${handle} in this worker (disposed, or never loaded)`);
    return m;
  };

  /** A call that never answers: the worker dies while it is in flight. */
  const die = (how: CrashMode): Promise<never> =>
    new Promise<never>(() => {
      // process.exit only in Node: in Deno it exists too, but a web worker that exits sends no event.
      const inWebWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
      if (how === 'exit' && !inWebWorker && typeof process !== 'undefined' && typeof process.exit === 'function') process.exit(70);
      setTimeout(() => {
        throw new Error('__crash(): simulated uncaught error in the worker');
      });
    });

  /** Runs `f`, unless a crash was armed for the next call. */
  const call = <T>(f: () => Promise<T> | T): Promise<T> => {
    if (armed) return die(armed);
    return Promise.resolve().then(f);
  };

  return {
    /** Loads a model in this worker. `source` is 'default', a path (resolved in the worker), a URL string, bytes or a Graph. */
    async load(source: Exclude<ModelSource, URL>, options: LoadOptions = {}): Promise<{ handle: number; info: ModelInfo }> {
      const m = await loadModel(source, { ...options, worker: false });
      const handle = nextHandle++;
      models.set(handle, m);
      return { handle, info: m.info };
    },
    info: (handle: number): ModelInfo => model(handle).info,
    run: (handle: number, input: InputTensor): Promise<OutputTensor> =>
      call(async () => {
        const out = await model(handle).run<OutputTensor>(input);
        return transfer(out, [out.buffer]);
      }),
    classify: (handle: number, image: WireImage, options?: ClassifyOptions) => call(() => model(handle).classify(image, options)),
    embed: (handle: number, image: WireImage, options?: Pick<ClassifyOptions, 'centralCrop'>): Promise<Float32Array> =>
      call(async () => {
        const out = await model(handle).embed(image, options);
        return transfer(out, [out.buffer]);
      }),
    segment: (handle: number, image: WireImage, options?: SegmentOptions) =>
      call(async () => {
        const out = await model(handle).segment(image, options);
        return transfer(out, [out.classes.buffer]);
      }),
    profile: (handle: number, runs?: number) => call(() => model(handle).profile(runs)),
    dispose(handle: number): void {
      model(handle).dispose();
      models.delete(handle);
    },
    /**
     * Test hook: makes this worker die. `when: 'now'` dies during this call; 'next-call' arms the next
     * run/classify/embed/profile call to die while in flight (so a caller sees a crash mid-call).
     */
    __crash(how: CrashMode = 'exit', when: 'now' | 'next-call' = 'now'): Promise<void> {
      if (how !== 'exit' && how !== 'throw') throw new InputError(`__crash(): unknown mode ${String(how)}`);
      if (when === 'now') return die(how);
      armed = how;
      return Promise.resolve();
    },
  };
}

/** The API a worker exposes (worker/index.ts); callers `wrap<EngineApi>(endpoint)`. */
export type EngineApi = ReturnType<typeof createEngineApi>;
