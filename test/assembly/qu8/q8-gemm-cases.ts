// The int8 GEMM test body, run for both families (qu8-gemm.test.ts, ../qs8/qs8-gemm.test.ts): every
// registry variant of op 'qgemm' of the family, in every module that exports it, against convQRef (a 1×1
// convolution) at the tile boundaries of the 4×8 register tile, the 8-column panels and the 8-deep k blocks.
import { describe, expect, it } from 'vitest';
import { packQGemm, qgemmWideBytes, type QFamily } from '../../../src/plan/pack-q.js';
import { convRequant, convScalesFp32, dtypeRange } from '../../../src/plan/requant.js';
import type { QGemmFn } from '../../../src/plan/registry.js';
import { convQRef } from '../../helpers/reference-q.js';
import { Heap, kernelOf } from '../../helpers/wasm.js';
import { qvariants, Rand, expectExact, outQ, readQ, type Family } from './q8-kit.js';

export interface QGemmCase {
  m: number; n: number; k: number;
  aStride?: number; cStride?: number;
  aZp?: number; wZp?: number; outZp?: number;
  /** log2 range of the real multiplier inScale·wScale/outScale (default [−12, −6]). */
  mulLog2?: [number, number];
  qmin?: number; qmax?: number;
  seed?: number;
  /** Place A so it ends exactly at the end of the memory (the SIMD kernel may read 7 bytes past k: only the scalar kernel is run this way). */
  atEnd?: boolean;
}

export function runQGemmCase(fn: QGemmFn, memory: WebAssembly.Memory, label: string, fam: Family, cs: QGemmCase, fp32 = false): void {
  const { m, n, k } = cs;
  const rand = new Rand(cs.seed ?? m * 1000003 + n * 1009 + k * 7 + (fam.signed ? 1 : 0));
  const aStride = cs.aStride ?? k;
  const cStride = cs.cStride ?? n;
  const aZp = cs.aZp ?? rand.int(fam.lo, fam.hi);
  const outZp = cs.outZp ?? rand.int(fam.lo, fam.hi);
  const wZp = fam.signed ? 0 : (cs.wZp ?? rand.int(0, 255));
  const A = rand.ints((m - 1) * aStride + k, fam.lo, fam.hi);
  const W = fam.signed ? rand.ints(k * n, -127, 127) : rand.ints(k * n, 0, 255);
  const bias = rand.ints(n, -5000, 5000);
  const [lo, hi] = cs.mulLog2 ?? [-12, -6];
  const inScale = 0.02;
  const outScale = 0.05;
  // Per-channel weight scales (qs8) spread over the log2 range so channels get different shifts.
  const wScale = fam.signed
    ? Float32Array.from({ length: n }, () => rand.pow2(lo, hi) * outScale / inScale)
    : Float32Array.of(rand.pow2(lo, hi) * outScale / inScale);
  const rq = convRequant(inScale, wScale, outScale, n, fam.storage);
  const scales = convScalesFp32(inScale, wScale, outScale, n);
  const [tlo, thi] = dtypeRange(fam.storage);
  const qmin = cs.qmin ?? tlo;
  const qmax = cs.qmax ?? thi;

  const heap = new Heap(memory, (cs.seed ?? 3) + m + n + k);
  const aBytes = Uint8Array.from(A, (v) => v & 0xff);
  const a = cs.atEnd ? heap.bytesAtEnd(aBytes) : heap.bytes(aBytes);
  const family: QFamily = fam.dtype;
  const packed = heap.bytes(packQGemm({ data: W, zeroPoint: [wZp], bias }, k, n, aZp, fp32 ? scales : rq, family));
  const cLen = (m - 1) * cStride + n;
  const c = outQ(heap, cLen);
  // The kernel's private scratch (SIMD: A rows widened to int16), guarded and holding stale bytes.
  const wide = heap.bytes(rand.ints(qgemmWideBytes(k), 0, 255));
  fn(m, n, k, a, aStride, packed, c, cStride, outZp, qmin, qmax, wide);
  heap.checkGuards(label);

  const Adense = new Int32Array(m * k);
  for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) Adense[i * k + kk] = A[i * aStride + kk];
  const expected = convQRef({
    inH: 1, inW: m, inC: k, kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0, outH: 1, outW: m, outC: n,
    depthwise: false, inZp: aZp, wZp: [wZp], bias, mult: rq.mult, shift: rq.shift, outZp, qmin, qmax,
    fp32Scale: fp32 ? scales.scale : undefined,
  }, Adense, W);
  const C = readQ(heap, c, cLen, fam);
  const actual = new Int32Array(m * n);
  for (let i = 0; i < m; i++) actual.set(C.subarray(i * cStride, i * cStride + n), i * n);
  expectExact(actual, expected, label, (i) => `C[${Math.floor(i / n)}][${i % n}]`);
  const raw = heap.u8;
  for (let i = 0; i + 1 < m; i++) {
    for (let j = n; j < cStride; j++) expect(raw[c + i * cStride + j], `${label}: wrote C[${i}][${j}] past column n-1`).toBe(0xa5);
  }
}

const M_CASES = [1, 3, 4, 5, 7, 8, 9, 49];
const N_CASES = [1, 7, 8, 9, 24, 33];
const K_CASES = [1, 7, 8, 9, 16, 33];

