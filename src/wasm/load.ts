// Compiles the kernel module once per ISA and instantiates it per model over a host-owned memory.
import { KernelError, EngineError } from '../errors.js';
import { wasmUrl } from '../assets.js';
import { readUrlBytes } from '../io.js';

export type Isa = 'simd' | 'scalar';

// (module (func (result v128) i32.const 0 i32x4.splat)) — validates only where SIMD128 exists.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this runtime validates WebAssembly SIMD128. */
export function hasSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const FILES: Record<Isa, string> = { simd: 'mobilenet-simd.wasm', scalar: 'mobilenet-scalar.wasm' };
const compiled = new Map<Isa, Promise<WebAssembly.Module>>();

/** Resolves 'auto' against the runtime's features. */
export function resolveIsa(isa: Isa | 'auto' | undefined): Isa {
  if (isa === 'scalar') return 'scalar';
  if (isa === 'simd') {
    if (!hasSimd()) throw new EngineError('isa "simd" requested but this runtime does not support WebAssembly SIMD128');
    return 'simd';
  }
  return hasSimd() ? 'simd' : 'scalar';
}

/** The compiled kernel module for an ISA (compiled once per process, then cached). */
export function compileKernels(isa: Isa): Promise<WebAssembly.Module> {
  let p = compiled.get(isa);
  if (!p) {
    p = readUrlBytes(wasmUrl(FILES[isa])).then(
      (bytes) => WebAssembly.compile(bytes as BufferSource),
      (err) => {
        throw new EngineError(`cannot read the ${isa} kernel binary ${FILES[isa]} (run \`npm run build\`): ${(err as Error).message}`);
      },
    );
    p.catch(() => compiled.delete(isa));
    compiled.set(isa, p);
  }
  return p;
}

/** Instantiates the kernels over `memory`; assertion aborts (debug builds) become KernelError. */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WebAssembly.Exports> {
  const abort = (_msg: number, _file: number, line: number, col: number) => {
    throw new KernelError(`kernel assertion failed at line ${line}:${col}`);
  };
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  return instance.exports;
}
