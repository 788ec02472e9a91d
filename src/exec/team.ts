// A team of helper threads sharing one inference: the leader (the thread that owns the Model)
// dispatches each step through a control block in shared wasm memory; every thread works through the
// step's pieces (output rows, GEMM rows or columns; exec/share.ts), taking over others' pieces when it runs
// out of its own; the leader spins, then waits, until all pieces are done.
import type { Plan } from '../plan/compile.js';
import type { KernelSet } from '../plan/registry.js';
import type { Isa } from '../wasm/load.js';
import { KernelError } from '../errors.js';
import { isNode, startWorker, type StartedWorker } from '../platform.js';
import { threadWorkerUrl } from '../assets.js';
import { pieceCount, runPiece, split } from './executor.js';
import { ACTIVE, CONTROL_ADDRESS, CONTROL_SLOTS, DONE, FAILED, LEADER_SPIN_MS, LINGER, LINGER_MAX_MS, MAX_STEPS, MAX_THREADS, QUEUE, QUIT, SEQ } from './control.js';
import { newRowCursor } from './block.js';
import { queueWord, sharePieces } from './share.js';
import { ModeChooser } from './mode-chooser.js';
import type { ThreadInit } from './thread-main.js';

/** No step takes anywhere near this long; past it a helper thread is presumed dead. */
const STEP_TIMEOUT_MS = 20_000;

interface AnyWorker { postMessage(m: unknown): void; terminate(): unknown }

/**
 * True where a shared WebAssembly.Memory can be made. Being cross-origin isolated is not enough: WebKitGTK
 * is isolated and still has no SharedArrayBuffer, so a 1-page shared memory is actually constructed.
 */
export function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** True where a thread team can work: shared memory, Atomics.wait on this thread, and workers. */
export function threadsAvailable(): boolean {
  if (!sharedMemoryUsable()) return false;
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown; Worker?: unknown };
  if (isNode) return true;
  if (g.crossOriginIsolated === false) return false;
  return typeof g.Worker === 'function' && g.document === undefined; // a worker can block; a window cannot
}

/** The most threads `threads: 'auto'` picks: in Node and Deno, and in browsers. */
export const AUTO_THREADS_MAX = 4;
export const AUTO_THREADS_MAX_BROWSER = 2;

/**
 * `threads: 'auto'` as a count, from the cores the runtime reports (0 or undefined: unknown, 1 thread).
 * Node's os.availableParallelism() is the scheduler's own count, so up to 4 of them are used. A browser's
 * navigator.hardwareConcurrency is not a core count: WebKit reports 4 below 8 cores and 8 above (a 2-core
 * machine says 4), and the page, the browser and other tabs share the cores with the team, where one helper
 * preempted mid-step holds up the whole step. So in browsers 'auto' takes at most 2 threads, the case the
 * benchmarks measure; `threads: n` asks for more.
 */
export function autoThreads(reportedCores: number | undefined, browser: boolean): number {
  const cores = reportedCores !== undefined && Number.isFinite(reportedCores) && reportedCores >= 1 ? Math.floor(reportedCores) : 1;
  return Math.min(cores, browser ? AUTO_THREADS_MAX_BROWSER : AUTO_THREADS_MAX);
}

/** How long a thread team's helpers may take to start (module compile + instantiate on a loaded machine). */
const THREAD_START_TIMEOUT_MS = 30_000;

export class ThreadTeam {
  /** Threads in the team, the leader included. */
  readonly threads: number;
  #ctl: Int32Array;
  #workers: AnyWorker[];
  #memory: WebAssembly.Memory;
  #epoch = 0;
  #cursor = newRowCursor();
  #mode = new ModeChooser();
  /** When the last inference ended (performance.now()). */
  #lastEnd = -Infinity;

  private constructor(memory: WebAssembly.Memory, workers: AnyWorker[]) {
    this.#memory = memory;
    this.#workers = workers;
    this.threads = workers.length + 1;
    this.#ctl = new Int32Array(memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS);
  }

