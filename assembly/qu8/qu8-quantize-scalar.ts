// qu8 QUANTIZE float32 → u8: clamp(round(x / scale) + zp, qmin, qmax), the division in double and the
// rounding half away from zero (reference_ops::AffineQuantize). qmin/qmax: 0, 255.
import { q8Quantize } from "../q8/q8-misc-scalar";

export function qu8_quantize_scalar(n: i32, input: usize, output: usize, scale: f64, zp: i32, qmin: i32, qmax: i32): void {
  q8Quantize(n, input, output, scale, zp, qmin, qmax);
}
