// qu8 elementwise ADD with XNNPACK's arithmetic (TFLite's default XNNPACK delegate): out = clamp(((bias +
// a·aMult + b·bMult) >> shift) + outZp, qmin, qmax), params = packMulShiftAddParams(addParamsMulShift(...)),
// scalar twin. out may alias a or b. See assembly/q8/q8-vadd-mulshift.ts.
import { q8VaddMulShiftScalar } from "../q8/q8-vadd-mulshift";

export function qu8_vadd_minmax_mulshift_scalar(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  q8VaddMulShiftScalar<u8>(n, a, b, out, params);
}
