// Post-training quantization of a float graph (TensorFlow 2 "full integer" PTQ, as the TFLite converter does
// it with a representative dataset), from the ranges ./calibrate.ts records:
//
//   weights      int8, symmetric, per output channel: scale[c] = max|w_c| / 127, q = round(w / scale[c]) in
//                [−127, 127], zero point 0 (a channel of zeros gets scale 1).
//   bias         int32 = round(b'[c] / (inputScale · scale[c])), zero point 0, where b' is the float bias minus
//                the expected error of weight rounding, Σ (ŵ − w)·E[x] with E[x] the calibrated per-channel
//                mean of the input ("bias correction"; biasCorrection: false keeps b' = b). Should the bias
//                overflow int32 the channel's weight scale is widened until it fits (TFLite's
//                AdjustWeightsForBiasScale).
//   activations  int8, asymmetric, per tensor, from the calibrated [min, max] widened to contain 0 and
//                intersected with the producer's fused activation ([0, 6] for ReLU6, [0, ∞) for ReLU):
//                scale = (max − min) / 255, zero point = round(−128 − min / scale) clamped to [−128, 127]
//                ("nudged": 0.0 is then exactly representable, so zero padding and ReLU's 0 are exact).
//                A ReLU / ReLU6 output has min = 0, so its zero point is −128 and the whole int8 range
//                covers [0, max]; the compiler turns the fused activation into the clamp
//                [max(−128, q(0)), min(127, q(6))] (src/plan/requant.ts activationRange).
//   input        stays float32, followed by a QUANTIZE node ("<input>/quantize"), so Model.classify and run()
//                feed real values as for the float model. Its range is the exact image of pixels 0..255
//                under meta.preprocess ([0, 1] for the default model: scale 1/255, zero point −128, every
//                pixel exactly representable), not a calibrated estimate (inputRange: 'calibrated' for that).
//   add          its own calibrated range (residual sums are not bounded by an activation).
//   pool         global average pool: 'avgpool' (default) keeps the input's quantization and TFLite
//                AVERAGE_POOL_2D's rounding (halves away from zero: unbiased); 'mean' gives the pooled value
//                its own calibrated range and TFLite MEAN's arithmetic (for a [1,C] output that rounds
//                round(x + ½), half a step high on average: measurably worse, see scripts/ptq-eval.ts).
//   softmax      'float' (default): DEQUANTIZE the logits ("<logits>/dequantize") and keep the float softmax,
//                so the probabilities are exact for the int8 logits (5 values: no cost).
//                'int8' (TFLite): the softmax runs on int8 logits with output scale 1/256 and zero point −128,
//                then a DEQUANTIZE ("<softmax>/dequantize") makes the float32 graph output; probabilities
//                then move in steps of 1/256 and small ones become 0.
//                A graph ending without softmax ends in a DEQUANTIZE of its output.
//   reshape, pad and resize keep their input's quantization.
// Each op's rule is its module's `quantize` (src/ops/*.ts); an op without one is rejected.
// Node names are unchanged (the ranges are keyed by them); the added nodes are named "<value>/quantize" and
// "<value>/dequantize". Values are listed with their dtype and quantization in graph.values; the embedding
// (meta.embeddingNode, the pool) becomes int8, which Model.embed dequantizes.
import type {
  Activation, Graph, Node, Quant, QuantWeights, ValueType,
} from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { OPS } from '../ops/index.js';
import type { OpModule } from '../ops/types.js';
import { InputError, ShapeError, UnsupportedOpError } from '../errors.js';
import { roundHalfAway } from '../plan/requant.js';
import type { Ranges, TensorRange } from './calibrate.js';

export type QuantizationScheme = 'int8-per-channel';

