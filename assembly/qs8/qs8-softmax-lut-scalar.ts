// qs8 SOFTMAX over n elements, TFLite's default kernel (optimized_ops::Softmax with the float lookup
// table): table = 256 float32 from softmaxTable(inScale, beta) (src/plan/requant.ts); outScale and outZp
// of the output (TFLite: 1/256 and −128). output may alias input. See assembly/q8/q8-misc-scalar.ts.
import { q8SoftmaxLut } from "../q8/q8-misc-scalar";

export function qs8_softmax_lut_scalar(n: i32, input: usize, output: usize, table: usize, outScale: f32, outZp: i32): void {
  q8SoftmaxLut<i8>(n, input, output, table, outScale, outZp);
}
