// qs8 QUANTIZE i8 → i8 with new parameters (reference_ops::Requantize): out = clamp(MBQM(q − inZp, mult,
// shift) + outZp, qmin, qmax); (mult, shift) = quantizeMultiplier(inScale / outScale) (requantizeParams).
import { q8Requantize } from "../q8/q8-misc-scalar";

export function qs8_requantize_gemmlowp_scalar(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  q8Requantize<i8>(n, input, output, inZp, outZp, mult, shift, qmin, qmax);
}
