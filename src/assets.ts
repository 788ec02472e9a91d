// Where the engine's own files live, relative to this module. This file sits one level below the
// package root both as source (src/assets.ts) and when bundled (dist/index.js), so the same
// relative URLs work for tests, the CLI, and browsers importing dist/ with a plain script tag.

/** URL of a built wasm binary (dist/wasm/<file>). */
export function wasmUrl(file: string): URL {
  return new URL(`../dist/wasm/${file}`, import.meta.url);
}

/** URL of the built-in default model (produced at install from the nsfwjs package). */
export function defaultModelUrl(): URL {
  return new URL('../models/default.safetensors', import.meta.url);
}
