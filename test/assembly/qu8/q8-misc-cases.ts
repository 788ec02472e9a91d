// Test bodies of the elementwise / reduction int8 kernels for both families: ADD, global average pool
// (all four TFLite rounding paths), softmax (float LUT), RESIZE_BILINEAR, ARG_MAX, QUANTIZE, DEQUANTIZE,
// requantization and concatenation, each against test/helpers/reference-q.ts; exact except where noted.
import { describe, expect, it } from 'vitest';
import {
  addParams, addParamsMulShift, concatParams, packMulShiftAddParams, dtypeRange, packAddParams, poolParams, quantizeMultiplier, requantizeParams,
  requantizeParamsMulShift, softmaxTable,
  type PoolMode,
} from '../../../src/plan/requant.js';
import type {
  DequantizeFn, QArgmaxFn, QConcatFn, QPadFn, QGavgpoolFn, QResizeFn, QSoftmaxFn, QVaddFn, QuantizeFn, RequantizeFn,
} from '../../../src/plan/registry.js';
import type { Activation, Quant } from '../../../src/graph/ir.js';
import {
  addMulShiftRef, addQRef, argmaxRef, avgPoolQRef, concatSliceRef, dequantizeRef, meanFloatRef, meanI8_4dRef, meanSameRef, meanU8_4dRef,
  padRef, quantizeRef, quantizeXnnRef, requantizeRef, requantizeXnnRef, resizeBilinearI8Ref, resizeBilinearU8Ref, softmaxLutRef,
} from '../../helpers/reference-q.js';
import { Heap, kernelOf } from '../../helpers/wasm.js';
import { qvariants, Rand, expectExact, expectWithin, outQ, putQ, readQ, type Family } from './q8-kit.js';

const ofFamily = (op: Parameters<typeof qvariants>[0], fam: Family) => qvariants(op).filter((v) => v.entry.dtype === fam.dtype);

export function describeQVadd(fam: Family): void {
  describe.each(ofFamily('qvadd', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QVaddFn>(v);
    const run = (n: number, qa: Quant, qb: Quant, qo: Quant, act: Activation, alias = false, seed = 1) => {
      const label = `${v.entry.name} n=${n}`;
      const rand = new Rand(seed * 977 + n);
      const A = rand.ints(n, fam.lo, fam.hi);
      const B = rand.ints(n, fam.lo, fam.hi);
      const p = addParams(qa, qb, qo, act, fam.storage);
      const mulshift = v.entry.name.includes('_mulshift_');
      const heap = new Heap(memory, seed + n);
      const a = putQ(heap, A);
      const b = putQ(heap, B);
      const block = mulshift ? packMulShiftAddParams(addParamsMulShift(qa, qb, qo, act, fam.storage)) : packAddParams(p);
      const params = heap.bytes(new Uint8Array(block.buffer));
      const out = alias ? a : outQ(heap, n);
      fn(n, a, b, out, params);
      heap.checkGuards(label);
      if (mulshift) {
        const e = addMulShiftRef(A, B, qa.scale, qa.zeroPoint, qb.scale, qb.zeroPoint, qo.scale, qo.zeroPoint, p.qmin, p.qmax);
        expectExact(readQ(heap, out, n, fam), e, label);
        return;
      }
      const expected = addQRef({
        aZp: p.aZeroPoint, bZp: p.bZeroPoint, outZp: p.outZeroPoint, leftShift: p.leftShift, aMult: p.aMult, aShift: p.aShift,
        bMult: p.bMult, bShift: p.bShift, outMult: p.outMult, outShift: p.outShift, qmin: p.qmin, qmax: p.qmax,
      }, A, B);
      expectExact(readQ(heap, out, n, fam), expected, label);
    };
    const zp = (r: Rand) => r.int(fam.lo, fam.hi);
    const r = new Rand(5);
    for (const n of [1, 15, 16, 17, 33, 100, 1000]) {
      it(`n_eq_${n}`, () => run(n, { scale: 0.574646, zeroPoint: zp(r) }, { scale: 0.355316, zeroPoint: zp(r) }, { scale: 0.508222, zeroPoint: zp(r) }, 'none'));
    }
    it('MobileNetV2-like scales (out ≈ in)', () => run(200, { scale: 0.2374, zeroPoint: 121 & 0x7f }, { scale: 0.2798, zeroPoint: 126 & 0x7f }, { scale: 0.3505, zeroPoint: 45 }, 'none'));
    it('very different scales (×64)', () => run(100, { scale: 0.01, zeroPoint: zp(r) }, { scale: 0.64, zeroPoint: zp(r) }, { scale: 0.3, zeroPoint: zp(r) }, 'none'));
    it('output scale much smaller (saturation)', () => run(100, { scale: 0.5, zeroPoint: zp(r) }, { scale: 0.5, zeroPoint: zp(r) }, { scale: 0.01, zeroPoint: zp(r) }, 'none'));
    it('extreme zero points', () => run(100, { scale: 0.1, zeroPoint: fam.lo }, { scale: 0.2, zeroPoint: fam.hi }, { scale: 0.3, zeroPoint: fam.hi }, 'none'));
    it('relu6', () => run(100, { scale: 0.05, zeroPoint: zp(r) }, { scale: 0.04, zeroPoint: zp(r) }, { scale: 0.03, zeroPoint: fam.lo + 5 }, 'relu6'));
    it('out aliases a', () => run(77, { scale: 0.1, zeroPoint: zp(r) }, { scale: 0.2, zeroPoint: zp(r) }, { scale: 0.25, zeroPoint: zp(r) }, 'none', true));
  });
}

