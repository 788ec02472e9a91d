// Lowering helpers the op modules share: clamps, the quantization of values, and the requantization of
// conv / depthwise / dense outputs and ADDs under the plan's arithmetic (CompileOptions.requant).
import type { Activation, Conv2DNode, DType, Quant, QuantWeights } from '../graph/ir.js';
import { ShapeError, UnsupportedOpError } from '../errors.js';
import type { QRequant } from '../plan/pack-q.js';
import {
  activationRange, addParams, addParamsMulShift, convRequant, convScalesFp32, packAddParams, packMulShiftAddParams, type QDType,
} from '../plan/requant.js';
import type { QuantScheme } from '../plan/registry.js';
import type { QOut } from '../plan/steps.js';
import type { LowerContext } from './types.js';

/** Readable slack after a buffer: SIMD kernels may load (never store) a partial vector past the end. */
export const SLACK = 16;

/** Bytes per element of each dtype. */
export const ELEM_BYTES: Record<DType, number> = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8 };

/** The float32 clamp of a fused activation. */
export const clampOf = (a: Activation): [number, number] =>
  a === 'relu6' ? [0, 6] : a === 'relu' ? [0, Infinity] : [-Infinity, Infinity];

export const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** One entry per thread. */
export const perThread = <T>(ctx: LowerContext, f: (t: number) => T): T[] => Array.from({ length: ctx.threads }, (_, t) => f(t));

/** The int8 kernel family of a dtype: uint8 → qu8, int8 → qs8. */
export const familyOf = (dtype: DType, what: string): 'qu8' | 'qs8' => {
  if (dtype === 'uint8') return 'qu8';
  if (dtype === 'int8') return 'qs8';
  throw new UnsupportedOpError(`${what}: a ${dtype} tensor has no int8 kernels`);
};

/** The quantization of a quantized value (ShapeError naming it otherwise). */
export function quantOf(ctx: Pick<LowerContext, 'typeOf'>, v: string): Quant & { dtype: QDType } {
  const t = ctx.typeOf(v);
  if (!t.quant || (t.dtype !== 'uint8' && t.dtype !== 'int8')) throw new ShapeError(`value "${v}" is ${t.dtype}, expected a quantized uint8 / int8 value`);
  return { ...t.quant, dtype: t.dtype };
}

/**
 * Requantization of a conv / depthwise / dense output channel by channel, and the arithmetic that runs it: the
 * plan's, except that XNNPACK refuses scales outside [2^−32, 256) (TFLite's delegate then leaves the node to
 * TFLite's own kernel: gemmlowp).
 */
export function convRq(ctx: LowerContext, inQ: Quant, q: QuantWeights, outQ: Quant, channels: number, dtype: QDType, dense = false): { rq: QRequant; scheme: QuantScheme } {
  if (ctx.scheme === 'fp32') {
    try {
      return { rq: convScalesFp32(inQ.scale, q.scale, outQ.scale, channels), scheme: 'fp32' };
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
    }
  }
  // TFLite: uint8 kernels and per-tensor int8 FULLY_CONNECTED multiply the scales in float first.
  const mode = dtype === 'uint8' || (dense && q.scale.length === 1) ? 'float-product' : 'double';
  return { rq: convRequant(inQ.scale, q.scale, outQ.scale, channels, dtype, mode), scheme: 'gemmlowp' };
}

/** Output zero point and clamp of a requantizing kernel: the fused activation in the output's quantized domain. */
export const qout = (act: Activation, q: Quant & { dtype: QDType }): QOut => {
  const [qmin, qmax] = activationRange(act, q, q.dtype);
  return { outZp: q.zeroPoint, qmin, qmax };
};

/** ADD parameters and the scheme that runs them: XNNPACK's unless its scale ratios are out of range (TFLite's then). */
export function addBlock(ctx: LowerContext, a: Quant, b: Quant, out: Quant & { dtype: QDType }, act: Activation): { params: Int32Array; scheme: QuantScheme } {
  if (ctx.scheme === 'fp32') {
    try {
      return { params: packMulShiftAddParams(addParamsMulShift(a, b, out, act, out.dtype)), scheme: 'fp32' };
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
    }
  }
  return { params: packAddParams(addParams(a, b, out, act, out.dtype)), scheme: 'gemmlowp' };
}

/** A 1×1 convolution with stride 1, no padding and no dilation: a GEMM over the pixels. */
export const isPlainPointwise = (n: Conv2DNode) =>
  n.kernel[0] === 1 && n.kernel[1] === 1 && n.stride[0] === 1 && n.stride[1] === 1 &&
  n.pad.top + n.pad.left + n.pad.bottom + n.pad.right === 0 && (n.dilation === undefined || (n.dilation[0] === 1 && n.dilation[1] === 1));

/** UnsupportedOpError for a node the kernels cannot run. */
export const unsupported = (n: { op: string; name: string }, why: string) => new UnsupportedOpError(`cannot compile ${n.op} "${n.name}": ${why}`);
