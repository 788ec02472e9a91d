// qs8-qc8w stem 3×3 convolution over an HWC image, wasm SIMD128: the ABI of
// qs8_qc8w_conv_3x3_hwc_minmax_gemmlowp_simd (per output row, every pixel's 3×3 taps widened to int16 straight from the image into scratch, then the int8 GEMM over those rows: assembly/q8/q8-im2col.ts) with fp32 requantization as XNNPACK (and so TFLite with its default XNNPACK delegate) computes it: out = clamp(rne(float(acc)·scale[c]), qmin − zp, qmax − zp) + zp, scale = float(float(s_in·s_w[c]) / s_out) (convScalesFp32), packed with the fp32 scales in the requantization block's mult words.
import { q8Conv3x3HwcRows } from "../q8/q8-im2col";
import { FP32, SIMD_PATH, UNIFORM_SHIFT } from "../q8/q8-flags";

export function qs8_qc8w_conv_3x3_hwc_minmax_fp32_simd(
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
    aZp, outZp, qmin, qmax, scratch, SIMD_PATH, UNIFORM_SHIFT, FP32);
}
