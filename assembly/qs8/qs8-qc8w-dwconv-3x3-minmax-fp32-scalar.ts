// qs8-qc8w depthwise 3×3 convolution, one output row, scalar twin: the ABI, packed layout and loop of
// qs8_qc8w_dwconv_3x3_minmax_gemmlowp_scalar with fp32 requantization as XNNPACK (and so TFLite with its default XNNPACK delegate) computes it: out = clamp(rne(float(acc)·scale[c]), qmin − zp, qmax − zp) + zp, scale = float(float(s_in·s_w[c]) / s_out) (convScalesFp32), packed with the fp32 scales in the requantization block's mult words.
import { q8DwconvScalar } from "../q8/q8-dwconv-scalar";
import { FP32 } from "../q8/q8-flags";

export function qs8_qc8w_dwconv_3x3_minmax_fp32_scalar(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
): void {
  q8DwconvScalar<i8>(channels, inW, row0, row1, row2, stride, dilation, padLeft, packed, out, outW, aZp, outZp, qmin, qmax, FP32);
}
