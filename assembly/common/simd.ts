// Inline SIMD helpers shared by the *-simd kernels: partial loads and stores of 1..3 f32 lanes.
// Used at channel / column tails so that no kernel writes (or, where the ABI forbids it, reads) past the
// last valid element. `count` is a run-time value; the branches are predictable and only taken at tails.
import { RELAXED_SIMD } from "./features";

/** Stores lanes [0, count) of `v` at `p`; count ∈ [0, 4]. Never touches memory past p + 4·count. */
// @ts-ignore: decorator
@inline export function storeLanesF32(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
  } else {
    if (count & 2) {
      v128.store64_lane(p, v, 0);
      v = v128.shuffle<f32>(v, v, 2, 3, 2, 3);
      p += 8;
    }
    if (count & 1) v128.store32_lane(p, v, 0);
  }
}

/** Loads lanes [0, count) from `p`, zero in the other lanes; count ∈ [0, 4]. Never reads past p + 4·count. */
// @ts-ignore: decorator
@inline export function loadLanesF32(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (count & 2) {
    v = v128.load64_zero(p);
    if (count & 1) v = v128.load32_lane(p, v, 2, 8);
  } else if (count & 1) {
    v = v128.load32_zero(p);
  }
  return v;
}

/** clamp(v, vmin, vmax) with pmax/pmin: one maxps + one minps on x64 (XNNPACK's operand order). */
// @ts-ignore: decorator
@inline export function clampF32x4(v: v128, vmin: v128, vmax: v128): v128 {
  return f32x4.pmin(vmax, f32x4.pmax(vmin, v));
}

/**
 * acc + a·b. In the relaxed module this is f32x4.relaxed_madd (a fused multiply-add where the CPU has
 * one, so the last bit may differ from the simd module's separate mul and add); elsewhere mul then add.
 */
// @ts-ignore: decorator
@inline export function maddF32x4(acc: v128, a: v128, b: v128): v128 {
  return RELAXED_SIMD ? f32x4.relaxed_madd(a, b, acc) : f32x4.add(acc, f32x4.mul(a, b));
}

/** Stores lanes [0, count) of the 8 lanes held in v0 (0..3) and v1 (4..7) at `p`; count ∈ [0, 8] or more (= 8). */
// @ts-ignore: decorator
@inline export function storeF32x8Lanes(p: usize, v0: v128, v1: v128, count: i32): void {
  if (count >= 8) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
  } else if (count >= 4) {
    v128.store(p, v0);
    storeLanesF32(p + 16, v1, count - 4);
  } else {
    storeLanesF32(p, v0, count);
  }
}
