// The model API as callers see it: the types of its calls, and ModelApi, the one interface that the
// in-process Model (src/model.ts), the worker proxy WorkerModel (src/workers/client.ts) and the Pool
// (src/pool.ts) implement. Each is checked against it at compile time (`implements ModelApi<…>`), so a call
// added to one and not the others fails the typecheck. Types only: no runtime code, no import back.
import type { DType, Graph, Quant } from './graph/ir.js';
import type { CompileOptions } from './plan/compile.js';
import type { QuantScheme } from './plan/registry.js';
import type { LayerSummary } from './graph/summary.js';
import type { Isa } from './wasm/load.js';
import type { ImageSource } from './image/sources.js';

export interface ModelInfo {
  name: string;
  /** Where the model came from: its file's format as sniffed (src/formats/sniff.ts: 'native', 'tflite', 'tfjs-layers-json'), or 'builder' (a Graph given to loadModel). */
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
  /** The first output's shape, type and quantization (the only output of most models; see `outputs`). */
  outputShape: number[];
  /** What run() returns: Float32Array, Uint8Array, Int8Array, Int32Array or BigInt64Array (int64). */
  outputType: DType;
  outputQuant?: Quant;
  /** Every output, in the order runAll() returns them (one for most models; a detector's four: boxes, classes, scores, count). */
  outputs: OutputInfo[];
  /** 'classify' (one score per class: classify()), 'segment' (a class per pixel: segment()) or 'detect' (boxes: detect()). */
  task: 'classify' | 'segment' | 'detect';
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

export interface OutputInfo { name: string; shape: number[]; dtype: DType; quant?: Quant }

export interface DetectOptions {
  /** Leave out detections scoring below this (0..1; default 0.5). */
  scoreThreshold?: number;
  /** At most this many detections (default: all the model reports). */
  maxResults?: number;
  /** Also drop a detection overlapping a better one of its class by more than this IoU (0..1; default: only the model's own NMS). */
  iouThreshold?: number;
}

/** A box in source-image pixels (x, y: top-left corner), or normalized to 0..1 of the image. */
export interface Box { x: number; y: number; width: number; height: number }

/** One detected object: `index` is its class (a line of the label file), `box` in the image's pixels, clipped to it. */
export interface Detection { label: string; index: number; score: number; box: Box; normalized: Box }

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
   * Threads per inference: a number, or 'auto' (one per core, at most 4). Needs SharedArrayBuffer and
   * a thread that may block (Node, Deno, a worker; in browsers only when crossOriginIsolated); where
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
  /** Resource limits, checked before anything is allocated (src/plan/limits.ts; README: Limits). */
  limits?: CompileOptions['limits'];
  /**
   * run() refuses NaN and ±Infinity in a float32 input (InputError); false skips that scan (~0.2-0.7 ms per
   * 150k values, BENCHMARKS.md). Default true.
   */
  checkFinite?: boolean;
}

/**
 * What every way of running a model offers. `Info` is how the model's info is had (a property of a loaded
 * model; a Pool, whose workers load lazily, has a method). `Call` is what each call takes besides its own
 * options (a worker's and a pool's CallOptions: signal, transfer; nothing in process). Results may be
 * synchronous where the model runs on the caller's thread (Model.profile, Model.dispose).
 */
export interface ModelApi<Info = ModelInfo, Call = object> {
  readonly info: Info;
  /** Raw inference on a tensor of exactly the input shape and type (see Model.run; several outputs: an array, as runAll). */
  run<T extends OutputTensor = Float32Array>(input: InputTensor, opts?: Call): Promise<T>;
  /** Raw inference returning every output, in info.outputs order (see Model.runAll). */
  runAll(input: InputTensor, opts?: Call): Promise<OutputTensor[]>;
  /** Objects with boxes, best first (see Model.detect). */
  detect(image: ImageSource, opts?: DetectOptions & Call): Promise<Detection[]>;
  /** Top-k labels with scores (see Model.classify). */
  classify(image: ImageSource, opts?: ClassifyOptions & Call): Promise<Classification[]>;
  /** The class of every pixel (see Model.segment). */
  segment(image: ImageSource, opts?: SegmentOptions & Call): Promise<Segmentation>;
  /** The pooled feature vector (see Model.embed). */
  embed(image: ImageSource, opts?: Pick<ClassifyOptions, 'centralCrop'> & Call): Promise<Float32Array>;
  /** Milliseconds and multiply-adds per plan step (see Model.profile). */
  profile(runs?: number, opts?: Call): StepProfile[] | Promise<StepProfile[]>;
  /** Frees the model (its memory, threads or workers); later calls reject with DisposedError. */
  dispose(): void | Promise<void>;
}
