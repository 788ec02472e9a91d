// Requantization parameters of the int8 kernels, computed at compile time exactly as TensorFlow Lite
// computes them (tensorflow/lite/kernels/internal/quantization_util.cc, kernel_util.cc and the Prepare()
// of each builtin kernel), so that the kernels in assembly/qu8 and assembly/qs8 reproduce TFLite's
// integer arithmetic bit for bit.
//
//   real multiplier M  →  (mult: int32 Q0.31 in [2^30, 2^31), shift: int)   with  M ≈ mult·2^(shift−31)
//   MultiplyByQuantizedMultiplier(x, mult, shift) =
//     RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x·2^max(shift,0), mult), max(−shift, 0))
//
// Float details matter for the last bit of `mult`: TFLite multiplies some scales in float32 and others in
// double; every function below says which and mirrors it (Math.fround marks each float32 rounding).
import { ShapeError } from '../errors.js';
import type { Activation, Quant } from '../graph/ir.js';

export type QDType = 'uint8' | 'int8';

/** [qmin, qmax] of a storage type. */
export function dtypeRange(dtype: QDType): [number, number] {
  return dtype === 'uint8' ? [0, 255] : [-128, 127];
}

/** C's std::round (TfLiteRound): halves away from zero. */
export function roundHalfAway(x: number): number {
  const r = Math.floor(Math.abs(x) + 0.5);
  // floor(|x| + 0.5) is wrong only for the largest double below 0.5 (0.49999999999999994 + 0.5 rounds to 1).
  const fixed = Math.abs(x) < 0.5 ? 0 : r;
  return x < 0 ? -fixed : fixed;
}

/** frexp: x = q·2^e with q ∈ [0.5, 1) for finite x > 0. */
function frexp(x: number): [number, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    const [q, e] = frexp(x * 2 ** 64);
    return [q, e - 64];
  }
  const e = biased - 1022;
  return [x / 2 ** e, e];
}

/**
 * TFLite QuantizeMultiplier(double): real = mult·2^(shift−31), mult ∈ [2^30, 2^31) (0 for real = 0).
 * Mirrors quantization_util.cc: frexp, round(q·2^31) half away from zero, 2^31 → 2^30 with shift + 1, and
 * shift < −31 flushed to (0, 0). Throws for negative, NaN or infinite multipliers (never produced by a model).
 */
export function quantizeMultiplier(real: number): [mult: number, shift: number] {
  if (real === 0) return [0, 0];
  if (!(real > 0) || !Number.isFinite(real)) {
    throw new ShapeError(`cannot quantize the multiplier ${real}: it must be a finite number ≥ 0`);
  }
  const [q, e] = frexp(real);
  let qFixed = roundHalfAway(q * 2 ** 31);
  let shift = e;
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return [0, 0];
  return [qFixed, shift];
}

/** QuantizeMultiplierSmallerThanOneExp: quantizeMultiplier for 0 < real < 1 (shift ≤ 0). */
export function quantizeMultiplierSmallerThanOne(real: number): [mult: number, shift: number] {
  if (!(real > 0 && real < 1)) throw new ShapeError(`cannot quantize the multiplier ${real}: it must be in (0, 1)`);
  return quantizeMultiplier(real);
}

/**
 * CalculateActivationRangeQuantized (kernel_util.cc): the fused activation's bounds in the output's
 * quantized domain, intersected with the storage range. quantize(f) = zp + round(f / scale), the division
 * in float32 (TFLite's lambda takes and divides floats).
 */
export function activationRange(act: Activation, quant: Quant, dtype: QDType): [qmin: number, qmax: number] {
  const [lo, hi] = dtypeRange(dtype);
  const scale = Math.fround(quant.scale);
  const quantize = (f: number) => quant.zeroPoint + roundHalfAway(Math.fround(f / scale));
  switch (act) {
    case 'none':
      return [lo, hi];
    case 'relu':
      return [Math.max(lo, quantize(0)), hi];
    case 'relu6':
      return [Math.max(lo, quantize(0)), Math.min(hi, quantize(6))];
  }
}

/** Per-output-channel fixed-point multipliers (TFLite's `shift` convention: positive = left shift). */
export interface ChannelRequant {
  mult: Int32Array;
  shift: Int32Array;
}

/**
 * Conv / depthwise / fully-connected output multipliers, one per output channel (per-tensor weights are
 * replicated). TFLite computes them two ways:
 * - 'float-product' (uint8 kernels, and int8 FULLY_CONNECTED with per-tensor weights):
 *   GetQuantizedConvolutionMultipler: double(float(inScale·wScale)) / double(outScale).
 * - 'double' (int8 per-channel conv / depthwise, PopulateConvolutionQuantizationParams):
 *   double(inScale)·double(wScale[c]) / double(outScale).
 * Default: 'float-product' for uint8, 'double' for int8.
 */
