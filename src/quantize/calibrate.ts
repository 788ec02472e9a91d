// Calibration for post-training quantization: run the FLOAT graph on sample images at engine speed and
// record a range [min, max] for every value the int8 graph will have (the graph input and every node
// output). The graph is compiled with CompileOptions.keep = all those values, so each stays materialized
// (fused blocks are split where a kept value would otherwise live only in a ring) and readable through
// plan.kept after a run; the executor and the kernels are the ones a Model uses.
//
// Pixels → input tensor exactly as Model.classify does it: through the same Runtime (src/exec/runtime.ts,
// stageImage: the wasm bilinear resize with half-pixel centers, the model's central crop, then
// x = pixel·scale[c] + offset[c] from meta.preprocess).
//
// Range estimators (CalibrationOptions.method):
//   'minmax'      the smallest and largest value seen over all images (TFLite's calibrator). The default:
//                 on the default model every ReLU6 output reaches both 0 and 6 within a few images, so those
//                 ranges are the activation's [0, 6] anyway; what the estimator decides is the range of the
//                 unbounded values (projections, residual sums, logits), and there clipping their rare large
//                 activations costs more than the coarser step (scripts/ptq-eval.ts --ablation: min/max gives
//                 mean |Δp| 0.0035 against 0.0053 for 'average' and 0.0054 for 'percentile').
//   'average'     the mean over images of each image's min and max (TF's moving-average min/max with one
//                 image per batch): tighter, clips the outliers of single images.
//   'percentile'  per image, the p-th and (100 − p)-th percentiles (histogram of 2048 bins between the
//                 image's min and max), averaged over images.
// Every value's per-channel mean is recorded too (quantize.ts uses the inputs' means for bias correction).
// The quantizer (./quantize.ts) then widens every range to contain 0 and intersects it with the node's
// fused activation ([0, 6] for ReLU6, [0, ∞) for ReLU).
import type { Graph } from '../graph/ir.js';
import { compile } from '../plan/compile.js';
import { Runtime } from '../exec/runtime.js';
import { resolveIsa, type Isa } from '../wasm/load.js';
import { imageCrop, validateImage, type ImageInput } from '../image/preprocess.js';
import { EngineError, InputError } from '../errors.js';

export type RangeMethod = 'minmax' | 'average' | 'percentile';

/** A real-valued range observed for one tensor, and (from calibration) its mean per channel (last axis). */
export interface TensorRange { min: number; max: number; channelMean?: Float64Array }

/** Calibrated ranges by value name (the graph input and node outputs). */
export type Ranges = Map<string, TensorRange>;

export interface CalibrationOptions {
  method?: RangeMethod;
  /** For 'percentile': the upper percentile kept, in (50, 100]; the lower one is 100 − p. Default 99.99. */
  percentile?: number;
  /** Kernel module (default 'auto'). */
  isa?: Isa | 'auto';
}

const HIST_BINS = 2048;

/** Every value the int8 graph will have a quantization for: the graph input and every node output. */
export function calibrationValues(graph: Graph): string[] {
  return [graph.input.name, ...graph.nodes.map((n) => n.name)];
}

/**
 * The p-th percentile of `x` (p in [0, 100]) from a histogram between its min `lo` and max `hi`, rounded
 * outward to a bin edge (the lower edge below the median, the upper edge above); exact at 0 and 100.
 */
export function percentileOf(x: Float32Array, p: number, lo: number, hi: number, hist = new Uint32Array(HIST_BINS)): number {
  if (p <= 0 || hi <= lo) return lo;
  if (p >= 100) return hi;
  hist.fill(0);
  const k = (hist.length - 1) / (hi - lo);
  for (let i = 0; i < x.length; i++) hist[Math.floor((x[i] - lo) * k)]++;
  const target = (p / 100) * x.length;
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b];
    if (seen >= target) return p < 50 ? lo + b / k : Math.min(hi, lo + (b + 1) / k);
  }
  return hi;
}

interface Stat { min: number; max: number; sumMin: number; sumMax: number; channelSum: Float64Array }

/**
 * Runs a float graph on calibration inputs and accumulates per-value ranges. One WebAssembly memory,
 * one plan; feed it images (`observeImage`) or ready input tensors (`observeTensor`), then read `ranges()`.
 */
export class Calibrator {
  readonly values: readonly string[];
  readonly method: RangeMethod;
  #graph: Graph;
  #rt: Runtime | null;
  #percentile: number;
  #stats = new Map<string, Stat>();
  #count = 0;
  #hist = new Uint32Array(HIST_BINS);

  private constructor(graph: Graph, rt: Runtime, values: string[], opts: CalibrationOptions) {
    this.#graph = graph;
    this.#rt = rt;
    const plan = rt.plan;
    this.values = values;
    this.method = opts.method ?? 'minmax';
    this.#percentile = opts.percentile ?? 99.99;
    const shapes = new Map([[graph.input.name, plan.input.shape], ...[...plan.kept].map(([k, v]) => [k, v.shape] as const)]);
    for (const v of values) {
      const channels = shapes.get(v)!.at(-1)!;
      this.#stats.set(v, { min: Infinity, max: -Infinity, sumMin: 0, sumMax: 0, channelSum: new Float64Array(channels) });
    }
  }

