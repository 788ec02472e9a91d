// im2col of one output row of a dense 3×3 convolution over an HWC image (the stem layer of the int8
// kernels): scratch[ox][(ky·3 + kx)·inC + ci] = in[iy][ix][ci], or the input zero point outside the image.
// The row then runs through the int8 GEMM with k = 9·inC (weights packed by packQConv3x3 in the same order).

/** Writes outW rows of 9·inC bytes at scratch for output row oy. */
// @ts-ignore: decorator
@inline export function im2colRow3x3(
  inH: i32, inW: i32, inC: i32, input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  outW: i32, oy: i32, aZp: i32, scratch: usize,
): void {
  const pixelBytes = <usize>inC;
  const rowBytes = <usize>inW * pixelBytes;
  let s = scratch;
  for (let ox = 0; ox < outW; ox++) {
    for (let ky = 0; ky < 3; ky++) {
      const iy = oy * stride - padTop + ky;
      for (let kx = 0; kx < 3; kx++) {
        const ix = ox * stride - padLeft + kx;
        if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
          memory.copy(s, input + <usize>iy * rowBytes + <usize>ix * pixelBytes, pixelBytes);
        } else {
          memory.fill(s, <u8>aZp, pixelBytes);
        }
        s += pixelBytes;
      }
    }
  }
}
