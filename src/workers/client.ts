// A model that runs in its own worker, with the in-process Model's interface (ModelApi: info, run,
// classify, segment, embed, profile, dispose; every call async). `loadModel(source, { worker: true })` returns one.
//
// Buffers move, they are not copied: a Float32Array input, an image's pixel array, and model bytes
// are TRANSFERRED to the worker when they span their whole ArrayBuffer, and the caller's buffer is
// detached (length 0) once the call is made. A view into a larger buffer (a Node Buffer from the
// pool, a subarray), a SharedArrayBuffer, a plain array, or `{ transfer: false }` is copied once
// into a fresh buffer, which is transferred; the caller's memory is then left alone.
import { wrap, transfer, type Remote } from './comlink.js';
import { spawnWorker, type WorkerHandle } from './spawn.js';
import { registerErrorTransfer } from './error-transfer.js';
import type { EngineApi, WireImage } from './engine-api.js';
import type { ModelSource } from '../load.js';
import type {
  Classification, ClassifyOptions, Detection, DetectOptions, InputTensor, LoadOptions, ModelApi, ModelInfo, OutputTensor, SegmentOptions, Segmentation, StepProfile,
} from '../model-api.js';
import type { ImageInput } from '../image/preprocess.js';
import { isPixels, toPixels, type ImageSource } from '../image/sources.js';
import { DisposedError, InputError, type WorkerCrashedError } from '../errors.js';
import { extensionUrls } from '../extensions.js';

/** `loadModel(source, { worker: { url } })`: where the worker bundle is (default: worker.js beside the library). */
export interface ModelWorkerOptions {
  url?: string | URL;
}

/** Per-call options of worker models and pools. */
export interface CallOptions {
  /** Abort: a call not yet started is dropped; a running one rejects at once and its result is discarded. */
  signal?: AbortSignal;
  /** false: copy the input instead of detaching the caller's buffer. Default true. */
  transfer?: boolean;
}

/** Terminates workers whose WorkerModel was garbage-collected without dispose(). */
const orphans = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<WorkerHandle>((t) => void t.terminate()) : null;

/** A call on the worker's API object with the model's handle (see callWorker). */
type RemoteCall<T> = (api: Remote<EngineApi>, handle: number) => Promise<T>;

let callOn: <T>(model: WorkerModel, f: RemoteCall<T>, signal?: AbortSignal) => Promise<T>;

export class WorkerModel implements ModelApi<ModelInfo, CallOptions> {
  /** Fetched once, at load. */
  readonly info: ModelInfo;
  #host: WorkerHandle;
  #api: Remote<EngineApi>;
  #handle: number;
  #inflight = new Set<Promise<unknown>>();
  #disposed: Promise<void> | null = null;

  static {
    callOn = (model, f, signal) => model.#call(f, signal);
  }

  private constructor(host: WorkerHandle, api: Remote<EngineApi>, handle: number, info: ModelInfo) {
    this.#host = host;
    this.#api = api;
    this.#handle = handle;
    this.info = info;
    host.unref();
    orphans?.register(this, host, this);
  }

