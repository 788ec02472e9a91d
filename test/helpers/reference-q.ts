// Naive ports of TensorFlow Lite's reference integer kernels, written from the TFLite sources (named per
// function) and independently of assembly/ and src/plan/pack-q.ts: natural (unpacked) weight layouts, zero
// points subtracted explicitly, 64-bit products in BigInt, C integer semantics spelled out (int32 wrap,
// division truncating toward zero). Slow and obvious: the yardstick the int8 kernels must match exactly.

/** int32 wrap, like C's int32_t arithmetic on two's complement machines. */
const i32 = (x: number) => x | 0;

/** gemmlowp SaturatingRoundingDoublingHighMul (fixedpoint.h). */
export function srdhm(a: number, b: number): number {
  if (a === b && a === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C
}

/** gemmlowp RoundingDivideByPOT (fixedpoint.h). */
export function rdbp(x: number, exponent: number): number {
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier (kernels/internal/common.h), double rounding. */
export function mbqm(x: number, mult: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbp(srdhm(Math.imul(x, 1 << left), mult), right);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

export interface QConvParams {
  inH: number; inW: number; inC: number;
  kh: number; kw: number;
  stride: number; dilation?: number;
  padTop: number; padLeft: number;
  outH: number; outW: number; outC: number;
  /** Depthwise (channel multiplier 1): outC = inC, weights [kh][kw][c]; else HWIO [kh][kw][inC][outC]. */
  depthwise: boolean;
  inZp: number;
  /** Weight zero points: length 1 or outC (TFLite uint8: filter_offset = −zp; int8 per-channel: 0). */
  wZp: ArrayLike<number>;
  bias: ArrayLike<number> | null;
  mult: ArrayLike<number>;
  shift: ArrayLike<number>;
  outZp: number;
  qmin: number;
  qmax: number;
  /**
   * XNNPACK's fp32 requantization instead of MultiplyByQuantizedMultiplier (TFLite with its XNNPACK delegate):
   * out = rint(clamp(float(acc)·scale[c], qmin − zp, qmax − zp)) + zp, rint rounding half to even.
   */
  fp32Scale?: ArrayLike<number>;
}

/** Round half to even (lrintf). */
export function rintEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** XNNPACK fp32 requantization of one accumulator (xnn_qu8/qs8_requantize_fp32 semantics). */
export function requantFp32Ref(acc: number, scale: number, zp: number, qmin: number, qmax: number): number {
  const f = Math.fround;
  const v = Math.min(Math.max(f(f(acc) * f(scale)), qmin - zp), qmax - zp);
  return rintEven(v) + zp;
}

/**
 * reference_ops::Conv (uint8) / reference_integer_ops::ConvPerChannel and DepthwiseConv(PerChannel):
 * acc = Σ (w − wZp)·(x − xZp) over in-image taps; acc += bias; MBQM; + outZp; clamp.
 */
export function convQRef(p: QConvParams, input: ArrayLike<number>, w: ArrayLike<number>): Int32Array {
  const d = p.dilation ?? 1;
  const out = new Int32Array(p.outH * p.outW * p.outC);
  for (let oy = 0; oy < p.outH; oy++) {
    for (let ox = 0; ox < p.outW; ox++) {
      for (let oc = 0; oc < p.outC; oc++) {
        const wz = p.wZp.length === 1 ? p.wZp[0] : p.wZp[oc];
        let acc = 0;
        for (let ky = 0; ky < p.kh; ky++) {
          const iy = oy * p.stride - p.padTop + ky * d;
          if (iy < 0 || iy >= p.inH) continue;
          for (let kx = 0; kx < p.kw; kx++) {
            const ix = ox * p.stride - p.padLeft + kx * d;
            if (ix < 0 || ix >= p.inW) continue;
            if (p.depthwise) {
              acc = i32(acc + (w[(ky * p.kw + kx) * p.outC + oc] - wz) * (input[(iy * p.inW + ix) * p.inC + oc] - p.inZp));
            } else {
              for (let ic = 0; ic < p.inC; ic++) {
                const wv = w[((ky * p.kw + kx) * p.inC + ic) * p.outC + oc] - wz;
                acc = i32(acc + wv * (input[(iy * p.inW + ix) * p.inC + ic] - p.inZp));
              }
            }
          }
        }
        if (p.bias) acc = i32(acc + p.bias[oc]);
        const idx = (oy * p.outW + ox) * p.outC + oc;
        if (p.fp32Scale) {
          out[idx] = requantFp32Ref(acc, p.fp32Scale.length === 1 ? p.fp32Scale[0] : p.fp32Scale[oc], p.outZp, p.qmin, p.qmax);
          continue;
        }
        const m = p.mult.length === 1 ? p.mult[0] : p.mult[oc];
        const s = p.shift.length === 1 ? p.shift[0] : p.shift[oc];
        out[idx] = clamp(mbqm(acc, m, s) + p.outZp, p.qmin, p.qmax);
      }
    }
  }
  return out;
}

export interface QAddParamsRef {
  aZp: number; bZp: number; outZp: number; leftShift: number;
  aMult: number; aShift: number; bMult: number; bShift: number; outMult: number; outShift: number;
  qmin: number; qmax: number;
}

/** reference_ops::AddElementwise (uint8) / reference_integer_ops::AddElementwise (int8). */
export function addQRef(p: QAddParamsRef, a: ArrayLike<number>, b: ArrayLike<number>): Int32Array {
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x1 = Math.imul(a[i] - p.aZp, 1 << p.leftShift);
    const x2 = Math.imul(b[i] - p.bZp, 1 << p.leftShift);
    // MultiplyByQuantizedMultiplierSmallerThanOneExp(x, m, s) = RDBP(SRDHM(x, m), −s)
    const s1 = rdbp(srdhm(x1, p.aMult), -p.aShift);
    const s2 = rdbp(srdhm(x2, p.bMult), -p.bShift);
    const raw = rdbp(srdhm(i32(s1 + s2), p.outMult), -p.outShift) + p.outZp;
    out[i] = clamp(raw, p.qmin, p.qmax);
  }
  return out;
}

/**
 * XNNPACK's 8-bit ADD (xnn_qu8/qs8_vadd_minmax scalar kernel): with a_output_scale = s_a/s_out and
 * b_output_scale = s_b/s_out in float32, shift = 20 − floor(log2(max)), multipliers rounded half to even,
 * out = clamp(asr(2^(shift−1) − aM·aZp − bM·bZp + aM·a + bM·b, shift) + outZp, qmin, qmax).
 */
export function addMulShiftRef(a: ArrayLike<number>, b: ArrayLike<number>, sa: number, aZp: number, sb: number, bZp: number,
  so: number, outZp: number, qmin: number, qmax: number): Int32Array {
  const f = Math.fround;
  const as = f(f(sa) / f(so));
  const bs = f(f(sb) / f(so));
  const bits = new Uint32Array(new Float32Array([Math.max(as, bs)]).buffer)[0];
  const shift = 20 - (((bits >>> 23) & 0xff) - 127);
  const am = rintEven(as * 2 ** shift);
  const bm = rintEven(bs * 2 ** shift);
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const acc = 2 ** (shift - 1) - am * aZp - bm * bZp + am * a[i] + bm * b[i];
    out[i] = clamp(Math.floor(acc / 2 ** shift) + outZp, qmin, qmax);
  }
  return out;
}

/** C integer division (truncates toward zero). */
const cdiv = (a: number, b: number) => Math.trunc(a / b);

/**
 * reference_ops::AveragePool (uint8: (acc + n/2)/n) and reference_integer_ops::AveragePool (int8: halves
 * away from zero), one window covering all pixels; clamped to [qmin, qmax].
 */
export function avgPoolQRef(pixels: number, channels: number, input: ArrayLike<number>, signed: boolean, qmin: number, qmax: number): Int32Array {
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let p = 0; p < pixels; p++) acc += input[p * channels + c];
    const half = cdiv(pixels, 2);
    acc = !signed ? cdiv(acc + half, pixels) : acc > 0 ? cdiv(acc + half, pixels) : cdiv(acc - half, pixels);
    out[c] = clamp(acc, qmin, qmax);
  }
  return out;
}

