// An in-process model: the public API (classify / segment / embed / run / profile) over a Runtime
// (src/exec/runtime.ts: the wasm memory, kernels, thread team and image staging). This file validates
// what callers pass and post-processes what the graph computes (softmax, labels and their offset, score
// thresholds, class maps). Every call validates its input before touching memory, and a failing kernel
// call leaves nothing half-written that the next call depends on.
import { graphOutputs, type Graph } from './graph/ir.js';
import { compile } from './plan/compile.js';
import { checkLimit, resolveLimits, type Limits } from './plan/limits.js';
import { PASCAL_VOC_LABELS } from './models/pascal-voc.js';
import { relaxedDotMode, resolveIsa } from './wasm/load.js';
import { Runtime, threadCount } from './exec/runtime.js';
import { summarize } from './graph/summary.js';
import { dequantizeGraph } from './graph/dequantize.js';
import { DisposedError, EngineError, InputError, ModelFormatError, preview } from './errors.js';
import { imageCrop, validateImage, type ImageInput, type ValidImage } from './image/preprocess.js';
import { toPixels, type ImageSource } from './image/sources.js';
import type {
  Classification, ClassifyOptions, Detection, DetectOptions, InputTensor, LoadOptions, ModelApi, ModelInfo, OutputTensor, SegmentOptions, Segmentation, StepProfile,
} from './model-api.js';
import { late } from './extensions.js';
import { markPhase } from './platform.js';

export type {
  Box, Classification, ClassifyOptions, Detection, DetectOptions, InputTensor, LoadOptions, ModelApi, ModelInfo, OutputInfo, OutputTensor, SegmentOptions,
  Segmentation, StepProfile,
} from './model-api.js';

export class Model implements ModelApi {
  readonly info: ModelInfo;
  #rt: Runtime;
  #graph: Graph;
  #disposed = false;
  #labels: string[];
  #limits: Required<Limits>;
  #checkFinite: boolean;

  private constructor(graph: Graph, rt: Runtime, format: string, labels: string[], limits: Required<Limits>, checkFinite: boolean) {
    this.#graph = graph;
    this.#limits = limits;
    this.#checkFinite = checkFinite;
    this.#rt = rt;
    const plan = rt.plan;
    const sum = summarize(graph);
    const m = graph.meta;
    const quantized = plan.steps.some((st) => 'family' in st);
    this.#labels = labels;
    this.info = {
      name: graph.name, format, architecture: m.architecture, alpha: m.alpha, resolution: m.resolution, paddingMode: m.paddingMode,
      inputShape: [...graph.input.shape], inputType: plan.input.dtype as ModelInfo['inputType'],
      ...(plan.input.quant ? { inputQuant: { ...plan.input.quant } } : {}),
      outputShape: plan.output.shape, outputType: plan.output.dtype, ...(plan.output.quant ? { outputQuant: { ...plan.output.quant } } : {}),
      outputs: plan.outputs.map((t, i) => ({
        name: graphOutputs(graph)[i]!, shape: [...t.shape], dtype: t.dtype, ...(t.quant ? { quant: { ...t.quant } } : {}),
      })),
      task: m.task ?? 'classify', ...(quantized ? { requant: plan.requant } : {}), labels: [...labels], labelOffset: m.labelOffset ?? 0,
      preprocess: m.preprocess, macs: sum.macs, params: sum.params, peakActivationBytes: plan.arenaBytes,
      peakActivationBytesUnfused: plan.arenaBytesUnfused, weightBytes: plan.weightBytes,
      memoryBytes: rt.memoryBytes, embeddingSize: plan.embedding?.length ?? null, isa: rt.isa,
      threads: rt.threads, layers: sum.layers,
    };
  }

  /** Compiles a graph into a ready model (validates shapes, packs weights, plans memory). */
  static async create(graph: Graph, format: string, opts: LoadOptions = {}): Promise<Model> {
    if (opts.precision !== undefined && opts.precision !== 'model' && opts.precision !== 'float32') {
      throw new InputError(`precision must be 'model' or 'float32', got ${preview(opts.precision)}`);
    }
    const limits = resolveLimits(opts.limits);
    if (opts.precision === 'float32') graph = dequantizeGraph(graph);
    const isa = resolveIsa(opts.isa);
    const parts = await threadCount(isa, opts.threads);
    const plan = compile(graph, { ...opts, parts, limits }, isa === 'relaxed' ? relaxedDotMode() : null);
    markPhase('plan');
    checkMeta(graph, plan.output.shape);
    const labels = modelLabels(graph, opts.labels);
    const rt = await Runtime.create(plan, { isa, threads: parts, name: graph.name });
    markPhase('ready');
    return new Model(graph, rt, format, labels, limits, opts.checkFinite !== false);
  }

