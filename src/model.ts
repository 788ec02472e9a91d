// An in-process model: one WebAssembly instance over its own memory, a compiled plan, and the
// classify / embed / run entry points. Every call validates its input before touching memory, and
// a failing kernel call leaves nothing half-written that the next call depends on.
import type { DType, Graph, Quant } from './graph/ir.js';
import { compile, type CompileOptions, type Plan, type TensorRef } from './plan/compile.js';
import { selectKernels, type KernelSet, type QuantScheme } from './plan/registry.js';
import { dtypeRange } from './plan/requant.js';
import { PASCAL_VOC_LABELS } from './models/pascal-voc.js';
import { execute } from './exec/executor.js';
import { compileKernels, instantiateKernels, resolveIsa, type Isa } from './wasm/load.js';
import { ThreadTeam, autoThreads, threadsAvailable } from './exec/team.js';
import { summarize, type LayerSummary } from './graph/summary.js';
import { dequantizeGraph } from './graph/dequantize.js';
import { DisposedError, EngineError, InputError, KernelError } from './errors.js';
import { imageCrop, validateImage, type ImageInput } from './image/preprocess.js';
import { toPixels, type ImageSource } from './image/sources.js';

export interface ModelInfo {
  name: string;
  /** Where the model came from: 'native', 'tfjs-layers', 'builder'. */
  format: string;
  architecture: string;
  alpha?: number;
  resolution?: number;
  paddingMode: string;
  inputShape: number[];
  /** What run() takes: Float32Array (float32), Uint8Array (uint8) or Int8Array (int8). */
  inputType: 'float32' | 'uint8' | 'int8';
  /** The input's quantization (real = scale·(q − zeroPoint)) when it is uint8 / int8. */
  inputQuant?: Quant;
  outputShape: number[];
  /** What run() returns: Float32Array, Uint8Array, Int8Array, Int32Array or BigInt64Array (int64). */
  outputType: DType;
  outputQuant?: Quant;
  /** 'classify' (one score per class: classify()) or 'segment' (a class per pixel: segment()). */
  task: 'classify' | 'segment';
  /** Requantization arithmetic of a quantized model (LoadOptions.requant); absent for float32 graphs. */
  requant?: QuantScheme;
  /** Class names: labels[i] names class i, which is output i + labelOffset of run(). */
  labels: string[];
  /**
   * Outputs before this index are not classes: 1 for TFLite's ImageNet classifiers (1001 outputs, output 0
   * "background"), whose classify() indices are then ImageNet's class ids 0..999; else 0.
   */
  labelOffset: number;
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

export interface StepProfile { name: string; kind: string; nodes: string[]; ms: number; macs: number }

export interface ClassifyOptions {
  /** How many classes to return at most (default 5). */
  topK?: number;
  /** Leave out classes scoring below this (0..1; default 0). */
  scoreThreshold?: number;
  /** Central crop fraction before resizing; defaults to the model's metadata (1 = whole image). */
  centralCrop?: number;
}

/** `index` is the class's position in info.labels (run()'s output index minus info.labelOffset). */
export interface Classification { index: number; label: string; score: number }

export interface SegmentOptions {
  /** Resample the class map to this size (nearest neighbour); default: the model's output resolution. */
  size?: { width: number; height: number };
  /** Central crop fraction before resizing; defaults to the model's metadata (1 = whole image). */
  centralCrop?: number;
}

/** A class index per pixel, row-major, with the class names (labels[classes[i]]). */
export interface Segmentation { width: number; height: number; classes: Uint8Array; labels: string[] }

/** run()'s input per model input type, and its output per output type. */
export type InputTensor = Float32Array | Uint8Array | Int8Array | ArrayLike<number>;
export type OutputTensor = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface LoadOptions extends CompileOptions {
  /** Kernel build: 'auto' (the best the runtime validates: relaxed, simd, scalar), or one of them. */
  isa?: Isa | 'auto';
  /**
   * Threads per inference: a number, or 'auto' (one per core, at most 4; in browsers at most 2: see the README's
   * Threads section). Needs a usable shared memory and a thread that may block (Node, Deno, a worker; in browsers
   * only when crossOriginIsolated and the browser has SharedArrayBuffer); where
   * that is missing, or with the scalar kernels, the model silently runs on one thread. Default 1.
   */
  threads?: number | 'auto';
  /** Class names to use instead of the model's own (as many as the model has classes). */
  labels?: string[];
  /**
   * loadModel() of a TF.js model.json given as bytes: its weight files, keyed by the path the weights
   * manifest names or by their file name (what a browser file picker gives). Paths and URLs find them themselves.
   */
  weightFiles?: Record<string, ArrayBuffer | ArrayBufferView>;
  /**
   * 'model' (default): run the model as its file stores it (int8 kernels for a quantized model).
   * 'float32': run a quantized model as its float32 twin, its weights dequantized at load
   * (src/graph/dequantize.ts); a float32 model is unchanged.
   */
  precision?: 'model' | 'float32';
}

const PAGE = 65536;
/** Shared memories must declare a maximum; 1 GiB of address space, reserved but not committed. */
const MAX_SHARED_PAGES = 16384;

async function resolveThreads(t: LoadOptions['threads']): Promise<number> {
  if (t === undefined) return 1;
  if (t === 'auto') {
    const server = typeof process !== 'undefined' && !!process.versions?.node; // Node; Deno 2 too
    let cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 0;
    if (!cores && server) cores = (await import('node:os')).availableParallelism();
    return autoThreads(cores, !server);
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

  #labels: string[];

  private constructor(graph: Graph, plan: Plan, k: KernelSet, memory: WebAssembly.Memory, format: string, team: ThreadTeam | null, labels: string[]) {
    this.#graph = graph;
    this.#plan = plan;
    this.#k = k;
    this.#memory = memory;
    this.#team = team;
    this.#imageBase = Math.ceil(plan.totalBytes / 64) * 64;
    const sum = summarize(graph);
    const m = graph.meta;
    const quantized = plan.steps.some((st) => 'family' in st);
    this.#labels = labels;
    this.info = {
      name: graph.name, format, architecture: m.architecture, alpha: m.alpha, resolution: m.resolution, paddingMode: m.paddingMode,
      inputShape: [...graph.input.shape], inputType: plan.input.dtype as ModelInfo['inputType'],
      ...(plan.input.quant ? { inputQuant: { ...plan.input.quant } } : {}),
      outputShape: plan.output.shape, outputType: plan.output.dtype, ...(plan.output.quant ? { outputQuant: { ...plan.output.quant } } : {}),
      task: m.task ?? 'classify', ...(quantized ? { requant: plan.requant } : {}), labels: [...labels], labelOffset: m.labelOffset ?? 0,
      preprocess: m.preprocess, macs: sum.macs, params: sum.params, peakActivationBytes: plan.arenaBytes,
      peakActivationBytesUnfused: plan.arenaBytesUnfused, weightBytes: plan.weights.byteLength,
      memoryBytes: memory.buffer.byteLength, embeddingSize: plan.embedding?.length ?? null, isa: k.isa,
      threads: team?.parts ?? 1, layers: sum.layers,
    };
  }

  /** Compiles a graph into a ready model (validates shapes, packs weights, plans memory). */
  static async create(graph: Graph, format: string, opts: LoadOptions = {}): Promise<Model> {
    if (opts.precision !== undefined && opts.precision !== 'model' && opts.precision !== 'float32') {
      throw new InputError(`precision must be 'model' or 'float32', got ${JSON.stringify(String(opts.precision))}`);
    }
    if (opts.precision === 'float32') graph = dequantizeGraph(graph);
    const isa = resolveIsa(opts.isa);
    const parts = isa === 'scalar' || !threadsAvailable() ? 1 : await resolveThreads(opts.threads);
    const plan = compile(graph, { ...opts, parts });
    const labels = modelLabels(graph, opts.labels);
    const pages = Math.ceil(plan.totalBytes / PAGE) + 1;
    const memory = parts > 1
      ? new WebAssembly.Memory({ initial: pages, maximum: Math.max(pages, MAX_SHARED_PAGES), shared: true })
      : new WebAssembly.Memory({ initial: pages });
    const module = await compileKernels(isa, parts > 1);
    const exports = await instantiateKernels(module, memory);
    new Float32Array(memory.buffer, plan.weightsBase, plan.weights.length).set(plan.weights);
    const team = parts > 1 ? await ThreadTeam.create(module, memory, plan, isa, parts) : null;
    return new Model(graph, plan, selectKernels(exports, isa), memory, format, team, labels);
  }

  /**
   * Raw inference on a tensor of exactly the input shape, in the model's input type (info.inputType):
   * a Float32Array (or plain numbers) for float32, a Uint8Array for uint8, an Int8Array for int8. Returns a copy
   * of the raw output in its own type (info.outputType): Float32Array, Uint8Array, Int8Array, Int32Array, or
   * BigInt64Array for an int64 ARG_MAX. The type parameter names that output type for TypeScript (default
   * Float32Array, the float32 models' type): `await model.run<Uint8Array>(bytes)` for a uint8 model.
   */
  async run<T extends OutputTensor = Float32Array>(input: InputTensor): Promise<T> {
    this.#check();
    this.#team?.wake();
    this.#writeInput(input);
    this.#execute();
    return this.#read(this.#plan.output).slice() as T;
  }

  /** Top-k labels with scores (probabilities when the model ends in softmax; else softmax of the logits). */
  async classify(image: ImageSource, opts: ClassifyOptions = {}): Promise<Classification[]> {
    this.#check();
    this.#team?.wake();
    const pixels = await toPixels(image);
    this.#check();
    const topK = opts.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1) throw new InputError(`classify(): topK must be a positive integer, got ${topK}`);
    const threshold = opts.scoreThreshold ?? 0;
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new InputError(`classify(): scoreThreshold must be a number in 0..1, got ${String(threshold)}`);
    }
    if (this.info.task !== 'classify') throw new InputError(`classify(): model "${this.info.name}" is a segmentation model; use segment()`);
    this.#preprocess(pixels, opts.centralCrop);
    this.#execute();
    const out = this.#real(this.#plan.output);
    const all = this.#graph.meta.outputIsProbabilities ? out : softmax(out);
    // Outputs before labelOffset (a "background" output) are not classes: class i is output i + offset.
    const scores = all.subarray(this.info.labelOffset);
    const labels = this.#labels;
    return [...scores.keys()]
      .filter((i) => scores[i] >= threshold)
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, topK)
      .map((index) => ({ index, label: labels[index] ?? String(index), score: scores[index] }));
  }

  /** The class of every pixel (a segmentation model: info.task 'segment'), at the output resolution or `size`. */
  async segment(image: ImageSource, opts: SegmentOptions = {}): Promise<Segmentation> {
    this.#check();
    this.#team?.wake();
    const pixels = await toPixels(image);
    this.#check();
    if (this.info.task !== 'segment') throw new InputError(`segment(): model "${this.info.name}" is not a segmentation model (task ${this.info.task}); use classify()`);
    const size = opts.size;
    if (size !== undefined && (!size || !Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width < 1 || size.height < 1 || size.width > 16384 || size.height > 16384)) {
      throw new InputError(`segment(): size must be { width, height } with integers in 1..16384, got ${JSON.stringify(size)}`);
    }
    this.#preprocess(pixels, opts.centralCrop);
    this.#execute();
    const out = this.#plan.output;
    const [, H, W] = out.shape;
    if (this.#labels.length > 256) throw new EngineError(`segment(): model "${this.info.name}" has ${this.#labels.length} classes; a class map holds at most 256`);
    const raw = this.#read(out);
    const map = new Uint8Array(H * W);
    for (let i = 0; i < map.length; i++) map[i] = Number(raw[i]);
    const labels = [...this.#labels];
    if (!size || (size.width === W && size.height === H)) return { width: W, height: H, classes: map, labels };
    return { width: size.width, height: size.height, classes: resizeNearest(map, W, H, size.width, size.height), labels };
  }

  /** The pooled feature vector (the global average pool's output, dequantized if quantized) for an image. */
  async embed(image: ImageSource, opts: Pick<ClassifyOptions, 'centralCrop'> = {}): Promise<Float32Array> {
    this.#check();
    this.#team?.wake();
    const pixels = await toPixels(image);
    this.#check();
    const emb = this.#plan.embedding;
    if (!emb) throw new EngineError(`embed(): model "${this.info.name}" records no embedding node`);
    this.#preprocess(pixels, opts.centralCrop);
    this.#execute(this.#graph.meta.embeddingNode);
    return Float32Array.from(this.#real(emb));
  }

  /**
   * Milliseconds per plan step (on the model's threads, averaged over `runs` inferences on the current input), with
   * the multiply-adds each step computes (a fused block counts its expand, depthwise and projection).
   */
  profile(runs = 1): StepProfile[] {
    this.#check();
    this.#team?.wake();
    const times = new Float64Array(this.#plan.steps.length);
    for (let i = 0; i < runs; i++) {
      this.#guard(() => (this.#team ? this.#team.run(this.#plan, this.#k, undefined, times) : execute(this.#plan, this.#k, undefined, times)));
    }
    const macs = new Map(this.info.layers.map((l) => [l.name, l.macs]));
    return this.#plan.steps.map((s, i) => ({
      name: s.name, kind: s.kind, nodes: this.#plan.stepNodes[i], ms: times[i] / runs,
      macs: this.#plan.stepNodes[i].reduce((a, n) => a + (macs.get(n) ?? 0), 0),
    }));
  }

  /** Validates `input` against the input's type and length and writes it to the input tensor. */
  #writeInput(input: InputTensor): void {
    const { length, shape, dtype } = this.#plan.input;
    const want = { float32: 'a Float32Array', uint8: 'a Uint8Array', int8: 'an Int8Array' }[dtype as 'float32' | 'uint8' | 'int8'];
    const desc = `${want} of ${length} values (NHWC ${shape.join('×')}, ${dtype})`;
    if (!input || typeof (input as ArrayLike<number>).length !== 'number') throw new InputError(`run(): expected ${desc}`);
    const typed = ArrayBuffer.isView(input);
    const ok = dtype === 'float32'
      ? !typed || input instanceof Float32Array || input instanceof Float64Array
      : dtype === 'uint8' ? input instanceof Uint8Array || input instanceof Uint8ClampedArray : input instanceof Int8Array;
    if (!ok) throw new InputError(`run(): model "${this.info.name}" takes ${desc}, got ${typed ? input.constructor.name : 'an array'}`);
    if (input.length !== length) throw new InputError(`run(): input has ${input.length} values, expected ${length} (NHWC ${shape.join('×')})`);
    if (dtype === 'float32') this.#f32(this.#plan.input.address, length).set(input);
    else new Uint8Array(this.#memory.buffer, this.#plan.input.address, length).set(new Uint8Array((input as Uint8Array).buffer, (input as Uint8Array).byteOffset, length));
  }

  /** A view of a tensor in its own type (int64 as BigInt64Array). */
  #read(t: TensorRef): OutputTensor {
    const b = this.#memory.buffer;
    switch (t.dtype) {
      case 'float32': return new Float32Array(b, t.address, t.length);
      case 'uint8': return new Uint8Array(b, t.address, t.length);
      case 'int8': return new Int8Array(b, t.address, t.length);
      case 'int32': return new Int32Array(b, t.address, t.length);
      case 'int64': return new BigInt64Array(b, t.address, t.length);
    }
  }

  /** A tensor's real values: float32 as is, quantized ones dequantized (real = scale·(q − zeroPoint)). */
  #real(t: TensorRef): Float32Array {
    const v = this.#read(t);
    if (v instanceof Float32Array) return Float32Array.from(v);
    if (!t.quant) throw new EngineError(`model "${this.info.name}": tensor of type ${t.dtype} has no real values`);
    const { scale, zeroPoint } = t.quant;
    return Float32Array.from(v as Uint8Array | Int8Array, (q) => Math.fround(scale) * (q - zeroPoint));
  }

  /**
   * Fills the input tensor with preprocessed pixels (resize + normalize inside wasm). A quantized input gets
   * the real values of meta.preprocess quantized with its own (scale, zeroPoint); when that mapping is the
   * identity up to an integer shift (TFLite models fed raw pixels: q = pixel, or q = pixel − 128), the resize
   * produces the shifted pixels directly and they are rounded once (so a same-size image gives its own bytes).
   */
  #preprocess(image: ImageInput, centralCrop?: number): void {
    const img = validateImage(image);
    const input = this.#plan.input;
    const [, H, W, C] = input.shape;
    if (C !== 3) throw new InputError(`model "${this.info.name}" takes ${C} input channels; only RGB models can take images (use run())`);
    const frac = centralCrop ?? this.#graph.meta.preprocess.centralCrop ?? 1;
    const crop = imageCrop(img.width, img.height, frac);
    const bytes = img.width * img.height * img.channels;
    const quant = input.quant;
    const scratch = quant ? H * W * C * 4 : 0; // float32 image before quantization
    const pixels = this.#imageBase + Math.ceil(scratch / 64) * 64;
    this.#ensure(pixels + bytes + 16);
    new Uint8Array(this.#memory.buffer, pixels, bytes).set(img.data.subarray(0, bytes));
    let { scale, offset } = this.#graph.meta.preprocess;
    const dst = quant ? this.#imageBase : input.address;
    let qscale = 1;
    let qzp = 0;
    if (quant) {
      // x = pixel·scale + offset, q = round(x / s) + z = round(pixel·scale/s + offset/s + z)
      const s = Math.fround(quant.scale);
      const shift = offset.map((o) => o / s + quant.zeroPoint);
      const direct = scale.every((c) => Math.abs(c / s - 1) < 1e-6) && shift.every((v) => Math.abs(v - Math.round(v)) < 1e-4);
      if (direct) {
        scale = [1, 1, 1];
        offset = shift.map(Math.round) as [number, number, number];
      } else {
        qscale = s;
        qzp = quant.zeroPoint;
      }
    }
    this.#guard(() => {
      this.#k.resize(pixels, img.width, img.height, img.channels, crop.x, crop.y, crop.w, crop.h,
        dst, W, H, scale[0], scale[1], scale[2], offset[0], offset[1], offset[2]);
      if (quant) {
        const dtype = input.dtype as 'uint8' | 'int8';
        const [qmin, qmax] = dtypeRange(dtype);
        this.#k.quant[dtype === 'uint8' ? 'qu8' : 'qs8'].fp32.quantize(H * W * C, dst, input.address, qscale, qzp, qmin, qmax);
      }
    });
  }

  /** Runs the plan, or its prefix up to and including the step named `until`. */
  #execute(until?: string): void {
    this.#guard(() => {
      if (this.#team) this.#team.run(this.#plan, this.#k, until);
      else execute(this.#plan, this.#k, until);
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

/**
 * Class names: the caller's (as many as the model's own), else the model's, else — a 21-class segmentation model
 * whose file names no classes (the importer's class_<i>) — PASCAL VOC's.
 */
function modelLabels(graph: Graph, given: string[] | undefined): string[] {
  const own = graph.meta.labels;
  if (given !== undefined) {
    if (!Array.isArray(given) || !given.every((l) => typeof l === 'string')) throw new InputError('labels must be an array of strings');
    // A label file with a line per output (the background's included) is accepted as well as one per class.
    const offset = graph.meta.labelOffset ?? 0;
    if (offset > 0 && given.length === own.length + offset) return given.slice(offset);
    if (own.length > 0 && given.length !== own.length) throw new InputError(`${given.length} labels given but model "${graph.name}" has ${own.length} classes`);
    return [...given];
  }
  if (graph.meta.task === 'segment' && own.length === PASCAL_VOC_LABELS.length && own.every((l, i) => l === `class_${i}`)) return [...PASCAL_VOC_LABELS];
  return [...own];
}

/** Nearest-neighbour resampling of a class map (sample centres: x → floor((x + 0.5)·inW / outW)). */
function resizeNearest(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  const xs = Int32Array.from({ length: outW }, (_, x) => Math.min(inW - 1, Math.floor(((x + 0.5) * inW) / outW)));
  for (let y = 0; y < outH; y++) {
    const row = Math.min(inH - 1, Math.floor(((y + 0.5) * inH) / outH)) * inW;
    for (let x = 0; x < outW; x++) out[y * outW + x] = src[row + xs[x]];
  }
  return out;
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