export function describeQGavgpool(fam: Family): void {
  describe.each(ofFamily('qgavgpool', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QGavgpoolFn>(v);
    const run = (mode: PoolMode, pixels: number, channels: number, inQ: Quant, outQ_: Quant, act: Activation = 'none') => {
      const label = `${v.entry.name} ${mode} ${pixels}×${channels}`;
      const rand = new Rand(pixels * 31 + channels);
      const X = rand.ints(pixels * channels, fam.lo, fam.hi);
      const heap = new Heap(memory, pixels + channels);
      const input = putQ(heap, X);
      const params = heap.bytes(new Uint8Array(poolParams(mode, pixels, inQ, outQ_, fam.storage, act).buffer));
      const out = outQ(heap, channels);
      fn(pixels, channels, input, out, params);
      heap.checkGuards(label);
      let expected: Int32Array;
      if (mode === 'avgpool') {
        const [qmin, qmax] = poolParams(mode, pixels, inQ, outQ_, fam.storage, act).subarray(2, 4);
        expected = avgPoolQRef(pixels, channels, X, fam.signed, qmin, qmax);
      } else if (mode === 'mean-4d') {
        if (fam.signed) {
          const [mult, shift] = quantizeMultiplier(Math.fround(inQ.scale) / Math.fround(outQ_.scale));
          expected = meanI8_4dRef(pixels, channels, X, inQ.zeroPoint, outQ_.zeroPoint, mult, shift);
        } else {
          expected = meanU8_4dRef(pixels, channels, X, inQ.zeroPoint, inQ.scale, outQ_.zeroPoint, outQ_.scale, quantizeMultiplier);
        }
      } else if (mode === 'mean-same') {
        expected = meanSameRef(pixels, channels, X);
      } else {
        expected = meanFloatRef(pixels, channels, X, inQ.zeroPoint, inQ.scale, outQ_.zeroPoint, outQ_.scale, fam.signed);
      }
      expectExact(readQ(heap, out, channels, fam), expected, label);
    };
    const q = { scale: 0.0235285, zeroPoint: fam.signed ? -128 : 0 };
    const q2 = { scale: 0.0191, zeroPoint: fam.signed ? -7 : 121 };
    for (const [pixels, channels] of [[1, 1], [7, 15], [49, 16], [49, 17], [4, 33], [49, 1280], [1089, 160], [1089, 21]]) {
      it(`avgpool ${pixels}×${channels}`, () => run('avgpool', pixels, channels, q, q));
      it(`mean-4d ${pixels}×${channels}`, () => run('mean-4d', pixels, channels, q, q2));
      it(`mean-same ${pixels}×${channels}`, () => run('mean-same', pixels, channels, q, q));
      it(`mean-float ${pixels}×${channels}`, () => run('mean-float', pixels, channels, q, q2));
    }
    it('avgpool with relu6 clamp', () => run('avgpool', 49, 24, { scale: 0.05, zeroPoint: fam.signed ? -20 : 20 }, { scale: 0.05, zeroPoint: fam.signed ? -20 : 20 }, 'relu6'));
    it('mean-4d with extreme zero points', () => run('mean-4d', 49, 24, { scale: 0.05, zeroPoint: fam.hi }, { scale: 0.02, zeroPoint: fam.lo }));
  });
}

