// Compiles the kernel module once per ISA and instantiates it per model over a host-owned memory.
//
// Three modules are built from one source (asconfig.json; assembly/common/features.ts):
//   relaxed  SIMD128 + relaxed SIMD (f32x4.relaxed_madd, i32x4.relaxed_dot_i8x16_i7x16_add_s where kernels use them)
//   simd     SIMD128
//   scalar   no SIMD (old engines)
// 'auto' takes the first whose probe validates, in that order; a configuration downloads only that one.
// Node 20 validates relaxed SIMD only under --experimental-wasm-relaxed-simd, so it picks 'simd' by default.
import { KernelError, EngineError } from '../errors.js';
import { wasmUrl, type KernelModule } from '../assets.js';
import { readUrlBytes } from '../io.js';
import type { RelaxedDot } from '../plan/pack-q.js';

/** The kernel module to run. 'relaxed' runs the same kernel names as 'simd' plus its own `_relaxed` ones (src/plan/registry.ts). */
export type Isa = 'relaxed' | 'simd' | 'scalar';

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — validates only where SIMD128 exists.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

// (module (func (result v128)
//   (i32x4.relaxed_dot_i8x16_i7x16_add_s (f32x4.relaxed_madd (i8x16.splat 0) (i8x16.splat 0) (i8x16.splat 0))
//                                        (i8x16.splat 0) (i8x16.splat 0))))
// — validates only where relaxed SIMD exists, with both instructions the kernels may use.
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 30, 1, 28, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, // 3 × i8x16.splat 0, f32x4.relaxed_madd (0x105)
  65, 0, 253, 15, 65, 0, 253, 15, 253, 147, 2, 11, //             2 × i8x16.splat 0, i32x4.relaxed_dot_i8x16_i7x16_add_s (0x113)
]);

function validates(bytes: Uint8Array): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes as BufferSource);
  } catch {
    return false;
  }
}

/** True when this runtime validates WebAssembly SIMD128. */
export function hasSimd(): boolean {
  return validates(SIMD_PROBE);
}

/** True when this runtime validates relaxed SIMD (and so SIMD128). */
export function hasRelaxedSimd(): boolean {
  return validates(SIMD_PROBE) && validates(RELAXED_PROBE);
}

// The semantics probe of i32x4.relaxed_dot_i8x16_i7x16_add_s (the spec leaves the result open when the i7
// operand's top bit is set): (module (func (export "p") (result i32) (local v128)
//   (local.tee 0 (relaxed_dot W X (i32x4.splat 0)))  (i32x4.all_true (i32x4.eq _ U)) | (i32x4.all_true (i32x4.eq (local.get 0) S)) << 1))
// W = 1 0 0 0 | 127 127 0 0 | −128 ×4 | −128 ×4 (signed), X = 0x80 0 0 0 | 0xFF 0xFF 0 0 | 0xFF ×4 | 0x7F ×4;
// U: X read as unsigned, exact (x86 VNNI); S: read as signed, exact (Arm sdot). pmaddubsw lowerings (int16
// saturation: 32767 in lane 1) match neither.
const v128c = (bytes: number[]) => [253, 12, ...bytes];
const i32s = (...v: number[]) => v.flatMap((x) => [x & 255, (x >> 8) & 255, (x >> 16) & 255, (x >>> 24) & 255]);
const rep = (b: number, n: number) => new Array<number>(n).fill(b);
const DOT_BODY = [
  1, 1, 123, // one v128 local
  ...v128c([1, 0, 0, 0, 127, 127, 0, 0, ...rep(128, 8)]),
  ...v128c([128, 0, 0, 0, 255, 255, 0, 0, ...rep(255, 4), ...rep(127, 4)]),
  65, 0, 253, 17, 253, 147, 2, 34, 0, // i32x4.splat 0, relaxed dot, local.tee 0
  ...v128c(i32s(128, 64770, -130560, -65024)), 253, 55, 253, 163, 1, // i32x4.eq, all_true
  32, 0, ...v128c(i32s(-128, -254, 512, -65024)), 253, 55, 253, 163, 1, 65, 1, 116, 114, 11, // << 1, or, end
];
const DOT_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 112, 0, 0,
  10, DOT_BODY.length + 2, 1, DOT_BODY.length, ...DOT_BODY,
]);

