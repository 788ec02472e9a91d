// A compiled plan made runnable: the WebAssembly memory it lives in (shared when a thread team works in it),
// the kernel instance over that memory, the plan's constants copied in, the thread team, and the ways in
// and out: tensor writes and reads, and image staging (bilinear resize + normalization, then quantization
// for an integer input, inside wasm). It knows nothing of labels, tasks or post-processing: src/model.ts
// builds the public API on it, and src/quantize/calibrate.ts runs float graphs on it to record ranges.
//
// Memory layout: [0, plan.totalBytes) is the plan's (control block, constants, arena); images up to 64 MiB are
// staged above it, at the first 64-byte boundary (the memory grows to fit the largest such image seen); larger
// ones in a transient instance over a memory of its own, dropped 2 s after its last use.
import { writeConstants, type Plan, type TensorRef } from '../plan/compile.js';
import { selectKernels, type KernelSet } from '../plan/registry.js';
import { dtypeRange } from '../plan/requant.js';
import { compileKernels, instantiateKernels, kernelAbort, resolveIsa, type Isa } from '../wasm/load.js';
import { execute } from './executor.js';
import { ThreadTeam, autoThreads, sharedMemoryUsable, threadsAvailable } from './team.js';
import { coreCount, isNode, markPhase } from '../platform.js';
import { DisposedError, EngineError, InputError, KernelError } from '../errors.js';
import type { ValidImage } from '../image/preprocess.js';

const PAGE = 65536;
/** Shared memories must declare a maximum; 1 GiB of address space, reserved but not committed. */
const MAX_SHARED_PAGES = 16384;
/**
 * Images (plus their float32 scratch) up to this size are staged in the model's own memory (a 16 MP RGBA photo
 * fits), larger ones apart; the memory apart is kept for STAGING_KEEP_MS after its last use, so a burst of large
 * images does not fault fresh pages in every time (BENCHMARKS.md: issue 14).
 */
const STAGE_IN_PLACE_BYTES = 64 << 20;
const STAGING_KEEP_MS = 2000;
/** Bytes left free at the bottom of a transient staging memory (the kernels' static data, as RESERVED_BYTES). */
const RESERVED_STAGING = 1024;

export interface RuntimeOptions {
  /** Kernel build; default: the best this runtime validates (resolveIsa('auto')). */
  isa?: Isa;
  /**
   * Threads sharing each inference (default 1). More than 1 starts a thread team over a shared memory
   * (see threadCount for what the platform allows); the plan should be compiled with as many `parts`.
   */
  threads?: number;
  /** The model's name, for error messages. */
  name?: string;
  /** Images up to this many bytes (with their float32 scratch) are staged in the model's memory (default 64 MiB). */
  stageInPlaceBytes?: number;
}

/** A typed view of a tensor in its own type (int64 as BigInt64Array). */
export type TensorView = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/** The per-channel affine map of pixels to the model's real input values (Graph meta.preprocess). */
export interface PixelNormalization { scale: readonly number[]; offset: readonly number[] }

/**
 * Threads per inference for LoadOptions.threads: a number (validated), or 'auto' (one per core, at most 4);
 * 1 where a team cannot run (scalar kernels; no shared memory or no blocking wait on this thread).
 */
export async function threadCount(isa: Isa, threads: number | 'auto' | undefined): Promise<number> {
  if (threads !== undefined && threads !== 1 && isa !== 'scalar' && !threadsAvailable() && onWindowWithSharedMemory()) warnMainThread(threads);
  if (isa === 'scalar' || !threadsAvailable() || threads === undefined) return 1;
  // 'auto': the cores reported, at most 4 on Node and Deno and at most 2 in browsers (team.ts autoThreads says why).
  if (threads === 'auto') return autoThreads(await coreCount(), !isNode);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new InputError(`threads must be 'auto' or an integer in 1..64, got ${String(threads)}`);
  return threads;
}

/** A page's main thread that could share memory (cross-origin isolated): threads would work in a worker. */
function onWindowWithSharedMemory(): boolean {
  return (globalThis as { document?: unknown }).document !== undefined && sharedMemoryUsable();
}

