// Generic int8 kernels without a SIMD variant (both modules): softmax with TFLite's float lookup table,
// argmax over channels (int32 and int64 indices), float → int8 quantization, int8 → int8 requantization
// (gemmlowp and mulshift), concatenation slices and byte-generic PAD; plus the scalar dequantization
// (its SIMD twin is q8-dequantize-simd.ts).

import { clampI32, loadQ, mbqm, roundAwayF32, roundAwayF64 } from "./q8-scalar";

/**
 * optimized_ops::Softmax<In, Out> (TFLite's default uint8/int8 softmax): with max = max(input),
 * e_i = table[255 − max + in_i] (table = src/plan/requant.ts softmaxTable: expf(−s·β·d) at 255 − d),
 * sum = Σ e_i in float32 in index order, inv = 1 / (sum·outScale), p_i = e_i·inv;
 * uint8 (non-aarch64 TFLite builds): (int)(p_i + 0.5f), int8: roundf(p_i) + outZp; clamped to T.
 */
// @ts-ignore: decorator
@inline export function q8SoftmaxLut<T>(n: i32, input: usize, output: usize, table: usize, outScale: f32, outZp: i32): void {
  let max = loadQ<T>(input);
  for (let i = 1; i < n; i++) {
    const v = loadQ<T>(input + <usize>i);
    if (v > max) max = v;
  }
  const base = table + (<usize>(255 - max) << 2);
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += load<f32>(base + (<usize>loadQ<T>(input + <usize>i) << 2));
  const inv: f32 = <f32>1.0 / (sum * outScale);
  for (let i = 0; i < n; i++) {
    const p = load<f32>(base + (<usize>loadQ<T>(input + <usize>i) << 2)) * inv;
    let q: i32;
    if (isSigned<T>()) {
      q = clampI32(<i32>roundAwayF32(p) + outZp, -128, 127);
    } else {
      q = clampI32(<i32>(p + <f32>0.5), 0, 255);
    }
    store<u8>(output + <usize>i, <u8>q);
  }
}

/** out[p] = the first c maximizing in[p][c] (reference_ops::ArgMinMax with std::greater), int32. */
// @ts-ignore: decorator
@inline export function q8Argmax<T>(pixels: i32, channels: i32, input: usize, output: usize): void {
  let p = input;
  for (let i = 0; i < pixels; i++) {
    let best = loadQ<T>(p);
    let idx = 0;
    for (let c = 1; c < channels; c++) {
      const v = loadQ<T>(p + <usize>c);
      if (v > best) {
        best = v;
        idx = c;
      }
    }
    store<i32>(output + (<usize>i << 2), idx);
    p += <usize>channels;
  }
}

/** reference_ops::AffineQuantize: clamp(round(x / scale) + zp, qmin, qmax), the division in double. */
// @ts-ignore: decorator
@inline export function q8Quantize(n: i32, input: usize, output: usize, scale: f64, zp: i32, qmin: i32, qmax: i32): void {
  const lo = <f64>(qmin - zp);
  const hi = <f64>(qmax - zp);
  for (let i = 0; i < n; i++) {
    let r = roundAwayF64(<f64>load<f32>(input + (<usize>i << 2)) / scale);
    r = r < lo ? lo : (r > hi ? hi : r); // also maps NaN to hi: TFLite leaves it undefined
    store<u8>(output + <usize>i, <u8>(<i32>r + zp));
  }
}

/**
 * XNNPACK's f32 → int8 convert (f32-qs8-vcvt / f32-qu8-vcvt, what TFLite's XNNPACK delegate runs for QUANTIZE):
 * x·(1/scale) with 1/scale and the product in float32, clamped to [qmin − zp, qmax − zp], rounded to nearest-even
 * (the magic-bias trick), + zp. NaN maps to qmax, as the magic-bias bits do.
 */
// @ts-ignore: decorator
@inline export function q8QuantizeFp32(n: i32, input: usize, output: usize, scale: f64, zp: i32, qmin: i32, qmax: i32): void {
  const inv = <f32>1 / <f32>scale;
  const lo = <f32>(qmin - zp);
  const hi = <f32>(qmax - zp);
  for (let i = 0; i < n; i++) {
    let v = load<f32>(input + (<usize>i << 2)) * inv;
    v = v < hi ? v : hi;
    v = v > lo ? v : lo;
    store<u8>(output + <usize>i, <u8>(<i32>nearest<f32>(v) + zp));
  }
}

