// LiteRT.js (@litertjs/core) on its CPU accelerator ('wasm': XNNPACK compiled to wasm) in the bench worker.
//
// LiteRT.js picks its wasm build itself from the folder it is given: litert_wasm_internal (relaxed SIMD) when
// the engine validates relaxed SIMD, litert_wasm_threaded_internal (relaxed SIMD + pthreads) with
// `{ threads: true }`, else litert_wasm_compat_internal (plain SIMD). It loads the build's emscripten .js with
// importScripts (hence a classic worker: a module worker has no importScripts) and calls its factory with
// `self.Module`. Inside a worker that factory would look for the .wasm beside the *worker's* script
// (emscripten's scriptDirectory = self.location.href) and start its pthreads from the worker's script too;
// `self.Module` with `locateFile` (→ LiteRT's wasm/ folder) and `mainScriptUrlOrBlob` (→ the .js it actually
// loaded, seen by wrapping importScripts) fixes both. The .js and .wasm it loaded are recorded.
import { loadLiteRt, loadAndCompile, Tensor, supportsFeature } from '@litertjs/core';
import type { EngineModule, EngineSpec, LoadedEngine } from '../protocol.js';

interface EmscriptenLocator { locateFile(path: string, prefix: string): string; mainScriptUrlOrBlob?: string }
const scope = self as unknown as { Module?: EmscriptenLocator; importScripts(...urls: string[]): void };

export async function load(spec: EngineSpec, input: Uint8Array | Float32Array): Promise<LoadedEngine> {
  if (!spec.model.tflite) throw new Error('litert: only .tflite models');
  const dir = spec.urls.litertWasm.endsWith('/') ? spec.urls.litertWasm : `${spec.urls.litertWasm}/`;
  const located: string[] = [];
  const scripts: string[] = [];
  const locator: EmscriptenLocator = {
    locateFile: (path) => { located.push(path); return dir + path; },
  };
  const importScripts = scope.importScripts.bind(self);
  scope.importScripts = (...urls: string[]) => {
    scripts.push(...urls);
    locator.mainScriptUrlOrBlob = urls[0];
    importScripts(...urls);
  };
  scope.Module = locator;
  const threaded = spec.threads > 1;
  try {
    await loadLiteRt(dir, threaded ? { threads: true } : {});
  } finally {
    scope.importScripts = importScripts;
  }
  const res = await fetch(spec.model.tflite);
  if (!res.ok) throw new Error(`litert: HTTP ${res.status} for ${spec.model.tflite}`);
  const model = await loadAndCompile(new Uint8Array(await res.arrayBuffer()), { accelerator: 'wasm', cpuOptions: { numThreads: spec.threads } });
  const details = model.getInputDetails()[0];
  if (!(input instanceof Uint8Array) || details.dtype !== 'uint8') throw new Error(`litert: input ${details.dtype}, bench gives ${input.constructor.name}`);
  const shape = [...details.shape];
  const bytes = new Uint8Array(input); // over a plain ArrayBuffer, as Tensor's typing wants
  return {
    async run() {
      const x = new Tensor(bytes, shape);
      try {
        const outs = await model.run(x);
        const y = outs[0].toTypedArray(); // a copy out of the wasm heap
        for (const o of outs) o.delete();
        return y;
      } finally {
        x.delete();
      }
    },
    info: {
      version: LITERT_VERSION,
      build: scripts.map((u) => u.slice(u.lastIndexOf('/') + 1).replace(/\.js$/, '')).join(', '),
      relaxedSimd: await supportsFeature('relaxedSimd'),
      threads: spec.threads,
      accelerator: 'wasm',
      located,
    },
    dispose: () => model.delete(),
  };
}

/** @litertjs/core's package version, set by the bundler (harness.ts). */
declare const LITERT_VERSION: string;

export default { load } satisfies EngineModule;
