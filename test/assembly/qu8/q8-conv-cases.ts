// The int8 depthwise 3×3 and stem 3×3 convolution test bodies, run for both families (qu8-*.test.ts,
// ../qs8/qs8-*.test.ts): every registry variant against convQRef over whole images, the depthwise kernel
// driven one output row at a time with zero-point rows for the padding, as the executor does.
import { describe, it } from 'vitest';
import { packQConv3x3, packQDwconv3x3, qconv3x3ScratchBytes } from '../../../src/plan/pack-q.js';
import { convRequant, convScalesFp32, dtypeRange } from '../../../src/plan/requant.js';
import type { QConv3x3HwcFn, QDwconv3x3Fn } from '../../../src/plan/registry.js';
import { convQRef } from '../../helpers/reference-q.js';
import { Heap, kernelOf } from '../../helpers/wasm.js';
import { qvariants, Rand, expectExact, outQ, putQ, readQ, type Family } from './q8-kit.js';

export interface QConvCase {
  c: number; inH: number; inW: number;
  stride: number; dilation?: number;
  /** SAME-style padding (top, left); bottom/right implied by the output size. */
  pad: number;
  aZp?: number; wZp?: number; outZp?: number;
  mulLog2?: [number, number];
  qmin?: number; qmax?: number;
  seed?: number;
}

function outSize(inSize: number, stride: number, pad: number, dil: number): number {
  // Symmetric-ish: as many outputs as fit with `pad` leading pixels and up to `pad` trailing ones.
  return Math.floor((inSize + 2 * pad - (2 * dil + 1)) / stride) + 1;
}

function requantFor(rand: Rand, fam: Family, channels: number, mulLog2: [number, number]) {
  const r = requantFor2(rand, fam, channels, mulLog2);
  return Object.assign(r.rq, { fp32: r.fp32 });
}

function requantFor2(rand: Rand, fam: Family, channels: number, mulLog2: [number, number]) {
  const inScale = 0.02;
  const outScale = 0.05;
  const [lo, hi] = mulLog2;
  const wScale = fam.signed
    ? Float32Array.from({ length: channels }, () => rand.pow2(lo, hi) * outScale / inScale)
    : Float32Array.of(rand.pow2(lo, hi) * outScale / inScale);
  return { rq: convRequant(inScale, wScale, outScale, channels, fam.storage), fp32: convScalesFp32(inScale, wScale, outScale, channels) };
}

export function runQDwconvCase(fn: QDwconv3x3Fn, memory: WebAssembly.Memory, label: string, fam: Family, cs: QConvCase, fp32 = false): void {
  const { c, inH, inW, stride, pad } = cs;
  const dil = cs.dilation ?? 1;
  const rand = new Rand(cs.seed ?? c * 7919 + inH * 131 + inW * 17 + stride * 3 + dil + (fam.signed ? 5 : 0));
  const outH = outSize(inH, stride, pad, dil);
  const outW = outSize(inW, stride, pad, dil);
  const aZp = cs.aZp ?? rand.int(fam.lo, fam.hi);
  const outZp = cs.outZp ?? rand.int(fam.lo, fam.hi);
  const wZp = fam.signed ? 0 : (cs.wZp ?? rand.int(0, 255));
  const input = rand.ints(inH * inW * c, fam.lo, fam.hi);
  const W = fam.signed ? rand.ints(9 * c, -127, 127) : rand.ints(9 * c, 0, 255);
  const bias = rand.ints(c, -3000, 3000);
  const rq = requantFor(rand, fam, c, cs.mulLog2 ?? [-10, -5]);
  const [tlo, thi] = dtypeRange(fam.storage);
  const qmin = cs.qmin ?? tlo;
  const qmax = cs.qmax ?? thi;

  const heap = new Heap(memory, 11 + c + inW);
  const rowBytes = inW * c;
  const rows: number[] = [];
  for (let y = 0; y < inH; y++) rows.push(putQ(heap, input.subarray(y * rowBytes, (y + 1) * rowBytes)));
  const zeroRow = putQ(heap, new Int32Array(rowBytes).fill(aZp));
  const packed = heap.bytes(packQDwconv3x3({ data: W, zeroPoint: [wZp], bias }, c, aZp, fp32 ? rq.fp32 : rq, fam.dtype));
  const outRows: number[] = [];
  for (let oy = 0; oy < outH; oy++) outRows.push(outQ(heap, outW * c));
  for (let oy = 0; oy < outH; oy++) {
    const r = [0, 1, 2].map((ky) => {
      const iy = oy * stride - pad + ky * dil;
      return iy >= 0 && iy < inH ? rows[iy] : zeroRow;
    });
    fn(c, inW, r[0], r[1], r[2], stride, dil, pad, packed, outRows[oy], outW, aZp, outZp, qmin, qmax);
  }
  heap.checkGuards(label);
  const expected = convQRef({
    inH, inW, inC: c, kh: 3, kw: 3, stride, dilation: dil, padTop: pad, padLeft: pad, outH, outW, outC: c,
    depthwise: true, inZp: aZp, wZp: [wZp], bias, mult: rq.mult, shift: rq.shift, outZp, qmin, qmax,
    fp32Scale: fp32 ? rq.fp32.scale : undefined,
  }, input, W);
  const actual = new Int32Array(outH * outW * c);
  for (let oy = 0; oy < outH; oy++) actual.set(readQ(heap, outRows[oy], outW * c, fam), oy * outW * c);
  expectExact(actual, expected, label, (i) => `out[${Math.floor(i / (outW * c))}][${Math.floor(i / c) % outW}][${i % c}]`);
}

