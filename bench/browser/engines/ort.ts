// ONNX Runtime Web (wasm execution provider: MLAS kernels, SIMD) in the bench worker, on the ONNX model
// bench/peers/onnx-graph.ts exports from our Graph (NCHW). The same settings as the Node peer (bench/peers/ort.ts):
// graphOptimizationLevel 'all', sequential, env.wasm.numThreads = threads, no proxy worker. Its only wasm is
// ort-wasm-simd-threaded.wasm (SIMD always, pthreads when numThreads > 1), imported through its .mjs from
// env.wasm.wasmPaths. The NHWC → NCHW input conversion happens once here, outside the timed runs.
import * as ort from 'onnxruntime-web/wasm';
import { nhwcToNchw } from '../../peers/onnx-graph.js';
import type { EngineModule, EngineSpec, LoadedEngine } from '../protocol.js';

export async function load(spec: EngineSpec, input: Uint8Array | Float32Array, shape: number[]): Promise<LoadedEngine> {
  if (!spec.model.onnx) throw new Error('ort: the spec names no .onnx model');
  if (!(input instanceof Float32Array)) throw new Error('ort: float32 models only');
  ort.env.wasm.wasmPaths = spec.urls.ortWasm.endsWith('/') ? spec.urls.ortWasm : `${spec.urls.ortWasm}/`;
  ort.env.wasm.numThreads = spec.threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const res = await fetch(spec.model.onnx);
  if (!res.ok) throw new Error(`ort: HTTP ${res.status} for ${spec.model.onnx}`);
  const session = await ort.InferenceSession.create(new Uint8Array(await res.arrayBuffer()), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const inputName = session.inputNames[0], outputName = session.outputNames[0];
  const [, h, w, c] = shape;
  const x = new ort.Tensor('float32', nhwcToNchw(input, h, w, c), [1, c, h, w]);
  return {
    async run() {
      const out = await session.run({ [inputName]: x });
      const d = out[outputName].data as Float32Array;
      for (const t of Object.values(out)) t.dispose();
      return d;
    },
    info: { version: ort.env.versions.web ?? 'unknown', threads: ort.env.wasm.numThreads, graphOptimizationLevel: 'all' },
    dispose: () => session.release(),
  };
}

export default { load } satisfies EngineModule;