/** float64 softmax of the dequantized input, quantized with round-to-nearest: the ideal answer. */
function softmaxIdeal(x: Int32Array, inScale: number, outScale: number, outZp: number, fam: Family): Int32Array {
  const m = Math.max(...x);
  const e = Array.from(x, (v) => Math.exp((v - m) * inScale));
  const s = e.reduce((a, b) => a + b, 0);
  return Int32Array.from(e, (v) => Math.min(Math.max(Math.round(v / s / outScale) + outZp, fam.lo), fam.hi));
}

export function describeQSoftmax(fam: Family): void {
  describe.each(ofFamily('qsoftmax', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QSoftmaxFn>(v);
    const outScale = 1 / 256;
    const outZp = fam.signed ? -128 : 0;
    const run = (n: number, inScale: number, seed: number, spread: [number, number]) => {
      const label = `${v.entry.name} n=${n} s=${inScale}`;
      const rand = new Rand(seed);
      const X = rand.ints(n, spread[0], spread[1]);
      const table = softmaxTable(inScale);
      const heap = new Heap(memory, seed);
      const input = putQ(heap, X);
      const t = heap.bytes(new Uint8Array(table.buffer));
      const out = outQ(heap, n);
      fn(n, input, out, t, outScale, outZp);
      heap.checkGuards(label);
      const actual = readQ(heap, out, n, fam);
      // Exact against the port of TFLite's float-LUT kernel (the default runtime kernel), given the same table.
      expectExact(actual, softmaxLutRef(X, table, outScale, outZp, fam.signed), label);
      // And within one quantum of the float64 softmax (TFLite's table and float32 sums round slightly differently).
      expectWithin(actual, softmaxIdeal(X, inScale, outScale, outZp, fam), 1, `${label} vs float64`);
    };
    for (const n of [1, 2, 10, 1001]) it(`n_eq_${n}`, () => run(n, 0.0988925, n, [fam.lo, fam.hi]));
    it('MobileNetV2 logits (scale 0.0989, peaked)', () => run(1001, 0.0988925, 7, [fam.lo, fam.lo + 120]));
    it('flat input (all equal)', () => run(64, 0.1, 9, [fam.lo + 3, fam.lo + 3]));
    it('tiny input scale', () => run(100, 0.001, 11, [fam.lo, fam.hi]));
    it('output aliases input', () => {
      const X = new Rand(3).ints(50, fam.lo, fam.hi);
      const table = softmaxTable(0.05);
      const heap = new Heap(memory, 3);
      const io = putQ(heap, X);
      const t = heap.bytes(new Uint8Array(table.buffer));
      fn(50, io, io, t, outScale, outZp);
      expectExact(readQ(heap, io, 50, fam), softmaxLutRef(X, table, outScale, outZp, fam.signed), 'alias');
    });
  });
}

export function describeQResize(fam: Family): void {
  describe.each(ofFamily('qresize', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QResizeFn>(v);
    const run = (inH: number, inW: number, C: number, outH: number, outW: number, align: boolean, half: boolean, rows?: [number, number]) => {
      const label = `${v.entry.name} ${inH}×${inW}×${C} → ${outH}×${outW} align=${align} half=${half}`;
      const rand = new Rand(inH * 7 + inW * 3 + C + outH);
      const X = rand.ints(inH * inW * C, fam.lo, fam.hi);
      const heap = new Heap(memory, C + outW);
      const input = putQ(heap, X);
      const out = outQ(heap, outH * outW * C);
      const [oy0, oy1] = rows ?? [0, outH];
      fn(inH, inW, C, input, outH, outW, out, oy0, oy1, align ? 1 : 0, half ? 1 : 0);
      heap.checkGuards(label);
      const ref = fam.signed
        ? resizeBilinearI8Ref(inH, inW, C, X, outH, outW, align, half)
        : resizeBilinearU8Ref(inH, inW, C, X, outH, outW, align, half);
      const row = outW * C;
      expectExact(readQ(heap, out + oy0 * row, (oy1 - oy0) * row, fam), ref.subarray(oy0 * row, oy1 * row), label);
      if (oy0 > 0) expect(heap.u8[out + oy0 * row - 1], `${label}: wrote before row oy0`).toBe(0xa5);
    };
    for (const C of [1, 3, 4, 5, 21]) {
      it(`align_corners 5×7 → 17×13 c=${C}`, () => run(5, 7, C, 17, 13, true, false));
      it(`half_pixel 5×7 → 17×13 c=${C}`, () => run(5, 7, C, 17, 13, false, true));
      it(`plain 7×5 → 3×4 (downscale) c=${C}`, () => run(7, 5, C, 3, 4, false, false));
    }
    it('DeepLab 1×1 → 33×33 ×256 align_corners', () => run(1, 1, 256, 33, 33, true, false));
    it('DeepLab 33×33 → 33×33 ×21 align_corners (identity)', () => run(33, 33, 21, 33, 33, true, false));
    it('DeepLab 33×33 → 513×513 ×21 align_corners rows 100..140', () => run(33, 33, 21, 513, 513, true, false, [100, 140]));
    it('half_pixel 4×4 → 32×32 ×8', () => run(4, 4, 8, 32, 32, false, true));
  });
}