export function runQConvCase(fn: QConv3x3HwcFn, memory: WebAssembly.Memory, label: string, fam: Family, cs: QConvCase & { inC: number }, fp32 = false): void {
  const { c: outC, inC, inH, inW, stride, pad } = cs;
  const rand = new Rand(cs.seed ?? outC * 31 + inH * 7 + inW + stride + (fam.signed ? 9 : 0));
  const outH = Math.floor((inH + pad + 1 - 3) / stride) + 1;
  const outW = Math.floor((inW + pad + 1 - 3) / stride) + 1;
  const aZp = cs.aZp ?? rand.int(fam.lo, fam.hi);
  const outZp = cs.outZp ?? rand.int(fam.lo, fam.hi);
  const wZp = fam.signed ? 0 : (cs.wZp ?? rand.int(0, 255));
  const input = rand.ints(inH * inW * inC, fam.lo, fam.hi);
  const W = fam.signed ? rand.ints(9 * inC * outC, -127, 127) : rand.ints(9 * inC * outC, 0, 255);
  const bias = rand.ints(outC, -3000, 3000);
  const rq = requantFor(rand, fam, outC, cs.mulLog2 ?? [-11, -6]);
  const [tlo, thi] = dtypeRange(fam.storage);
  const qmin = cs.qmin ?? tlo;
  const qmax = cs.qmax ?? thi;

  const heap = new Heap(memory, 5 + outC + inW);
  const inp = putQ(heap, input);
  const packed = heap.bytes(packQConv3x3({ data: W, zeroPoint: [wZp], bias }, inC, outC, aZp, fp32 ? rq.fp32 : rq, fam.dtype));
  const scratch = heap.alloc(qconv3x3ScratchBytes(inC, outW));
  const out = outQ(heap, outH * outW * outC);
  // Two calls (row ranges) to cover oy0 > 0.
  const mid = Math.floor(outH / 2);
  fn(inH, inW, inC, inp, stride, pad, pad, packed, outC, out, outW, 0, mid, aZp, outZp, qmin, qmax, scratch);
  fn(inH, inW, inC, inp, stride, pad, pad, packed, outC, out, outW, mid, outH, aZp, outZp, qmin, qmax, scratch);
  heap.checkGuards(label);
  const expected = convQRef({
    inH, inW, inC, kh: 3, kw: 3, stride, padTop: pad, padLeft: pad, outH, outW, outC,
    depthwise: false, inZp: aZp, wZp: [wZp], bias, mult: rq.mult, shift: rq.shift, outZp, qmin, qmax,
    fp32Scale: fp32 ? rq.fp32.scale : undefined,
  }, input, W);
  expectExact(readQ(heap, out, outH * outW * outC, fam), expected, label,
    (i) => `out[${Math.floor(i / (outW * outC))}][${Math.floor(i / outC) % outW}][${i % outC}]`);
}