export interface QuantizeOptions {
  scheme?: QuantizationScheme;
  /** Where the final softmax runs (see the file header). Default 'float'. */
  softmax?: 'int8' | 'float';
  /** Global average pool arithmetic (see the file header). Default 'avgpool'. */
  pool?: 'avgpool' | 'mean';
  /** The input's range: the exact image of pixels 0..255 under meta.preprocess (default), or the calibrated one. */
  inputRange?: 'preprocess' | 'calibrated';
  /** ReLU6 outputs: the calibrated range clipped to [0, 6] (default), or always exactly [0, 6]. */
  relu6?: 'calibrated' | 'fixed';
  /**
   * Fold the expected error of weight rounding into the bias, from the calibrated per-channel input means
   * (default true; needs ranges with channelMean, as Calibrator records them).
   */
  biasCorrection?: boolean;
  /** Words for meta.source, e.g. "calibrated on 50 images (minmax)". */
  note?: string;
}

const QMIN = -128;
const QMAX = 127;
/** Largest |int32| a bias may take. */
const BIAS_LIMIT = 2 ** 31 - 1;
/** The int8 softmax output quantization TFLite requires. */
export const SOFTMAX_INT8_QUANT: Quant = Object.freeze({ scale: 1 / 256, zeroPoint: -128 });

/**
 * Asymmetric int8 quantization of a real range (TFLite GetAsymmetricQuantizationParams): the range is
 * widened to contain 0, scale = (max − min)/255 in float32, zero point = round(−128 − min/scale) clamped to
 * [−128, 127]. A range of zero width (a tensor that is always 0) gets scale 1/255 so that requantization
 * ratios stay finite.
 */
export function chooseQuant(range: TensorRange): Quant {
  const f = Math.fround;
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new InputError(`cannot quantize the range [${range.min}, ${range.max}]: it must be finite with min ≤ max`);
  }
  const min = f(Math.min(range.min, 0));
  const max = f(Math.max(range.max, 0));
  const scale = f(f(max - min) / (QMAX - QMIN));
  if (!(scale > 0) || scale < 1e-30) return { scale: f(1 / 255), zeroPoint: min < 0 ? QMAX : QMIN };
  const zpFromMin = QMIN - min / scale;
  const zeroPoint = zpFromMin < QMIN ? QMIN : zpFromMin > QMAX ? QMAX : roundHalfAway(zpFromMin);
  return { scale, zeroPoint };
}

/** The range a value's quantization should cover: the calibrated one within the fused activation's bounds. */
export function activationBounded(range: TensorRange, act: Activation, relu6: 'calibrated' | 'fixed' = 'calibrated'): TensorRange {
  switch (act) {
    case 'none': return { min: range.min, max: range.max };
    case 'relu': return { min: 0, max: Math.max(0, range.max) };
    case 'relu6': return relu6 === 'fixed' ? { min: 0, max: 6 } : { min: 0, max: Math.min(6, Math.max(0, range.max)) };
  }
}

/**
 * Symmetric int8 per-channel quantization of weights whose LAST axis is the output channel (HWIO conv,
 * [kh, kw, C] depthwise, [K, N] dense): scale[c] = max|w_c| / 127, q = round(w/scale[c]).
 */
export function quantizeWeightsPerChannel(w: Float32Array, channels: number): { data: Int8Array; scale: Float32Array } {
  if (!Number.isInteger(channels) || channels < 1 || w.length % channels !== 0) {
    throw new ShapeError(`cannot quantize weights: ${w.length} values are not a whole number of ${channels} channels`);
  }
  const absMax = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    if (!Number.isFinite(a)) throw new ShapeError(`cannot quantize weights: value ${i} is ${w[i]}`);
    const c = i % channels;
    if (a > absMax[c]) absMax[c] = a;
  }
  const scale = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = absMax[c] > 0 ? absMax[c] / 127 : 1;
  return { data: quantizeWithScales(w, scale), scale };
}

function quantizeWithScales(w: Float32Array, scale: Float32Array): Int8Array {
  const channels = scale.length;
  const data = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const q = roundHalfAway(w[i] / scale[i % channels]);
    data[i] = q < -127 ? -127 : q > 127 ? 127 : q;
  }
  return data;
}

