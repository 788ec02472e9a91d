// An in-process model: one WebAssembly instance over its own memory, a compiled plan, and the
// classify / embed / run entry points. Every call validates its input before touching memory, and
// a failing kernel call leaves nothing half-written that the next call depends on.
import type { Graph } from './graph/ir.js';
import { compile, type CompileOptions, type Plan } from './plan/compile.js';
import { selectKernels, type KernelSet } from './plan/registry.js';
import { execute, runStep } from './exec/executor.js';
import { compileKernels, instantiateKernels, resolveIsa, type Isa } from './wasm/load.js';
import { ThreadTeam, threadsAvailable } from './exec/team.js';
import { summarize, type LayerSummary } from './graph/summary.js';
import { DisposedError, EngineError, InputError, KernelError } from './errors.js';
import { imageCrop, validateImage, type ImageInput } from './image/preprocess.js';

export interface ModelInfo {
  name: string;
  /** Where the model came from: 'native', 'tfjs-layers', 'builder'. */
  format: string;
  architecture: string;
  alpha?: number;
  resolution?: number;
  paddingMode: string;
  inputShape: number[];
  inputType: 'float32';
  outputShape: number[];
  labels: string[];
  preprocess: Graph['meta']['preprocess'];
  /** Multiply-adds and parameters of the graph as run (batch norm folded). */
  macs: number;
  params: number;
  /** Activation arena bytes as planned (fused inverted-residual blocks). */
  peakActivationBytes: number;
  /** The same graph's arena with every expanded tensor materialized (no fusion). */
  peakActivationBytesUnfused: number;
  /** Packed weight bytes resident in wasm memory. */
  weightBytes: number;
  /** Total wasm linear memory of this model. */
  memoryBytes: number;
  embeddingSize: number | null;
  isa: Isa;
  /** Threads sharing each inference (1 = this thread only). */
  threads: number;
  layers: LayerSummary[];
}

export interface ClassifyOptions {
  topK?: number;
  /** Central crop fraction before resizing; defaults to the model's metadata (1 = whole image). */
  centralCrop?: number;
}

export interface Classification { index: number; label: string; score: number }

export interface LoadOptions extends CompileOptions {
  /** Kernel build: 'auto' (the best the runtime validates: relaxed, simd, scalar), or one of them. */
  isa?: Isa | 'auto';
  /**
   * Threads per inference: a number, or 'auto' (one per core, at most 4). Needs SharedArrayBuffer and
   * a thread that may block (Node, Deno, a worker; in browsers only when crossOriginIsolated); where
   * that is missing, or with the scalar kernels, the model silently runs on one thread. Default 1.
   */
  threads?: number | 'auto';
}

const PAGE = 65536;
/** Shared memories must declare a maximum; 1 GiB of address space, reserved but not committed. */
const MAX_SHARED_PAGES = 16384;

async function resolveThreads(t: LoadOptions['threads']): Promise<number> {
  if (t === undefined) return 1;
  if (t === 'auto') {
    let cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 0;
    if (!cores && typeof process !== 'undefined' && process.versions?.node) cores = (await import('node:os')).availableParallelism();
    return Math.max(1, Math.min(4, cores || 1));
  }
  if (!Number.isInteger(t) || t < 1 || t > 64) throw new InputError(`threads must be 'auto' or an integer in 1..64, got ${String(t)}`);
  return t;
}

export class Model {
  readonly info: ModelInfo;
  #plan: Plan;
  #k: KernelSet;
  #memory: WebAssembly.Memory;
  #team: ThreadTeam | null;
  #graph: Graph;
  #disposed = false;
  /** Byte address where image pixels are staged for preprocessing (end of the plan). */
  #imageBase: number;

  private constructor(graph: Graph, plan: Plan, k: KernelSet, memory: WebAssembly.Memory, format: string, team: ThreadTeam | null) {
    this.#graph = graph;
    this.#plan = plan;
    this.#k = k;
    this.#memory = memory;
    this.#team = team;
    this.#imageBase = Math.ceil(plan.totalBytes / 64) * 64;
    const sum = summarize(graph);
    const m = graph.meta;
    this.info = {
      name: graph.name, format, architecture: m.architecture, alpha: m.alpha, resolution: m.resolution, paddingMode: m.paddingMode,
      inputShape: [...graph.input.shape], inputType: 'float32', outputShape: plan.output.shape, labels: [...m.labels],
      preprocess: m.preprocess, macs: sum.macs, params: sum.params, peakActivationBytes: plan.arenaBytes,
      peakActivationBytesUnfused: plan.arenaBytesUnfused, weightBytes: plan.weights.byteLength,
      memoryBytes: memory.buffer.byteLength, embeddingSize: plan.embedding?.length ?? null, isa: k.isa,
      threads: team?.parts ?? 1, layers: sum.layers,
    };
  }

  /** Compiles a graph into a ready model (validates shapes, packs weights, plans memory). */
  static async create(graph: Graph, format: string, opts: LoadOptions = {}): Promise<Model> {
    const isa = resolveIsa(opts.isa);
    const parts = isa === 'scalar' || !threadsAvailable() ? 1 : await resolveThreads(opts.threads);
    const plan = compile(graph, { ...opts, parts });
    const pages = Math.ceil(plan.totalBytes / PAGE) + 1;
    const memory = parts > 1
      ? new WebAssembly.Memory({ initial: pages, maximum: Math.max(pages, MAX_SHARED_PAGES), shared: true })
      : new WebAssembly.Memory({ initial: pages });
    const module = await compileKernels(isa, parts > 1);
    const exports = await instantiateKernels(module, memory);
    new Float32Array(memory.buffer, plan.weightsBase, plan.weights.length).set(plan.weights);
    const team = parts > 1 ? await ThreadTeam.create(module, memory, plan, isa, parts) : null;
    return new Model(graph, plan, selectKernels(exports, isa), memory, format, team);
  }

