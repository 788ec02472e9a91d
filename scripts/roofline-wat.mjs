// WAT of the roofline microbenchmarks (src/roofline/peak.ts): register-resident loops of `k` independent
// accumulator chains, no memory traffic. Each step's multiplicand is the chain's own accumulator, so no two
// chains compute the same product: with a shared multiplicand TurboFan computes the product once per
// iteration and adds it k times, which measured the adds, not the multiplies (the i16_dot "peak" came out at
// ≈ 77 G MAC/s, twice what the instruction can do). Exports run_<kind>_k<k>(n) for each kind and each k of
// ROOFLINE_CHAINS: how many chains fill the pipes without spilling depends on the engine's register allocator
// (V8 x64: 10 for i16_dot, where 12 spills and runs at 60 %), so the peak is the best k.
// f32_muladd: a = a·m + c, f32x4.mul + f32x4.add (4 multiply-adds); i16_dot: a = a + dot_i16x8_s(a, m) (8);
// relaxed module only: f32_relaxed_madd: a = relaxed_madd(a, m, c) (4); i8_relaxed_dot:
// a = relaxed_dot_i8x16_i7x16_add_s(a, m, a) (16; m is 7-bit, so the result is deterministic).
export const ROOFLINE_CHAINS = [8, 10, 12];

function func(kind, k) {
  const f32 = kind.startsWith('f32');
  const locals = Array.from({ length: k }, (_, i) => `(local $a${i} v128)`).join(' ');
  const a = (i) => `(local.get $a${i})`;
  const step = (i) => {
    switch (kind) {
      case 'f32_muladd': return `(local.set $a${i} (f32x4.add (f32x4.mul ${a(i)} (local.get $m)) (local.get $c)))`;
      case 'i16_dot': return `(local.set $a${i} (i32x4.add ${a(i)} (i32x4.dot_i16x8_s ${a(i)} (local.get $m))))`;
      case 'f32_relaxed_madd': return `(local.set $a${i} (f32x4.relaxed_madd ${a(i)} (local.get $m) (local.get $c)))`;
      case 'i8_relaxed_dot': return `(local.set $a${i} (i32x4.relaxed_dot_i8x16_i7x16_add_s ${a(i)} (local.get $m) ${a(i)}))`;
    }
  };
  // Distinct starting values per chain; m·a + c stays near c / (1 − m) for floats, integers simply wrap.
  const inits = Array.from({ length: k }, (_, i) => f32
    ? `(local.set $a${i} (f32x4.splat (f32.const ${(0.01 * (i + 1)).toFixed(2)})))`
    : `(local.set $a${i} (i32x4.splat (i32.const ${i + 1})))`).join(' ');
  const consts = f32
    ? '(local.set $m (f32x4.splat (f32.const 0.999999))) (local.set $c (f32x4.splat (f32.const 0.000001)))'
    : '(local.set $m (v128.const i16x8 1 2 3 4 5 6 7 8))';
  const sum = Array.from({ length: k }, (_, i) => a(i)).reduce((acc, v) => `(v128.xor ${acc} ${v})`);
  return `(func (export "run_${kind}_k${k}") (param $n i32) (result i32) (local $m v128) (local $c v128) ${locals}
    ${consts} ${inits}
    (loop $l ${Array.from({ length: k }, (_, i) => step(i)).join(' ')}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32x4.extract_lane 0 ${sum}))`;
}

export function rooflineWat(relaxed) {
  const kinds = relaxed ? ['f32_muladd', 'i16_dot', 'f32_relaxed_madd', 'i8_relaxed_dot'] : ['f32_muladd', 'i16_dot'];
  return `(module ${kinds.flatMap((kind) => ROOFLINE_CHAINS.map((k) => func(kind, k))).join('\n')})`;
}