/** int32 bias: round(b[c] / (inScale · wScale[c])) (the product in float32, like TFLite). */
export function quantizeBias(b: Float32Array, inScale: number, wScale: Float32Array): Int32Array {
  if (b.length !== wScale.length) throw new ShapeError(`cannot quantize bias: ${b.length} values for ${wScale.length} channels`);
  const out = new Int32Array(b.length);
  for (let c = 0; c < b.length; c++) {
    const s = Math.fround(Math.fround(inScale) * wScale[c]);
    const q = roundHalfAway(b[c] / s);
    if (Math.abs(q) > BIAS_LIMIT) throw new ShapeError(`cannot quantize bias: channel ${c} (${b[c]}) overflows int32 at scale ${s}`);
    out[c] = q;
  }
  return out;
}

/**
 * TFLite AdjustWeightsForBiasScale: widens wScale[c] where |b[c]| / (inScale·wScale[c]) would not fit in
 * int32 (then the weights are requantized with the wider scale). Returns the channels changed.
 */
export function adjustScalesForBias(b: Float32Array, inScale: number, wScale: Float32Array): number {
  let changed = 0;
  for (let c = 0; c < b.length; c++) {
    const need = Math.abs(b[c]) / (Math.fround(inScale) * (BIAS_LIMIT / 2));
    if (wScale[c] < need) {
      wScale[c] = need;
      changed++;
    }
  }
  return changed;
}

/**
 * The expected output error that weight rounding causes, per output channel: Σ (q·scale − w)·E[x] over the
 * weights of that channel, with E[x] the calibrated mean of the input channel each weight multiplies
 * (`depthwise`: the output channel itself; else input channel ⌊i / channels⌋ mod inChannels).
 */
export function weightRoundingBias(w: Float32Array, data: ArrayLike<number>, scale: Float32Array, inputMean: ArrayLike<number>, depthwise: boolean): Float64Array {
  const C = scale.length;
  const cin = inputMean.length;
  const out = new Float64Array(C);
  for (let i = 0; i < w.length; i++) {
    const c = i % C;
    const ic = depthwise ? c : Math.floor(i / C) % cin;
    out[c] += (data[i] * scale[c] - w[i]) * inputMean[ic];
  }
  return out;
}

/**
 * Quantizes one conv / depthwise / dense node's weights and bias for an input of scale `inScale`. With
 * `inputMean` (the input's calibrated per-channel mean), the float bias first absorbs the expected error of
 * weight rounding (bias correction, Nagel et al. 2019 / Finkelstein et al. 2019): b' = b − Σ (ŵ − w)·E[x].
 */
export function quantizeLayer(
  weights: Float32Array, bias: Float32Array, channels: number, inScale: number,
  correction?: { inputMean: ArrayLike<number>; depthwise: boolean },
): QuantWeights {
  const q = quantizeWeightsPerChannel(weights, channels);
  let data = q.data;
  if (adjustScalesForBias(bias, inScale, q.scale) > 0) data = quantizeWithScales(weights, q.scale);
  let b = bias;
  if (correction) {
    const err = weightRoundingBias(weights, data, q.scale, correction.inputMean, correction.depthwise);
    b = Float32Array.from(bias, (v, c) => v - err[c]);
  }
  return { dtype: 'int8', data, scale: q.scale, zeroPoint: new Int32Array(channels), bias: quantizeBias(b, inScale, q.scale) };
}

