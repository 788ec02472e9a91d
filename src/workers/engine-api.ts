// The object a worker exposes through Comlink: in-process Models kept in a table, addressed by a
// numeric handle (one worker can hold several). Every method is the in-process call plus the
// handle; tensors going back are transferred, not copied (they are fresh copies already).
import { loadInProcess, type ModelSource } from '../load.js';
import type { Model } from '../model.js';
import type { ClassifyOptions, DetectOptions, InputTensor, LoadOptions, ModelInfo, OutputTensor, SegmentOptions } from '../model-api.js';
import type { ImageInput } from '../image/preprocess.js';
import { DisposedError } from '../errors.js';
import { transfer } from './comlink.js';

/** What crosses to the worker for an image: pixels, a file path (Node), a Blob, or encoded bytes (client.ts imageArgForWorker). */
export type WireImage = ImageInput | string | Blob | Uint8Array;

export function createEngineApi() {
  const models = new Map<number, Model>();
  let nextHandle = 1;

  const model = (handle: number): Model => {
    const m = models.get(handle);
    if (!m) throw new DisposedError(`no model with handle ${handle} in this worker (disposed, or never loaded)`);
    return m;
  };

  /** Runs `f` as a promise (a synchronous throw becomes its rejection). */
  const call = <T>(f: () => Promise<T> | T): Promise<T> => Promise.resolve().then(f);

  return {
    /** Loads a model in this worker. `source` is 'default', a path (resolved in the worker), a URL string, bytes or a Graph. */
    async load(source: Exclude<ModelSource, URL>, options: LoadOptions & { extensions?: string[] } = {}): Promise<{ handle: number; info: ModelInfo }> {
      // Entries the page imported (mobilenet-wasm/detect): this worker needs them too (src/extensions.ts).
      const { extensions = [], ...opts } = options;
      for (const url of extensions) await import(/* @vite-ignore */ url);
      const m = await loadInProcess(source, opts);
      const handle = nextHandle++;
      models.set(handle, m);
      return { handle, info: m.info };
    },
    info: (handle: number): ModelInfo => model(handle).info,
    run: (handle: number, input: InputTensor): Promise<OutputTensor | OutputTensor[]> =>
      call(async () => {
        const out = await model(handle).runAll(input);
        return transfer(out.length === 1 ? out[0]! : out, out.map((t) => t.buffer as ArrayBuffer));
      }),
    detect: (handle: number, image: WireImage, options?: DetectOptions) => call(() => model(handle).detect(image, options)),
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
  };
}

/** The API a worker exposes (worker/index.ts); callers `wrap<EngineApi>(endpoint)`. */
export type EngineApi = ReturnType<typeof createEngineApi>;
