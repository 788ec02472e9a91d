// qu8 ARG_MAX over the channel axis with an INT64 output: output[p] (int64) = the first channel of the maximum
// of input[p][.] (reference_ops::ArgMinMax; DeepLab's output type).
import { q8ArgmaxI64 } from "../q8/q8-misc-scalar";

export function qu8_argmax_i64_scalar(pixels: i32, channels: i32, input: usize, output: usize): void {
  q8ArgmaxI64<u8>(pixels, channels, input, output);
}
