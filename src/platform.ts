// What the engine needs to know about the JavaScript runtime it runs in, asked in one place: Node (or a
// runtime that emulates it, like Deno), a Web Worker scope, how many cores, and how to start a worker.
// Node built-ins are imported lazily, exactly as `await import('node:…')` (scripts/build.mjs hides those
// from app bundlers), so browsers never load them.

/** Node's APIs are present (Node; also Deno, which emulates `process`). */
export const isNode: boolean = typeof process !== 'undefined' && !!process.versions?.node;

/** This code runs inside a Web Worker (browsers, Deno), not in a window or on Node's main / worker threads. */
export function inWebWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

/**
 * Node itself, not a runtime that emulates its APIs: Deno and Bun announce themselves (`Deno`, `process.versions.bun`)
 * and have Web Workers of their own.
 */
const isRealNode: boolean = isNode && typeof (globalThis as { Deno?: unknown }).Deno === 'undefined' && !(process.versions as { bun?: string }).bun;

/**
 * Workers come from node:worker_threads on Node, whatever globals say: Node has no Web Worker, so a global
 * `Worker` there was put by another library (LiteRT.js's threaded loader sets it to worker_threads.Worker,
 * which speaks `on('message')`, not `onmessage`; trusting it left a thread team waiting forever). Deno and Bun
 * use their Web Workers.
 */
export function usesNodeWorkers(): boolean {
  return isRealNode || (isNode && typeof (globalThis as { Worker?: unknown }).Worker !== 'function');
}

/** This runtime can start workers: it has Web Workers, or Node's worker_threads. */
export function canStartWorkers(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' || isNode;
}

/** Logical cores of this machine (navigator.hardwareConcurrency, else Node's availableParallelism); 0 when unknown. */
export async function coreCount(): Promise<number> {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 0;
  if (!cores && isNode) return (await import('node:os')).availableParallelism();
  return cores;
}

type NodeWorker = import('node:worker_threads').Worker;

/**
 * A worker started by startWorker(), with one set of events on both platforms. Handlers are added, never
 * replaced (several may listen). On the web, `exit` never fires: a Web Worker reports no exit.
 */
export interface StartedWorker {
  /** The Web Worker (browsers, Deno, Bun) or the node:worker_threads Worker (Node). */
  readonly worker: Worker | NodeWorker;
  readonly node: boolean;
  postMessage(message: unknown): void;
  /** A message from the worker (its data). */
  onMessage(f: (data: unknown) => void): void;
  /** An uncaught error in the worker, or (web) a script that failed to load. The web event's default is prevented. */
  onError(f: (message: string, error?: Error) => void): void;
  /** A message from the worker that could not be deserialized. */
  onMessageError(f: () => void): void;
  /** Node: the worker thread exited (on its own, by process.exit(), or terminated). */
  onExit(f: (code: number) => void): void;
  /** Node: keep the process alive while the worker runs (ref) or not (unref). No-ops on the web. */
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown> | void;
}

/**
 * Starts a module worker from `url`: a Web Worker where the runtime has them, else a Node worker thread.
 * `web`, when given, constructs the Web Worker itself: bundlers find a worker only through the literal
 * `new Worker(new URL('./x.js', import.meta.url), …)` in the caller's source, so that call stays there.
 * Throws a plain Error where the runtime has neither kind of worker (callers wrap it in their own error).
 */
export async function startWorker(url: string | URL, web?: () => Worker): Promise<StartedWorker> {
  if (!usesNodeWorkers()) {
    if (!canStartWorkers()) throw new Error('this runtime has neither Web Workers nor node:worker_threads');
    const w = web ? web() : new Worker(url, { type: 'module' });
    return {
      worker: w, node: false,
      postMessage: (m) => w.postMessage(m),
      onMessage: (f) => w.addEventListener('message', (e: MessageEvent) => f(e.data)),
      onError: (f) => w.addEventListener('error', (e: ErrorEvent) => {
        e.preventDefault(); // Deno would otherwise rethrow it on the main thread
        f(e.message, e.error instanceof Error ? e.error : undefined);
      }),
      onMessageError: (f) => w.addEventListener('messageerror', () => f()),
      onExit: () => {},
      ref: () => {},
      unref: () => {},
      terminate: () => w.terminate(),
    };
  }
  const threads = await import('node:worker_threads');
  const target = typeof url === 'string' && /^file:/i.test(url) ? new URL(url) : url;
  const w: NodeWorker = new threads.Worker(target);
  return {
    worker: w, node: true,
    postMessage: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onError: (f) => w.on('error', (e: Error) => f(e.message, e)),
    onMessageError: (f) => w.on('messageerror', () => f()),
    onExit: (f) => w.on('exit', f),
    ref: () => w.ref(),
    unref: () => w.unref(),
    terminate: () => w.terminate(),
  };
}

/**
 * A User Timing mark `mobilenet-wasm:<phase>` (shown in DevTools' performance panel; the browser benchmark reads
 * them to split a first inference into its phases). Costs nothing measurable; absent performance.mark, a no-op.
 */
export function markPhase(phase: string): void {
  (globalThis as { performance?: { mark?: (name: string) => unknown } }).performance?.mark?.(`mobilenet-wasm:${phase}`);
}