export function convRequant(
  inScale: number, wScale: ArrayLike<number>, outScale: number, channels: number, dtype: QDType,
  mode: 'float-product' | 'double' = dtype === 'uint8' ? 'float-product' : 'double',
): ChannelRequant {
  if (wScale.length !== 1 && wScale.length !== channels) {
    throw new ShapeError(`cannot compute requantization: ${wScale.length} weight scales for ${channels} output channels (expected 1 or ${channels})`);
  }
  const mult = new Int32Array(channels);
  const shift = new Int32Array(channels);
  const fi = Math.fround(inScale);
  const fo = Math.fround(outScale);
  for (let c = 0; c < channels; c++) {
    const ws = Math.fround(wScale.length === 1 ? wScale[0] : wScale[c]);
    const real = mode === 'float-product' ? Math.fround(fi * ws) / fo : (fi * ws) / fo;
    [mult[c], shift[c]] = quantizeMultiplier(real);
  }
  return { mult, shift };
}

/** A single requantization x → clamp(MBQM(x, mult, shift) + zp), e.g. TFLite QUANTIZE uint8 → uint8. */
export interface RequantParams {
  inZeroPoint: number;
  outZeroPoint: number;
  mult: number;
  shift: number;
  qmin: number;
  qmax: number;
}

/**
 * TFLite QUANTIZE with a quantized input (quantize.cc Prepare: effective scale = double(inScale) /
 * double(outScale); reference_ops::Requantize clamps to the output type's range).
 */
export function requantizeParams(inQ: Quant, outQ: Quant, dtype: QDType): RequantParams {
  const [mult, shift] = quantizeMultiplier(Math.fround(inQ.scale) / Math.fround(outQ.scale));
  const [qmin, qmax] = dtypeRange(dtype);
  return { inZeroPoint: inQ.zeroPoint, outZeroPoint: outQ.zeroPoint, mult, shift, qmin, qmax };
}

/** TFLite's 8-bit ADD parameters (add.cc Prepare, general quantized path). */
export interface AddParams {
  aZeroPoint: number;
  bZeroPoint: number;
  outZeroPoint: number;
  /** Always 20 for 8-bit. */
  leftShift: number;
  aMult: number;
  aShift: number;
  bMult: number;
  bShift: number;
  outMult: number;
  outShift: number;
  qmin: number;
  qmax: number;
}

/**
 * add.cc Prepare: twice_max = 2·max(s1, s2) (float), real_k = s_k / twice_max (double), real_out =
 * twice_max / ((1 << 20)·s_out) (the denominator in float), each through QuantizeMultiplierSmallerThanOneExp.
 */
export function addParams(a: Quant, b: Quant, out: Quant, act: Activation, dtype: QDType): AddParams {
  const sa = Math.fround(a.scale);
  const sb = Math.fround(b.scale);
  const twiceMax = Math.fround(2 * Math.max(sa, sb));
  const [aMult, aShift] = quantizeMultiplierSmallerThanOne(sa / twiceMax);
  const [bMult, bShift] = quantizeMultiplierSmallerThanOne(sb / twiceMax);
  const [outMult, outShift] = quantizeMultiplierSmallerThanOne(twiceMax / Math.fround((1 << 20) * Math.fround(out.scale)));
  const [qmin, qmax] = activationRange(act, out, dtype);
  return {
    aZeroPoint: a.zeroPoint, bZeroPoint: b.zeroPoint, outZeroPoint: out.zeroPoint, leftShift: 20,
    aMult, aShift, bMult, bShift, outMult, outShift, qmin, qmax,
  };
}

/**
 * How a global average pool rounds (the four TFLite paths; `pixels` = H·W):
 * - 'avgpool':    AVERAGE_POOL_2D (pooling.h): uint8 (sum + n/2) / n; int8 halves away from zero.
 *                 Input and output share quantization (TFLite checks it). Clamped to [qmin, qmax].
 * - 'mean-4d':    MEAN keep_dims over axes {1, 2} of a 4-D tensor: uint8 reference_ops::Mean /
 *                 int8 reference_integer_ops::Mean: MultiplyByQuantizedMultiplier(sum, mult, shift) + bias.
 * - 'mean-same':  MEAN otherwise, input and output quantization equal: sum / n truncated toward zero.
 * - 'mean-float': MEAN otherwise (QuantizedMeanOrSum): float32 mean·scale + bias with +0.5, then round.
 */
export type PoolMode = 'avgpool' | 'mean-4d' | 'mean-same' | 'mean-float';

