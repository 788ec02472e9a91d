// Generic int8 depthwise 3×3 convolution, one output row, scalar: the twin of q8-dwconv-simd.ts (same ABI,
// same packed layout, same arithmetic). Taps outside [0, inW) read the input zero point; padded rows are
// the caller's zero-point buffer. Reads only the bytes of real channels; writes outW·channels bytes.

import { clampI32, loadQ, mbqmPacked, requantFp32 } from "./q8-scalar";

// @ts-ignore: decorator
@inline export function q8DwconvScalar<T>(
  channels: i32, inW: i32,
  row0: usize, row1: usize, row2: usize,
  stride: i32, dilation: i32, padLeft: i32,
  packed: usize,
  out: usize, outW: i32,
  aZp: i32, outZp: i32, qmin: i32, qmax: i32,
  fp32: bool = false,
): void {
  const minf = <f32>(qmin - outZp);
  const maxf = <f32>(qmax - outZp);
  for (let c = 0; c < channels; c++) {
    const g = c >> 3;
    const j = c & 7;
    const w = packed + <usize>g * 320;
    const pp = w + (<usize>j << 2);
    const bias = load<i32>(pp);
    const mult = load<i32>(pp, 32);
    const lmul = load<i32>(pp, 64);
    const rs = load<i32>(pp, 96);
    const rmask = load<i32>(pp, 128);
    const pw = w + 160 + (<usize>j << 2);
    for (let x = 0; x < outW; x++) {
      let acc = bias;
      for (let t = 0; t < 9; t++) {
        const ky = t / 3;
        const kx = t - ky * 3;
        const row = ky == 0 ? row0 : (ky == 1 ? row1 : row2);
        const ix = x * stride - padLeft + kx * dilation;
        const a = ix >= 0 && ix < inW ? loadQ<T>(row + <usize>ix * <usize>channels + <usize>c) : aZp;
        // Pair slot (2·pair + lane) of the packed tap pairs (w00, w10) (w01, w11) (w02, w12) (w22, w21) (w20, 0).
        const slot = ky < 2 ? kx * 2 + ky : 8 - kx;
        acc += a * <i32>load<i16>(pw + (<usize>(slot >> 1) << 5) + (<usize>(slot & 1) << 1));
      }
      const v = fp32 ? requantFp32(acc, reinterpret<f32>(mult), minf, maxf, outZp) : mbqmPacked(acc, mult, lmul, rs, rmask) + outZp;
      store<u8>(out + <usize>x * <usize>channels + <usize>c, <u8>clampI32(v, qmin, qmax));
    }
  }
}
