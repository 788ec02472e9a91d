// int8 stem (dense 3×3 HWC convolution) with the relaxed-SIMD i8 dot product, for both families: the ABI of
// qs8_qc8w_conv_3x3_hwc_minmax_fp32_simd plus `xor` (as the dot GEMM's), over weights packed by packQGemmDot with
// k = 9·inC (src/plan/pack-q.ts packQConv3x3Dot). Per output row: each pixel's taps as bytes (im2colRow3x3, the
// input zero point outside the image) at a stride of kp = k rounded up to 8 (the pad bytes meet zero weights),
// XORed to the dot kernel's domain in place, then q8GemmDot over the row. Relaxed modules only.
import { im2colRow3x3 } from "../q8/q8-im2col";
import { q8GemmDot } from "../q8/q8-gemm-simd";

export function qs8_qc8w_conv_3x3_hwc_minmax_fp32_relaxed(
  inH: i32, inW: i32, inC: i32, input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  packed: usize, outC: i32, output: usize, outW: i32,
  oy0: i32, oy1: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
  scratch: usize, xor: i32,
): void {
  const k = 9 * inC;
  const kp = (k + 7) & ~7;
  const aXor = <u64>(xor & 0xff) * 0x0101010101010101;
  const rowBytes = <usize>outW * <usize>outC;
  const tapBytes = <usize>outW * <usize>kp;
  for (let oy = oy0; oy < oy1; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      // one pixel: output column 0 of the window shifted left by ox·stride
      im2colRow3x3(inH, inW, inC, input, stride, padTop, padLeft - ox * stride, 1, oy, aZp, scratch + <usize>ox * <usize>kp);
    }
    if (aXor != 0) for (let i: usize = 0; i < tapBytes; i += 8) store<u64>(scratch + i, load<u64>(scratch + i) ^ aXor);
    q8GemmDot(outW, outC, k, scratch, kp, packed, output + <usize>oy * rowBytes, outC, outZp, qmin, qmax, 0, xor & 0xff00);
  }
}
