// QUANTIZE between two quantizations (reference_ops::Requantize), SIMD where the scales are equal: then the
// multiplier is exactly 1 (quantizeMultiplier(1) = (2^30, 1), and MBQM(x, 2^30, 1) = x), so the conversion is
// out = clamp(q − inZp + outZp, qmin, qmax), 16 values per step in 16-bit lanes. That is the case that runs
// every inference in TF2 PTQ models: their uint8 input is converted to int8 with the same scale and a zero
// point 128 lower. Other multipliers take the scalar reference loop (q8Requantize), as does the tail.
import { q8Requantize } from "./q8-misc-scalar";

// @ts-ignore: decorator
@inline export function q8RequantizeSimd<T>(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  let i = 0;
  if (mult == 0x40000000 && shift == 1) {
    const vd = i16x8.splat(<i16>(outZp - inZp));
    const vmin = i16x8.splat(<i16>qmin);
    const vmax = i16x8.splat(<i16>qmax);
    for (; i + 16 <= n; i += 16) {
      const q = v128.load(input + <usize>i);
      let lo = isSigned<T>() ? i16x8.extend_low_i8x16_s(q) : i16x8.extend_low_i8x16_u(q);
      let hi = isSigned<T>() ? i16x8.extend_high_i8x16_s(q) : i16x8.extend_high_i8x16_u(q);
      lo = i16x8.min_s(i16x8.max_s(i16x8.add(lo, vd), vmin), vmax);
      hi = i16x8.min_s(i16x8.max_s(i16x8.add(hi, vd), vmin), vmax);
      // In [qmin, qmax] already: the narrowing only drops the high bytes (signed or unsigned by the output's range).
      v128.store(output + <usize>i, qmin < 0 ? i8x16.narrow_i16x8_s(lo, hi) : i8x16.narrow_i16x8_u(lo, hi));
    }
  }
  q8Requantize<T>(n - i, input + <usize>i, output + <usize>i, inZp, outZp, mult, shift, qmin, qmax);
}
