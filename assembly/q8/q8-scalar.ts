// Scalar integer helpers shared by the qu8 / qs8 kernels (both modules): TFLite's fixed-point
// requantization (gemmlowp SaturatingRoundingDoublingHighMul + RoundingDivideByPOT) and storage clamps.
//
// MultiplyByQuantizedMultiplier(x, mult, shift) with mult ≥ 0, ls = max(shift, 0), rs = max(−shift, 0):
//   x' = x·2^ls (int32, wrapping like C)
//   t  = SRDHM(x', mult) = (x'·mult + 2^30) >> 31 (arithmetic): equal to gemmlowp's nudge-and-truncate
//        for every x' when mult ≥ 0, since ab + 1 − 2^30 truncated toward zero is floor((ab + 2^30)/2^31)
//        for ab < 0 (and the INT_MIN·INT_MIN saturation needs mult < 0)
//   RDBP(t, rs) = (t >> rs) + ((t & mask) > (mask >> 1) + (t < 0)),  mask = 2^rs − 1

/** MBQM with the packed parameters: lmul = 2^ls, rs, rmask = 2^rs − 1. */
// @ts-ignore: decorator
@inline export function mbqmPacked(x: i32, mult: i32, lmul: i32, rs: i32, rmask: i32): i32 {
  const t = <i32>((<i64>(x * lmul) * <i64>mult + 0x40000000) >> 31);
  const thr = (rmask >> 1) + <i32>(<u32>t >> 31);
  return (t >> rs) + <i32>((t & rmask) > thr);
}

/** MBQM with TFLite's (mult, shift) pair, shift > 0 meaning a left shift. */
// @ts-ignore: decorator
@inline export function mbqm(x: i32, mult: i32, shift: i32): i32 {
  const ls = shift > 0 ? shift : 0;
  const rs = shift > 0 ? 0 : -shift;
  return mbqmPacked(x, mult, 1 << ls, rs, rs == 0 ? 0 : (1 << rs) - 1);
}

/** clamp(v, lo, hi). */
// @ts-ignore: decorator
@inline export function clampI32(v: i32, lo: i32, hi: i32): i32 {
  return v < lo ? lo : (v > hi ? hi : v);
}

/** Loads one activation of type T (u8 or i8) widened to i32. */
// @ts-ignore: decorator
@inline export function loadQ<T>(p: usize): i32 {
  return isSigned<T>() ? <i32>load<i8>(p) : <i32>load<u8>(p);
}

/** C's round()/roundf(): halves away from zero. */
// @ts-ignore: decorator
@inline export function roundAwayF64(x: f64): f64 {
  const a = abs<f64>(x);
  let r = floor<f64>(a);
  if (a - r >= 0.5) r += 1.0;
  return copysign<f64>(r, x);
}

// @ts-ignore: decorator
@inline export function roundAwayF32(x: f32): f32 {
  const a = abs<f32>(x);
  let r = floor<f32>(a);
  if (a - r >= <f32>0.5) r += <f32>1.0;
  return copysign<f32>(r, x);
}

/** Stores the low `count` (1..8) bytes of `x`. */
// @ts-ignore: decorator
@inline export function storeBytes8(p: usize, x: u64, count: i32): void {
  if (count >= 8) {
    store<u64>(p, x);
    return;
  }
  if (count & 4) {
    store<u32>(p, <u32>x);
    x >>= 32;
    p += 4;
  }
  if (count & 2) {
    store<u16>(p, <u16>x);
    x >>= 16;
    p += 2;
  }
  if (count & 1) store<u8>(p, <u8>x);
}

/** fp32 requantization (XNNPACK): clamp(float(acc)·scale, qmin − zp, qmax − zp) rounded to nearest-even, + zp. */
// @ts-ignore: decorator
@inline export function requantFp32(acc: i32, scale: f32, minf: f32, maxf: f32, zp: i32): i32 {
  let v = <f32>acc * scale;
  v = v < minf ? minf : (v > maxf ? maxf : v);
  return <i32>nearest<f32>(v) + zp;
}
