// f32_dwconv_3x3_minmax_* (one output row) against the naive reference at the 4-channel tile boundaries,
// row edges (left/right padding, widths 1..8), both strides and zero (padded) rows, for every variant.
import { describe, expect, it } from 'vitest';
import { DWCONV_CHANNEL_TILE as CT } from '../../../src/plan/registry.js';
import { packDwconv3x3 } from '../../../src/plan/pack.js';
import type { Dwconv3x3Fn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { dwconv3x3RowRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, kernelOf, variants } from '../../helpers/wasm.js';

type ZeroRows = 'none' | 'zero_top' | 'zero_bottom' | 'zero_all';

interface DwCase {
  channels: number; inW: number; stride: number; padLeft: number;
  /** Output width; default: ceil((inW + padLeft·2 − 2) / stride) − i.e. SAME-style with implied right padding. */
  outW?: number;
  zero?: ZeroRows;
  min?: number; max?: number; scale?: number;
  seed?: number;
}

function defaultOutW(inW: number, stride: number, padLeft: number): number {
  // padRight = 1: floor((inW + padLeft + 1 − 3) / stride) + 1, at least 1.
  return Math.max(1, Math.floor((inW + padLeft + 1 - 3) / stride) + 1);
}

function runCase(fn: Dwconv3x3Fn, memory: WebAssembly.Memory, label: string, cs: DwCase): void {
  const { channels: c, inW, stride, padLeft } = cs;
  const outW = cs.outW ?? defaultOutW(inW, stride, padLeft);
  const zero = cs.zero ?? 'none';
  const min = cs.min ?? -Infinity;
  const max = cs.max ?? Infinity;
  const rand = mulberry32(cs.seed ?? c * 7919 + inW * 131 + stride * 17 + padLeft);
  const u = (s = 1) => (rand() * 2 - 1) * s;
  const rows = [0, 1, 2].map(() => Float32Array.from({ length: inW * c }, () => u(cs.scale ?? 1)));
  const w = Float32Array.from({ length: 9 * c }, () => u());
  const bias = Float32Array.from({ length: c }, () => u());
  const isZero = (ky: number) => zero === 'zero_all' || (zero === 'zero_top' && ky === 0) || (zero === 'zero_bottom' && ky === 2);

  const heap = new Heap(memory, cs.seed ?? c + inW * 3 + stride);
  const zeroBuf = heap.f32(new Float32Array(inW * c));
  const rowPtrs = rows.map((r, ky) => (isZero(ky) ? zeroBuf : heap.f32(r)));
  const packed = heap.f32(packDwconv3x3(w, bias, c));
  const out = heap.f32Output(outW * c);
  fn(c, inW, rowPtrs[0], rowPtrs[1], rowPtrs[2], stride, padLeft, packed, out, outW, min, max);
  heap.checkGuards(label);

  const expected = dwconv3x3RowRef(c, inW, rows.map((r, ky) => (isZero(ky) ? null : r)), stride, padLeft, w, bias, outW, min, max);
  expectClose(heap.read(out, outW * c), expected, { label, where: (i) => `out[x=${Math.floor(i / c)}][c=${i % c}]` });
  expect(heap.read(zeroBuf, inW * c).every((x) => x === 0), `${label}: zero row modified`).toBe(true);
}

const C_CASES: [string, number][] = [
  ['c_eq_1', 1], [`c_lt_${CT}`, CT - 1], [`c_eq_${CT}`, CT], [`c_gt_${CT}`, CT + 1], [`c_div_${CT}`, 3 * CT], [`c_gt_${3 * CT}`, 3 * CT + 1],
];
const W_CASES = [1, 2, 7, 8];
const ZERO_ROTATION: ZeroRows[] = ['none', 'zero_top', 'none', 'zero_bottom'];

describe.each(variants('dwconv'))('$label', (v) => {
  const { fn, memory } = kernelOf<Dwconv3x3Fn>(v);
  const run = (name: string, cs: DwCase) => runCase(fn, memory, `${v.entry.name} ${name}`, cs);

  describe('channels × width × stride × padding', () => {
    let i = 0;
    for (const [cName, channels] of C_CASES) {
      for (const inW of W_CASES) {
        for (const stride of [1, 2]) {
          for (const padLeft of [0, 1]) {
            const zero = ZERO_ROTATION[i++ % ZERO_ROTATION.length];
            const name = `${cName} in_w_eq_${inW} stride_${stride} pad_left_${padLeft}${zero === 'none' ? '' : ` ${zero}`}`;
            it(name, () => run(name, { channels, inW, stride, padLeft, zero }));
          }
        }
      }
    }
  });

  describe('rows and widths', () => {
    it.each([
      ['multipixel stride_1 in_w_eq_33', { channels: 13, inW: 33, stride: 1, padLeft: 1 }],
      ['multipixel stride_2 in_w_eq_33 (odd)', { channels: 13, inW: 33, stride: 2, padLeft: 1 }],
      ['multipixel stride_2 in_w_eq_32 pad_left_0', { channels: 12, inW: 32, stride: 2, padLeft: 0 }],
      ['valid (no right padding) stride_1', { channels: 5, inW: 9, stride: 1, padLeft: 0, outW: 7 }],
      ['valid stride_2 in_w_eq_9', { channels: 5, inW: 9, stride: 2, padLeft: 0, outW: 4 }],
      ['right padding 2 (out_w past the image)', { channels: 6, inW: 4, stride: 1, padLeft: 1, outW: 5 }],
      ['zero_all rows (bias only)', { channels: 7, inW: 8, stride: 1, padLeft: 1, zero: 'zero_all' }],
      ['zero_top', { channels: 13, inW: 7, stride: 2, padLeft: 1, zero: 'zero_top' }],
      ['zero_bottom', { channels: 13, inW: 7, stride: 1, padLeft: 0, zero: 'zero_bottom' }],
      ['mobilenet 112 × 96 stride_2', { channels: 96, inW: 112, stride: 2, padLeft: 0 }],
      ['mobilenet 14 × 576 stride_1', { channels: 576, inW: 14, stride: 1, padLeft: 1 }],
    ] as [string, DwCase][])('%s', (name, cs) => run(name, cs));
  });

  describe('clamp', () => {
    it.each([
      ['with_qmin', { min: 0.25 }],
      ['with_qmax', { max: -0.25 }],
      ['relu6', { min: 0, max: 6 }],
    ] as [string, Partial<DwCase>][])('%s', (name, cs) =>
      run(name, { channels: 13, inW: 8, stride: 1, padLeft: 1, scale: 8, ...cs }));
  });
});