export function describeQGemm(fam: Family): void {
  describe.each(qvariants('qgemm').filter((v) => v.entry.dtype === fam.dtype))('$label', (v) => {
    const { fn, memory } = kernelOf<QGemmFn>(v);
    const run = (name: string, cs: QGemmCase) => runQGemmCase(fn, memory, `${v.entry.name} ${name}`, fam, cs, v.entry.name.includes('_fp32_'));

    describe('tile boundaries (m × n × k)', () => {
      for (const m of M_CASES) {
        for (const n of N_CASES) {
          it.each(K_CASES)(`m_eq_${m} n_eq_${n} k_eq_%i`, (k) => run(`m=${m} n=${n} k=${k}`, { m, n, k }));
        }
      }
    });

    describe('strides', () => {
      it.each([
        ['a_stride', { m: 13, n: 9, k: 17, aStride: 23 }],
        ['c_stride', { m: 13, n: 9, k: 17, cStride: 13 }],
        ['all_strides m_eq_49', { m: 49, n: 24, k: 16, aStride: 17, cStride: 25 }],
      ] as [string, QGemmCase][])('%s', (name, cs) => run(name, cs));
      if (v.entry.isa === 'scalar') {
        it('a_at_memory_end (scalar: no read past column k − 1)', () => run('atEnd', { m: 9, n: 9, k: 17, atEnd: true }));
      }
    });

    describe('zero points and requantization', () => {
      const ext = fam.signed ? [-128, 127] : [0, 255];
      for (const aZp of ext) {
        for (const outZp of ext) {
          it(`extreme zero points a=${aZp} out=${outZp}`, () => run('zp', { m: 9, n: 17, k: 33, aZp, outZp }));
        }
      }
      if (!fam.signed) {
        it('weight zero point 0', () => run('wzp0', { m: 9, n: 17, k: 33, wZp: 0 }));
        it('weight zero point 255', () => run('wzp255', { m: 9, n: 17, k: 33, wZp: 255 }));
      }
      it('multipliers > 1 (left shifts)', () => run('mult>1', { m: 9, n: 17, k: 9, mulLog2: [0.2, 3] }));
      it('multipliers near 1 (shift 0)', () => run('mult~1', { m: 9, n: 17, k: 9, mulLog2: [-0.99, -0.01] }));
      it('tiny multipliers (shifts ≥ 20)', () => run('tiny', { m: 9, n: 17, k: 33, mulLog2: [-28, -20] }));
      it('mixed shifts across a vector', () => run('mixed', { m: 5, n: 24, k: 33, mulLog2: [-16, 1] }));
      it('with_qmin (relu)', () => run('qmin', { m: 9, n: 17, k: 33, qmin: fam.signed ? -20 : 40 }));
      it('with_qmax (relu6-like)', () => run('qmax', { m: 9, n: 17, k: 33, qmax: fam.signed ? 10 : 200 }));
      if (v.entry.name.includes('_fp32_')) {
        // float(acc)·scale far beyond ±2^22 (the 1.5·2^23 magic bias no longer rounds to integers) and beyond
        // ±1.5·2^23 (the biased float turns negative): the SIMD kernels clamp after rounding, on the float's bits.
        it('fp32 saturation far outside the magic-bias range', () => run('fp32sat', { m: 9, n: 17, k: 33, mulLog2: [4, 7.9] }));
        it('fp32 saturation with_qmin with_qmax', () =>
          run('fp32satClamp', { m: 5, n: 24, k: 33, mulLog2: [3, 7.9], qmin: fam.signed ? -20 : 40, qmax: fam.signed ? 10 : 200 }));
      }
    });

    describe('deep k (long widened rows in the scratch, several panel blocks)', () => {
      for (const k of [248, 249, 256, 257, 263]) {
        for (const m of [1, 2, 3, 4, 5, 9]) {
          it.each([1, 7, 9, 16])(`k_eq_${k} m_eq_${m} n_eq_%i`, (n) => run(`deep m=${m} n=${n} k=${k}`, { m, n, k }));
        }
      }
      it('deep k strides and extreme zero points', () => run('deep strides', {
        m: 11, n: 19, k: 300, aStride: 307, cStride: 23, aZp: fam.signed ? 127 : 255, outZp: fam.signed ? -128 : 0,
      }));
      it('deep k mixed shifts with_qmin with_qmax', () => run('deep mixed', {
        m: 6, n: 24, k: 264, mulLog2: [-16, 1], qmin: fam.signed ? -20 : 40, qmax: fam.signed ? 10 : 200,
      }));
    });

    describe('MobileNetV2 shapes', () => {
      it('k_eq_960 n_eq_160 (L2 column blocks)', () => run('960x160', { m: 7, n: 160, k: 960 }));
      it('dense m_eq_1 k_eq_1280 n_eq_1001', () => run('dense', { m: 1, n: 1001, k: 1280 }));
    });
  });
}

/** Sanity check used by the family test files. */
export function expectQGemmVariants(fam: Family): void {
  expect(qvariants('qgemm').filter((v) => v.entry.dtype === fam.dtype).length).toBe(6);
}
