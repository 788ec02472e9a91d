// qs8 QUANTIZE i8 → i8 with new parameters, XNNPACK's arithmetic (the qs8-vcvt convert TFLite's XNNPACK delegate
// runs): out = clamp(((outZp << shift) + 2^(shift−1) − mult·inZp + q·mult) >> shift, qmin, qmax) with
// mult = lrintf(256·s_in/s_out), shift = 8 (requantizeParamsMulShift in src/plan/requant.ts).
import { q8RequantizeMulShift } from "../q8/q8-misc-scalar";

export function qs8_requantize_mulshift_scalar(n: i32, input: usize, output: usize, inZp: i32, outZp: i32, mult: i32, shift: i32, qmin: i32, qmax: i32): void {
  q8RequantizeMulShift<i8>(n, input, output, inZp, outZp, mult, shift, qmin, qmax);
}
