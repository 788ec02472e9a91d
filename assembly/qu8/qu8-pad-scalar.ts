// PAD of H and W, byte-generic (qu8 and qs8 tensors, and float32 with fill 0, whose zero is all-zero bytes):
// output rows oy ∈ [oy0, oy1) of [outH][outW][pixelBytes] = input row oy − padTop placed padLeft pixels in,
// every other byte `fill` (the zero point). Input and output must not overlap.
import { x8Pad } from "../q8/q8-misc-scalar";

export function qu8_pad_scalar(
  inH: i32, inW: i32, pixelBytes: i32, input: usize, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, output: usize, oy0: i32, oy1: i32, fill: i32,
): void {
  x8Pad(inH, inW, pixelBytes, input, padTop, padLeft, outH, outW, output, oy0, oy1, fill);
}
