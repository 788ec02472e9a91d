// qu8 depthwise 3×3 convolution, one output row, TFLite uint8 arithmetic (reference_ops::DepthwiseConv
// uint8: acc = Σ (w − wZp)(x − xZp) over in-image taps + bias, MultiplyByQuantizedMultiplier, + outZp,
// clamp), wasm SIMD128, 8 channels per step; stride 1 or 2, any dilation, any padLeft ≥ 0.
//
// row0..row2: input rows [inW][channels] uint8 for ky = 0..2 (a padded row: a buffer of ≥ inW·channels
// bytes filled with aZp, plus 16 readable bytes); columns outside [0, inW) read as aZp.
// packed = packQDwconv3x3(w, channels, aZp, convRequant(...)) (src/plan/pack-q.ts), per-tensor weights.
// out: [outW][channels] uint8. Layout and loop: assembly/q8/q8-dwconv-simd.ts.
import { q8DwconvSimd } from "../q8/q8-dwconv-simd";
import { UNIFORM_SHIFT } from "../q8/q8-flags";

export function qu8_dwconv_3x3_minmax_gemmlowp_simd(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
): void {
  q8DwconvSimd<u8>(channels, inW, row0, row1, row2, stride, dilation, padLeft, packed, out, outW, aZp, outZp, qmin, qmax, UNIFORM_SHIFT);
}
