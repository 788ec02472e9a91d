// f32 softmax: output[i] = exp(input[i] − max) / Σ_j exp(input[j] − max), the numerically stable form.
// n ≥ 1; output may alias input. exp and the sum are computed in f64; exp(x − max) is kept in output (f32)
// between the second and third pass, so the result carries two f32 roundings (≤ 2 ulp).
// There is no SIMD variant: softmax runs once per inference on ~1000 logits.
//
// exp is computed here rather than with Math.exp, whose AssemblyScript implementation brings a 2 KiB lookup
// table as a data segment at a fixed address in the host-owned memory; kernels must not own memory.

/**
 * e^d for d ≤ 0 in f64 without tables: d = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to r^11
 * (relative error < 1e-13), times 2^k built from the exponent bits. Returns 0 below −700 and NaN for NaN
 * (never converts NaN to an integer, which would trap).
 */
// @ts-ignore: decorator
@inline function expNonPositive(d: f64): f64 {
  if (d != d) return d;
  if (d < -700) return 0;
  const k = Math.floor(d * 1.4426950408889634 + 0.5); // round(d / ln2)
  const r = (d - k * 0.6931471803691238) - k * 1.9082149292705877e-10; // ln2 split in two parts (Cody-Waite)
  let p = 1.0 / 39916800; // 1/11!
  p = p * r + 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * reinterpret<f64>((<i64>k + 1023) << 52);
}

/** output = softmax(input[0..n)). */
export function f32_softmax_scalar(n: i32, input: usize, output: usize): void {
  let vmax = load<f32>(input);
  for (let i = 1; i < n; i++) {
    const v = load<f32>(input + (<usize>i << 2));
    if (v > vmax) vmax = v;
  }
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const e = expNonPositive(<f64>load<f32>(input + o) - <f64>vmax);
    sum += e;
    store<f32>(output + o, <f32>e);
  }
  const scale = 1.0 / sum;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(output + o, <f32>(<f64>load<f32>(output + o) * scale));
  }
}