let warnedMainThread = false;
/**
 * Said once per page: a thread team's leader waits for its helpers with Atomics.wait, which a window may not
 * call, so a model loaded on the page's main thread runs on one thread (info.threads says 1).
 */
function warnMainThread(threads: number | 'auto'): void {
  if (warnedMainThread) return;
  warnedMainThread = true;
  console.warn(`mobilenet-wasm: threads: ${String(threads)} runs on 1 thread on a page's main thread, which may not block in Atomics.wait; ` +
    `load with { worker: true, threads: ${String(threads)} } to use ${threads === 'auto' ? 'more' : threads} threads (info.threads says how many run).`);
}

/**
 * Starts fetching and compiling the kernel binary that a load with these options will use, without waiting:
 * it then compiles off this thread while the model is read and planned. Bad options are left for the load to
 * report.
 */
export function prefetchKernels(isaOption: Isa | 'auto' | undefined, threads: number | 'auto' | undefined): void {
  let isa: Isa;
  try {
    isa = resolveIsa(isaOption);
  } catch {
    return;
  }
  threadCount(isa, threads).then((n) => compileKernels(isa, n > 1)).catch(() => {});
}

export class Runtime {
  readonly kernels: KernelSet;
  readonly isa: Isa;
  /** Threads sharing each inference (1 = the calling thread only). */
  readonly threads: number;
  readonly name: string;
  #plan: Plan;
  #memory: WebAssembly.Memory;
  #team: ThreadTeam | null;
  /** Byte address where image pixels are staged (end of the plan, 64-byte aligned). */
  #imageBase: number;
  /** The single-thread kernel module, for staging large images in a transient instance (null until needed on a team). */
  #plainModule: WebAssembly.Module | null;
  #inPlace = STAGE_IN_PLACE_BYTES;
  /** The transient staging instance while it is kept (see STAGING_KEEP_MS). */
  #staging: { memory: WebAssembly.Memory; k: KernelSet; timer: ReturnType<typeof setTimeout> } | null = null;
  #disposed = false;

  private constructor(plan: Plan, kernels: KernelSet, isa: Isa, memory: WebAssembly.Memory, team: ThreadTeam | null, name: string, plain: WebAssembly.Module | null) {
    this.#plan = plan;
    this.#plainModule = plain;
    this.kernels = kernels;
    this.isa = isa;
    this.#memory = memory;
    this.#team = team;
    this.threads = team?.threads ?? 1;
    this.name = name;
    this.#imageBase = Math.ceil(plan.totalBytes / 64) * 64;
  }

  /** Allocates the memory, instantiates the kernels, copies the plan's constants in, starts the team. */
  static async create(plan: Plan, opts: RuntimeOptions = {}): Promise<Runtime> {
    const isa = opts.isa ?? resolveIsa('auto');
    const threads = opts.threads ?? 1;
    const pages = Math.ceil(plan.totalBytes / PAGE) + 1;
    // plan.totalBytes is within LoadOptions.limits.maxMemoryBytes (compile checked it).
    const memory = threads > 1
      ? new WebAssembly.Memory({ initial: pages, maximum: Math.max(pages, MAX_SHARED_PAGES), shared: true })
      : new WebAssembly.Memory({ initial: pages });
    // The weights are packed into the memory while the kernel module may still be compiling off this thread.
    writeConstants(plan, memory.buffer);
    markPhase('constants');
    const module = await compileKernels(isa, threads > 1);
    markPhase('wasm');
    const exports = await instantiateKernels(module, memory);
    markPhase('instantiate');
    const team = threads > 1 ? await ThreadTeam.create(module, memory, plan, isa, threads) : null;
    const rt = new Runtime(plan, { ...selectKernels(exports, isa), memory }, isa, memory, team, opts.name ?? 'model', threads > 1 ? null : module);
    rt.#inPlace = opts.stageInPlaceBytes ?? STAGE_IN_PLACE_BYTES;
    return rt;
  }

  /** The compiled plan this runtime runs (input, output, kept values: TensorRefs into the memory). */
  get plan(): Plan {
    return this.#plan;
  }

  /** The linear memory (its buffer changes when staging a large image grows it: take views afresh). */
  get memory(): WebAssembly.Memory {
    this.#check();
    return this.#memory;
  }