/** reference_ops::Mean (uint8, 4-D, keep_dims): bias and multiplier computed here from the scales, as TFLite does. */
export function meanU8_4dRef(pixels: number, channels: number, input: ArrayLike<number>,
  inZp: number, inScale: number, outZp: number, outScale: number, quantizeMultiplier: (r: number) => [number, number]): Int32Array {
  const f = Math.fround;
  const bias = outZp - Math.trunc(f(f(inZp * f(inScale)) / f(outScale)));
  const [mult, shift] = quantizeMultiplier(f(f(inScale) / f(f(pixels) * f(outScale))));
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let p = 0; p < pixels; p++) acc += input[p * channels + c];
    out[c] = clamp(mbqm(acc, mult, shift) + bias, 0, 255);
  }
  return out;
}

/** reference_integer_ops::Mean (int8, 4-D, keep_dims). */
export function meanI8_4dRef(pixels: number, channels: number, input: ArrayLike<number>,
  inZp: number, outZp: number, mult: number, shift: number): Int32Array {
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let p = 0; p < pixels; p++) acc += input[p * channels + c] - inZp;
    acc = mbqm(acc, mult, shift);
    const half = cdiv(pixels, 2);
    acc = acc > 0 ? cdiv(acc + half, pixels) : cdiv(acc - half, pixels);
    out[c] = clamp(acc + outZp, -128, 127);
  }
  return out;
}

