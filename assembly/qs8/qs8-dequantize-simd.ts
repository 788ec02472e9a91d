// qs8 DEQUANTIZE: out[i] = scale·(q[i] − zp) as float32 (reference_ops::Dequantize), wasm SIMD128.
import { q8DequantizeSimd } from "../q8/q8-dequantize-simd";

export function qs8_dequantize_simd(n: i32, input: usize, output: usize, scale: f32, zp: i32): void {
  q8DequantizeSimd<i8>(n, input, output, scale, zp);
}
