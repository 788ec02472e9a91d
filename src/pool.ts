// A pool of worker models: a bounded FIFO queue in front of up to `size` workers, each running one
// call at a time. Workers start lazily (on the first call that finds none free), stop after
// `idleTimeoutMs` without work, and are replaced when they die; the pool keeps serving.
//
// Calls: each resolves its own promise. `{ signal }` drops a waiting call, or rejects a running one
// at once and discards its result (the worker finishes it and moves on; it is not killed). A call
// whose worker dies rejects with WorkerCrashedError and is not retried. More than `maxQueue` waiting
// calls: QueueFullError. Input buffers are transferred when the call reaches a worker (see
// workers/client.ts): hand them over at call time and do not touch them until the promise settles.
import type { ModelSource } from './load.js';
import type {
  Classification, ClassifyOptions, Detection, DetectOptions, InputTensor, LoadOptions, ModelApi, ModelInfo, OutputTensor, SegmentOptions, Segmentation, StepProfile,
} from './model-api.js';
import { toPixels, type ImageSource } from './image/sources.js';
import { WorkerModel, abortReason, crossesAsIs, type CallOptions, type ModelWorkerOptions } from './workers/client.js';
import { DisposedError, InputError, QueueFullError } from './errors.js';

export interface PoolOptions {
  /** Loaded by every worker: 'default', a path, a URL, bytes (copied once, then sent to each worker) or a Graph. */
  model: ModelSource;
  /** Most workers running at once. Default 2. */
  size?: number;
  /** Most calls waiting for a worker (≥ 1); beyond it calls reject with QueueFullError. Default 1000. */
  maxQueue?: number;
  /** A worker with no work for this long is terminated (restarted on demand). Default 30000; Infinity keeps them. */
  idleTimeoutMs?: number;
  loadOptions?: LoadOptions;
  /** Where the worker bundle is (default: worker.js beside the library). */
  worker?: ModelWorkerOptions;
}

/** The model API (ModelApi) over a pool of workers; `info` is a method, since no worker may have loaded yet. */
export interface Pool extends ModelApi<(opts?: Pick<CallOptions, 'signal'>) => Promise<ModelInfo>, CallOptions> {
  /** Most workers (the `size` option). */
  readonly size: number;
  /** Calls made and not yet settled: waiting plus running. */
  readonly pending: number;
  /** Workers running or starting now (0 after idle shutdown). */
  readonly workers: number;
  /** The model's info (starts a worker if none has loaded yet). */
  info(opts?: Pick<CallOptions, 'signal'>): Promise<ModelInfo>;
  run<T extends OutputTensor = Float32Array>(input: InputTensor, opts?: CallOptions): Promise<T>;
  classify(image: ImageSource, opts?: ClassifyOptions & CallOptions): Promise<Classification[]>;
  segment(image: ImageSource, opts?: SegmentOptions & CallOptions): Promise<Segmentation>;
  /** Every output (see Model.runAll). */
  runAll(input: InputTensor, opts?: CallOptions): Promise<OutputTensor[]>;
  detect(image: ImageSource, opts?: DetectOptions & CallOptions): Promise<Detection[]>;
  embed(image: ImageSource, opts?: Pick<ClassifyOptions, 'centralCrop'> & CallOptions): Promise<Float32Array>;
  /** Milliseconds per plan step (see Model.profile), measured on whichever worker takes the call, on the input it ran last. */
  profile(runs?: number, opts?: Pick<CallOptions, 'signal'>): Promise<StepProfile[]>;
  /** Rejects waiting calls with DisposedError, lets running ones finish, terminates the workers. */
  close(): Promise<void>;
  /** The same as close() (the name every ModelApi frees itself by). */
  dispose(): Promise<void>;
}

type Kind = 'run' | 'classify' | 'segment' | 'detect' | 'embed' | 'profile' | 'info';

interface Job {
  kind: Kind;
  arg: unknown;
  /** The call's options minus the signal (topK, centralCrop, size, transfer). */
  opts: ClassifyOptions & SegmentOptions & DetectOptions & Pick<CallOptions, 'transfer'>;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  state: 'waiting' | 'running' | 'settled';
}

interface Slot {
  model: WorkerModel | null;
  /** Aborts the load while the worker starts. */
  loading: AbortController | null;
  job: Job | null;
  /** The promise of the job running in this slot (for close()). */
  running: Promise<unknown> | null;
  idle?: ReturnType<typeof setTimeout>;
}

const internals = new WeakMap<Pool, WorkerPool>();

