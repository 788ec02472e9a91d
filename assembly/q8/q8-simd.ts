// SIMD helpers shared by the qu8 / qs8 *-simd kernels: TFLite's fixed-point requantization on four int32
// lanes (see q8-scalar.ts for the arithmetic), narrowing with the output zero point, and clamping.
//
// The doubling high multiply uses i64x2.extmul_{low,high}_i32x4_s, adds 2^30 and keeps bits 31..62
// (shift left by one, take the odd 32-bit lanes). RoundingDivideByPOT needs a per-lane shift when the
// channels of a vector have different exponents (qs8 per-channel weights); wasm shifts take one count, so
// the per-lane form shifts four times and blends. qu8 (per-tensor) uses the one-shift form.

import { storeBytes8 } from "./q8-scalar";

/** SaturatingRoundingDoublingHighMul for mult ≥ 0: (x·mult + 2^30) >> 31 per lane. */
// @ts-ignore: decorator
@inline export function srdhmX4(vx: v128, vmult: v128): v128 {
  const vround = i64x2.splat(0x40000000);
  const vlo = i64x2.shl(i64x2.add(i64x2.extmul_low_i32x4_s(vx, vmult), vround), 1);
  const vhi = i64x2.shl(i64x2.add(i64x2.extmul_high_i32x4_s(vx, vmult), vround), 1);
  return v128.shuffle<i32>(vlo, vhi, 1, 3, 5, 7);
}

/** Arithmetic shift right of each lane by its own count. */
// @ts-ignore: decorator
@inline export function shrPerLaneX4(vt: v128, r0: i32, r1: i32, r2: i32, r3: i32): v128 {
  const v01 = v128.shuffle<i32>(i32x4.shr_s(vt, r0), i32x4.shr_s(vt, r1), 0, 5, 2, 7);
  const v23 = v128.shuffle<i32>(i32x4.shr_s(vt, r2), i32x4.shr_s(vt, r3), 0, 5, 2, 7);
  return v128.shuffle<i32>(v01, v23, 0, 1, 6, 7);
}

/**
 * MultiplyByQuantizedMultiplier on 4 lanes, channels [j, j + 4) of a requantization block whose vectors the
 * caller has loaded (pp points at bias'[j]; mult at +32, lmul at +64, rshift at +96, rmask at +128):
 * vlmul = lmul, vmult = mult, vmask = rmask, vhalf = vmask >> 1. perLane (qs8 per-channel weights): lane i
 * multiplies by lmul[i] and shifts right by its own rshift (the scalars at pp + 96); otherwise (qu8,
 * per-tensor) every lane shifts left by `ls` = log2(lmul) and right by `rs`.
 */
// @ts-ignore: decorator
@inline export function requantX4v(
  vacc: v128, vlmul: v128, ls: i32, vmult: v128, vmask: v128, vhalf: v128, pp: usize, perLane: bool, rs: i32,
): v128 {
  const vx = perLane ? i32x4.mul(vacc, vlmul) : i32x4.shl(vacc, ls);
  const vt = srdhmX4(vx, vmult);
  const vthr = i32x4.sub(vhalf, i32x4.shr_s(vt, 31));
  const vup = i32x4.gt_s(v128.and(vt, vmask), vthr);
  let vsh: v128;
  if (perLane) {
    vsh = shrPerLaneX4(vt, load<i32>(pp, 96), load<i32>(pp, 100), load<i32>(pp, 104), load<i32>(pp, 108));
  } else {
    vsh = i32x4.shr_s(vt, rs);
  }
  return i32x4.sub(vsh, vup);
}

/** MBQM with one (mult, lmul, rs) for all lanes (vmask = splat(2^rs − 1), vhalf = splat(mask >> 1)). */
// @ts-ignore: decorator
@inline export function mbqmUniformX4(vx: v128, vmult: v128, lmulShift: i32, rs: i32, vmask: v128, vhalf: v128): v128 {
  const vt = srdhmX4(i32x4.shl(vx, lmulShift), vmult);
  const vthr = i32x4.sub(vhalf, i32x4.shr_s(vt, 31));
  return i32x4.sub(i32x4.shr_s(vt, rs), i32x4.gt_s(v128.and(vt, vmask), vthr));
}