/** reference_ops::Mean generic (equal quantization): integer sum / n, truncated (T = u8/i8, U = int). */
export function meanSameRef(pixels: number, channels: number, input: ArrayLike<number>): Int32Array {
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let p = 0; p < pixels; p++) acc += input[p * channels + c];
    out[c] = cdiv(acc, pixels);
  }
  return out;
}

/** reference_ops::QuantizedMeanOrSum (compute_sum = false). */
export function meanFloatRef(pixels: number, channels: number, input: ArrayLike<number>,
  inZp: number, inScale: number, outZp: number, outScale: number, signed: boolean): Int32Array {
  const f = Math.fround;
  const scale = f(f(inScale) / f(outScale));
  const bias = f(f(-inZp * scale) + 0.5);
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let p = 0; p < pixels; p++) acc += input[p * channels + c];
    const mean = f(f(acc) / f(pixels));
    const r = roundAway(f(f(mean * scale) + bias)) + outZp;
    out[c] = Math.trunc(clamp(r, lo, hi));
  }
  return out;
}

/** std::round / roundf: halves away from zero (a − floor(a) is exact for doubles). */
export function roundAway(x: number): number {
  const a = Math.abs(x);
  let r = Math.floor(a);
  if (a - r >= 0.5) r += 1;
  return x < 0 ? -r : r;
}

/**
 * optimized_ops::Softmax<In, Out> with the float LUT (the default, non-reference TFLite kernel):
 * table_offset = table + 255 − max; sum_exp in float32 in index order; inv = 1/(sum·outScale);
 * uint8 (non-aarch64): (int)(p + 0.5f); int8: round(p) + zp; clamped to the type.
 */
export function softmaxLutRef(input: ArrayLike<number>, table: Float32Array, outScale: number, outZp: number, signed: boolean): Int32Array {
  const f = Math.fround;
  let max = -Infinity;
  for (let i = 0; i < input.length; i++) max = Math.max(max, input[i]);
  const off = 255 - max;
  let sum = 0;
  for (let i = 0; i < input.length; i++) sum = f(sum + table[off + input[i]]);
  const inv = f(1 / f(sum * f(outScale)));
  const out = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const p = f(table[off + input[i]] * inv);
    const q = signed ? roundAway(p) + outZp : Math.trunc(f(p + 0.5));
    out[i] = signed ? clamp(q, -128, 127) : clamp(q, 0, 255);
  }
  return out;
}