export function createPool(options: PoolOptions): Pool {
  const pool = new WorkerPool(options);
  const api: Pool = {
    get size() { return pool.size; },
    get pending() { return pool.pending; },
    get workers() { return pool.workers; },
    info: (opts = {}) => pool.info(opts),
    run: <T extends OutputTensor = Float32Array>(input: InputTensor, opts: CallOptions = {}) => pool.submit('run', input, opts) as Promise<T>,
    classify: (image, opts = {}) => submitImage(pool, 'classify', image, opts) as Promise<Classification[]>,
    segment: (image, opts = {}) => submitImage(pool, 'segment', image, opts) as Promise<Segmentation>,
    runAll: async (input, opts = {}) => {
      const out = await (pool.submit('run', input, opts) as Promise<OutputTensor | OutputTensor[]>);
      return Array.isArray(out) ? out : [out];
    },
    detect: (image, opts = {}) => submitImage(pool, 'detect', image, opts) as Promise<Detection[]>,
    embed: (image, opts = {}) => submitImage(pool, 'embed', image, opts) as Promise<Float32Array>,
    profile: (runs = 1, opts = {}) => pool.submit('profile', runs, opts) as Promise<StepProfile[]>,
    close: () => pool.close(),
    dispose: () => pool.close(),
  };
  internals.set(api, pool);
  return api;
}

/**
 * Queues an image call. Elements, canvases, bitmaps and video frames are read into pixels now, at the time of the
 * call (a <video> moves on while the call waits); pixels, paths, Blobs and bytes go to a worker as they are.
 */
async function submitImage(pool: WorkerPool, kind: 'classify' | 'segment' | 'detect' | 'embed', image: ImageSource, opts: ClassifyOptions & SegmentOptions & DetectOptions & CallOptions): Promise<unknown> {
  return pool.submit(kind, crossesAsIs(image) ? image : await toPixels(image), opts);
}

/**
 * The pool's live worker models (loaded ones only), for tests (test/worker/hooks.ts) and diagnostics. Not
 * exported by the package (src/index.ts): the pool's workers are its own.
 */
export function loadedWorkers(pool: Pool): WorkerModel[] {
  return internals.get(pool)?.loadedModels() ?? [];
}

class WorkerPool {
  readonly size: number;
  #maxQueue: number;
  #idleMs: number;
  #source: ModelSource;
  #loadOptions: LoadOptions & { worker: true | ModelWorkerOptions };
  #queue = new Set<Job>();
  #slots = new Set<Slot>();
  #info: ModelInfo | null = null;
  /** After a failed start, grow again only once a start succeeds (no respawn loop on a bad model). */
  #startFailed = false;
  #closing: Promise<void> | null = null;

  constructor(o: PoolOptions) {
    if (!o || typeof o !== 'object' || o.model === undefined || o.model === null) throw new InputError('createPool(): options.model is required');
    const { size = 2, maxQueue = 1000, idleTimeoutMs = 30_000 } = o;
    if (!Number.isInteger(size) || size < 1) throw new InputError(`createPool(): size must be a positive integer, got ${size}`);
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new InputError(`createPool(): maxQueue must be a positive integer, got ${maxQueue}`);
    if (!(idleTimeoutMs >= 0)) throw new InputError(`createPool(): idleTimeoutMs must be ≥ 0, got ${idleTimeoutMs}`);
    this.size = size;
    this.#maxQueue = maxQueue;
    this.#idleMs = idleTimeoutMs;
    this.#source = ownCopy(o.model);
    this.#loadOptions = { ...o.loadOptions, worker: o.worker ?? true };
  }