export const POOL_MODE_CODE: Record<PoolMode, number> = { avgpool: 0, 'mean-4d': 1, 'mean-same': 2, 'mean-float': 3 };

/** Words of a pool parameter block (Int32Array; float fields stored as their f32 bits). */
export const POOL_PARAM_WORDS = 8;

/**
 * The parameter block of qu8/qs8_gavgpool_*: [mode, n, qmin, qmax, mult, shift, bias, scaleBits] (int32;
 * 'mean-float' stores its float32 scale and bias bit patterns in words 4 and 5, the output zero point in 6).
 */
export function poolParams(mode: PoolMode, pixels: number, inQ: Quant, outQ: Quant, dtype: QDType, act: Activation = 'none'): Int32Array {
  const p = new Int32Array(POOL_PARAM_WORDS);
  const f = new Float32Array(p.buffer);
  const [lo, hi] = dtypeRange(dtype);
  p[0] = POOL_MODE_CODE[mode];
  p[1] = pixels;
  p[2] = lo;
  p[3] = hi;
  const si = Math.fround(inQ.scale);
  const so = Math.fround(outQ.scale);
  switch (mode) {
    case 'avgpool': {
      [p[2], p[3]] = activationRange(act, outQ, dtype);
      break;
    }
    case 'mean-4d': {
      if (dtype === 'uint8') {
        // reference_ops::Mean (uint8): bias = zp_out − (int)(zp_in·s_in / s_out) (float, truncated);
        // real = double(s_in / (n·s_out)) with n a float.
        const t = Math.fround(Math.fround(inQ.zeroPoint * si) / so);
        p[6] = outQ.zeroPoint - Math.trunc(t);
        [p[4], p[5]] = quantizeMultiplier(Math.fround(si / Math.fround(Math.fround(pixels) * so)));
      } else {
        // reference_integer_ops::Mean: multiplier from double(s_in)/double(s_out) (reduce.cc Prepare), with
        // the 1/n folded in by shifting: sum − zp_in·n, then MBQM, then + zp_out.
        const [mult, shift] = quantizeMultiplier(si / so);
        p[4] = mult;
        p[5] = shift;
        p[6] = outQ.zeroPoint;
        p[7] = inQ.zeroPoint;
      }
      break;
    }
    case 'mean-same':
      break;
    case 'mean-float': {
      const scale = Math.fround(si / so);
      f[4] = scale;
      f[5] = Math.fround(Math.fround(Math.fround(-inQ.zeroPoint) * scale) + 0.5);
      p[6] = outQ.zeroPoint;
      break;
    }
  }
  return p;
}

/**
 * optimized_ops::PopulateSoftmaxLookupTable: table[255 − v] = expf(−inScale·beta·v) for v ∈ [0, 255], the
 * exponent product in float32. (Math.exp is correctly rounded to double; its float32 rounding can differ
 * from libm's expf by one ulp in rare cases, which moves an output by at most one quantum.)
 */
export function softmaxTable(inScale: number, beta = 1): Float32Array {
  const table = new Float32Array(256);
  const scale = Math.fround(-Math.fround(inScale) * Math.fround(beta));
  for (let v = 0; v <= 255; v++) table[255 - v] = Math.fround(Math.exp(Math.fround(scale * v)));
  return table;
}

/**
 * Per-input parameters of CONCATENATION (reference_ops::ConcatenationWithScaling, uint8): copy when the
 * input's quantization equals the output's, else out = clamp(round(q·scale + bias) + zp_out, 0, 255)
 * with scale = s_in·(1/s_out) and bias = −zp_in·scale, all float32.
 */
export function concatParams(inQ: Quant, outQ: Quant): { copy: boolean; scale: number; bias: number; outZeroPoint: number } {
  const copy = inQ.zeroPoint === outQ.zeroPoint && Math.fround(inQ.scale) === Math.fround(outQ.scale);
  const inv = Math.fround(1 / Math.fround(outQ.scale));
  const scale = Math.fround(Math.fround(inQ.scale) * inv);
  const bias = Math.fround(-inQ.zeroPoint * scale);
  return { copy, scale, bias, outZeroPoint: outQ.zeroPoint };
}

/** The 12-int32 parameter block of qu8/qs8_vadd_*: aZp, bZp, outZp, leftShift, aMult, aShift, bMult, bShift, outMult, outShift, qmin, qmax. */
export function packAddParams(p: AddParams): Int32Array {
  return Int32Array.from([
    p.aZeroPoint, p.bZeroPoint, p.outZeroPoint, p.leftShift, p.aMult, p.aShift, p.bMult, p.bShift,
    p.outMult, p.outShift, p.qmin, p.qmax,
  ]);
}

