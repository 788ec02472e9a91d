// f32 elementwise add with clamp: out[i] = clamp(a[i] + b[i], min, max); scalar twin of f32-vadd-minmax-simd.
// n ≥ 1 elements; out may alias a or b.

/** out[i] = clamp(a[i] + b[i], min, max) for 0 ≤ i < n. */
export function f32_vadd_minmax_scalar(n: i32, a: usize, b: usize, out: usize, min: f32, max: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(a + o) + load<f32>(b + o);
    store<f32>(out + o, v < min ? min : (v > max ? max : v));
  }
}