  /** Starts `threads − 1` helper threads over `memory` (which must be shared). */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: Plan, isa: Isa, threads: number): Promise<ThreadTeam> {
    if (threads > MAX_THREADS) throw new KernelError(`a thread team has at most ${MAX_THREADS} threads, asked for ${threads}`);
    if (plan.steps.length > MAX_STEPS) throw new KernelError(`a shared plan has at most ${MAX_STEPS} steps, this one has ${plan.steps.length}`);
    new Int32Array(memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS).fill(0);
    const url = threadWorkerUrl();
    const workers: AnyWorker[] = [];
    const ready: Promise<void>[] = [];
    for (let thread = 1; thread < threads; thread++) {
      const init: ThreadInit = { module, memory, steps: plan.steps, isa, thread, threads };
      let w: StartedWorker;
      try {
        w = await startWorker(url);
      } catch (e) {
        throw new KernelError(`thread ${thread} could not start: ${(e as Error).message}`);
      }
      ready.push(new Promise((resolve, reject) => {
        w.onMessage((m) => {
          if ((m as { type?: string }).type === 'ready') {
            w.unref();
            resolve();
          }
        });
        w.onError((message) => reject(new KernelError(`thread ${thread} failed to start: ${message}`)));
        w.onExit((code) => reject(new KernelError(`thread ${thread} exited with code ${code} before it was ready`)));
      }));
      w.postMessage(init);
      workers.push(w);
    }
    // A helper that never answers (a worker script that cannot load, a platform that swallows its errors) must
    // not leave loadModel() pending forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KernelError(`the thread team's helpers did not start within ${THREAD_START_TIMEOUT_MS / 1000} s`)), THREAD_START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return new ThreadTeam(memory, workers);
  }

  /**
   * Wakes helpers that sleep between inferences, so that waking (≈ 0.1 ms on the development VMs, which the
   * first step otherwise absorbs) overlaps the leader's input preparation; a woken helper spins for a step.
   */
  wake(): void {
    Atomics.notify(this.#ctl, SEQ);
  }

  /** Runs the plan (up to and including the step named `until`) with every step shared by the team. */
  run(plan: Plan, k: KernelSet, until?: string, times?: Float64Array): void {
    const ctl = this.#ctl.buffer === this.#memory.buffer ? this.#ctl : (this.#ctl = new Int32Array(this.#memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS));
    const timed = until === undefined && !times;
    const solo = this.#mode.next(timed);
    const threads = solo ? 1 : this.threads;
    const start = performance.now();
    const idle = start - this.#lastEnd;
    if (!solo) Atomics.store(ctl, ACTIVE, 1);
    try {
      for (let i = 0; i < plan.steps.length; i++) {
        const s = plan.steps[i];
        const t0 = times ? performance.now() : 0;
        const pieces = pieceCount(s, threads);
        if (pieces === 1) {
          runPiece(k, s, 0, 1);
        } else {
          this.#epoch = (this.#epoch + 1) & 0x3fffff;
          const tag = this.#epoch & 0xfff;
          for (let t = 0; t < threads; t++) {
            const [a, b] = split(pieces, t, threads);
            Atomics.store(ctl, QUEUE + t, queueWord(tag, a, b));
          }
          Atomics.store(ctl, DONE, 0);
          Atomics.store(ctl, SEQ, (this.#epoch << 10) | i);
          Atomics.notify(ctl, SEQ);
          sharePieces(ctl, k, s, tag, pieces, 0, threads, this.#cursor);
          this.#join(ctl, pieces, s.name);
        }
        if (times) times[i] += performance.now() - t0;
        if (s.name === until) break;
      }
    } finally {
      // Back-to-back inferences: helpers linger for the next one (control.ts LINGER_MAX_MS).
      Atomics.store(ctl, LINGER, idle < LINGER_MAX_MS ? Math.round(1000 * Math.min(LINGER_MAX_MS, 2 * idle + 1)) : 0);
      Atomics.store(ctl, ACTIVE, 0);
      this.#lastEnd = performance.now();
    }
    if (timed) this.#mode.record(solo, performance.now() - start);
    if (Atomics.load(ctl, FAILED)) {
      Atomics.store(ctl, FAILED, 0);
      throw new KernelError('a kernel call failed on a thread of the team during inference');
    }
  }

  /**
   * Waits until all `pieces` pieces of the step are done (the leader's own are, when it gets here): spins,
   * reading the clock every 256 turns, for LEADER_SPIN_MS, then sleeps in Atomics.wait (a helper preempted by
   * another process), giving up after STEP_TIMEOUT_MS.
   */
  #join(ctl: Int32Array, pieces: number, step: string): void {
    let deadline = 0;
    for (let spins = 0, done = Atomics.load(ctl, DONE); done < pieces; done = Atomics.load(ctl, DONE)) {
      if ((++spins & 255) !== 0) continue;
      const now = performance.now();
      if (deadline === 0) deadline = now + LEADER_SPIN_MS;
      else if (now > deadline) {
        Atomics.wait(ctl, DONE, done, 100);
        if (now - deadline > STEP_TIMEOUT_MS) throw new KernelError(`thread team stalled in step "${step}": a helper thread stopped responding`);
      }
    }
  }

  terminate(): void {
    Atomics.store(this.#ctl, QUIT, 1);
    Atomics.add(this.#ctl, SEQ, 1 << 10);
    Atomics.notify(this.#ctl, SEQ);
    for (const w of this.#workers) void w.terminate();
    this.#workers = [];
  }
}
