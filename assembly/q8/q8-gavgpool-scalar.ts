// Generic int8 global average pooling (AVERAGE_POOL_2D over the whole image, MEAN over H and W), scalar.
// Sums every channel over `pixels` pixels ([pixels][channels] of T) in int32, then finishes each sum the
// way the chosen TFLite path does (params: Int32Array[8] from src/plan/requant.ts poolParams):
//   mode 0 avgpool    uint8: (s + n/2) / n; int8: halves away from zero (pooling.h); clamp [qmin, qmax]
//   mode 1 mean-4d    uint8: clamp(MBQM(s, mult, shift) + bias, 0, 255) (reference_ops::Mean uint8)
//                     int8: s' = MBQM(s − n·zpIn, mult, shift), rounded / n away from zero, + zpOut, clamp
//   mode 2 mean-same  s / n truncated toward zero (reference_ops::Mean, equal quantization)
//   mode 3 mean-float roundf(float(s)/float(n)·scale + bias) + zpOut clamped (QuantizedMeanOrSum)
// words: 0 mode, 1 n, 2 qmin, 3 qmax, 4 mult | f32 scale, 5 shift | f32 bias, 6 bias | zpOut, 7 zpIn.

import { clampI32, loadQ, mbqm, roundAwayF32 } from "./q8-scalar";

/** The output value of a channel whose int32 sum over the pixels is `s`. */
// @ts-ignore: decorator
@inline export function poolFinish<T>(s: i32, params: usize): i32 {
  const mode = load<i32>(params, 0);
  const n = load<i32>(params, 4);
  const half = n / 2;
  if (mode == 0) {
    const v = isSigned<T>() ? (s > 0 ? (s + half) / n : (s - half) / n) : (s + half) / n;
    return clampI32(v, load<i32>(params, 8), load<i32>(params, 12));
  } else if (mode == 1) {
    if (isSigned<T>()) {
      let acc = mbqm(s - n * load<i32>(params, 28), load<i32>(params, 16), load<i32>(params, 20));
      acc = acc > 0 ? (acc + half) / n : (acc - half) / n;
      return clampI32(acc + load<i32>(params, 24), -128, 127);
    }
    return clampI32(mbqm(s, load<i32>(params, 16), load<i32>(params, 20)) + load<i32>(params, 24), 0, 255);
  } else if (mode == 2) {
    return s / n;
  } else {
    const mean = <f32>s / <f32>n;
    let r = roundAwayF32(mean * load<f32>(params, 16) + load<f32>(params, 20)) + <f32>load<i32>(params, 24);
    const lo = <f32>load<i32>(params, 8);
    const hi = <f32>load<i32>(params, 12);
    r = r < lo ? lo : (r > hi ? hi : r);
    return <i32>r;
  }
}

// @ts-ignore: decorator
@inline export function q8GavgpoolScalar<T>(pixels: i32, channels: i32, input: usize, output: usize, params: usize): void {
  const stride = <usize>channels;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    let p = input + <usize>c;
    for (let i = 0; i < pixels; i++) {
      s += loadQ<T>(p);
      p += stride;
    }
    store<u8>(output + <usize>c, <u8>poolFinish<T>(s, params));
  }
}
