// qu8 depthwise 3×3 convolution, one output row, scalar twin of qu8_dwconv_3x3_minmax_gemmlowp_simd
// (same ABI, same packed layout, same arithmetic). See assembly/q8/q8-dwconv-scalar.ts.
import { q8DwconvScalar } from "../q8/q8-dwconv-scalar";

export function qu8_dwconv_3x3_minmax_gemmlowp_scalar(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
): void {
  q8DwconvScalar<u8>(channels, inW, row0, row1, row2, stride, dilation, padLeft, packed, out, outW, aZp, outZp, qmin, qmax);
}