/** optimized_ops::ResizeBilinearGenericSmallChannel<uint8_t> (float32 weights, + 0.5, truncation). */
export function resizeBilinearU8Ref(inH: number, inW: number, C: number, input: ArrayLike<number>,
  outH: number, outW: number, alignCorners: boolean, halfPixel: boolean): Int32Array {
  const f = Math.fround;
  const hs = alignCorners && outH > 1 ? f((inH - 1) / (outH - 1)) : f(inH / outH);
  const ws = alignCorners && outW > 1 ? f((inW - 1) / (outW - 1)) : f(inW / outW);
  const interp = (v: number, scale: number, size: number): [number, number, number] => {
    const s = halfPixel ? f(f(f(v + 0.5) * scale) - 0.5) : f(v * scale);
    return [s, Math.max(Math.floor(s), 0), Math.min(Math.ceil(s), size - 1)];
  };
  const out = new Int32Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const [iy, y0, y1] = interp(y, hs, inH);
    for (let x = 0; x < outW; x++) {
      const [ix, x0, x1] = interp(x, ws, inW);
      const dy = f(iy - y0);
      const dx = f(ix - x0);
      const s0 = f(f(1 - dy) * f(1 - dx));
      const s1 = f(f(1 - dy) * dx);
      const s2 = f(dy * f(1 - dx));
      const s3 = f(dy * dx);
      for (let c = 0; c < C; c++) {
        const v00 = input[(y0 * inW + x0) * C + c];
        const v01 = input[(y0 * inW + x1) * C + c];
        const v10 = input[(y1 * inW + x0) * C + c];
        const v11 = input[(y1 * inW + x1) * C + c];
        let v = f(v00 * s0);
        v = f(v + f(v01 * s1));
        v = f(v + f(v10 * s2));
        v = f(v + f(v11 * s3));
        v = f(v + 0.5);
        out[(y * outW + x) * C + c] = clamp(Math.trunc(v), 0, 255);
      }
    }
  }
  return out;
}

/** reference_ops::ResizeBilinearInteger (int8): 10-bit fixed-point positions, int64 sum, rounding away. */
export function resizeBilinearI8Ref(inH: number, inW: number, C: number, input: ArrayLike<number>,
  outH: number, outW: number, alignCorners: boolean, halfPixel: boolean): Int32Array {
  let hs = cdiv((1 << 10) * inH + cdiv(outH, 2), outH);
  let ws = cdiv((1 << 10) * inW + cdiv(outW, 2), outW);
  if (alignCorners && outH > 1) hs = cdiv((1 << 10) * (inH - 1) + cdiv(outH - 1, 2), outH - 1);
  if (alignCorners && outW > 1) ws = cdiv((1 << 10) * (inW - 1) + cdiv(outW - 1, 2), outW - 1);
  const interp = (v: number, s10: number, size: number): [number, number, number] => {
    const s = halfPixel ? v * s10 + cdiv(s10, 2) - (1 << 9) : v * s10;
    return [s, Math.max(cdiv(s, 1 << 10), 0), Math.min(cdiv(s + (1 << 10) - 1, 1 << 10), size - 1)];
  };
  const out = new Int32Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const [iy, y0, y1] = interp(y, hs, inH);
    for (let x = 0; x < outW; x++) {
      const [ix, x0, x1] = interp(x, ws, inW);
      for (let c = 0; c < C; c++) {
        const fy = BigInt(iy - (1 << 10) * y0);
        const fx = BigInt(ix - (1 << 10) * x0);
        const one = 1024n;
        const v = BigInt(input[(y0 * inW + x0) * C + c]) * (one - fy) * (one - fx)
          + BigInt(input[(y1 * inW + x0) * C + c]) * fy * (one - fx)
          + BigInt(input[(y0 * inW + x1) * C + c]) * (one - fy) * fx
          + BigInt(input[(y1 * inW + x1) * C + c]) * fy * fx;
        const round = v > 0n ? 1n << 19n : -(1n << 19n);
        out[(y * outW + x) * C + c] = Number((v + round) / (1n << 20n)) << 24 >> 24;
      }
    }
  }
  return out;
}