/** The relaxed dot semantics of a probe result (1: unsigned, 2: signed, else neither). */
export function dotModeOf(code: number): RelaxedDot | null {
  return code === 1 ? 'usdot' : code === 2 ? 'sdot' : null;
}

let dotMode: RelaxedDot | null | undefined;

/**
 * How this engine computes the relaxed i8 dot product, when it is exact for every byte (see DOT_PROBE):
 * the int8 GEMMs of the relaxed module run the dot kernels only then (src/plan/pack-q.ts packQGemmDot).
 */
export function relaxedDotMode(): RelaxedDot | null {
  if (dotMode === undefined) {
    dotMode = null;
    try {
      if (hasRelaxedSimd()) dotMode = dotModeOf((new WebAssembly.Instance(new WebAssembly.Module(DOT_PROBE)).exports.p as () => number)());
    } catch {
      // no relaxed SIMD, or a module the engine refuses: the portable kernels
    }
  }
  return dotMode;
}

/** The best kernel module this runtime can run: 'relaxed', else 'simd', else 'scalar'. */
export function detectIsa(): Isa {
  if (hasRelaxedSimd()) return 'relaxed';
  return hasSimd() ? 'simd' : 'scalar';
}

/** Resolves 'auto' against the runtime's features; throws EngineError when an explicit ISA is unsupported. */
export function resolveIsa(isa: Isa | 'auto' | undefined): Isa {
  switch (isa) {
    case undefined:
    case 'auto':
      return detectIsa();
    case 'scalar':
      return 'scalar';
    case 'simd':
      if (!hasSimd()) throw new EngineError('isa "simd" requested but this runtime does not support WebAssembly SIMD128; use "auto" or "scalar"');
      return 'simd';
    case 'relaxed':
      if (!hasRelaxedSimd()) {
        throw new EngineError('isa "relaxed" requested but this runtime does not support WebAssembly relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd); use "auto" or "simd"');
      }
      return 'relaxed';
    default:
      throw new EngineError(`unknown isa "${String(isa)}": expected "auto", "relaxed", "simd" or "scalar"`);
  }
}

const compiled = new Map<KernelModule, Promise<WebAssembly.Module>>();

/**
 * The compiled kernel module for an ISA (fetched and compiled once per realm, then cached). `shared`:
 * the twin that imports a shared memory (multi-threaded inference; SIMD ISAs only).
 */
export function compileKernels(isa: Isa, shared = false): Promise<WebAssembly.Module> {
  if (shared && isa === 'scalar') throw new EngineError('multi-threaded inference needs a SIMD kernel module');
  const mod: KernelModule = shared ? (`${isa}-mt` as KernelModule) : isa;
  let p = compiled.get(mod);
  if (!p) {
    const url = wasmUrl(mod);
    const file = url.pathname.split('/').pop();
    p = fetchAndCompile(url).catch((err: Error) => {
      if (err instanceof WebAssembly.CompileError) throw new KernelError(`the ${mod} kernel binary ${file} does not compile: ${err.message}`);
      throw new EngineError(`cannot read the ${mod} kernel binary ${file} at ${url.href} (run \`npm run build\`): ${err.message}`);
    });
    p.catch(() => compiled.delete(mod));
    compiled.set(mod, p);
  }
  return p;
}

/** Over http(s) with a wasm MIME type: compiles while downloading; otherwise from the whole bytes. */
async function fetchAndCompile(url: URL): Promise<WebAssembly.Module> {
  if ((url.protocol === 'http:' || url.protocol === 'https:') && typeof WebAssembly.compileStreaming === 'function') {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    if ((res.headers.get('content-type') ?? '').startsWith('application/wasm')) return WebAssembly.compileStreaming(res);
    return WebAssembly.compile(await res.arrayBuffer());
  }
  return WebAssembly.compile((await readUrlBytes(url)) as BufferSource);
}

/** The kernels' `abort` import: an assertion (debug builds) becomes KernelError. */
export function kernelAbort(_msg: number, _file: number, line: number, col: number): never {
  throw new KernelError(`kernel assertion failed at line ${line}:${col}`);
}

/** Instantiates the kernels over `memory`; assertion aborts (debug builds) become KernelError. */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WebAssembly.Exports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: kernelAbort } });
  return instance.exports;
}