/** reference_ops::Requantize: clamp(MBQM(q − inZp, mult, shift) + outZp, qmin, qmax). */
// @ts-ignore: decorator
@inline export function q8Requantize<T>(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  for (let i = 0; i < n; i++) {
    const v = mbqm(loadQ<T>(input + <usize>i) - inZp, mult, shift) + outZp;
    store<u8>(output + <usize>i, <u8>clampI32(v, qmin, qmax));
  }
}

/** out[i] = float(scale·(q − zp)) (reference_ops::Dequantize; the product is exact before rounding). */
// @ts-ignore: decorator
@inline export function q8DequantizeScalar<T>(n: i32, input: usize, output: usize, scale: f32, zp: i32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(output + (<usize>i << 2), scale * <f32>(loadQ<T>(input + <usize>i) - zp));
  }
}

/**
 * One input of CONCATENATION along channels (reference_ops::ConcatenationWithScaling, uint8): `pixels` rows
 * of `channels` bytes from input (contiguous) to output rows outStride bytes apart. copy ≠ 0: bytes copied
 * (equal quantization; also every int8 concat, which TFLite requires to share quantization); else
 * out = clamp(roundf(q·scale + bias) + outZp, 0, 255) in float32.
 */
// @ts-ignore: decorator
@inline export function q8ConcatSlice(pixels: i32, channels: i32, input: usize, output: usize, outStride: i32, copy: i32, scale: f32, bias: f32, outZp: i32): void {
  const rowBytes = <usize>channels;
  for (let p = 0; p < pixels; p++) {
    const src = input + <usize>p * rowBytes;
    const dst = output + <usize>p * <usize>outStride;
    if (copy != 0) {
      memory.copy(dst, src, rowBytes);
    } else {
      for (let c = 0; c < channels; c++) {
        const v = <i32>roundAwayF32(<f32>load<u8>(src + <usize>c) * scale + bias) + outZp;
        store<u8>(dst + <usize>c, <u8>clampI32(v, 0, 255));
      }
    }
  }
}

/** out[p] (int64) = the first c maximizing in[p][c]: q8Argmax with TFLite's INT64 output type. */
// @ts-ignore: decorator
@inline export function q8ArgmaxI64<T>(pixels: i32, channels: i32, input: usize, output: usize): void {
  let p = input;
  for (let i = 0; i < pixels; i++) {
    let best = loadQ<T>(p);
    let idx = 0;
    for (let c = 1; c < channels; c++) {
      const v = loadQ<T>(p + <usize>c);
      if (v > best) {
        best = v;
        idx = c;
      }
    }
    store<i64>(output + (<usize>i << 3), <i64>idx);
    p += <usize>channels;
  }
}

/**
 * XNNPACK's int8 → int8 convert (qu8/qs8-vcvt, what TFLite's XNNPACK delegate runs for QUANTIZE between two
 * quantizations of one type): out = clamp(((outZp << shift) + 2^(shift−1) − mult·inZp + q·mult) >> shift, qmin, qmax)
 * (arithmetic shift), mult = lrintf(2^shift · s_in / s_out), shift = 8 (requantizeParamsMulShift).
 */
// @ts-ignore: decorator
@inline export function q8RequantizeMulShift<T>(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  const bias = (outZp << shift) + (1 << (shift - 1)) - mult * inZp;
  for (let i = 0; i < n; i++) {
    const v = (bias + loadQ<T>(input + <usize>i) * mult) >> shift;
    store<u8>(output + <usize>i, <u8>clampI32(v, qmin, qmax));
  }
}

/**
 * Zero padding of H and W (TFLite PAD), byte-generic: output rows oy ∈ [oy0, oy1) of [outH][outW][pixelBytes]
 * are the input row oy − padTop shifted right by padLeft pixels, with every byte outside the input set to `fill`
 * (a quantized tensor's zero point; 0 for float32).
 */
// @ts-ignore: decorator
@inline export function x8Pad(
  inH: i32, inW: i32, pixelBytes: i32, input: usize, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, output: usize, oy0: i32, oy1: i32, fill: i32,
): void {
  const outRow = <usize>outW * <usize>pixelBytes;
  const inRow = <usize>inW * <usize>pixelBytes;
  const left = <usize>padLeft * <usize>pixelBytes;
  for (let oy = oy0; oy < oy1; oy++) {
    const dst = output + <usize>oy * outRow;
    const iy = oy - padTop;
    if (iy < 0 || iy >= inH) {
      memory.fill(dst, <u8>fill, outRow);
      continue;
    }
    memory.fill(dst, <u8>fill, left);
    memory.copy(dst + left, input + <usize>iy * inRow, inRow);
    memory.fill(dst + left + inRow, <u8>fill, outRow - left - inRow);
  }
}
