// TensorFlow.js with its wasm backend (XNNPACK) in the bench worker, on the GraphModel that bench/peers/tfjs-graph.ts
// exports from our Graph (the fused ops tfjs-converter emits), loaded from its model.json URL.
// 1 thread: the SIMD build (tfjs-backend-wasm-simd.wasm; multithread support switched off, as in Node). More:
// the threaded SIMD build with setThreadsCount(n) (tfjs otherwise caps XNNPACK at hardwareConcurrency / 2).
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { EngineModule, EngineSpec, LoadedEngine } from '../protocol.js';

export async function load(spec: EngineSpec, input: Uint8Array | Float32Array, shape: number[]): Promise<LoadedEngine> {
  if (!spec.model.tfjs) throw new Error('tfjs: the spec names no model.json');
  if (!(input instanceof Float32Array)) throw new Error('tfjs: float32 models only');
  setWasmPaths(spec.urls.tfjsWasm.endsWith('/') ? spec.urls.tfjsWasm : `${spec.urls.tfjsWasm}/`);
  if (spec.threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else setThreadsCount(spec.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
  await tf.ready();
  const model = await loadGraphModel(spec.model.tfjs);
  const x = tf.tensor(input, shape);
  return {
    async run() {
      const y = model.execute(x) as tf.Tensor;
      const d = (await y.data()) as Float32Array;
      y.dispose();
      return d;
    },
    info: {
      version: tf.version_core,
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      multithreadSupport: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      threads: getThreadsCount(),
    },
    dispose() { x.dispose(); model.dispose(); },
  };
}

export default { load } satisfies EngineModule;