/** The real values classify() can feed: pixels 0..255 through meta.preprocess (x = pixel·scale[c] + offset[c]). */
export function preprocessRange(graph: Graph): TensorRange {
  const { scale, offset } = graph.meta.preprocess;
  let min = Infinity, max = -Infinity;
  for (let c = 0; c < 3; c++) {
    for (const v of [offset[c], 255 * scale[c] + offset[c]]) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new InputError(`quantize: graph "${graph.name}" has an invalid meta.preprocess`);
  return { min, max };
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * A float graph → an int8 graph (see the file header). `ranges` must hold every value of
 * calibrationValues(graph) (the graph input and every node output).
 */
export function quantizeGraph(graph: Graph, ranges: Ranges, opts: QuantizeOptions = {}): Graph {
  const scheme = opts.scheme ?? 'int8-per-channel';
  if (scheme !== 'int8-per-channel') throw new InputError(`quantize: unknown scheme "${scheme}" (only int8-per-channel)`);
  const softmaxMode = opts.softmax ?? 'float';
  const poolMode = opts.pool ?? 'avgpool';
  if (poolMode !== 'avgpool' && poolMode !== 'mean') throw new InputError(`quantize: pool must be 'avgpool' or 'mean', got "${poolMode}"`);
  if (softmaxMode !== 'float' && softmaxMode !== 'int8') throw new InputError(`quantize: softmax must be 'float' or 'int8', got "${softmaxMode}"`);
  const relu6 = opts.relu6 ?? 'calibrated';
  const biasCorrection = opts.biasCorrection ?? true;
  if ((graph.values && Object.keys(graph.values).length > 0) || (graph.input.dtype && graph.input.dtype !== 'float32')) {
    throw new InputError(`quantize: graph "${graph.name}" is already quantized`);
  }
  inferShapes(graph);
  const taken = new Set<string>([graph.input.name, ...graph.nodes.map((n) => n.name)]);
  const rangeOf = (v: string): TensorRange => {
    const r = ranges.get(v);
    if (!r) throw new InputError(`quantize: no calibrated range for value "${v}" (calibrate the same graph first)`);
    return r;
  };
  const values: Record<string, ValueType> = {};
  const quantOf = (v: string): Quant => {
    const t = values[v];
    if (!t?.quant) throw new ShapeError(`quantize: value "${v}" has no quantization (internal error: node order?)`);
    return t.quant;
  };
  const setQ = (v: string, q: Quant) => { values[v] = { dtype: 'int8', quant: { scale: q.scale, zeroPoint: q.zeroPoint } }; };
  /** Where each float value name now lives in the int8 graph. */
  const renamed = new Map<string, string>();
  const ref = (v: string) => renamed.get(v) ?? v;

  const nodes: Node[] = [];
  const inName = graph.input.name;
  const inQ = uniqueName(`${inName}/quantize`, taken);
  nodes.push({ op: 'quantize', name: inQ, inputs: [inName] });
  setQ(inQ, chooseQuant(opts.inputRange === 'calibrated' ? rangeOf(inName) : preprocessRange(graph)));
  renamed.set(inName, inQ);

  if ((graph.outputs?.length ?? 1) > 1) throw new UnsupportedOpError(`quantize: graph "${graph.name}" has ${graph.outputs!.length} outputs; post-training quantization handles one`);
  let output = graph.output;
  for (const n of graph.nodes) {
    const where = `quantize: node "${n.name}" (${n.op})`;
    const m = OPS[n.op] as OpModule;
    if (!m.quantize) throw new UnsupportedOpError(`${where}: post-training quantization does not handle this op`);
    m.quantize(n, {
      inputs: n.inputs.map(ref),
      where,
      emit: (node) => { nodes.push(node); },
      quantOf,
      setQ,
      calibrated: (v) => chooseQuant(rangeOf(v)),
      bounded: (v, act) => chooseQuant(activationBounded(rangeOf(v), act, relu6)),
      weights(node, channels, inScale, depthwise) {
        const mean = biasCorrection ? rangeOf(node.inputs[0]).channelMean : undefined;
        return quantizeLayer(node.weights, node.bias, channels, inScale, mean ? { inputMean: mean, depthwise } : undefined);
      },
      pool: poolMode,
      softmax: softmaxMode,
      softmaxInt8Quant: SOFTMAX_INT8_QUANT,
      isOutput: n.name === graph.output,
      uniqueName: (base) => uniqueName(base, taken),
      rename(from, to) {
        renamed.set(from, to);
        if (output === from) output = to;
      },
    });
  }
  if (output === graph.output && values[output]) {
    const dq = uniqueName(`${output}/dequantize`, taken);
    nodes.push({ op: 'dequantize', name: dq, inputs: [output] });
    output = dq;
  }
  const note = opts.note ? `; ${opts.note}` : '';
  const out: Graph = {
    name: `${graph.name}-int8`,
    input: { name: inName, shape: [...graph.input.shape] },
    output,
    nodes,
    values,
    meta: {
      ...graph.meta,
      labels: [...graph.meta.labels],
      source: `${graph.meta.source ?? graph.name} → int8 post-training quantization (${scheme}${note})`,
    },
  };
  inferShapes(out); // the result must be a well-formed graph
  return out;
}
