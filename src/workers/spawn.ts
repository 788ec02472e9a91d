// The platform half of the engine worker: start one (src/platform.ts startWorker: a Web Worker in browsers,
// Deno and Bun; worker_threads in Node), give Comlink an endpoint on each side, and notice when the worker
// dies on its own. (Helper threads of a thread team are started by src/exec/team.ts; "thread" names those.)
//
// Death is detected from events, not by polling: Node emits 'error' (uncaught exception, out of
// memory) and then 'exit' (also after process.exit() in the worker or an outside terminate());
// Web Workers emit 'error' for an uncaught exception or a script that fails to load, after which we
// terminate the worker ourselves. A browser that silently kills a worker sends no event at all;
// calls to such a worker stay pending (pass an AbortSignal to bound them).
import { nodeEndpoint, type Endpoint } from './comlink.js';
import { EngineError, WorkerCrashedError } from '../errors.js';
import { canStartWorkers, isNode, startWorker } from '../platform.js';

type NodeWorker = import('node:worker_threads').Worker;

/** One running worker, seen from the thread that started it. */
export class WorkerHandle {
  readonly endpoint: Endpoint;
  #terminate: () => Promise<unknown> | void;
  #refs: { ref(): void; unref(): void } | null;
  #crash: WorkerCrashedError | null = null;
  #stopped = false;
  #listeners = new Set<(e: WorkerCrashedError) => void>();
  /** Rejects with WorkerCrashedError when the worker dies on its own; never settles otherwise. */
  readonly crashed: Promise<never>;
  #reject!: (e: WorkerCrashedError) => void;

  constructor(endpoint: Endpoint, terminate: () => Promise<unknown> | void, refs: { ref(): void; unref(): void } | null) {
    this.endpoint = endpoint;
    this.#terminate = terminate;
    this.#refs = refs;
    this.crashed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.crashed.catch(() => {}); // observed through calls and onCrash, never left unhandled
  }

  /** The error the worker died with, or null while it lives (or after a terminate() of ours). */
  get crash(): WorkerCrashedError | null {
    return this.#crash;
  }

  get alive(): boolean {
    return !this.#crash && !this.#stopped;
  }

  onCrash(listener: (e: WorkerCrashedError) => void): void {
    if (this.#crash) listener(this.#crash);
    else this.#listeners.add(listener);
  }

  /** Records an unexpected death (first reason wins) and tells everyone waiting. */
  died(reason: string): void {
    if (this.#crash || this.#stopped) return;
    this.#crash = new WorkerCrashedError(`worker died: ${reason}`);
    void this.#terminate(); // a Web Worker after an uncaught error may still run; make sure it is gone
    this.#reject(this.#crash);
    for (const l of this.#listeners) l(this.#crash);
    this.#listeners.clear();
  }

  /** Node only: keep the process alive while calls are pending, let it exit while the worker idles. */
  ref(): void {
    this.#refs?.ref();
  }

  unref(): void {
    this.#refs?.unref();
  }

  /** Stops the worker on purpose (not a crash). */
  async terminate(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#listeners.clear();
    await this.#terminate();
  }
}

/**
 * Starts the engine worker. Without `url`, the bundle next to the library (dist/worker.js beside
 * dist/index.js); bundlers recognise the literal `new Worker(new URL('./worker.js', import.meta.url))`.
 */
export async function spawnWorker(url?: string | URL): Promise<WorkerHandle> {
  if (!canStartWorkers()) throw new EngineError('worker: this runtime has neither Web Workers nor node:worker_threads');
  const w = await startWorker(url ?? new URL('./worker.js', import.meta.url),
    url ? undefined : () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
  const endpoint = w.node ? nodeEndpoint(w.worker as NodeWorker) : (w.worker as Worker);
  const t = new WorkerHandle(endpoint, () => w.terminate(), w.node ? w : null);
  w.onError((message, e) => t.died(w.node && e ? `uncaught ${e.name}: ${message}` : `uncaught error in the worker: ${message || 'the worker script failed to load'}`));
  w.onMessageError(() => t.died('a message from the worker could not be deserialized'));
  w.onExit((code) => t.died(`the worker thread exited with code ${code}`));
  return t;
}

/** Inside a Web Worker (browsers, Deno): its global scope; elsewhere null. Synchronous, so no message is missed. */
export function webWorkerScope(): Endpoint | null {
  const G = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
  if (typeof G === 'function' && globalThis instanceof G) return globalThis as unknown as Endpoint;
  return isNode ? null : (globalThis as unknown as Endpoint);
}

/** Inside a Node worker thread: its parentPort (node:worker_threads is loaded only here). */
export async function nodeParentEndpoint(): Promise<Endpoint> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new EngineError('worker/index.js must be started as a worker thread (it has no parentPort)');
  return nodeEndpoint(parentPort);
}
