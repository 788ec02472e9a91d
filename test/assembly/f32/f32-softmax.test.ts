// f32_softmax_scalar against an f64 softmax: n = 1, 5, 1001, logits large enough that exp would overflow
// without subtracting the maximum, very negative logits that underflow, and in-place use.
import { describe, expect, it } from 'vitest';
import type { SoftmaxFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { softmaxRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, kernelOf, variants } from '../../helpers/wasm.js';

describe.each(variants('softmax'))('$label', (v) => {
  const { fn, memory } = kernelOf<SoftmaxFn>(v);
  const cases: [string, number, (r: () => number, i: number) => number][] = [
    ['n_eq_1', 1, () => 3],
    ['n_eq_5 small logits', 5, (r) => r() * 4 - 2],
    ['n_eq_5 large logits (exp overflows without max)', 5, (r) => 100 + r() * 40],
    ['n_eq_1001 logits', 1001, (r) => r() * 20 - 10],
    ['n_eq_1001 large logits', 1001, (r) => 500 + r() * 200],
    ['n_eq_1001 one dominant, rest underflow', 1001, (_r, i) => (i === 417 ? 50 : -1000 + i)],
    ['n_eq_5 equal logits', 5, () => 88.5],
  ];
  for (const inPlace of [false, true]) {
    it.each(cases)(`%s${inPlace ? ' in_place' : ''}`, (name, n, gen) => {
      const label = `${v.entry.name} ${name}`;
      const rand = mulberry32(n);
      const x = Float32Array.from({ length: n }, (_, i) => gen(rand, i));
      const heap = new Heap(memory, n);
      const inp = heap.f32(x);
      const out = inPlace ? inp : heap.f32Output(n);
      fn(n, inp, out);
      heap.checkGuards(label);
      const y = heap.read(out, n);
      expectClose(y, softmaxRef(x), { label, abs: 1e-7 });
      expect(Math.abs(y.reduce((s, t) => s + t, 0) - 1)).toBeLessThan(1e-4);
      if (!inPlace) expect(heap.read(inp, n)).toEqual(x);
    });
  }
});
