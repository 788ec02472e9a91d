// f32_gavgpool_* against the naive mean: 1 and 49 pixels, channels 1..13 and around the 16-channel block.
import { describe, it } from 'vitest';
import type { GavgpoolFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { gavgpoolRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, kernelOf, variants } from '../../helpers/wasm.js';

const CHANNELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 20, 35, 1280];

describe.each(variants('gavgpool'))('$label', (v) => {
  const { fn, memory } = kernelOf<GavgpoolFn>(v);
  for (const pixels of [1, 7, 49]) {
    it.each(CHANNELS)(`pixels_eq_${pixels} channels_eq_%i`, (channels) => {
      const label = `${v.entry.name} pixels=${pixels} channels=${channels}`;
      const rand = mulberry32(pixels * 1000 + channels);
      const input = Float32Array.from({ length: pixels * channels }, () => rand() * 20 - 10);
      const heap = new Heap(memory, pixels + channels);
      const inp = heap.f32(input);
      const out = heap.f32Output(channels);
      fn(pixels, channels, inp, out);
      heap.checkGuards(label);
      expectClose(heap.read(out, channels), gavgpoolRef(pixels, channels, input), { label, abs: 1e-5 * Math.sqrt(pixels) });
    });
  }
});
