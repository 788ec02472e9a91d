// f32_conv_3x3_hwc_minmax_* (stem convolution) against the naive reference: input channels 1/3/4, output
// channels around the 8-wide panel, odd image sizes, both strides, every top/left padding, row ranges.
import { describe, expect, it } from 'vitest';
import { packConv3x3 } from '../../../src/plan/pack.js';
import type { Conv3x3HwcFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { conv3x3HwcRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, POISON, kernelOf, variants } from '../../helpers/wasm.js';

interface ConvCase {
  inH: number; inW: number; inC: number; outC: number;
  stride: number; padTop: number; padLeft: number;
  /** Output rows to compute (default: all). */
  rows?: [number, number];
  min?: number; max?: number; scale?: number;
}

/** SAME-style output size: bottom/right padding is implied by the image size. */
const outSize = (inSize: number, stride: number) => Math.ceil(inSize / stride);

function runCase(fn: Conv3x3HwcFn, memory: WebAssembly.Memory, label: string, cs: ConvCase): void {
  const { inH, inW, inC, outC, stride, padTop, padLeft } = cs;
  const outH = outSize(inH, stride);
  const outW = outSize(inW, stride);
  const [oy0, oy1] = cs.rows ?? [0, outH];
  const min = cs.min ?? -Infinity;
  const max = cs.max ?? Infinity;
  const rand = mulberry32(inH * 7 + inW * 131 + inC * 1009 + outC * 17 + stride * 3 + padTop * 2 + padLeft);
  const u = (s = 1) => (rand() * 2 - 1) * s;
  const input = Float32Array.from({ length: inH * inW * inC }, () => u(cs.scale ?? 1));
  const w = Float32Array.from({ length: 9 * inC * outC }, () => u());
  const bias = Float32Array.from({ length: outC }, () => u());

  const heap = new Heap(memory, inH + inW + outC);
  const inp = heap.f32(input);
  const packed = heap.f32(packConv3x3(w, bias, inC, outC));
  const outLen = outH * outW * outC;
  const out = heap.f32Output(outLen);
  fn(inH, inW, inC, inp, stride, padTop, padLeft, packed, outC, out, outW, oy0, oy1, min, max);
  heap.checkGuards(label);

  const rowFloats = outW * outC;
  const expected = conv3x3HwcRef(inH, inW, inC, input, stride, padTop, padLeft, w, bias, outC, outW, oy0, oy1, min, max);
  expectClose(heap.read(out + oy0 * rowFloats * 4, (oy1 - oy0) * rowFloats), expected, {
    label,
    where: (i) => `out[y=${oy0 + Math.floor(i / rowFloats)}][x=${Math.floor(i / outC) % outW}][c=${i % outC}]`,
  });
  // Rows outside [oy0, oy1) are untouched.
  const bits = heap.readBits(out, outLen);
  for (let i = 0; i < outLen; i++) {
    const y = Math.floor(i / rowFloats);
    if (y < oy0 || y >= oy1) expect(bits[i], `${label}: wrote output row ${y} outside [${oy0}, ${oy1})`).toBe(POISON);
  }
}

describe.each(variants('conv3x3'))('$label', (v) => {
  const { fn, memory } = kernelOf<Conv3x3HwcFn>(v);
  const run = (name: string, cs: ConvCase) => runCase(fn, memory, `${v.entry.name} ${name}`, cs);

  describe('sizes × channels × stride × padding', () => {
    const sizes: [string, number, number][] = [['1x1', 1, 1], ['7x9', 7, 9], ['13x17', 13, 17]];
    for (const inC of [3, 1, 4]) {
      for (const outC of [7, 8, 9, 24, 32]) {
        for (const [sName, inH, inW] of sizes) {
          for (const stride of [2, 1]) {
            for (const [padTop, padLeft] of [[1, 1], [0, 0], [0, 1], [1, 0]]) {
              const name = `in_c_eq_${inC} out_c_eq_${outC} ${sName} stride_${stride} pad_${padTop}${padLeft}`;
              it(name, () => run(name, { inH, inW, inC, outC, stride, padTop, padLeft }));
            }
          }
        }
      }
    }
  });

  describe('rows and clamp', () => {
    it.each([
      ['row_range middle rows', { inH: 13, inW: 17, inC: 3, outC: 9, stride: 2, padTop: 1, padLeft: 1, rows: [2, 5] }],
      ['row_range first row', { inH: 7, inW: 9, inC: 3, outC: 32, stride: 1, padTop: 1, padLeft: 1, rows: [0, 1] }],
      ['row_range last row', { inH: 7, inW: 9, inC: 3, outC: 32, stride: 2, padTop: 0, padLeft: 0, rows: [3, 4] }],
      ['row_range empty', { inH: 7, inW: 9, inC: 3, outC: 8, stride: 1, padTop: 1, padLeft: 1, rows: [3, 3] }],
      ['mobilenet stem 32x32x3 → 32 stride_2', { inH: 32, inW: 32, inC: 3, outC: 32, stride: 2, padTop: 0, padLeft: 0 }],
      ['relu6', { inH: 9, inW: 11, inC: 3, outC: 24, stride: 2, padTop: 1, padLeft: 1, min: 0, max: 6, scale: 6 }],
      ['with_qmin', { inH: 9, inW: 11, inC: 3, outC: 9, stride: 1, padTop: 1, padLeft: 1, min: 0.5, scale: 6 }],
      ['with_qmax', { inH: 9, inW: 11, inC: 3, outC: 9, stride: 1, padTop: 1, padLeft: 1, max: -0.5, scale: 6 }],
    ] as [string, ConvCase][])('%s', (name, cs) => run(name, cs));
  });
});