  get pending(): number {
    let running = 0;
    for (const s of this.#slots) if (s.job?.state === 'running') running++;
    return this.#queue.size + running;
  }

  get workers(): number {
    return this.#slots.size;
  }

  loadedModels(): WorkerModel[] {
    return [...this.#slots].flatMap((s) => (s.model ? [s.model] : []));
  }

  info(opts: Pick<CallOptions, 'signal'>): Promise<ModelInfo> {
    if (this.#info && !this.#closing) return Promise.resolve(this.#info);
    return this.submit('info', undefined, opts) as Promise<ModelInfo>;
  }

  submit(kind: Kind, arg: unknown, opts: ClassifyOptions & SegmentOptions & CallOptions): Promise<unknown> {
    if (this.#closing) return Promise.reject(new DisposedError('the pool is closed'));
    const { signal, ...rest } = opts ?? {};
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#queue.size >= this.#maxQueue && !this.#hasFreeWorker()) {
      return Promise.reject(new QueueFullError(`the pool's queue is full: ${this.#maxQueue} calls are waiting for a worker (maxQueue ${this.#maxQueue}); retry later or raise maxQueue`));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { kind, arg, opts: rest, signal, resolve, reject, state: 'waiting' };
      if (signal) {
        job.onAbort = () => {
          if (job.state === 'waiting') this.#queue.delete(job);
          this.#settle(job, abortReason(signal), false);
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.add(job);
      this.#pump();
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const job of this.#queue) this.#settle(job, new DisposedError('the pool was closed before this call started'), false);
      this.#queue.clear();
      await Promise.allSettled([...this.#slots].map((s) => s.running));
      const slots = [...this.#slots];
      this.#slots.clear();
      await Promise.allSettled(slots.map((s) => this.#stop(s)));
    })();
    return this.#closing;
  }

  /** Gives waiting calls to free workers, and starts workers while calls outnumber the ones starting. */
  #pump(): void {
    if (this.#closing) return;
    let starting = 0;
    for (const slot of this.#slots) {
      if (slot.loading) starting++;
      else if (slot.model && !slot.job) {
        const job = this.#next();
        if (job) this.#start(slot, job);
      }
    }
    while (this.#queue.size > starting && this.#slots.size < this.size && !(this.#startFailed && this.#slots.size > 0)) {
      this.#spawn();
      starting++;
    }
  }

  /** A loaded worker with nothing to do (then the queue is empty, and a new call starts at once). */
  #hasFreeWorker(): boolean {
    for (const s of this.#slots) if (s.model && !s.job) return true;
    return false;
  }

  #next(): Job | undefined {
    const first = this.#queue.values().next();
    if (first.done) return undefined;
    this.#queue.delete(first.value);
    return first.value;
  }

  #start(slot: Slot, job: Job): void {
    const model = slot.model!;
    clearTimeout(slot.idle);
    job.state = 'running';
    slot.job = job;
    let call: Promise<unknown>;
    switch (job.kind) {
      case 'info': call = Promise.resolve(model.info); break;
      case 'run': call = model.run(job.arg as InputTensor, { transfer: job.opts.transfer }); break;
      case 'classify': call = model.classify(job.arg as ImageSource, job.opts); break;
      case 'segment': call = model.segment(job.arg as ImageSource, job.opts); break;
      case 'detect': call = model.detect(job.arg as ImageSource, job.opts); break;
      case 'embed': call = model.embed(job.arg as ImageSource, job.opts); break;
      case 'profile': call = model.profile(job.arg as number); break;
    }
    // The worker is free again before the caller hears back, so a call made in reaction already finds it free.
    const finish = (value: unknown, ok: boolean) => {
      slot.job = null;
      slot.running = null;
      if (this.#slots.has(slot)) { // else: crashed or closed meanwhile
        if (!model.alive) this.#drop(slot);
        else {
          this.#pump();
          if (!slot.job) this.#idle(slot);
        }
      }
      this.#settle(job, value, ok);
    };
    slot.running = call.then((v) => finish(v, true), (e) => finish(e, false));
  }

  #settle(job: Job, value: unknown, ok: boolean): void {
    if (job.state === 'settled') return; // aborted while running: the late result is discarded
    job.state = 'settled';
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (ok) job.resolve(value);
    else job.reject(value);
  }

  #spawn(): void {
    const slot: Slot = { model: null, loading: new AbortController(), job: null, running: null };
    this.#slots.add(slot);
    const source = this.#source instanceof Uint8Array ? this.#source.slice() : this.#source;
    WorkerModel.load(source, this.#loadOptions, slot.loading!.signal).then(
      (model) => {
        slot.loading = null;
        if (!this.#slots.has(slot) || this.#closing) return void model.dispose();
        slot.model = model;
        this.#info ??= model.info;
        this.#startFailed = false;
        model.onCrash(() => this.#drop(slot));
        this.#pump();
        if (!slot.job) this.#idle(slot);
      },
      (err) => {
        slot.loading = null;
        if (!this.#slots.has(slot)) return;
        this.#slots.delete(slot);
        this.#startFailed = true;
        // No other worker can take the waiting calls: they fail with the load error (bad model,
        // missing bundle). Otherwise the survivors serve them.
        if (this.#slots.size === 0) {
          for (const job of this.#queue) this.#settle(job, err, false);
          this.#queue.clear();
        }
        this.#pump();
      },
    );
  }

  /** Forgets a dead worker; a fresh one starts if calls are waiting. */
  #drop(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    clearTimeout(slot.idle);
    void this.#stop(slot);
    this.#pump();
  }

  #idle(slot: Slot): void {
    clearTimeout(slot.idle);
    if (!Number.isFinite(this.#idleMs)) return;
    slot.idle = setTimeout(() => {
      if (slot.job || !this.#slots.has(slot)) return;
      this.#slots.delete(slot);
      void this.#stop(slot);
    }, this.#idleMs);
    (slot.idle as { unref?: () => void }).unref?.(); // an idle pool does not keep Node alive
  }

  async #stop(slot: Slot): Promise<void> {
    clearTimeout(slot.idle);
    slot.loading?.abort(new DisposedError('the pool stopped this worker while it was starting'));
    await slot.model?.dispose();
  }
}

/** Bytes are copied once (the caller may reuse theirs); each worker start then gets its own copy to move. */
function ownCopy(source: ModelSource): ModelSource {
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  return source;
}