export function describeQDwconv(fam: Family): void {
  describe.each(qvariants('qdwconv').filter((v) => v.entry.dtype === fam.dtype))('$label', (v) => {
    const { fn, memory } = kernelOf<QDwconv3x3Fn>(v);
    const run = (name: string, cs: QConvCase) => runQDwconvCase(fn, memory, `${v.entry.name} ${name}`, fam, cs, v.entry.name.includes('_fp32_'));
    describe('channel tiles', () => {
      for (const c of [1, 7, 8, 9, 16, 24, 25]) {
        it(`c_eq_${c} stride 1 pad 1`, () => run(`c=${c}`, { c, inH: 5, inW: 7, stride: 1, pad: 1 }));
        it(`c_eq_${c} stride 2 odd size pad 1`, () => run(`c=${c} s2`, { c, inH: 7, inW: 9, stride: 2, pad: 1 }));
        it(`c_eq_${c} stride 2 even size pad 0`, () => run(`c=${c} s2p0`, { c, inH: 6, inW: 8, stride: 2, pad: 0 }));
      }
    });
    describe('widths and dilation', () => {
      for (const inW of [1, 2, 3, 4, 5, 11]) {
        it(`in_w_eq_${inW}`, () => run(`w=${inW}`, { c: 9, inH: 3, inW, stride: 1, pad: 1 }));
      }
      it('pad 0 stride 1 (valid)', () => run('valid', { c: 16, inH: 5, inW: 9, stride: 1, pad: 0 }));
      it('dilation 2 pad 2', () => run('d2', { c: 17, inH: 9, inW: 11, stride: 1, dilation: 2, pad: 2 }));
      it('dilation 4 pad 4', () => run('d4', { c: 8, inH: 11, inW: 13, stride: 1, dilation: 4, pad: 4 }));
      it('dilation 2 narrow (no interior pixel)', () => run('d2n', { c: 9, inH: 4, inW: 3, stride: 1, dilation: 2, pad: 2 }));
    });
    describe('zero points and requantization', () => {
      const ext = fam.signed ? [-128, 127] : [0, 255];
      for (const aZp of ext) for (const outZp of ext) {
        it(`extreme zero points a=${aZp} out=${outZp}`, () => run('zp', { c: 24, inH: 5, inW: 6, stride: 1, pad: 1, aZp, outZp }));
      }
      if (!fam.signed) {
        it('weight zero point 0 and 255', () => {
          run('wzp0', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, wZp: 0 });
          run('wzp255', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, wZp: 255 });
        });
      }
      it('multipliers > 1', () => run('mult>1', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, mulLog2: [0.2, 2] }));
      it('tiny multipliers', () => run('tiny', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, mulLog2: [-26, -18] }));
      it('mixed shifts', () => run('mixed', { c: 24, inH: 4, inW: 5, stride: 2, pad: 1, mulLog2: [-14, 0.5] }));
      if (v.entry.name.includes('_fp32_')) {
        it('fp32 saturation far outside the magic-bias range', () => run('fp32sat', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, mulLog2: [4, 7.9] }));
      }
      it('relu6 clamp', () => run('clamp', { c: 24, inH: 4, inW: 5, stride: 1, pad: 1, qmin: fam.signed ? -30 : 20, qmax: fam.signed ? 60 : 180 }));
    });
    it('MobileNetV2 shape 112 wide 96 ch s2 (one band)', () => run('mnv2', { c: 96, inH: 5, inW: 113, stride: 2, pad: 1 }));
    // The SIMD kernels run the interior by chains of outputs that share columns (q8-dwconv-simd.ts): a chain
    // may start one column left of the row and end one column right of it; other edge pixels go one by one.
    describe('column chains', () => {
      for (const inW of [1, 2, 3, 4, 5, 6]) {
        for (const pad of inW >= 3 ? [0, 1] : [1]) {
          it(`full groups in_w_eq_${inW} stride 1 pad ${pad}`, () => run(`ch s1 w=${inW} p${pad}`, { c: 16, inH: 3, inW, stride: 1, pad }));
          it(`full groups in_w_eq_${inW} stride 2 pad ${pad}`, () => run(`ch s2 w=${inW} p${pad}`, { c: 16, inH: 3, inW, stride: 2, pad }));
        }
      }
      it('stride 1 pad 2 (an edge pixel outside the chain)', () => run('ch p2', { c: 8, inH: 5, inW: 9, stride: 1, pad: 2 }));
      it('stride 2 pad 2', () => run('ch s2p2', { c: 16, inH: 6, inW: 10, stride: 2, pad: 2 }));
      it('dilation 2 pad 1', () => run('ch d2p1', { c: 16, inH: 7, inW: 10, stride: 1, dilation: 2, pad: 1 }));
      it('dilation 2 pad 0, odd and even widths', () => {
        run('ch d2p0 odd', { c: 8, inH: 6, inW: 11, stride: 1, dilation: 2, pad: 0 });
        run('ch d2p0 even', { c: 8, inH: 6, inW: 12, stride: 1, dilation: 2, pad: 0 });
      });
      it('dilation 3 pad 3 (three chains)', () => run('ch d3', { c: 24, inH: 9, inW: 14, stride: 1, dilation: 3, pad: 3 }));
      it('stride 2 dilation 2 (one chain, two columns apart)', () => {
        run('ch s2d2p2', { c: 16, inH: 9, inW: 13, stride: 2, dilation: 2, pad: 2 });
        run('ch s2d2p1', { c: 16, inH: 9, inW: 12, stride: 2, dilation: 2, pad: 1 });
      });
      it('stride 2 dilation 4 (two chains)', () => run('ch s2d4', { c: 8, inH: 11, inW: 19, stride: 2, dilation: 4, pad: 4 }));
      it('stride 2 dilation 3 (no chain form)', () => run('ch s2d3', { c: 8, inH: 9, inW: 13, stride: 2, dilation: 3, pad: 3 }));
      it('full groups and a partial group, long rows', () => {
        run('ch c=44 s1', { c: 44, inH: 3, inW: 37, stride: 1, pad: 1 });
        run('ch c=44 s2', { c: 44, inH: 4, inW: 37, stride: 2, pad: 1 });
      });
    });
  });
}

