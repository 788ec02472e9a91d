// qs8 QUANTIZE float32 → i8 as XNNPACK's convert: clamp(x·(1/scale)) in float32, rounded to nearest-even,
// + zp (TFLite with its XNNPACK delegate). qmin/qmax: -128, 127.
import { q8QuantizeFp32 } from "../q8/q8-misc-scalar";

export function qs8_quantize_fp32_scalar(n: i32, input: usize, output: usize, scale: f64, zp: i32, qmin: i32, qmax: i32): void {
  q8QuantizeFp32(n, input, output, scale, zp, qmin, qmax);
}