  /**
   * Starts a worker and loads `source` in it. Bytes are transferred (see the file comment); a URL is
   * sent as its href; paths and URL strings are resolved in the worker; a Graph is copied.
   * Aborting `signal` terminates the worker and rejects with the signal's reason.
   */
  static async load(source: ModelSource, options: LoadOptions & { worker?: boolean | ModelWorkerOptions } = {}, signal?: AbortSignal): Promise<WorkerModel> {
    const { worker, ...loadOptions } = options;
    signal?.throwIfAborted();
    registerErrorTransfer();
    const host = await spawnWorker(typeof worker === 'object' ? worker.url : undefined);
    const onAbort = () => void host.terminate();
    signal?.addEventListener('abort', onAbort);
    try {
      const api = wrap<EngineApi>(host.endpoint);
      const { handle, info } = await settle(cloneable(api.load(sourceForWorker(source), { ...loadOptions, extensions: extensionUrls() })), host, signal);
      return new WorkerModel(host, api, handle, info);
    } catch (e) {
      void host.terminate();
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Raw inference (see Model.run). The input's buffer is transferred: detached after this call. */
  run<T extends OutputTensor = Float32Array>(input: InputTensor, opts: CallOptions = {}): Promise<T> {
    return this.#call<OutputTensor | OutputTensor[]>((api, h) => api.run(h, tensorForWorker(input, opts.transfer !== false, this.info.inputType)), opts.signal) as Promise<T>;
  }

  /** Every output (see Model.runAll). The input's buffer is transferred: detached after this call. */
  async runAll(input: InputTensor, opts: CallOptions = {}): Promise<OutputTensor[]> {
    const out = await this.run<OutputTensor>(input, opts) as OutputTensor | OutputTensor[];
    return Array.isArray(out) ? out : [out];
  }

  /** Objects with boxes (see Model.detect). `image.data`'s buffer is transferred: detached after this call. */
  detect(image: ImageSource, opts: DetectOptions & CallOptions = {}): Promise<Detection[]> {
    const { signal, transfer: move, ...options } = opts;
    return this.#call(async (api, h) => api.detect(h, await imageArgForWorker(image, move !== false), options), signal);
  }

  /** The class of every pixel (see Model.segment). `image.data`'s buffer is transferred: detached after this call. */
  segment(image: ImageSource, opts: SegmentOptions & CallOptions = {}): Promise<Segmentation> {
    const { signal, transfer: move, ...options } = opts;
    return this.#call(async (api, h) => api.segment(h, await imageArgForWorker(image, move !== false), options), signal);
  }

  /** Top-k labels (see Model.classify). `image.data`'s buffer is transferred: detached after this call. */
  classify(image: ImageSource, opts: ClassifyOptions & CallOptions = {}): Promise<Classification[]> {
    const { signal, transfer: move, ...options } = opts;
    return this.#call(async (api, h) => api.classify(h, await imageArgForWorker(image, move !== false), options), signal);
  }

  /** Pooled features (see Model.embed). `image.data`'s buffer is transferred: detached after this call. */
  embed(image: ImageSource, opts: Pick<ClassifyOptions, 'centralCrop'> & CallOptions = {}): Promise<Float32Array> {
    const { signal, transfer: move, ...options } = opts;
    return this.#call(async (api, h) => api.embed(h, await imageArgForWorker(image, move !== false), options), signal);
  }

  /** Milliseconds per plan step (see Model.profile), measured in the worker. */
  profile(runs = 1, opts: Pick<CallOptions, 'signal'> = {}): Promise<StepProfile[]> {
    return this.#call((api, h) => api.profile(h, runs), opts.signal);
  }

  /** Calls made and not yet settled. */
  get pending(): number {
    return this.#inflight.size;
  }

  /** False once the worker has crashed or the model is disposed. */
  get alive(): boolean {
    return this.#host.alive && !this.#disposed;
  }

  /** Called once if the worker dies on its own (not after dispose()). */
  onCrash(listener: (e: WorkerCrashedError) => void): void {
    this.#host.onCrash(listener);
  }

  /**
   * Lets the calls already made finish, then terminates the worker. Later calls reject with
   * DisposedError. Resolves once the worker is gone.
   */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      orphans?.unregister(this);
      await Promise.allSettled(this.#inflight);
      await this.#host.terminate();
    })();
    return this.#disposed;
  }

