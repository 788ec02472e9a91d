// qs8-qc8w depthwise 3×3 convolution, one output row, TFLite int8 per-channel arithmetic
// (reference_integer_ops::DepthwiseConvPerChannel), wasm SIMD128, 8 channels per step, shift per channel.
// Same ABI and packed layout as qu8_dwconv_3x3_minmax_gemmlowp_simd with int8 rows and output.
import { q8DwconvSimd } from "../q8/q8-dwconv-simd";
import { PER_CHANNEL_SHIFT } from "../q8/q8-flags";

export function qs8_qc8w_dwconv_3x3_minmax_gemmlowp_simd(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
): void {
  q8DwconvSimd<i8>(channels, inW, row0, row1, row2, stride, dilation, padLeft, packed, out, outW, aZp, outZp, qmin, qmax, PER_CHANNEL_SHIFT);
}
