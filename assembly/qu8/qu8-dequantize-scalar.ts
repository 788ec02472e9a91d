// qu8 DEQUANTIZE: out[i] = scale·(q[i] − zp) as float32 (reference_ops::Dequantize), scalar twin.
import { q8DequantizeScalar } from "../q8/q8-misc-scalar";

export function qu8_dequantize_scalar(n: i32, input: usize, output: usize, scale: f32, zp: i32): void {
  q8DequantizeScalar<u8>(n, input, output, scale, zp);
}