  #call<T>(f: RemoteCall<T>, signal?: AbortSignal): Promise<T> {
    if (this.#disposed) return Promise.reject(new DisposedError(`model "${this.info.name}" (worker) has been disposed`));
    if (this.#host.crash) return Promise.reject(this.#host.crash);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let sent: Promise<T>;
    try {
      sent = cloneable(f(this.#api, this.#handle));
    } catch (e) {
      return Promise.reject(e);
    }
    const p = settle(sent, this.#host, signal);
    this.#inflight.add(p);
    if (this.#inflight.size === 1) this.#host.ref();
    const done = () => {
      this.#inflight.delete(p);
      if (this.#inflight.size === 0) this.#host.unref();
    };
    p.then(done, done);
    return p;
  }
}

/**
 * Calls `method(...args)` on the API object the model's worker exposes, for methods a worker entry adds to
 * EngineApi (the tests' entry, test/worker/entry.ts, adds a crash switch), with a WorkerModel call's handling:
 * DisposedError after dispose(), WorkerCrashedError when the worker dies meanwhile. Not exported by the package.
 */
export function callWorker<T>(model: WorkerModel, method: string, ...args: unknown[]): Promise<T> {
  return callOn(model, (api) => (api as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[method](...args));
}

/** A call whose argument cannot be posted to a worker (a function, a symbol…) rejects with InputError, as in process. */
function cloneable<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    throw (e as Error)?.name === 'DataCloneError' ? new InputError(`cannot send to the worker: ${(e as Error).message}`) : e;
  });
}

/** The call's own outcome, or the worker's crash, or the signal's abort, whichever comes first. */
function settle<T>(call: Promise<T>, host: WorkerHandle, signal?: AbortSignal): Promise<T> {
  const racers: Promise<T>[] = [call, host.crashed];
  let onAbort: (() => void) | undefined;
  if (signal) racers.push(new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(abortReason(signal))), { once: true })));
  const p = Promise.race(racers);
  if (signal && onAbort) {
    const off = () => signal.removeEventListener('abort', onAbort!);
    p.then(off, off);
  }
  call.catch(() => {}); // a late rejection after a crash or an abort is expected, not unhandled
  return p;
}

/** What fetch does: the signal's reason, a DOMException named 'AbortError' unless the caller gave another. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** True when `v` spans all of a (non-shared) ArrayBuffer, so transferring it moves exactly its bytes. */
function ownsBuffer(v: ArrayBufferView): boolean {
  return v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.byteLength > 0;
}

/**
 * The input tensor, marked for transfer: the caller's typed array itself when it owns its buffer, else a copy (plain
 * numbers become the model's input type: Float32Array, or Uint8Array / Int8Array for a quantized input).
 */
export function tensorForWorker(input: InputTensor, move: boolean, inputType: ModelInfo['inputType'] = 'float32'): InputTensor {
  let t: Float32Array | Uint8Array | Int8Array;
  if (input instanceof Float32Array || input instanceof Uint8Array || input instanceof Int8Array) t = move && ownsBuffer(input) ? input : input.slice();
  else if (input && typeof input === 'object' && typeof (input as ArrayLike<number>).length === 'number' && !ArrayBuffer.isView(input)) {
    t = inputType === 'uint8' ? Uint8Array.from(input) : inputType === 'int8' ? Int8Array.from(input) : Float32Array.from(input);
  } else return input; // not a tensor we move: sent as is, so the worker's Model reports any InputError
  return t.byteLength > 0 ? transfer(t, [t.buffer]) : t;
}

/**
 * An image as the worker takes it. Paths, Blobs and encoded bytes are decoded in the worker (off this thread;
 * bytes are transferred like pixels); elements, canvases, bitmaps and video frames are read into pixels here,
 * at the time of the call (a <video> moves on), since they cannot cross threads.
 */
export async function imageArgForWorker(image: ImageSource, move: boolean): Promise<WireImage> {
  if (!crossesAsIs(image)) return imageForWorker(await toPixels(image), true); // our own fresh pixels: moved, never copied
  if (isPixels(image)) return imageForWorker(image, move);
  if (typeof image === 'string' || !(image instanceof ArrayBuffer || ArrayBuffer.isView(image))) return image as string | Blob; // a path or a Blob
  const bytes = image instanceof ArrayBuffer ? new Uint8Array(image) : new Uint8Array(image.buffer, image.byteOffset, image.byteLength);
  const own = move && ownsBuffer(bytes) ? bytes : bytes.slice();
  return own.byteLength > 0 ? transfer(own, [own.buffer]) : own;
}

/** Sources a worker takes as they are (pixels, a path, a Blob, encoded bytes); the rest must be read into pixels here. */
export function crossesAsIs(image: ImageSource): boolean {
  return isPixels(image) || typeof image === 'string' || (typeof Blob === 'function' && image instanceof Blob)
    || image instanceof ArrayBuffer || ArrayBuffer.isView(image);
}

/** A plain { data, width, height, channels } with the pixels marked for transfer (copied first unless movable). */
export function imageForWorker(image: ImageInput, move: boolean): ImageInput {
  if (!image || typeof image !== 'object' || !(image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)) return image;
  const data = move && ownsBuffer(image.data) ? image.data : image.data.slice();
  const out: ImageInput = { data, width: image.width, height: image.height, channels: image.channels };
  return data.byteLength > 0 ? transfer(out, [data.buffer]) : out;
}

type WireSource = Exclude<ModelSource, URL>;

/** Model bytes marked for transfer (copied first if they are a view into a larger buffer); URLs as strings. */
export function sourceForWorker(source: ModelSource): WireSource {
  if (source instanceof URL) return source.href;
  if (source instanceof ArrayBuffer) return source.byteLength > 0 ? transfer(source, [source]) : source;
  if (ArrayBuffer.isView(source)) {
    const bytes = ownsBuffer(source) ? new Uint8Array(source.buffer) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
    return bytes.byteLength > 0 ? transfer(bytes, [bytes.buffer]) : bytes;
  }
  return source; // 'default', a path or URL string, or a Graph (structured clone copies its weights)
}
