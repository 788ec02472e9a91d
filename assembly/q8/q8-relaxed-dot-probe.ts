// Which integer arithmetic this engine gives i32x4.relaxed_dot_i8x16_i7x16_add_s when the second (i7)
// operand has its top bit set. The spec leaves it open; engines lower it to x86 VNNI vpdpbusd (the i7 operand
// read as unsigned), to Arm sdot (read as signed), or to pmaddubsw + pmaddwd (unsigned, the pair sums
// saturated to int16, so not exact). The host (src/wasm/load.ts relaxedDotMode) runs the dot kernels only
// under the first two, in the form each makes exact. The operands come through `ones` (−1 from the host) so
// the optimizer cannot fold the instruction at build time.
//
//   lane   weights (signed)   activations (i7 slot)   unsigned      signed   saturated
//   0      1 0 0 0            0x80 0 0 0              128           −128     128
//   1      127 127 0 0        0xFF 0xFF 0 0           64770         −254     32767
//   2      −128 × 4           0xFF × 4                −130560       512      −65536
//   3      −128 × 4           0x7F × 4                −65024        −65024   −65024
//
// Returns 1 (unsigned, exact), 2 (signed, exact) or 0 (anything else).

export function relaxed_dot_probe(ones: i32): i32 {
  const m = i8x16.splat(<i8>ones);
  const vw = v128.and(m, i8x16(1, 0, 0, 0, 127, 127, 0, 0, -128, -128, -128, -128, -128, -128, -128, -128));
  const vx = v128.and(m, i8x16(-128, 0, 0, 0, -1, -1, 0, 0, -1, -1, -1, -1, 127, 127, 127, 127));
  const r = i32x4.relaxed_dot_i8x16_i7x16_add_s(vw, vx, i32x4.splat(0));
  const u = i32x4.all_true(i32x4.eq(r, i32x4(128, 64770, -130560, -65024)));
  const s = i32x4.all_true(i32x4.eq(r, i32x4(-128, -254, 512, -65024)));
  return u ? 1 : s ? 2 : 0;
}
