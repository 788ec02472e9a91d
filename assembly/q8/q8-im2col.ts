// The rows of taps a dense 3×3 convolution over an HWC image (the stem layer of the int8 kernels) multiplies,
// one output row at a time, in im2col order: tap (ky·3 + kx)·inC + ci of pixel ox is in[iy][ix][ci], or the
// input zero point outside the image; the row then runs through the int8 GEMM with k = 9·inC (weights packed
// by packQConv3x3 in the same order). Scalar: im2colRow3x3 writes bytes (interior kernel rows, 3·inC contiguous
// bytes, with 8-byte moves). SIMD: widenTaps3x3 writes them widened to int16, the form the SIMD GEMM's inner
// loop reads, so there is no byte pass and no second widening. q8Conv3x3HwcRows is the whole stem kernel, a
// row of taps and a GEMM per output row, for every variant.

import { q8GemmScalar } from "./q8-gemm-scalar";
import { q8GemmWideRows } from "./q8-gemm-simd";
import { load8x8Q } from "./q8-simd";

/** Copies n bytes (exact: no byte outside [dst, dst + n) is written, none outside [src, src + n) read). */
// @ts-ignore: decorator
@inline function copySmall(dst: usize, src: usize, n: usize): void {
  while (n >= 8) {
    store<u64>(dst, load<u64>(src));
    dst += 8;
    src += 8;
    n -= 8;
  }
  while (n > 0) {
    store<u8>(dst, load<u8>(src));
    dst++;
    src++;
    n--;
  }
}

/** Fills n bytes with v. */
// @ts-ignore: decorator
@inline function fillSmall(dst: usize, v: u8, n: usize): void {
  while (n > 0) {
    store<u8>(dst, v);
    dst++;
    n--;
  }
}

/** Writes outW rows of 9·inC bytes at scratch for output row oy. */
// @ts-ignore: decorator
@inline export function im2colRow3x3(
  inH: i32, inW: i32, inC: i32, input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  outW: i32, oy: i32, aZp: i32, scratch: usize,
): void {
  const pixelBytes = <usize>inC;
  const rowBytes = <usize>inW * pixelBytes;
  const tapRowBytes = pixelBytes * 3;
  const zp = <u8>aZp;
  let s = scratch;
  for (let ox = 0; ox < outW; ox++) {
    const ix0 = ox * stride - padLeft;
    const interiorX = ix0 >= 0 && ix0 + 2 < inW;
    for (let ky = 0; ky < 3; ky++) {
      const iy = oy * stride - padTop + ky;
      if (iy < 0 || iy >= inH) {
        fillSmall(s, zp, tapRowBytes);
        s += tapRowBytes;
      } else if (interiorX) {
        copySmall(s, input + <usize>iy * rowBytes + <usize>ix0 * pixelBytes, tapRowBytes);
        s += tapRowBytes;
      } else {
        for (let kx = 0; kx < 3; kx++) {
          const ix = ix0 + kx;
          if (ix >= 0 && ix < inW) {
            copySmall(s, input + <usize>iy * rowBytes + <usize>ix * pixelBytes, pixelBytes);
          } else {
            fillSmall(s, zp, pixelBytes);
          }
          s += pixelBytes;
        }
      }
    }
  }
}

/**
 * Writes, for output row oy, outW rows of kq int16 at `rows` (2·kq bytes apart): pixel ox's 9·inC taps in
 * im2col order, widened from T, the input zero point where a tap falls outside the image. Interior kernel
 * rows (3·inC contiguous bytes) go 8 at a time (v128.load8x8 → one 16-byte store), the rest byte by byte.
 */
// @ts-ignore: decorator
@inline function widenTaps3x3<T>(
  inH: i32, inW: i32, inC: i32, input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  outW: i32, oy: i32, aZp: i32, rows: usize, kq: i32,
): void {
  const pixelBytes = <usize>inC;
  const rowBytes = <usize>inW * pixelBytes;
  const seg = pixelBytes * 3; // one kernel row's taps
  const zp = <i16>aZp;
  const rowStride = <usize>kq << 1;
  for (let ox = 0; ox < outW; ox++) {
    const ix0 = ox * stride - padLeft;
    const interiorX = ix0 >= 0 && ix0 + 2 < inW;
    const dst = rows + <usize>ox * rowStride;
    for (let ky = 0; ky < 3; ky++) {
      const iy = oy * stride - padTop + ky;
      const d = dst + ((<usize>ky * seg) << 1);
      if (iy < 0 || iy >= inH) {
        for (let j: usize = 0; j < seg; j++) store<i16>(d + (j << 1), zp);
      } else if (interiorX) {
        const src = input + <usize>iy * rowBytes + <usize>ix0 * pixelBytes;
        let j: usize = 0;
        for (; j + 8 <= seg; j += 8) v128.store(d + (j << 1), load8x8Q<T>(src + j));
        for (; j < seg; j++) store<i16>(d + (j << 1), <i16>load<T>(src + j));
      } else {
        for (let kx = 0; kx < 3; kx++) {
          const ix = ix0 + kx;
          const dk = d + ((<usize>kx * pixelBytes) << 1);
          if (ix >= 0 && ix < inW) {
            const src = input + <usize>iy * rowBytes + <usize>ix * pixelBytes;
            for (let j: usize = 0; j < pixelBytes; j++) store<i16>(dk + (j << 1), <i16>load<T>(src + j));
          } else {
            for (let j: usize = 0; j < pixelBytes; j++) store<i16>(dk + (j << 1), zp);
          }
        }
      }
    }
  }
}

/**
 * Output rows [oy0, oy1) of the 3×3 convolution (see the qu8 / qs8 conv-3x3-hwc kernels for the ABI). SIMD: per
 * row, every pixel's taps widened to int16 straight from the image into scratch, then the int8 GEMM over those
 * rows (q8GemmWideRows) with the depth rounded up to a pair, not to 8: 14 k-pairs for the RGB stem's k = 27
 * instead of 16. Scalar: per row, im2col into scratch (bytes), then the scalar GEMM. perLane (SIMD gemmlowp
 * only) and fp32 select the requantization as in q8GemmSimd / q8GemmScalar. The SIMD path is compiled only into
 * SIMD builds. Scratch: src/plan/pack-q.ts qconv3x3ScratchBytes (room for either).
 */
// @ts-ignore: decorator
@inline export function q8Conv3x3HwcRows<T>(
  inH: i32, inW: i32, inC: i32, input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  packed: usize, outC: i32, output: usize, outW: i32,
  oy0: i32, oy1: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
  scratch: usize,
  simd: bool, perLane: bool, fp32: bool,
): void {
  const k = 9 * inC;
  const kq = (k + 1) & ~1;
  const rowBytes = <usize>outW * <usize>outC;
  for (let oy = oy0; oy < oy1; oy++) {
    const c = output + <usize>oy * rowBytes;
    if (ASC_FEATURE_SIMD && simd) {
      widenTaps3x3<T>(inH, inW, inC, input, stride, padTop, padLeft, outW, oy, aZp, scratch, kq);
      q8GemmWideRows<T>(outW, outC, k, kq, scratch, <usize>kq << 1, packed, c, outC, outZp, qmin, qmax, perLane, fp32);
    } else {
      im2colRow3x3(inH, inW, inC, input, stride, padTop, padLeft, outW, oy, aZp, scratch);
      q8GemmScalar<T>(outW, outC, k, scratch, k, packed, c, outC, outZp, qmin, qmax, fp32);
    }
  }
}
