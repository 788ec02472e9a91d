// f32 global average pooling: output[c] = (Σ_p input[p][c]) · (1 / pixels); scalar twin of f32-gavgpool-simd.
// input [pixels][channels]; output [channels]. pixels, channels ≥ 1. Sum in f32, in pixel order.

/** output[c] = mean over the pixels of input[p][c]. */
export function f32_gavgpool_scalar(pixels: i32, channels: i32, input: usize, output: usize): void {
  const pixelBytes = <usize>channels << 2;
  const scale = <f32>1 / <f32>pixels;
  for (let c = 0; c < channels; c++) {
    let p = input + (<usize>c << 2);
    let acc = load<f32>(p);
    for (let i = 1; i < pixels; i++) {
      p += pixelBytes;
      acc += load<f32>(p);
    }
    store<f32>(output + (<usize>c << 2), acc * scale);
  }
}
