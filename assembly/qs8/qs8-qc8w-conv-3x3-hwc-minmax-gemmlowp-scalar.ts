// qs8-qc8w dense 3×3 convolution over an HWC image (the stem layer), TFLite int8 per-channel arithmetic, scalar twin (same ABI and packed layout).
//
//   out[oy][ox][co] = clamp(MBQM(bias[co] + Σ_{ky,kx,ci} (in[iy][ix][ci] − aZp)(w[ky][kx][ci][co] − wZp), ...) + outZp)
//   iy = oy·stride − padTop + ky, ix = ox·stride − padLeft + kx; taps outside the image read aZp
//
// input [inH][inW][inC]; output rows oy ∈ [oy0, oy1) of [.][outW][outC] (at output + oy·outW·outC).
// packed = packQConv3x3(w, inC, outC, aZp, convRequant(...)). scratch: qconv3x3ScratchBytes(inC, outW)
// bytes the kernel overwrites (one im2col row, then the int8 GEMM over k = 9·inC).
import { q8Conv3x3HwcRows } from "../q8/q8-im2col";
import { GEMMLOWP, SCALAR_PATH, UNIFORM_SHIFT } from "../q8/q8-flags";

export function qs8_qc8w_conv_3x3_hwc_minmax_gemmlowp_scalar(
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
    aZp, outZp, qmin, qmax, scratch, SCALAR_PATH, UNIFORM_SHIFT, GEMMLOWP);
}
