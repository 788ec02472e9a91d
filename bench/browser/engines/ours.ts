// Our engine in the bench worker: the published bundle (dist/index.js), imported from its URL as an app would
// (not bundled into this adapter), so its wasm and built-in models resolve exactly as in production.
import type { EngineModule, EngineSpec, LoadedEngine } from '../protocol.js';

type Api = typeof import('../../../src/index.js');

export async function load(spec: EngineSpec, input: Uint8Array | Float32Array): Promise<LoadedEngine> {
  const api = (await import(/* @vite-ignore */ spec.urls.dist)) as Api;
  const opts = { threads: spec.threads };
  let model;
  if (spec.model.tflite) {
    const res = await fetch(spec.model.tflite);
    if (!res.ok) throw new Error(`ours: HTTP ${res.status} for ${spec.model.tflite}`);
    model = await api.loadModel(new Uint8Array(await res.arrayBuffer()), opts);
  } else if (spec.model.builtin) {
    model = await api.loadModel(spec.model.builtin, { ...opts, precision: spec.model.precision ?? 'model' });
  } else {
    throw new Error('ours: the spec names neither a .tflite file nor a built-in model');
  }
  const m = model;
  return {
    run: () => m.run<Uint8Array | Float32Array>(input),
    profile: async (runs) => (await m.profile(runs)).map(({ name, kind, ms }) => ({ name, kind, ms })),
    info: { isa: m.info.isa, threads: m.info.threads, inputType: m.info.inputType, outputType: m.info.outputType, macs: m.info.macs },
    dispose: () => m.dispose(),
  };
}

export default { load } satisfies EngineModule;
