// The machine's WebAssembly SIMD peak, measured in the same process as the model benchmarks:
// register-resident loops of K independent accumulator chains (no memory traffic), assembled at run
// time from WAT with binaryen. f32: f32x4.mul + f32x4.add (4 multiply-adds per pair); int8 path:
// i32x4.dot_i16x8_s (8 multiply-adds); with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)
// f32x4.relaxed_madd (4) and i32x4.relaxed_dot_i8x16_i7x16_add_s (16). One shared add per iteration
// keeps the multiplicand changing, so no multiply can be hoisted out of the loop.
import binaryen from 'binaryen';

export interface Peak { kernel: string; chains: number; gmacs: number }

type Kind = 'f32_muladd' | 'i16_dot' | 'f32_relaxed_madd' | 'i8_relaxed_dot';
const MACS_PER_OP: Record<Kind, number> = { f32_muladd: 4, i16_dot: 8, f32_relaxed_madd: 4, i8_relaxed_dot: 16 };

function wat(kind: Kind, k: number): string {
  const locals = Array.from({ length: k }, (_, i) => `(local $a${i} v128)`).join(' ');
  const body = Array.from({ length: k }, (_, i) => {
    switch (kind) {
      case 'f32_muladd': return `(local.set $a${i} (f32x4.add (local.get $a${i}) (f32x4.mul (local.get $x) (local.get $y))))`;
      case 'i16_dot': return `(local.set $a${i} (i32x4.add (local.get $a${i}) (i32x4.dot_i16x8_s (local.get $x) (local.get $y))))`;
      case 'f32_relaxed_madd': return `(local.set $a${i} (f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get $a${i})))`;
      case 'i8_relaxed_dot': return `(local.set $a${i} (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $y) (local.get $a${i})))`;
    }
  }).join('\n');
  const sum = Array.from({ length: k }, (_, i) => `(local.get $a${i})`).reduce((acc, v) => `(v128.xor ${acc} ${v})`);
  return `(module (func (export "run") (param $n i32) (result i32)
    (local $x v128) (local $y v128) ${locals}
    ${kind.startsWith('f32')
      ? '(local.set $x (v128.const f32x4 1.0001 1.0002 1.0003 1.0004)) (local.set $y (v128.const f32x4 0.5 0.25 0.125 0.0625))'
      : '(local.set $x (v128.const i16x8 1 2 3 4 5 6 7 8)) (local.set $y (v128.const i16x8 1 1 1 1 2 2 2 2))'}
    (loop $l
      ;; x changes every iteration so no multiply is loop-invariant (V8 would hoist it)
      (local.set $x ${kind.startsWith('f32') ? '(f32x4.add (local.get $x) (local.get $y))' : '(i16x8.add (local.get $x) (local.get $y))'})
      ${body}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32x4.extract_lane 0 ${sum})))`;
}

function compileWat(text: string): WebAssembly.Instance | null {
  const m = binaryen.parseText(text);
  m.setFeatures(binaryen.Features.SIMD128 | binaryen.Features.RelaxedSIMD);
  const bytes = m.emitBinary();
  m.dispose();
  if (!WebAssembly.validate(bytes as BufferSource)) return null; // relaxed SIMD not enabled in this runtime
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
}

/** Best G multiply-adds/s over chain counts, per instruction kind available here (single thread). */
export function measurePeaks(ms = 150): Peak[] {
  const out: Peak[] = [];
  for (const kind of Object.keys(MACS_PER_OP) as Kind[]) {
    let best: Peak | null = null;
    for (const k of [8, 10, 12]) {
      const inst = compileWat(wat(kind, k));
      if (!inst) break;
      const run = inst.exports.run as (n: number) => number;
      run(1000);
      let iters = 100_000, t = 0;
      for (;;) {
        const t0 = performance.now();
        run(iters);
        t = performance.now() - t0;
        if (t > ms) break;
        iters *= 2;
      }
      const gmacs = (iters * k * MACS_PER_OP[kind]) / (t / 1000) / 1e9;
      if (!best || gmacs > best.gmacs) best = { kernel: kind, chains: k, gmacs };
    }
    if (best) out.push(best);
  }
  return out;
}
