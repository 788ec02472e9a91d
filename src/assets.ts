// Where the engine's own files live, relative to this module, as `new URL('<literal>', import.meta.url)`
// so that browsers, Deno and bundlers that follow that pattern (Vite, webpack 5, Parcel) find them with no
// configuration. The literals name the layout seen from src/ (tests, vitest): '../dist/<file>'. The build
// (scripts/build.mjs) rewrites the '../dist/' prefix to './' when it bundles this file into dist/*.js,
// so the published bundles resolve dist/wasm/ and dist/thread.js beside themselves;
// '../models/' is the same from src/ and dist/. Keep every URL a plain string literal (no templates),
// or the build's rewrite and the bundlers' asset detection both miss it.

/** The kernel modules (asconfig.json targets): one per instruction set, '-mt' = shared memory for threads. */
export type KernelModule = 'relaxed' | 'simd' | 'scalar' | 'relaxed-mt' | 'simd-mt';

/** URL of a built wasm kernel module (dist/wasm/mobilenet-<isa>.wasm). */
export function wasmUrl(isa: KernelModule): URL {
  switch (isa) {
    case 'relaxed':
      return new URL('../dist/wasm/mobilenet-relaxed.wasm', import.meta.url);
    case 'simd':
      return new URL('../dist/wasm/mobilenet-simd.wasm', import.meta.url);
    case 'scalar':
      return new URL('../dist/wasm/mobilenet-scalar.wasm', import.meta.url);
    case 'relaxed-mt':
      return new URL('../dist/wasm/mobilenet-relaxed-mt.wasm', import.meta.url);
    case 'simd-mt':
      return new URL('../dist/wasm/mobilenet-simd-mt.wasm', import.meta.url);
  }
}

/** URL of the built-in default model (produced at install from the nsfwjs package). */
export function defaultModelUrl(): URL {
  return new URL('../models/default.safetensors', import.meta.url);
}

/** URL of the helper-thread entry for multi-threaded inference (bundled from src/exec/thread-main.ts). */
export function threadWorkerUrl(): URL {
  return new URL('../dist/thread.js', import.meta.url);
}

/** URL of the roofline microbenchmark module (with relaxed-SIMD loops when `relaxed`). */
export function rooflineUrl(relaxed: boolean): URL {
  return relaxed ? new URL('../dist/wasm/roofline-relaxed.wasm', import.meta.url) : new URL('../dist/wasm/roofline.wasm', import.meta.url);
}
