// qs8 ARG_MAX over the channel axis: output[p] (int32) = the first channel of the maximum of input[p][.]
// (reference_ops::ArgMinMax; the caller widens to int64 if the model asks for it).
import { q8Argmax } from "../q8/q8-misc-scalar";

export function qs8_argmax_scalar(pixels: i32, channels: i32, input: usize, output: usize): void {
  q8Argmax<i8>(pixels, channels, input, output);
}