/** reference_ops::ConcatenationWithScaling, one input's slice: copy, or round(q·scale + bias) + zp clamped. */
export function concatSliceRef(input: ArrayLike<number>, inScale: number, inZp: number, outScale: number, outZp: number): Int32Array {
  const f = Math.fround;
  const out = new Int32Array(input.length);
  if (inZp === outZp && f(inScale) === f(outScale)) {
    for (let i = 0; i < input.length; i++) out[i] = input[i];
    return out;
  }
  const scale = f(f(inScale) * f(1 / f(outScale)));
  const bias = f(-inZp * scale);
  for (let i = 0; i < input.length; i++) out[i] = clamp(roundAway(f(f(input[i] * scale) + bias)) + outZp, 0, 255);
  return out;
}

/** reference_ops::ArgMinMax with std::greater: the first index of the maximum. */
export function argmaxRef(pixels: number, channels: number, input: ArrayLike<number>): Int32Array {
  const out = new Int32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let best = input[p * channels];
    let idx = 0;
    for (let c = 1; c < channels; c++) {
      if (input[p * channels + c] > best) { best = input[p * channels + c]; idx = c; }
    }
    out[p] = idx;
  }
  return out;
}

/** reference_ops::AffineQuantize: round(val / scale) in double (scale as stored: float), + zp, clamped. */
export function quantizeRef(input: ArrayLike<number>, scale: number, zp: number, qmin: number, qmax: number): Int32Array {
  const out = new Int32Array(input.length);
  const s = Math.fround(scale);
  for (let i = 0; i < input.length; i++) out[i] = clamp(roundAway(Math.fround(input[i]) / s) + zp, qmin, qmax);
  return out;
}

/**
 * XNNPACK's f32 → int8 convert (f32-qs8-vcvt / f32-qu8-vcvt scalar, magic bias): v = float(x · float(1/scale)),
 * clamped to [qmin − zp, qmax − zp], rounded half to even, + zp.
 */
export function quantizeXnnRef(input: ArrayLike<number>, scale: number, zp: number, qmin: number, qmax: number): Int32Array {
  const f = Math.fround;
  const inv = f(1 / f(scale));
  const out = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = Math.min(Math.max(f(f(input[i]) * inv), qmin - zp), qmax - zp);
    out[i] = rintEven(v) + zp;
  }
  return out;
}

/** reference_ops::Dequantize: float(double(scale)·(q − zp)). */
export function dequantizeRef(input: ArrayLike<number>, scale: number, zp: number): Float32Array {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.fround(Math.fround(scale) * (input[i] - zp));
  return out;
}

/** reference_ops::Requantize: clamp(MBQM(q − inZp, mult, shift) + outZp, type range). */
export function requantizeRef(input: ArrayLike<number>, inZp: number, outZp: number, mult: number, shift: number, qmin: number, qmax: number): Int32Array {
  const out = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = clamp(mbqm(input[i] - inZp, mult, shift) + outZp, qmin, qmax);
  return out;
}

/**
 * XNNPACK's int8 → int8 convert (qu8/qs8-vcvt scalar): multiplier = lrintf(256·float(s_in / s_out)),
 * out = clamp(asr((zp_out << 8) − multiplier·zp_in + 0x80 + multiplier·q, 8), type range).
 */
export function requantizeXnnRef(input: ArrayLike<number>, inScale: number, inZp: number, outScale: number, outZp: number, signed: boolean): Int32Array {
  const f = Math.fround;
  const m = rintEven(256 * f(f(inScale) / f(outScale)));
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  const out = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = clamp(Math.floor((outZp * 256 - m * inZp + 0x80 + m * input[i]) / 256), lo, hi);
  return out;
}

/** TFLite PAD of H and W with the zero point (NHWC, batch 1; values as numbers). */
export function padRef(input: ArrayLike<number>, H: number, W: number, C: number, pad: { top: number; left: number; bottom: number; right: number }, fill: number): Int32Array {
  const OH = H + pad.top + pad.bottom;
  const OW = W + pad.left + pad.right;
  const out = new Int32Array(OH * OW * C).fill(fill);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[((y + pad.top) * OW + x + pad.left) * C + c] = input[(y * W + x) * C + c];
  return out;
}