  /** Bytes of linear memory now. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Wakes the team's helpers that sleep between inferences, so that waking (≈ 0.1 ms) overlaps the input's
   * preparation instead of the first step; no-op on one thread.
   */
  wake(): void {
    this.#check();
    this.#team?.wake();
  }

  /** Writes values into a float32, uint8 or int8 tensor, converted to its type like a typed array's set(). Unchecked. */
  write(t: TensorRef, values: ArrayLike<number>): void {
    const b = this.memory.buffer;
    switch (t.dtype) {
      case 'float32': return new Float32Array(b, t.address, t.length).set(values);
      case 'uint8': return new Uint8Array(b, t.address, t.length).set(values);
      case 'int8': return new Int8Array(b, t.address, t.length).set(values);
      default: throw new EngineError(`model "${this.name}": cannot write a tensor of type ${t.dtype}`);
    }
  }

  /** A view of a tensor in its own type (int64 as BigInt64Array); valid until the memory grows. */
  read(t: TensorRef): TensorView {
    const b = this.memory.buffer;
    switch (t.dtype) {
      case 'float32': return new Float32Array(b, t.address, t.length);
      case 'uint8': return new Uint8Array(b, t.address, t.length);
      case 'int8': return new Int8Array(b, t.address, t.length);
      case 'int32': return new Int32Array(b, t.address, t.length);
      case 'int64': return new BigInt64Array(b, t.address, t.length);
    }
  }

  /** A tensor's real values, copied: float32 as is, quantized ones dequantized (real = scale·(q − zeroPoint)). */
  real(t: TensorRef): Float32Array {
    const v = this.read(t);
    if (v instanceof Float32Array) return Float32Array.from(v);
    if (!t.quant) throw new EngineError(`model "${this.name}": tensor of type ${t.dtype} has no real values`);
    const { scale, zeroPoint } = t.quant;
    return Float32Array.from(v as Uint8Array | Int8Array, (q) => Math.fround(scale) * (q - zeroPoint));
  }

