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

/**
 * The models that ship in the package, by the name loadModel() takes:
 * - 'default': MobileNetV2 1.0/224 ImageNet, TensorFlow's uint8 TFLite file as published (Apache-2.0, see
 *   models/NOTICE); `{ precision: 'float32' }` runs its float32 twin.
 * - 'nsfw': the nsfwjs MobileNetV2 image-safety classifier (float32), converted at build time from the nsfwjs
 *   package into the native format (scripts/build-nsfw-model.ts).
 */
export const BUILTIN_MODELS = ['default', 'nsfw'] as const;
export type BuiltinModel = (typeof BUILTIN_MODELS)[number];

export function isBuiltinModel(name: unknown): name is BuiltinModel {
  return (BUILTIN_MODELS as readonly unknown[]).includes(name);
}

/** URL of a built-in model's file. */
export function builtinModelUrl(name: BuiltinModel): URL {
  switch (name) {
    case 'default':
      return new URL('../models/mobilenet_v2_1.0_224_quant.tflite', import.meta.url);
    case 'nsfw':
      return new URL('../models/nsfw.safetensors', import.meta.url);
  }
}

/** URL of the built-in default model (builtinModelUrl('default')). */
export function defaultModelUrl(): URL {
  return builtinModelUrl('default');
}

/** The file name a built-in model is known by in messages (models/<file>). */
export function builtinModelFile(name: BuiltinModel): string {
  return `models/${builtinModelUrl(name).pathname.split('/').pop()}`;
}

/** URL of the helper-thread entry for multi-threaded inference (bundled from src/exec/thread-main.ts). */
export function threadWorkerUrl(): URL {
  return new URL('../dist/thread.js', import.meta.url);
}

/** URL of the roofline microbenchmark module (with relaxed-SIMD loops when `relaxed`). */
export function rooflineUrl(relaxed: boolean): URL {
  return relaxed ? new URL('../dist/wasm/roofline-relaxed.wasm', import.meta.url) : new URL('../dist/wasm/roofline.wasm', import.meta.url);
}
