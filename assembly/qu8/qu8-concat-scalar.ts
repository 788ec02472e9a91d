// qu8 CONCATENATION along channels, one input per call: `pixels` rows of `channels` bytes (contiguous) into
// output rows outStride bytes apart (output points at this input's first channel). copy ≠ 0: a byte copy
// (equal quantization; int8 concatenations always, TFLite requires it); else TFLite's rescale in float32:
// clamp(round(q·scale + bias) + outZp, 0, 255) with (copy, scale, bias, outZp) from concatParams.
import { q8ConcatSlice } from "../q8/q8-misc-scalar";

export function qu8_concat_scalar(pixels: i32, channels: i32, input: usize, output: usize, outStride: i32, copy: i32, scale: f32, bias: f32, outZp: i32): void {
  q8ConcatSlice(pixels, channels, input, output, outStride, copy, scale, bias, outZp);
}