  static async create(graph: Graph, opts: CalibrationOptions = {}): Promise<Calibrator> {
    if ((graph.values && Object.keys(graph.values).length > 0) || (graph.input.dtype && graph.input.dtype !== 'float32')) {
      throw new InputError(`calibrate: graph "${graph.name}" is already quantized; calibration needs the float model`);
    }
    const method = opts.method ?? 'minmax';
    if (!['minmax', 'average', 'percentile'].includes(method)) throw new InputError(`calibrate: unknown range method "${method}" (minmax, average or percentile)`);
    const p = opts.percentile ?? 99.99;
    if (!(p > 50 && p <= 100)) throw new InputError(`calibrate: percentile must be in (50, 100], got ${p}`);
    const values = calibrationValues(graph);
    const plan = compile(graph, { keep: values });
    const rt = await Runtime.create(plan, { isa: resolveIsa(opts.isa), name: graph.name });
    return new Calibrator(graph, rt, values, opts);
  }

  /** Images observed so far. */
  get count(): number { return this.#count; }

  /** Preprocesses an image exactly as Model.classify does (wasm resize + meta.preprocess), runs, records. */
  observeImage(image: ImageInput, centralCrop?: number): void {
    this.#preprocess(image, centralCrop);
    this.#run();
  }

  /** The input tensor classify() would feed for this image (a copy; nothing is recorded). */
  inputTensor(image: ImageInput, centralCrop?: number): Float32Array {
    const rt = this.#preprocess(image, centralCrop);
    return Float32Array.from(rt.read(rt.plan.input) as Float32Array);
  }

  #preprocess(image: ImageInput, centralCrop?: number): Runtime {
    const rt = this.#runtime();
    const img = validateImage(image);
    const C = rt.plan.input.shape[3];
    if (C !== 3) throw new InputError(`calibrate: model "${this.#graph.name}" takes ${C} input channels; only RGB models calibrate on images`);
    const crop = imageCrop(img.width, img.height, centralCrop ?? this.#graph.meta.preprocess.centralCrop ?? 1);
    rt.stageImage(img, crop, this.#graph.meta.preprocess);
    return rt;
  }

  #runtime(): Runtime {
    if (!this.#rt) throw new EngineError('calibrate: this Calibrator has been disposed');
    return this.#rt;
  }

  /** Runs on a ready NHWC float32 input tensor and records. */
  observeTensor(x: Float32Array): void {
    const rt = this.#runtime();
    const { length } = rt.plan.input;
    if (x.length !== length) throw new InputError(`calibrate: input has ${x.length} values, expected ${length}`);
    rt.write(rt.plan.input, x);
    this.#run();
  }

  #run(): void {
    const rt = this.#runtime();
    rt.execute();
    const pct = this.#percentile;
    for (const name of this.values) {
      const v = name === this.#graph.input.name ? rt.plan.input : rt.plan.kept.get(name);
      if (!v) throw new EngineError(`calibrate: value "${name}" was not kept by the plan`);
      const x = rt.read(v) as Float32Array;
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < x.length; i++) {
        const t = x[i];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new EngineError(`calibrate: value "${name}" holds non-finite numbers (NaN or ±Infinity)`);
      const s = this.#stats.get(name)!;
      const cs = s.channelSum, C = cs.length, pixels = x.length / C;
      for (let i = 0; i < x.length; i += C) for (let c = 0; c < C; c++) cs[c] += x[i + c] / pixels;
      s.min = Math.min(s.min, lo);
      s.max = Math.max(s.max, hi);
      if (this.method === 'percentile') {
        s.sumMin += percentileOf(x, 100 - pct, lo, hi, this.#hist);
        s.sumMax += percentileOf(x, pct, lo, hi, this.#hist);
      } else {
        s.sumMin += lo;
        s.sumMax += hi;
      }
    }
    this.#count++;
  }

  /** The ranges so far (by value name). Throws when nothing was observed. */
  ranges(): Ranges {
    if (this.#count === 0) throw new InputError('calibrate: no calibration input was observed');
    const out: Ranges = new Map();
    for (const [name, s] of this.#stats) {
      const r = this.method === 'minmax' ? { min: s.min, max: s.max } : { min: s.sumMin / this.#count, max: s.sumMax / this.#count };
      out.set(name, { ...r, channelMean: s.channelSum.map((v) => v / this.#count) });
    }
    return out;
  }

  dispose(): void {
    this.#rt?.dispose();
    this.#rt = null;
  }
}

export interface CalibrateOptions extends CalibrationOptions {
  /** Called after each image with (done, total); total is undefined for an async source of unknown size. */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** Calibrates a float graph on images (an array, or any sync / async iterable of decoded images). */
export async function calibrate(
  graph: Graph, images: Iterable<ImageInput> | AsyncIterable<ImageInput>, opts: CalibrateOptions = {},
): Promise<{ ranges: Ranges; images: number; method: RangeMethod }> {
  const cal = await Calibrator.create(graph, opts);
  const total = Array.isArray(images) ? images.length : undefined;
  try {
    for await (const img of images) {
      cal.observeImage(img);
      opts.onProgress?.(cal.count, total);
    }
    return { ranges: cal.ranges(), images: cal.count, method: cal.method };
  } finally {
    cal.dispose();
  }
}