  /**
   * Raw inference on a tensor of exactly the input shape, in the model's input type (info.inputType):
   * a Float32Array (or plain numbers) for float32, a Uint8Array for uint8, an Int8Array for int8. Returns a copy
   * of the raw output in its own type (info.outputType): Float32Array, Uint8Array, Int8Array, Int32Array, or
   * BigInt64Array for an int64 ARG_MAX. The type parameter names that output type for TypeScript (default
   * Float32Array, the float32 models' type): `await model.run<Uint8Array>(bytes)` for a uint8 model.
   * A model with several outputs (a detector) returns them all, as runAll() does: an array in info.outputs order
   * (call runAll() to have that type).
   */
  async run<T extends OutputTensor = Float32Array>(input: InputTensor): Promise<T> {
    const all = await this.runAll(input);
    return (all.length === 1 ? all[0] : all) as unknown as T;
  }

  /** Raw inference returning a copy of every output, in info.outputs order (an array of one for most models). */
  async runAll(input: InputTensor): Promise<OutputTensor[]> {
    this.#check();
    this.#rt.wake();
    this.#writeInput(input);
    this.#rt.execute();
    return this.#rt.plan.outputs.map((t) => this.#rt.read(t).slice());
  }

  /**
   * Objects in an image (a detector: info.task 'detect'), best first. The image is stretched to the input size
   * (no crop, no letterbox: what TFLite's detection examples do); boxes come back in the image's pixels.
   */
  async detect(image: ImageSource, opts: DetectOptions = {}): Promise<Detection[]> {
    this.#check();
    const decode = late.detections;
    if (this.info.task !== 'detect' || !decode) throw new InputError(`detect(): model "${this.info.name}" is not a detector`);
    late.checkDetect!(opts); // options first: a bad call is refused before an image is decoded
    this.#rt.wake();
    const pixels = await toPixels(image, this.#limits.maxImagePixels);
    this.#check();
    this.#stage(await this.#prepare(pixels), 1);
    this.#rt.execute();
    const [boxes, classes, scores, count] = this.#rt.plan.outputs.map((t) => this.#rt.real(t));
    return decode({ boxes: boxes!, classes: classes!, scores: scores!, count: count![0]!, width: pixels.width, height: pixels.height, labels: this.#labels }, opts);
  }

  /** Top-k labels with scores (probabilities when the model ends in softmax; else softmax of the logits). */
  async classify(image: ImageSource, opts: ClassifyOptions = {}): Promise<Classification[]> {
    this.#check();
    // Options first: a bad call is refused before an image is decoded.
    const topK = opts.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1) throw new InputError(`classify(): topK must be a positive integer, got ${topK}`);
    const threshold = opts.scoreThreshold ?? 0;
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new InputError(`classify(): scoreThreshold must be a number in 0..1, got ${String(threshold)}`);
    }
    if (this.info.task !== 'classify') throw new InputError(`classify(): model "${this.info.name}" is a ${this.info.task === 'segment' ? 'segmentation' : 'detection'} model; use ${this.info.task}()`);
    this.#rt.wake();
    const pixels = await toPixels(image, this.#limits.maxImagePixels);
    this.#check();
    const img = await this.#prepare(pixels);
    this.#stage(img, opts.centralCrop);
    this.#rt.execute();
    const out = this.#rt.real(this.#rt.plan.output);
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
    this.#rt.wake();
    const pixels = await toPixels(image, this.#limits.maxImagePixels);
    this.#check();
    if (this.info.task !== 'segment') throw new InputError(`segment(): model "${this.info.name}" is not a segmentation model (task ${this.info.task}); use classify()`);
    const size = opts.size;
    if (size !== undefined && (!size || !Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width < 1 || size.height < 1 || size.width > 16384 || size.height > 16384)) {
      throw new InputError(`segment(): size must be { width, height } with integers in 1..16384, got ${preview(size)}`);
    }
    if (size) checkLimit(this.#limits, 'maxImagePixels', size.width * size.height, `segment(): size ${size.width}×${size.height}`);
    const img = await this.#prepare(pixels);
    this.#stage(img, opts.centralCrop);
    this.#rt.execute();
    const out = this.#rt.plan.output;
    const [, H, W] = out.shape;
    if (this.#labels.length > 256) throw new EngineError(`segment(): model "${this.info.name}" has ${this.#labels.length} classes; a class map holds at most 256`);
    const raw = this.#rt.read(out);
    const map = new Uint8Array(H * W);
    for (let i = 0; i < map.length; i++) map[i] = Number(raw[i]);
    const labels = [...this.#labels];
    if (!size || (size.width === W && size.height === H)) return { width: W, height: H, classes: map, labels };
    return { width: size.width, height: size.height, classes: resizeNearest(map, W, H, size.width, size.height), labels };
  }

  /** The pooled feature vector (the global average pool's output, dequantized if quantized) for an image. */
  async embed(image: ImageSource, opts: Pick<ClassifyOptions, 'centralCrop'> = {}): Promise<Float32Array> {
    this.#check();
    this.#rt.wake();
    const pixels = await toPixels(image, this.#limits.maxImagePixels);
    this.#check();
    const emb = this.#rt.plan.embedding;
    if (!emb) throw new EngineError(`embed(): model "${this.info.name}" records no embedding node`);
    const img = await this.#prepare(pixels);
    this.#stage(img, opts.centralCrop);
    this.#rt.execute(this.#graph.meta.embeddingNode);
    return Float32Array.from(this.#rt.real(emb));
  }

  /**
   * Milliseconds per plan step (on the model's threads, averaged over `runs` inferences on the current input), with
   * the multiply-adds each step computes (a fused block counts its expand, depthwise and projection).
   */
  profile(runs = 1): StepProfile[] {
    this.#check();
    this.#rt.wake();
    const plan = this.#rt.plan;
    const times = new Float64Array(plan.steps.length);
    for (let i = 0; i < runs; i++) this.#rt.execute(undefined, times);
    const macs = new Map(this.info.layers.map((l) => [l.name, l.macs]));
    return plan.steps.map((s, i) => ({
      name: s.name, kind: s.kind, nodes: plan.stepNodes[i], ms: times[i] / runs,
      macs: plan.stepNodes[i].reduce((a, n) => a + (macs.get(n) ?? 0), 0),
    }));
  }

  /** Validates `input` against the input's type, length and (float32) finiteness and writes it to the input tensor. */
  #writeInput(input: InputTensor): void {
    const t = this.#rt.plan.input;
    const { length, shape, dtype } = t;
    const want = { float32: 'a Float32Array', uint8: 'a Uint8Array', int8: 'an Int8Array' }[dtype as 'float32' | 'uint8' | 'int8'];
    const desc = `${want} of ${length} values (NHWC ${shape.join('×')}, ${dtype})`;
    const typed = ArrayBuffer.isView(input);
    if (!typed && !Array.isArray(input)) throw new InputError(`run(): expected ${desc}, got ${preview(input, 40)}`);
    const ok = dtype === 'float32'
      ? !typed || input instanceof Float32Array || input instanceof Float64Array
      : dtype === 'uint8' ? input instanceof Uint8Array || input instanceof Uint8ClampedArray : input instanceof Int8Array;
    if (!ok) throw new InputError(`run(): model "${this.info.name}" takes ${desc}, got ${typed ? input.constructor.name : 'an array'}`);
    if (input.length !== length) throw new InputError(`run(): input has ${input.length} values, expected ${length} (NHWC ${shape.join('×')})`);
    if (dtype === 'float32' && (this.#checkFinite || !typed)) {
      // NaN, ±Infinity or a non-number would come out as confident nonsense (LoadOptions.checkFinite: false skips it for typed arrays).
      const v = input as ArrayLike<number>;
      for (let i = 0; i < length; i++) {
        const x = v[i];
        if (typeof x !== 'number' || x - x !== 0) throw new InputError(`run(): input[${i}] is ${preview(x, 20)}; every value must be a finite number`);
      }
    }
    this.#rt.write(t, input);
  }

  /** Validates an image and its crop, then stages it into the input tensor (Runtime.stageImage). */
  async #prepare(image: ImageInput): Promise<ValidImage> {
    const img = validateImage(image);
    checkLimit(this.#limits, 'maxImagePixels', img.width * img.height, `image ${img.width}×${img.height}`);
    const C = this.#rt.plan.input.shape[3];
    if (C !== 3) throw new InputError(`model "${this.info.name}" takes ${C} input channels; only RGB models can take images (use run())`);
    await this.#rt.prepareStaging(img.data.length);
    this.#check();
    return img;
  }

  /** Stages a prepared image (synchronous: nothing else can write the input between it and the run). */
  #stage(img: ValidImage, centralCrop?: number): void {
    const crop = imageCrop(img.width, img.height, centralCrop ?? this.#graph.meta.preprocess.centralCrop ?? 1);
    try {
      this.#rt.stageImage(img, crop, this.#graph.meta.preprocess);
    } finally {
      this.info.memoryBytes = this.#rt.memoryBytes; // staging a larger image grows the memory
    }
  }

  #check(): void {
    if (this.#disposed) throw new DisposedError(`model "${this.info.name}" has been disposed`);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#rt.dispose();
  }
}

/**
 * The metadata must fit the graph: a segment task a [1, H, W] class map, a detector the post-process's four
 * outputs, a classifier's labels one per class.
 */
function checkMeta(graph: Graph, out: number[]): void {
  const m = graph.meta;
  const bad = (msg: string) => new ModelFormatError(`model "${graph.name}": ${msg}`);
  const n = out.reduce((a, d) => a * d, 1);
  if (m.task === 'detect') {
    const outs = graphOutputs(graph).length;
    if (outs < 4 || out.length !== 3 || out[2] !== 4) throw bad(`task "detect" needs boxes [1, N, 4], classes, scores and count first; got ${outs} outputs, the first [${out.join(', ')}]`);
    return;
  }
  if (m.task === 'segment') {
    if (out.length !== 3 || out[0] !== 1) throw bad(`task "segment" needs a [1, H, W] class map output, got [${out.join(', ')}]`);
    if (m.labels.length > 256) throw bad(`${m.labels.length} labels; a class map holds 256`);
    return;
  }
  const offset = m.labelOffset ?? 0;
  if (m.labels.length > 0 && m.labels.length !== n - offset) throw bad(`${m.labels.length} labels for ${n - offset} classes`);
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
