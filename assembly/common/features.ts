// Compile-time feature switches for kernels. One source tree builds three modules (asconfig.json targets):
//
//   target    module                          asc features          picked by src/wasm/load.ts when
//   scalar    mobilenet-scalar.wasm           (none)                the runtime has no SIMD128
//   simd      mobilenet-simd.wasm             simd                  SIMD128 validates, relaxed SIMD does not
//   relaxed   mobilenet-relaxed.wasm          simd, relaxed-simd    relaxed SIMD validates (Chrome 114+, Deno,
//                                                                   Node 22+; Node 20 only with
//                                                                   --experimental-wasm-relaxed-simd)
//
// The relaxed module is built from assembly/index-relaxed.ts: assembly/index.ts (the same names as the simd
// one; the registry maps isa 'relaxed' to the `_simd` kernels, so a kernel opts in per instruction), plus the
// `_relaxed` kernels that exist only there:
//
//   import { RELAXED_SIMD } from "../common/features";
//   vacc = RELAXED_SIMD ? f32x4.relaxed_madd(va, vb, vacc) : f32x4.add(vacc, f32x4.mul(va, vb));
//   // or, for q8 dot products: if (RELAXED_SIMD) { vacc = i32x4.relaxed_dot_i8x16_i7x16_add_s(va, vb, vacc); } else { ... }
//
// RELAXED_SIMD is asc's builtin ASC_FEATURE_RELAXED_SIMD (true only with `--enable relaxed-simd`), a
// compile-time constant: asc compiles only the taken branch, so the simd and scalar modules never contain
// a relaxed opcode (test/build/wasm.test.ts checks that they validate where relaxed SIMD does not).
// Relaxed results may differ in the last bits between machines (FMA or not, i7 vs i8 dot semantics): the
// tests compare the relaxed module with the same tolerances as simd vs scalar.
// Today the f32 GEMM uses it (maddF32x4 in ./simd.ts: f32x4.relaxed_madd, an FMA where the CPU has one;
// BENCHMARKS.md, "Planner policies"), and the int8 GEMM has a relaxed-dot twin,
// qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed, which must be exact: the host runs it only where a probe of the
// engine's relaxed dot (src/wasm/load.ts relaxedDotMode) says how to make it so.

/** True when compiling the relaxed-SIMD module (asc --enable relaxed-simd). */
// @ts-ignore: decorator
@inline export const RELAXED_SIMD: bool = ASC_FEATURE_RELAXED_SIMD;

/** True when compiling a module with SIMD128 (the simd and relaxed modules). */
// @ts-ignore: decorator
@inline export const SIMD: bool = ASC_FEATURE_SIMD;