/** Two int32x4 results + output zero point → int16x8 (saturating, like clamping the int32 sum later). */
// @ts-ignore: decorator
@inline export function packZpI16(v0: v128, v1: v128, vzp: v128): v128 {
  return i16x8.add_sat_s(i16x8.narrow_i32x4_s(v0, v1), vzp);
}

/** Two int16x8 → 16 bytes of T (u8 or i8), saturating, then clamped to [vmin, vmax] (splatted bytes). */
// @ts-ignore: decorator
@inline export function narrowClamp<T>(v0: v128, v1: v128, vmin: v128, vmax: v128): v128 {
  if (isSigned<T>()) {
    return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(v0, v1), vmin), vmax);
  } else {
    return i8x16.min_u(i8x16.max_u(i8x16.narrow_i16x8_u(v0, v1), vmin), vmax);
  }
}

/** 8 activations of type T widened to int16x8. */
// @ts-ignore: decorator
@inline export function load8x8Q<T>(p: usize): v128 {
  if (isSigned<T>()) return v128.load8x8_s(p);
  return v128.load8x8_u(p);
}

/** Bytes 0..7 of v (T = u8 or i8) widened to int16x8. */
// @ts-ignore: decorator
@inline export function widenLoQ<T>(v: v128): v128 {
  return isSigned<T>() ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
}

/** Bytes 8..15 of v (T = u8 or i8) widened to int16x8. */
// @ts-ignore: decorator
@inline export function widenHiQ<T>(v: v128): v128 {
  return isSigned<T>() ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
}

/** Stores bytes [0, count) (count 1..8) of v. */
// @ts-ignore: decorator
@inline export function storeLo8(p: usize, v: v128, count: i32): void {
  if (count >= 8) v128.store64_lane(p, v, 0);
  else storeBytes8(p, i64x2.extract_lane(v, 0), count);
}

/** Stores bytes [8, 8 + count) (count 1..8) of v. */
// @ts-ignore: decorator
@inline export function storeHi8(p: usize, v: v128, count: i32): void {
  if (count >= 8) v128.store64_lane(p, v, 1);
  else storeBytes8(p, i64x2.extract_lane(v, 1), count);
}

/**
 * fp32 requantization (XNNPACK's "fp32" scheme, what TFLite's XNNPACK delegate runs): v = float(acc)·scale,
 * clamped to [qmin − zp, qmax − zp], rounded to nearest-even, + zp, as int32 — computed as XNNPACK's
 * wasmsimd kernels do: the 1.5·2^23 magic-bias add rounds, an integer max with the bits of magic + (qmin − zp)
 * clamps below (float bits order like the values), and the upper clamp is left to the caller's saturating
 * narrowing + min with qmax (rounding is monotonic and the bounds are integers, so clamping after rounding
 * gives the same bytes as clamping before).
 * vmagic = f32x4.splat(12582912.0); vmagicMin = i32x4.splat(0x4B400000 + qmin − zp);
 * vmagicLessZp = i32x4.splat(0x4B400000 − zp). The result is ≥ qmin and may exceed qmax.
 */
// @ts-ignore: decorator
@inline export function requantFp32X4(vacc: v128, vscale: v128, vmagic: v128, vmagicMin: v128, vmagicLessZp: v128): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(vacc), vscale), vmagic);
  return i32x4.sub(i32x4.max_s(v, vmagicMin), vmagicLessZp);
}

/** Two int16x8 (each ≥ qmin) → 16 bytes of T (u8 or i8), saturating, then clamped above to vmax. */
// @ts-ignore: decorator
@inline export function narrowMax<T>(v0: v128, v1: v128, vmax: v128): v128 {
  if (isSigned<T>()) return i8x16.min_s(i8x16.narrow_i16x8_s(v0, v1), vmax);
  return i8x16.min_u(i8x16.narrow_i16x8_u(v0, v1), vmax);
}