  /**
   * Fills the input tensor with an image's crop, resized to the input (bilinear, half-pixel centers) and
   * normalized (x = pixel·scale[c] + offset[c]) inside wasm. The caller has validated the image, the crop and
   * that the input has 3 channels. A quantized input gets those real values quantized with its own
   * (scale, zeroPoint); when that mapping is the identity up to an integer shift (TFLite models fed raw pixels:
   * q = pixel, or q = pixel − 128), the resize produces the shifted pixels directly and they are rounded once
   * (so a same-size image gives its own bytes).
   */
  stageImage(img: ValidImage, crop: { x: number; y: number; w: number; h: number }, norm: PixelNormalization): void {
    this.#check();
    const input = this.plan.input;
    const [, H, W, C] = input.shape;
    const bytes = img.width * img.height * img.channels;
    const quant = input.quant;
    const scratch = quant ? H * W * C * 4 : 0; // float32 image before quantization
    const stage = (k: KernelSet, memory: WebAssembly.Memory, base: number, out: number) => {
      const pixels = base + Math.ceil(scratch / 64) * 64;
      new Uint8Array(memory.buffer, pixels, bytes).set(img.data.subarray(0, bytes));
      this.#guard(() => this.#resize(k, img, crop, norm, pixels, quant ? base : out, out));
    };
    if (bytes + scratch <= this.#inPlace || !this.#plainModule) {
      this.#ensure(this.#imageBase + Math.ceil(scratch / 64) * 64 + bytes + 16);
      stage(this.kernels, this.#memory, this.#imageBase, input.address);
      return;
    }
    // A large image is staged in a transient instance over its own memory, collected once it is dropped: the
    // model's memory never grows for it (a wasm memory cannot shrink). Same kernels, same bits.
    const outBytes = input.length * (input.dtype === 'float32' ? 4 : 1);
    const base = RESERVED_STAGING;
    const out = base + Math.ceil((scratch + bytes + 16) / 64) * 64;
    const need = out + outBytes;
    let st = this.#staging;
    if (st && st.memory.buffer.byteLength < need) st.memory.grow(Math.ceil((need - st.memory.buffer.byteLength) / PAGE));
    if (!st) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(need / PAGE) });
      const k = selectKernels(new WebAssembly.Instance(this.#plainModule, { env: { memory, abort: kernelAbort } }).exports, this.isa);
      st = this.#staging = { memory, k, timer: 0 as unknown as ReturnType<typeof setTimeout> };
    }
    clearTimeout(st.timer);
    st.timer = setTimeout(() => (this.#staging = null), STAGING_KEEP_MS);
    (st.timer as { unref?: () => void }).unref?.();
    const { memory, k } = st;
    stage(k, memory, base, out);
    new Uint8Array(this.#memory.buffer, input.address, outBytes).set(new Uint8Array(memory.buffer, out, outBytes));
  }

  /**
   * Before staging an image of `pixelBytes` on a thread team: compiles the single-thread kernel module that large
   * images are staged with (once per realm; a team's own module imports a shared memory).
   */
  async prepareStaging(pixelBytes: number): Promise<void> {
    if (pixelBytes > this.#inPlace && !this.#plainModule) this.#plainModule = await compileKernels(this.isa, false);
  }

  /** The bilinear resize + normalization of the crop into `dst` (float32), then its quantization into `out`. */
  #resize(k: KernelSet, img: ValidImage, crop: { x: number; y: number; w: number; h: number }, norm: PixelNormalization, pixels: number, dst: number, out: number): void {
    const input = this.plan.input;
    const [, H, W, C] = input.shape;
    const quant = input.quant;
    let scale = norm.scale;
    let offset = norm.offset;
    let qscale = 1;
    let qzp = 0;
    if (quant) {
      // x = pixel·scale + offset, q = round(x / s) + z = round(pixel·scale/s + offset/s + z)
      const s = Math.fround(quant.scale);
      const shift = offset.map((o) => o / s + quant.zeroPoint);
      const direct = scale.every((c) => Math.abs(c / s - 1) < 1e-6) && shift.every((v) => Math.abs(v - Math.round(v)) < 1e-4);
      if (direct) {
        scale = [1, 1, 1];
        offset = shift.map(Math.round);
      } else {
        qscale = s;
        qzp = quant.zeroPoint;
      }
    }
    k.preprocess(pixels, img.width, img.height, img.channels, crop.x, crop.y, crop.w, crop.h,
      dst, W, H, scale[0], scale[1], scale[2], offset[0], offset[1], offset[2]);
    if (quant) {
      const dtype = input.dtype as 'uint8' | 'int8';
      const [qmin, qmax] = dtypeRange(dtype);
      // The staging is ours, not a model op: TFLite's reference rounding (half away from zero) whatever the scheme.
      k.quant[dtype === 'uint8' ? 'qu8' : 'qs8'].gemmlowp.quantize(H * W * C, dst, out, qscale, qzp, qmin, qmax);
    }
  }

  /**
   * Runs the plan (on the team when there is one), or its prefix up to and including the step named `until`;
   * with `times`, adds milliseconds per step (index-aligned with plan.steps). A wasm trap becomes KernelError.
   */
  execute(until?: string, times?: Float64Array): void {
    this.#check();
    const team = this.#team;
    this.#guard(() => (team ? team.run(this.plan, this.kernels, until, times) : execute(this.plan, this.kernels, until, times)));
  }

  /** Stops the team and drops the memory; the runtime is unusable afterwards (DisposedError). */
  dispose(): void {
    this.#disposed = true;
    if (this.#staging) clearTimeout(this.#staging.timer);
    this.#staging = null;
    this.#team?.terminate();
    this.#team = null;
    // Drop the references so the memory and the plan's constants can be collected even if the Runtime object is kept.
    this.#memory = undefined as unknown as WebAssembly.Memory;
    this.#plan = undefined as unknown as Plan;
  }

  #guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (e instanceof WebAssembly.RuntimeError) throw new KernelError(`model "${this.name}": wasm trap during inference: ${e.message}`);
      throw e;
    }
  }

  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  #check(): void {
    if (this.#disposed) throw new DisposedError(`model "${this.name}" has been disposed`);
  }
}
