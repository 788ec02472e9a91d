// qu8 elementwise ADD with rescaling (TFLite 8-bit ADD: both inputs rescaled to a common scale with
// left_shift 20 and their own fixed-point multipliers, summed, rescaled to the output, + zero point,
// clamped to the fused activation's range), scalar twin.
//   n elements of a, b → out (u8); out may alias a or b. params: 12 int32 from packAddParams(addParams(...))
//   (src/plan/requant.ts). See assembly/q8/q8-vadd-scalar.ts.
import { q8VaddScalar } from "../q8/q8-vadd-scalar";

export function qu8_vadd_minmax_gemmlowp_scalar(n: i32, a: usize, b: usize, out: usize, params: usize): void {
  q8VaddScalar<u8>(n, a, b, out, params);
}