  /** Raw inference: an NHWC float32 tensor of exactly the input shape → a copy of the raw output. */
  async run(input: Float32Array | ArrayLike<number>): Promise<Float32Array> {
    this.#check();
    const { length, shape } = this.#plan.input;
    if (!input || typeof (input as ArrayLike<number>).length !== 'number') throw new InputError(`run(): expected a Float32Array of ${length} values (NHWC ${shape.join('×')})`);
    if (input.length !== length) throw new InputError(`run(): input has ${input.length} values, expected ${length} (NHWC ${shape.join('×')})`);
    this.#f32(this.#plan.input.address, length).set(input);
    this.#execute();
    return this.#f32(this.#plan.output.address, this.#plan.output.length).slice();
  }

  /** Top-k labels with scores (probabilities when the model ends in softmax; else softmax of the logits). */
  async classify(image: ImageInput, opts: ClassifyOptions = {}): Promise<Classification[]> {
    this.#check();
    const topK = opts.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1) throw new InputError(`classify(): topK must be a positive integer, got ${topK}`);
    this.#preprocess(image, opts.centralCrop);
    this.#execute();
    const out = this.#f32(this.#plan.output.address, this.#plan.output.length);
    const scores = this.#graph.meta.outputIsProbabilities ? Float32Array.from(out) : softmax(out);
    const labels = this.#graph.meta.labels;
    return [...scores.keys()]
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, topK)
      .map((index) => ({ index, label: labels[index] ?? String(index), score: scores[index] }));
  }

  /** The pooled feature vector (the global average pool's output) for an image. */
  async embed(image: ImageInput, opts: Pick<ClassifyOptions, 'centralCrop'> = {}): Promise<Float32Array> {
    this.#check();
    const emb = this.#plan.embedding;
    if (!emb) throw new EngineError(`embed(): model "${this.info.name}" records no embedding node`);
    this.#preprocess(image, opts.centralCrop);
    this.#execute(this.#graph.meta.embeddingNode);
    return this.#f32(emb.address, emb.length).slice();
  }

  /** Milliseconds per plan step for one inference on the current input (for --profile). */
  profile(runs = 1): { name: string; kind: string; ms: number }[] {
    this.#check();
    const times = new Float64Array(this.#plan.steps.length);
    for (let i = 0; i < runs; i++) this.#guard(() => execute(this.#plan, this.#k, times));
    return this.#plan.steps.map((s, i) => ({ name: s.name, kind: s.kind, ms: times[i] / runs }));
  }

  /** Fills the input tensor with preprocessed pixels (resize + normalize inside wasm). */
  #preprocess(image: ImageInput, centralCrop?: number): void {
    const img = validateImage(image);
    const [, H, W, C] = this.#plan.input.shape;
    if (C !== 3) throw new InputError(`classify(): model "${this.info.name}" takes ${C} input channels; only RGB models can classify images (use run())`);
    const frac = centralCrop ?? this.#graph.meta.preprocess.centralCrop ?? 1;
    const crop = imageCrop(img.width, img.height, frac);
    const bytes = img.width * img.height * img.channels;
    this.#ensure(this.#imageBase + bytes + 16);
    new Uint8Array(this.#memory.buffer, this.#imageBase, bytes).set(img.data.subarray(0, bytes));
    const { scale, offset } = this.#graph.meta.preprocess;
    this.#guard(() => this.#k.resize(this.#imageBase, img.width, img.height, img.channels, crop.x, crop.y, crop.w, crop.h,
      this.#plan.input.address, W, H, scale[0], scale[1], scale[2], offset[0], offset[1], offset[2]));
  }

  /** Runs the plan, or its prefix up to and including the step named `until`. */
  #execute(until?: string): void {
    this.#guard(() => {
      if (this.#team) return this.#team.run(this.#plan, this.#k, until);
      if (!until) return execute(this.#plan, this.#k);
      for (const s of this.#plan.steps) {
        runStep(this.#k, s);
        if (s.name === until) return;
      }
    });
  }

  #guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (e instanceof WebAssembly.RuntimeError) throw new KernelError(`model "${this.info.name}": wasm trap during inference: ${e.message}`);
      throw e;
    }
  }

  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
    this.info.memoryBytes = this.#memory.buffer.byteLength;
  }

  #f32(address: number, length: number): Float32Array {
    return new Float32Array(this.#memory.buffer, address, length);
  }

  #check(): void {
    if (this.#disposed) throw new DisposedError(`model "${this.info.name}" has been disposed`);
  }

  dispose(): void {
    this.#disposed = true;
    this.#team?.terminate();
    this.#team = null;
    // Drop the references so the memory can be collected even if the Model object is kept.
    this.#memory = undefined as unknown as WebAssembly.Memory;
    this.#plan = undefined as unknown as Plan;
  }
}

function softmax(x: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i] - max);
  for (let i = 0; i < x.length; i++) out[i] /= sum;
  return out;
}
