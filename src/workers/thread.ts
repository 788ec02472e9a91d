// The platform half of a worker: start one (Web Worker in browsers, Deno and Bun; worker_threads in
// Node), give Comlink an endpoint on each side, and notice when the worker dies on its own.
//
// Death is detected from events, not by polling: Node emits 'error' (uncaught exception, out of
// memory) and then 'exit' (also after process.exit() in the worker or an outside terminate());
// Web Workers emit 'error' for an uncaught exception or a script that fails to load, after which we
// terminate the worker ourselves. A browser that silently kills a worker sends no event at all;
// calls to such a worker stay pending (pass an AbortSignal to bound them).
import { nodeEndpoint, type Endpoint } from './comlink.js';
import { EngineError, WorkerCrashedError } from '../errors.js';

type NodeWorker = import('node:worker_threads').Worker;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** One running worker, seen from the thread that started it. */
export class WorkerThread {
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
export async function spawnWorker(url?: string | URL): Promise<WorkerThread> {
  if (typeof globalThis.Worker === 'function') {
    const w = url ? new Worker(url, { type: 'module' }) : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const t = new WorkerThread(w, () => w.terminate(), null);
    w.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault(); // Deno would otherwise rethrow it on the main thread
      t.died(`uncaught error in the worker: ${e.message || 'the worker script failed to load'}`);
    });
    w.addEventListener('messageerror', () => t.died('a message from the worker could not be deserialized'));
    return t;
  }
  if (!isNode) throw new EngineError('worker: this runtime has neither Web Workers nor node:worker_threads');
  const threads = await import('node:worker_threads');
  const target = url === undefined ? new URL('./worker.js', import.meta.url) : typeof url === 'string' && /^file:/i.test(url) ? new URL(url) : url;
  const w: NodeWorker = new threads.Worker(target);
  const t = new WorkerThread(nodeEndpoint(w), () => w.terminate(), w);
  w.on('error', (e: Error) => t.died(`uncaught ${e.name}: ${e.message}`));
  w.on('messageerror', () => t.died('a message from the worker could not be deserialized'));
  w.on('exit', (code: number) => t.died(`the worker thread exited with code ${code}`));
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
