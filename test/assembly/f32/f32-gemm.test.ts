// f32_gemm_<MR>x8_minmax_* against the naive reference, at the tile boundaries of the 4×8 register tile and
// the 8-column packed panels, for every registry variant in every module that exports it.
import { describe, expect, it } from 'vitest';
import { GEMM_MR as MR, GEMM_NR as NR } from '../../../src/plan/registry.js';
import { packGemm } from '../../../src/plan/pack.js';
import type { GemmFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { gemmRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, POISON, kernelOf, variants } from '../../helpers/wasm.js';

interface GemmCase {
  m: number; n: number; k: number;
  aStride?: number; cStride?: number;
  residual?: boolean; rStride?: number;
  min?: number; max?: number;
  /** Scales A so that outputs spread well past the clamp bounds. */
  scale?: number;
  seed?: number;
  /** Place A (or R) so it ends exactly at the end of the memory: any read past its last element traps. */
  atEnd?: 'a' | 'r';
}

function runCase(fn: GemmFn, memory: WebAssembly.Memory, label: string, cs: GemmCase): void {
  const { m, n, k } = cs;
  const aStride = cs.aStride ?? k;
  const cStride = cs.cStride ?? n;
  const rStride = cs.rStride ?? n;
  const min = cs.min ?? -Infinity;
  const max = cs.max ?? Infinity;
  const rand = mulberry32(cs.seed ?? m * 1000003 + n * 1009 + k);
  const u = (s = 1) => (rand() * 2 - 1) * s;
  const A = Float32Array.from({ length: (m - 1) * aStride + k }, () => u(cs.scale ?? 1));
  const B = Float32Array.from({ length: k * n }, () => u());
  const bias = Float32Array.from({ length: n }, () => u());
  const R = cs.residual ? Float32Array.from({ length: (m - 1) * rStride + n }, () => u()) : null;

  const heap = new Heap(memory, (cs.seed ?? 7) + m + n + k);
  const a = cs.atEnd === 'a' ? heap.f32AtEnd(A) : heap.f32(A);
  const packed = heap.f32(packGemm(B, bias, k, n));
  const cLen = (m - 1) * cStride + n;
  const c = heap.f32Output(cLen);
  const r = !R ? 0 : cs.atEnd === 'r' ? heap.f32AtEnd(R) : heap.f32(R);
  fn(m, n, k, a, aStride, packed, c, cStride, r, rStride, min, max);
  heap.checkGuards(label);

  const expected = gemmRef(m, n, k, A, aStride, B, bias, R, rStride, min, max);
  const C = heap.read(c, cLen);
  const actual = new Float32Array(m * n);
  for (let i = 0; i < m; i++) actual.set(C.subarray(i * cStride, i * cStride + n), i * n);
  // f32 accumulation error grows like √k (random walk over k roundings of O(1) terms).
  const abs = 1e-5 * Math.max(1, Math.sqrt(k / 16));
  expectClose(actual, expected, { label, abs, where: (i) => `C[${Math.floor(i / n)}][${i % n}]` });
  // Columns n..cStride−1 between rows are not part of C and must stay untouched.
  const bits = heap.readBits(c, cLen);
  for (let i = 0; i + 1 < m; i++) {
    for (let j = n; j < cStride; j++) {
      expect(bits[i * cStride + j], `${label}: wrote C[${i}][${j}] past column n-1`).toBe(POISON);
    }
  }
  // A, B and R are inputs: unchanged.
  expect(heap.read(a, A.length)).toEqual(A);
  if (R) expect(heap.read(r, R.length)).toEqual(R);
}

const M_CASES: [string, number][] = [
  ['m_eq_1', 1], [`m_lt_${MR}`, MR - 1], [`m_eq_${MR}`, MR], [`m_gt_${MR}`, MR + 1],
  [`m_eq_${2 * MR - 2}`, 2 * MR - 2], [`m_eq_${2 * MR - 1}`, 2 * MR - 1], [`m_eq_${3 * MR + 1}`, 3 * MR + 1], ['m_eq_49', 49],
];
const N_CASES: [string, number][] = [
  ['n_eq_1', 1], [`n_lt_${NR}`, NR - 1], [`n_eq_${NR}`, NR], [`n_gt_${NR}`, NR + 1], [`n_div_${NR}`, 3 * NR], ['n_gt_32', 33],
];
const K_CASES: [string, number][] = [['k_eq_1', 1], ['k_eq_3', 3], ['k_eq_16', 16], ['k_eq_17', 17]];

describe.each(variants('gemm'))('$label', (v) => {
  const { fn, memory } = kernelOf<GemmFn>(v);
  const run = (name: string, cs: GemmCase) => runCase(fn, memory, `${v.entry.name} ${name}`, cs);

  describe('tile boundaries (m × n × k)', () => {
    for (const [mName, m] of M_CASES) {
      for (const [nName, n] of N_CASES) {
        it.each(K_CASES)(`${mName} ${nName} %s`, (_kName, k) => run(`${mName} ${nName} k=${k}`, { m, n, k }));
      }
    }
  });

  describe('residual', () => {
    for (const [mName, m] of M_CASES) {
      for (const [nName, n] of [N_CASES[1], N_CASES[2], N_CASES[3], N_CASES[5]]) {
        it(`with_residual ${mName} ${nName} k_eq_17`, () => run('residual', { m, n, k: 17, residual: true }));
      }
    }
    it('with_residual and relu6 (residual added after the clamp)', () =>
      run('residual relu6', { m: 13, n: 24, k: 16, residual: true, min: 0, max: 6, scale: 8 }));
  });

  describe('strides', () => {
    it.each([
      ['a_stride', { m: 13, n: 9, k: 17, aStride: 23 }],
      ['c_stride', { m: 13, n: 9, k: 17, cStride: 13 }],
      ['r_stride', { m: 13, n: 9, k: 17, residual: true, rStride: 11 }],
      ['all_strides n_lt_8', { m: 7, n: 5, k: 3, aStride: 4, cStride: 6, residual: true, rStride: 9 }],
      ['all_strides m_eq_1', { m: 1, n: 33, k: 16, aStride: 21, cStride: 40, residual: true, rStride: 35 }],
      ['all_strides m_eq_49', { m: 49, n: 24, k: 16, aStride: 17, cStride: 25, residual: true, rStride: 31 }],
      ['a_at_memory_end (no read past A)', { m: 2 * MR + 1, n: 9, k: 17, atEnd: 'a' }],
      // The last row of R lands on each row of the 4-row tile that can be last (1, 2, 3) and on the 1-row tile.
      ...[2, 3, 4, 2 * MR + 1].flatMap((m) => [3, 6, 13].map((n) =>
        [`r_at_memory_end m_eq_${m} n_eq_${n} (no read past R)`, { m, n, k: 3, residual: true, atEnd: 'r' }])),
    ] as [string, GemmCase][])('%s', (name, cs) => run(name, cs));
  });

  describe('clamp', () => {
    it.each([
      ['with_qmin', { min: 0.5 }],
      ['with_qmax', { max: -0.5 }],
      ['relu6', { min: 0, max: 6 }],
      ['relu6 n_lt_8', { min: 0, max: 6, n: 5 }],
      ['narrow [-1, 1]', { min: -1, max: 1 }],
    ] as [string, Partial<GemmCase>][])('%s', (name, cs) =>
      run(name, { m: 2 * MR + 1, n: 17, k: 16, scale: 8, ...cs }));
  });

  describe('long k and column blocks', () => {
    it('k_eq_384 m_gt_mr n_gt_8', () => run('k=384', { m: MR + 3, n: 9, k: 384 }));
    // 1024 × 64: ~262 KiB of packed B, more than one L2 column block in the SIMD kernel.
    it('column_blocks k_eq_1024 n_eq_72', () => run('k=1024 n=72', { m: 2 * MR + 1, n: 72, k: 1024 }));
    it('dense layer m_eq_1 k_eq_1280 n_eq_1001', () => run('dense', { m: 1, n: 1001, k: 1280 }));
  });
});
