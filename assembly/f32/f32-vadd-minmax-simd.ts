// f32 elementwise add with clamp: out[i] = clamp(a[i] + b[i], min, max), wasm SIMD128.
// n ≥ 1 elements; out may alias a or b (element i is read before it is written). Reads and writes exactly n
// elements: blocks of 16, then 4, then a partial vector of 1-3 lanes.

import { clampF32x4, loadLanesF32, storeLanesF32 } from "../common/simd";

/** out[i] = clamp(a[i] + b[i], min, max) for 0 ≤ i < n. */
export function f32_vadd_minmax_simd(n: i32, a: usize, b: usize, out: usize, min: f32, max: f32): void {
  const vmin = f32x4.splat(min);
  const vmax = f32x4.splat(max);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const va0 = v128.load(a + o);
    const va1 = v128.load(a + o, 16);
    const va2 = v128.load(a + o, 32);
    const va3 = v128.load(a + o, 48);
    const vb0 = v128.load(b + o);
    const vb1 = v128.load(b + o, 16);
    const vb2 = v128.load(b + o, 32);
    const vb3 = v128.load(b + o, 48);
    v128.store(out + o, clampF32x4(f32x4.add(va0, vb0), vmin, vmax));
    v128.store(out + o, clampF32x4(f32x4.add(va1, vb1), vmin, vmax), 16);
    v128.store(out + o, clampF32x4(f32x4.add(va2, vb2), vmin, vmax), 32);
    v128.store(out + o, clampF32x4(f32x4.add(va3, vb3), vmin, vmax), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, clampF32x4(f32x4.add(v128.load(a + o), v128.load(b + o)), vmin, vmax));
  }
  const rem = n - i;
  if (rem > 0) {
    const o = <usize>i << 2;
    storeLanesF32(out + o, clampF32x4(f32x4.add(loadLanesF32(a + o, rem), loadLanesF32(b + o, rem)), vmin, vmax), rem);
  }
}
