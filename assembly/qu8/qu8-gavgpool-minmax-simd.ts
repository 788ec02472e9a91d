// qu8 global average pooling over all pixels (AVERAGE_POOL_2D with a whole-image window, MEAN over H
// and W) with the rounding of the TFLite path named in params (8 int32 from poolParams, src/plan/requant.ts:
// avgpool / mean-4d / mean-same / mean-float), wasm SIMD128, 16 channels per pass.
//   input [pixels][channels] → output [channels]. See assembly/q8/q8-gavgpool-scalar.ts.
import { q8GavgpoolSimd } from "../q8/q8-gavgpool-simd";

export function qu8_gavgpool_minmax_simd(pixels: i32, channels: i32, input: usize, output: usize, params: usize): void {
  q8GavgpoolSimd<u8>(pixels, channels, input, output, params);
}