export function describeQMisc(fam: Family): void {
  describe.each(ofFamily('argmax', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QArgmaxFn>(v);
    it.each([[1, 1], [5, 21], [100, 21], [7, 1001]])('%i pixels × %i channels (ties: first index)', (pixels, channels) => {
      const rand = new Rand(pixels + channels);
      const X = rand.ints(pixels * channels, fam.lo, fam.lo + 20); // many ties
      const heap = new Heap(memory, pixels);
      const input = putQ(heap, X);
      const out = heap.alloc(pixels * 4);
      fn(pixels, channels, input, out);
      heap.checkGuards(v.entry.name);
      expectExact(new Int32Array(memory.buffer, out, pixels).slice(), argmaxRef(pixels, channels, X), v.entry.name);
    });
  });

  describe.each(ofFamily('argmax64', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QArgmaxFn>(v);
    it.each([[1, 1], [5, 21], [100, 21]])('%i pixels × %i channels, int64 indices', (pixels, channels) => {
      const X = new Rand(pixels * 3 + channels).ints(pixels * channels, fam.lo, fam.lo + 20);
      const heap = new Heap(memory, pixels);
      const input = putQ(heap, X);
      const out = heap.alloc(pixels * 8);
      fn(pixels, channels, input, out);
      heap.checkGuards(v.entry.name);
      const dv = new DataView(memory.buffer, out, pixels * 8); // 4-byte aligned: read through a DataView
      const got = Array.from({ length: pixels }, (_, i) => Number(dv.getBigInt64(8 * i, true)));
      expectExact(got, argmaxRef(pixels, channels, X), v.entry.name);
    });
  });

  describe.each(ofFamily('quantize', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<QuantizeFn>(v);
    const xnn = v.entry.requant === 'fp32';
    it(xnn ? 'XNNPACK convert: x·(1/scale) in float32, round half to even, clamp, ties' : 'round half away from zero, clamp, ties', () => {
      const scale = Math.fround(0.0078125);
      const zp = fam.signed ? 0 : 128;
      const rand = new Rand(1);
      const x = Float32Array.from({ length: 500 }, () => Math.fround((rand.next() * 2.4 - 1.2)));
      // exact ties (k + 0.5)·scale and both signs, huge values
      for (let i = 0; i < 40; i++) x[i] = Math.fround((i - 20 + 0.5) * scale);
      x[40] = 1e9; x[41] = -1e9; x[42] = 0; x[43] = -0;
      const heap = new Heap(memory, 2);
      const input = heap.f32(x);
      const out = outQ(heap, x.length);
      const [qmin, qmax] = dtypeRange(fam.storage);
      fn(x.length, input, out, scale, zp, qmin, qmax);
      heap.checkGuards(v.entry.name);
      expectExact(readQ(heap, out, x.length, fam), (xnn ? quantizeXnnRef : quantizeRef)(x, scale, zp, qmin, qmax), v.entry.name);
      if (xnn) {
        // A 2/255 scale: x·(1/scale) in float32 is not x/scale in double; ties of the one are not the other's.
        const s2 = Math.fround(2 / 255);
        const y = Float32Array.from({ length: 256 }, (_, p) => Math.fround(p * s2 - 1));
        const h2 = new Heap(memory, 2);
        const o2 = outQ(h2, y.length);
        fn(y.length, h2.f32(y), o2, s2, zp, qmin, qmax);
        expectExact(readQ(h2, o2, y.length, fam), quantizeXnnRef(y, s2, zp, qmin, qmax), v.entry.name);
        expect(quantizeXnnRef(y, s2, zp, qmin, qmax)).not.toEqual(quantizeRef(y, s2, zp, qmin, qmax));
      }
    });
  });

  describe.each(ofFamily('dequantize', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<DequantizeFn>(v);
    it.each([1, 15, 16, 17, 100])('n_eq_%i', (n) => {
      const X = new Rand(n).ints(n, fam.lo, fam.hi);
      const heap = new Heap(memory, n);
      const input = putQ(heap, X);
      const out = heap.alloc(n * 4);
      const scale = Math.fround(0.0988925);
      const zp = fam.signed ? -70 : 58;
      fn(n, input, out, scale, zp);
      heap.checkGuards(v.entry.name);
      expectExact(heap.read(out, n), dequantizeRef(X, scale, zp), v.entry.name);
    });
  });

  describe.each(ofFamily('requantize', fam))('$label', (v) => {
    const { fn, memory } = kernelOf<RequantizeFn>(v);
    it.each([
      ['DeepLab 0.0123 → 0.0291', { scale: 0.0122984, zeroPoint: fam.signed ? -128 : 0 }, { scale: 0.029083, zeroPoint: fam.signed ? -128 : 0 }],
      ['upscale ×3', { scale: 0.03, zeroPoint: fam.signed ? 5 : 133 }, { scale: 0.01, zeroPoint: fam.signed ? -3 : 120 }],
      ['same scale, new zero point', { scale: 0.05, zeroPoint: fam.signed ? 10 : 100 }, { scale: 0.05, zeroPoint: fam.signed ? -10 : 80 }],
    ] as [string, Quant, Quant][])('%s', (_name, inQ, outQ_) => {
      const X = new Rand(4).ints(300, fam.lo, fam.hi);
      const mulshift = v.entry.name.includes('_mulshift_');
      const p = mulshift ? requantizeParamsMulShift(inQ, outQ_, fam.storage)! : requantizeParams(inQ, outQ_, fam.storage);
      const heap = new Heap(memory, 4);
      const input = putQ(heap, X);
      const out = outQ(heap, 300);
      fn(300, input, out, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
      heap.checkGuards(v.entry.name);
      const expected = mulshift
        ? requantizeXnnRef(X, inQ.scale, inQ.zeroPoint, outQ_.scale, outQ_.zeroPoint, fam.signed)
        : requantizeRef(X, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
      expectExact(readQ(heap, out, 300, fam), expected, v.entry.name);
    });
    // Into the other 8-bit type (TF2 PTQ: uint8 input → int8, same scale, zero point 128 lower), at every length
    // around the 16-byte step; then with scales equal but zero points that clamp.
    const other = fam.signed ? { storage: 'uint8' as const, lo: 0, hi: 255, signed: false } : { storage: 'int8' as const, lo: -128, hi: 127, signed: true };
    it.each([
      ['to the other type, zero point 128 apart', fam.signed ? -128 : 128, fam.signed ? 0 : 0, 0.02],
      ['to the other type, clamping', fam.signed ? 20 : 90, fam.signed ? 100 : -70, 0.5],
    ])('%s', (_name, inZp, outZp, scale) => {
      if (v.entry.name.includes('_mulshift_')) return; // XNNPACK converts within one type only (ops/quantize.ts)
      for (const n of [1, 15, 16, 17, 31, 32, 33, 300]) {
        const X = new Rand(n).ints(n, fam.lo, fam.hi);
        const p = requantizeParams({ scale, zeroPoint: inZp }, { scale, zeroPoint: outZp }, other.storage);
        const heap = new Heap(memory, n);
        const input = putQ(heap, X);
        const out = outQ(heap, n);
        fn(n, input, out, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
        heap.checkGuards(`${v.entry.name} n=${n}`);
        const expected = requantizeRef(X, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
        expectExact(readQ(heap, out, n, { dtype: fam.dtype === 'qu8' ? 'qs8' : 'qu8', ...other }), expected, `${v.entry.name} n=${n}`);
      }
    });
  });
}

/** PAD (byte-generic): whole output, and a row range as one thread's part; pixel sizes 1, 3, 4 (a float32 channel). */
export function describeQPad(): void {
  describe.each(qvariants('pad'))('$label', (v) => {
    const { fn, memory } = kernelOf<QPadFn>(v);
    it.each([
      [5, 7, 3, { top: 1, left: 1, bottom: 1, right: 1 }, [0, 7]],
      [4, 4, 1, { top: 0, left: 0, bottom: 1, right: 1 }, [0, 5]],
      [3, 6, 4, { top: 2, left: 3, bottom: 0, right: 2 }, [1, 4]],
      [6, 2, 5, { top: 3, left: 0, bottom: 2, right: 4 }, [2, 11]],
    ] as [number, number, number, { top: number; left: number; bottom: number; right: number }, [number, number]][])(
      '%i×%i×%i pad %o rows %o', (H, W, C, pad, [oy0, oy1]) => {
        const X = new Rand(H * W + C).ints(H * W * C, 0, 255);
        const OH = H + pad.top + pad.bottom;
        const OW = W + pad.left + pad.right;
        const heap = new Heap(memory, C);
        const input = putQ(heap, X);
        const out = outQ(heap, OH * OW * C);
        fn(H, W, C, input, pad.top, pad.left, OH, OW, out, oy0, oy1, 77);
        heap.checkGuards(v.entry.name);
        const row = OW * C;
        const want = padRef(X, H, W, C, pad, 77).subarray(oy0 * row, oy1 * row);
        expectExact(readQ(heap, out + oy0 * row, (oy1 - oy0) * row, { dtype: 'qu8', storage: 'uint8', lo: 0, hi: 255, signed: false }), want, v.entry.name);
        if (oy0 > 0) expect(heap.u8[out + oy0 * row - 1]).toBe(0xa5);
        if (oy1 < OH) expect(heap.u8[out + oy1 * row]).toBe(0xa5);
      });
  });
}

export function describeQConcat(): void {
  describe.each(qvariants('concat'))('$label', (v) => {
    const { fn, memory } = kernelOf<QConcatFn>(v);
    it.each([
      ['copy (equal quantization)', { scale: 0.029083, zeroPoint: 0 }, { scale: 0.029083, zeroPoint: 0 }],
      ['rescale', { scale: 0.0122984, zeroPoint: 3 }, { scale: 0.029083, zeroPoint: 7 }],
      ['rescale upward (saturates)', { scale: 0.05, zeroPoint: 128 }, { scale: 0.01, zeroPoint: 100 }],
    ] as [string, Quant, Quant][])('%s', (_name, inQ, outQ_) => {
      const pixels = 13;
      const c1 = 5;
      const c2 = 11;
      const rand = new Rand(8);
      const X1 = rand.ints(pixels * c1, 0, 255);
      const X2 = rand.ints(pixels * c2, 0, 255);
      const heap = new Heap(memory, 8);
      const in1 = putQ(heap, X1);
      const in2 = putQ(heap, X2);
      const out = outQ(heap, pixels * (c1 + c2));
      const p1 = concatParams(inQ, outQ_);
      const p2 = concatParams(outQ_, outQ_);
      fn(pixels, c1, in1, out, c1 + c2, p1.copy ? 1 : 0, p1.scale, p1.bias, p1.outZeroPoint);
      fn(pixels, c2, in2, out + c1, c1 + c2, p2.copy ? 1 : 0, p2.scale, p2.bias, p2.outZeroPoint);
      heap.checkGuards(v.entry.name);
      const e1 = concatSliceRef(X1, inQ.scale, inQ.zeroPoint, outQ_.scale, outQ_.zeroPoint);
      const expected = new Int32Array(pixels * (c1 + c2));
      for (let p = 0; p < pixels; p++) {
        expected.set(e1.subarray(p * c1, (p + 1) * c1), p * (c1 + c2));
        expected.set(X2.subarray(p * c2, (p + 1) * c2), p * (c1 + c2) + c1);
      }
      expectExact(readQ(heap, out, pixels * (c1 + c2), { dtype: 'qu8', storage: 'uint8', lo: 0, hi: 255, signed: false }), expected, v.entry.name);
    });
  });
}
