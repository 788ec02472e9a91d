// qs8-qc8w stem 3×3 convolution over an HWC image, scalar twin: the ABI of
// qs8_qc8w_conv_3x3_hwc_minmax_gemmlowp_scalar (im2col row in scratch + int8 GEMM) with fp32 requantization as XNNPACK (and so TFLite with its default XNNPACK delegate) computes it: out = clamp(rne(float(acc)·scale[c]), qmin − zp, qmax − zp) + zp, scale = float(float(s_in·s_w[c]) / s_out) (convScalesFp32), packed with the fp32 scales in the requantization block's mult words.
import { q8Conv3x3HwcRows } from "../q8/q8-im2col";
import { FP32, SCALAR_PATH, UNIFORM_SHIFT } from "../q8/q8-flags";

export function qs8_qc8w_conv_3x3_hwc_minmax_fp32_scalar(
  inH: i32, inW: i32, inC: i32,
  input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  packed: usize,
  outC: i32,
  output: usize, outW: i32,
  oy0: i32, oy1: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
  scratch: usize,
): void {
  q8Conv3x3HwcRows<i8>(inH, inW, inC, input, stride, padTop, padLeft, packed, outC, output, outW, oy0, oy1,
    aZp, outZp, qmin, qmax, scratch, SCALAR_PATH, UNIFORM_SHIFT, FP32);
}
