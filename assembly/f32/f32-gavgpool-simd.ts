// f32 global average pooling: output[c] = (Σ_p input[p][c]) · (1 / pixels), wasm SIMD128.
//
// input [pixels][channels]; output [channels]. pixels, channels ≥ 1. Reads and writes exactly these elements.
// Channel blocks of 16 (4 independent accumulators) with the pixel loop inside, then blocks of 4, then a
// partial block of 1-3 channels. The sum is in f32, in pixel order, scaled by the f32 reciprocal of pixels.

import { loadLanesF32, storeLanesF32 } from "../common/simd";

/** output[c] = mean over the pixels of input[p][c]. */
export function f32_gavgpool_simd(pixels: i32, channels: i32, input: usize, output: usize): void {
  const pixelBytes = <usize>channels << 2;
  const vscale = f32x4.splat(<f32>1 / <f32>pixels);
  let c = 0;
  for (; c + 16 <= channels; c += 16) {
    let p = input + (<usize>c << 2);
    let vacc0 = v128.load(p);
    let vacc1 = v128.load(p, 16);
    let vacc2 = v128.load(p, 32);
    let vacc3 = v128.load(p, 48);
    for (let i = 1; i < pixels; i++) {
      p += pixelBytes;
      vacc0 = f32x4.add(vacc0, v128.load(p));
      vacc1 = f32x4.add(vacc1, v128.load(p, 16));
      vacc2 = f32x4.add(vacc2, v128.load(p, 32));
      vacc3 = f32x4.add(vacc3, v128.load(p, 48));
    }
    const o = output + (<usize>c << 2);
    v128.store(o, f32x4.mul(vacc0, vscale));
    v128.store(o, f32x4.mul(vacc1, vscale), 16);
    v128.store(o, f32x4.mul(vacc2, vscale), 32);
    v128.store(o, f32x4.mul(vacc3, vscale), 48);
  }
  for (; c + 4 <= channels; c += 4) {
    let p = input + (<usize>c << 2);
    let vacc = v128.load(p);
    for (let i = 1; i < pixels; i++) {
      p += pixelBytes;
      vacc = f32x4.add(vacc, v128.load(p));
    }
    v128.store(output + (<usize>c << 2), f32x4.mul(vacc, vscale));
  }
  const rem = channels - c;
  if (rem > 0) {
    let p = input + (<usize>c << 2);
    let vacc = loadLanesF32(p, rem);
    for (let i = 1; i < pixels; i++) {
      p += pixelBytes;
      vacc = f32x4.add(vacc, loadLanesF32(p, rem));
    }
    storeLanesF32(output + (<usize>c << 2), f32x4.mul(vacc, vscale), rem);
  }
}