// ---- XNNPACK arithmetic (TFLite's default XNNPACK delegate) ----------------------------------------------
// TFLite's interpreter hands CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD (among others) to XNNPACK,
// which requantizes in float32 ("fp32") and adds with its own multiply-shift arithmetic. The oracle outputs
// in ../shared/data/oracle were produced that way: these parameters reproduce them bit for bit.

/** Per-channel float32 requantization scales (XNNPACK's "fp32" scheme; the *_fp32_* kernels). */
export interface Fp32Requant {
  scale: Float32Array;
}

/** XNNPACK: requantization_scale[c] = input_scale · kernel_scale[c] / output_scale, in float32. */
export function convScalesFp32(inScale: number, wScale: ArrayLike<number>, outScale: number, channels: number): Fp32Requant {
  if (wScale.length !== 1 && wScale.length !== channels) {
    throw new ShapeError(`cannot compute requantization: ${wScale.length} weight scales for ${channels} output channels (expected 1 or ${channels})`);
  }
  const scale = new Float32Array(channels);
  const fi = Math.fround(inScale);
  const fo = Math.fround(outScale);
  for (let c = 0; c < channels; c++) {
    const ws = Math.fround(wScale.length === 1 ? wScale[0] : wScale[c]);
    const s = Math.fround(Math.fround(fi * ws) / fo);
    if (!(s > 0) || s >= 256 || s < 2 ** -32) throw new ShapeError(`cannot compute requantization: channel ${c} has scale ${s} outside XNNPACK's range [2^−32, 256)`);
    scale[c] = s;
  }
  return { scale };
}

/** Round half to even (C lrintf in the default rounding mode). */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** XNNPACK's 8-bit ADD parameters (init_qu8/qs8_add_minmax_params). */
export interface MulShiftAddParams {
  aMult: number;
  bMult: number;
  shift: number;
  bias: number;
  outZeroPoint: number;
  qmin: number;
  qmax: number;
}

/**
 * a_output_scale = s_a / s_out, b likewise (float32); shift = 20 − exponent(max of the two);
 * mult = lrint(scale·2^shift); bias = 2^(shift−1) − aMult·aZp − bMult·bZp. XNNPACK requires each scale
 * in [2^−10, 2^8).
 */
export function addParamsMulShift(a: Quant, b: Quant, out: Quant, act: Activation, dtype: QDType): MulShiftAddParams {
  const so = Math.fround(out.scale);
  const as = Math.fround(Math.fround(a.scale) / so);
  const bs = Math.fround(Math.fround(b.scale) / so);
  for (const s of [as, bs]) {
    if (!(s >= 2 ** -10 && s < 256)) throw new ShapeError(`cannot compute ADD parameters: input/output scale ratio ${s} outside [2^−10, 256)`);
  }
  const exponent = Math.floor(Math.log2(Math.max(as, bs)));
  const shift = 20 - exponent;
  const aMult = rint(as * 2 ** shift);
  const bMult = rint(bs * 2 ** shift);
  const bias = (2 ** (shift - 1) - aMult * a.zeroPoint - bMult * b.zeroPoint) | 0;
  const [qmin, qmax] = activationRange(act, out, dtype);
  return { aMult, bMult, shift, bias, outZeroPoint: out.zeroPoint, qmin, qmax };
}

/** The 8-int32 parameter block of qu8/qs8_vadd_minmax_mulshift_*. */
export function packMulShiftAddParams(p: MulShiftAddParams): Int32Array {
  return Int32Array.from([p.aMult, p.bMult, p.shift, p.bias, p.outZeroPoint, p.qmin, p.qmax, 0]);
}

/** Parameters of the *_requantize_mulshift_* kernels (same ABI as requantizeParams; shift is always 8). */
export interface MulShiftRequantParams extends RequantParams {}

/**
 * XNNPACK's int8 → int8 convert (xnn_init_qu8/qs8_cvt_scalar_params): mult = lrintf(256·(s_in / s_out)), the
 * ratio in float32, shift 8. Null when XNNPACK would refuse the ratio (outside [2^−8, 2^7]: TFLite's XNNPACK
 * delegate then leaves the QUANTIZE to TFLite's own kernel, requantizeParams).
 */
export function requantizeParamsMulShift(inQ: Quant, outQ: Quant, dtype: QDType): MulShiftRequantParams | null {
  const ratio = Math.fround(Math.fround(inQ.scale) / Math.fround(outQ.scale));
  if (!(ratio >= 2 ** -8 && ratio <= 128)) return null;
  const [qmin, qmax] = dtypeRange(dtype);
  return { inZeroPoint: inQ.zeroPoint, outZeroPoint: outQ.zeroPoint, mult: rint(256 * ratio), shift: 8, qmin, qmax };
}
