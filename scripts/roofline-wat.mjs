// WAT of the roofline microbenchmarks (src/roofline/peak.ts): register-resident loops of `k` independent
// accumulator chains, no memory traffic. One shared add per iteration keeps the multiplicand changing,
// so no multiply is loop-invariant (V8 would hoist it). Exports run_<kind>(n) for each kind.
// f32_muladd: f32x4.mul + f32x4.add (4 multiply-adds); i16_dot: i32x4.dot_i16x8_s (8);
// relaxed module only: f32_relaxed_madd (4), i8_relaxed_dot: i32x4.relaxed_dot_i8x16_i7x16_add_s (16).
export const ROOFLINE_CHAINS = 12;

function func(kind, k) {
  const f32 = kind.startsWith('f32');
  const locals = Array.from({ length: k }, (_, i) => `(local $a${i} v128)`).join(' ');
  const step = (i) => {
    switch (kind) {
      case 'f32_muladd': return `(local.set $a${i} (f32x4.add (local.get $a${i}) (f32x4.mul (local.get $x) (local.get $y))))`;
      case 'i16_dot': return `(local.set $a${i} (i32x4.add (local.get $a${i}) (i32x4.dot_i16x8_s (local.get $x) (local.get $y))))`;
      case 'f32_relaxed_madd': return `(local.set $a${i} (f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get $a${i})))`;
      case 'i8_relaxed_dot': return `(local.set $a${i} (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $y) (local.get $a${i})))`;
    }
  };
  const sum = Array.from({ length: k }, (_, i) => `(local.get $a${i})`).reduce((acc, v) => `(v128.xor ${acc} ${v})`);
  const init = f32
    ? '(local.set $x (v128.const f32x4 1.0001 1.0002 1.0003 1.0004)) (local.set $y (v128.const f32x4 0.5 0.25 0.125 0.0625))'
    : '(local.set $x (v128.const i16x8 1 2 3 4 5 6 7 8)) (local.set $y (v128.const i16x8 1 1 1 1 2 2 2 2))';
  const bump = f32 ? '(f32x4.add (local.get $x) (local.get $y))' : '(i16x8.add (local.get $x) (local.get $y))';
  return `(func (export "run_${kind}") (param $n i32) (result i32) (local $x v128) (local $y v128) ${locals}
    ${init}
    (loop $l (local.set $x ${bump}) ${Array.from({ length: k }, (_, i) => step(i)).join(' ')}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32x4.extract_lane 0 ${sum}))`;
}

export function rooflineWat(relaxed) {
  const kinds = relaxed ? ['f32_muladd', 'i16_dot', 'f32_relaxed_madd', 'i8_relaxed_dot'] : ['f32_muladd', 'i16_dot'];
  return `(module ${kinds.map((k) => func(k, ROOFLINE_CHAINS)).join('\n')})`;
}
