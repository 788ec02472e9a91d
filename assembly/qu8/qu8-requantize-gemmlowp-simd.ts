// qu8 QUANTIZE with new parameters (reference_ops::Requantize), SIMD for equal scales: see q8/q8-requantize-simd.ts.
import { q8RequantizeSimd } from "../q8/q8-requantize-simd";

export function qu8_requantize_gemmlowp_simd(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  q8RequantizeSimd<u8>(n, input, output, inZp, outZp, mult, shift, qmin, qmax);
}
