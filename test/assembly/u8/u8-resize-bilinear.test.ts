// u8_resize_bilinear_norm_f32_* against TensorFlow's ResizeBilinear (half_pixel_centers) semantics:
// crops, upscaling, downscaling, a 1×1 source, identity size, RGB and RGBA input, per-channel normalization.
import { describe, it } from 'vitest';
import type { ResizeFn } from '../../../src/wasm/kernels.js';
import { expectClose } from '../../helpers/close.js';
import { resizeBilinearRef } from '../../helpers/reference.js';
import { mulberry32 } from '../../helpers/random.js';
import { Heap, kernelOf, variants } from '../../helpers/wasm.js';

interface ResizeCase {
  srcW: number; srcH: number; srcC: 3 | 4;
  crop?: [number, number, number, number];
  dstW: number; dstH: number;
  scale?: [number, number, number]; off?: [number, number, number];
}

const MOBILENET: Pick<ResizeCase, 'scale' | 'off'> = { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], off: [-1, -1, -1] };
const IMAGENET: Pick<ResizeCase, 'scale' | 'off'> = {
  scale: [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)], off: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225],
};

describe.each(variants('preprocess'))('$label', (v) => {
  const { fn, memory } = kernelOf<ResizeFn>(v);
  const cases: [string, ResizeCase][] = [];
  for (const srcC of [3, 4] as const) {
    const rgb = srcC === 4 ? 'rgba' : 'rgb';
    cases.push(
      [`${rgb} downscale 37x29 → 8x6`, { srcW: 37, srcH: 29, srcC, dstW: 8, dstH: 6, ...MOBILENET }],
      [`${rgb} upscale 5x4 → 17x13`, { srcW: 5, srcH: 4, srcC, dstW: 17, dstH: 13, ...IMAGENET }],
      [`${rgb} identity 9x7`, { srcW: 9, srcH: 7, srcC, dstW: 9, dstH: 7 }],
      [`${rgb} 1x1 source → 5x3`, { srcW: 1, srcH: 1, srcC, dstW: 5, dstH: 3, ...MOBILENET }],
      [`${rgb} to 1x1`, { srcW: 10, srcH: 6, srcC, dstW: 1, dstH: 1 }],
      [`${rgb} center crop 40x30 [5,3 30x24] → 11x9`, { srcW: 40, srcH: 30, srcC, crop: [5, 3, 30, 24], dstW: 11, dstH: 9, ...MOBILENET }],
      [`${rgb} crop at the bottom-right corner, upscale`, { srcW: 20, srcH: 16, srcC, crop: [13, 9, 7, 7], dstW: 15, dstH: 16, ...IMAGENET }],
      [`${rgb} 1-pixel-wide crop`, { srcW: 12, srcH: 10, srcC, crop: [4, 2, 1, 6], dstW: 3, dstH: 4 }],
      [`${rgb} mobilenet 64x48 → 24x24`, { srcW: 64, srcH: 48, srcC, crop: [8, 0, 48, 48], dstW: 24, dstH: 24, ...MOBILENET }],
    );
  }
  it.each(cases)('%s', (name, cs) => {
    const label = `${v.entry.name} ${name}`;
    const { srcW, srcH, srcC, dstW, dstH } = cs;
    const [cx, cy, cw, ch] = cs.crop ?? [0, 0, srcW, srcH];
    const scale = cs.scale ?? [1, 1, 1];
    const off = cs.off ?? [0, 0, 0];
    const rand = mulberry32(srcW * 97 + srcH * 13 + srcC + dstW);
    const src = Uint8Array.from({ length: srcW * srcH * srcC }, () => Math.floor(rand() * 256));
    const heap = new Heap(memory, srcW + dstW);
    // The image ends exactly at the end of the memory: reading past its last byte (e.g. a 4-byte load of
    // the last RGB pixel) traps.
    const psrc = heap.bytesAtEnd(src);
    const out = heap.f32Output(dstW * dstH * 3);
    fn(psrc, srcW, srcH, srcC, cx, cy, cw, ch, out, dstW, dstH, scale[0], scale[1], scale[2], off[0], off[1], off[2]);
    heap.checkGuards(label);
    const expected = resizeBilinearRef(src, srcW, srcC, cx, cy, cw, ch, dstW, dstH, scale, off);
    expectClose(heap.read(out, dstW * dstH * 3), expected, {
      label, rel: 1e-4, abs: 1e-4, where: (i) => `dst[y=${Math.floor(i / 3 / dstW)}][x=${Math.floor(i / 3) % dstW}][c=${i % 3}]`,
    });
  });
});