export function describeQConv(fam: Family): void {
  describe.each(qvariants('qconv3x3').filter((v) => v.entry.dtype === fam.dtype))('$label', (v) => {
    const { fn, memory } = kernelOf<QConv3x3HwcFn>(v);
    const run = (name: string, cs: QConvCase & { inC: number }) => runQConvCase(fn, memory, `${v.entry.name} ${name}`, fam, cs, v.entry.name.includes('_fp32_'));
    for (const c of [1, 7, 8, 9, 24, 32]) {
      it(`out_c_eq_${c} stride 2 odd 9×11 pad 1`, () => run(`c=${c}`, { c, inC: 3, inH: 9, inW: 11, stride: 2, pad: 1 }));
    }
    it('stride 2 even 8×10 pad 0 (TF SAME on even sizes)', () => run('even', { c: 16, inC: 3, inH: 8, inW: 10, stride: 2, pad: 0 }));
    it('stride 1 pad 1', () => run('s1', { c: 9, inC: 3, inH: 5, inW: 6, stride: 1, pad: 1 }));
    it('in_c_eq_1 and 4', () => {
      run('inc1', { c: 9, inC: 1, inH: 7, inW: 7, stride: 2, pad: 1 });
      run('inc4', { c: 9, inC: 4, inH: 7, inW: 7, stride: 2, pad: 1 });
    });
    const ext = fam.signed ? [-128, 127] : [0, 255];
    for (const aZp of ext) {
      it(`extreme input zero point ${aZp} (padding reads it)`, () => run('zp', { c: 16, inC: 3, inH: 7, inW: 9, stride: 2, pad: 1, aZp }));
    }
    it('MobileNetV2 stem 224 → 112 (rows 0..3)', () => run('stem', { c: 32, inC: 3, inH: 8, inW: 224, stride: 2, pad: 0 }));
  });
}
