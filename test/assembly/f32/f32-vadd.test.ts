// f32_vadd_minmax_* against a + b: lengths around the 4- and 16-lane blocks, clamps, in-place (out = a or b).
import { describe, it } from 'vitest';
import type { VaddFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { vaddRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, kernelOf, variants } from '../../helpers/wasm.js';

const N = [1, 3, 4, 5, 15, 16, 17, 33, 100];

describe.each(variants('vadd'))('$label', (v) => {
  const { fn, memory } = kernelOf<VaddFn>(v);
  const cases: [string, number, number][] = [['no clamp', -Infinity, Infinity], ['relu6', 0, 6], ['with_qmin', 1, Infinity], ['with_qmax', -Infinity, -1]];
  for (const [cName, min, max] of cases) {
    for (const alias of ['out', 'out_eq_a', 'out_eq_b'] as const) {
      it.each(N)(`n_eq_%i ${cName} ${alias}`, (n) => {
        const label = `${v.entry.name} n=${n} ${cName} ${alias}`;
        const rand = mulberry32(n * 31 + min);
        const a = Float32Array.from({ length: n }, () => rand() * 16 - 8);
        const b = Float32Array.from({ length: n }, () => rand() * 16 - 8);
        const heap = new Heap(memory, n);
        const pa = heap.f32(a);
        const pb = heap.f32(b);
        const out = alias === 'out_eq_a' ? pa : alias === 'out_eq_b' ? pb : heap.f32Output(n);
        fn(n, pa, pb, out, min, max);
        heap.checkGuards(label);
        expectClose(heap.read(out, n), vaddRef(a, b, min, max), { label, rel: 0, abs: 0 });
      });
    }
  }
});
