// Peer: the TensorFlow Lite C++ runtime with its XNNPACK delegate, compiled to WebAssembly, run in Node
// in this process. The runtime is the one in the npm package @tensorflow/tfjs-tflite (wasm/, emscripten
// modules tflite_web_api_cc{,_simd}{,_threaded}.{js,wasm}: TFLite + the TFLite Support "web model runner",
// bound with embind). It reproduces ../shared/data/oracle byte for byte (the oracle's runtime line:
// "TensorFlow Lite reference runtime (XNNPACK delegate, 1 thread)", fed through the "TFLite-web API").
//
// How it loads: each variant's .js is an emscripten factory built for web/worker only (it would fetch the
// .wasm). In Node none of its browser paths run when the factory is given `wasmBinary`: no `self`,
// `document` or `fetch` shim is needed. The embind class TFLiteWebModelRunner is used directly,
// bypassing tfjs-tflite's JS layer (which needs tfjs-core and converts through tensors):
//   TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, len, { numThreads, enableProfiling,
//   maxProfilingBufferEntries }) → StatusOr; .value().GetInputs()/GetOutputs() → tensor infos whose
//   data() is a typed-array view of the tensor in the wasm heap; .Infer() → boolean.
//
// XNNPACK: there is no option for it; the runtime's interpreter builder applies the XNNPACK delegate by
// default (it logs "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."). `info.nodes` counts the
// node types of one profiled inference, `info.xnnpack` is true when delegate nodes ran. For
// mobilenet_v2_1.0_224_quant every conv, depthwise conv and add runs in 2 TfLiteXNNPackDelegate
// partitions (QU8 IGEMM/GEMM/DWConv); AVERAGE_POOL_2D, RESHAPE and SOFTMAX run on TFLite's builtin kernels.
//
// SIMD: the `_simd` variant is wasm SIMD128 (about 23,000 v128 instructions per `wasm-dis`, none relaxed);
// the plain variant has none and is ~7x slower on this model. Threads: the `_threaded` variants need
// emscripten pthreads (Web Workers), which this web-only build cannot start in Node, so only threads: 1.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface TfliteTensorMeta { name: string; dataType: string; shape: number[]; bytes: number }
export interface TflitePeerInfo {
  /** Version of the npm package the runtime came from (the wasm carries no TFLite version string). */
  version: string;
  /** The emscripten module loaded, e.g. "tflite_web_api_cc_simd". */
  variant: string;
  simd: boolean;
  threads: number;
  /** XNNPACK delegate partitions ran in a profiled inference of this model. */
  xnnpack: boolean;
  /** Node types of one profiled inference, with counts (e.g. { TfLiteXNNPackDelegate: 2, SOFTMAX: 1, ... }). */
  nodes: Record<string, number>;
  inputs: TfliteTensorMeta[];
  outputs: TfliteTensorMeta[];
  packageDir: string;
  /** What the runtime printed (e.g. "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."). */
  log: string[];
}
export interface TflitePeer {
  /** Raw bytes of input 0 in (its exact byte length) → raw bytes of output 0 out (a copy). */
  run(input: Uint8Array): Promise<Uint8Array>;
  runSync(input: Uint8Array): Uint8Array;
  /** TFLite's per-op profile summary of one inference (a separate, profiled interpreter). */
  profile(input?: Uint8Array): string;
  info: TflitePeerInfo;
  dispose(): void;
}
export interface TflitePeerOptions {
  threads?: 1;
  /** Load the SIMD build (default) or the scalar one. */
  simd?: boolean;
  /** The @tensorflow/tfjs-tflite package folder; default: $TFLITE_WEB_DIR, else resolved from node_modules. */
  packageDir?: string;
}

// ---- minimal typings of the embind surface used here ----
interface EmVector<T> { size(): number; get(i: number): T; delete(): void }
interface EmTensorInfo { id: number; name: string; dataType: string; shape: string; data(): ArrayBufferView; delete(): void }
interface EmProfileItem { nodeType: string; nodeName: string }
interface EmRunner {
  GetInputs(): EmVector<EmTensorInfo>; GetOutputs(): EmVector<EmTensorInfo>; Infer(): boolean;
  GetProfilingResults(): EmVector<EmProfileItem>; GetProfilingSummary(): string; delete(): void;
}
interface EmStatusOr { ok(): boolean; errorMessage(): string; value(): EmRunner; delete(): void }
interface EmModule {
  HEAPU8: Uint8Array; _malloc(n: number): number; _free(p: number): void;
  TFLiteWebModelRunner: { CreateFromBufferAndOptions(ptr: number, len: number, o: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number }): EmStatusOr };
}
type Factory = (m: { wasmBinary: Uint8Array; print: (s: string) => void; printErr: (s: string) => void }) => Promise<EmModule>;

const PKG = '@tensorflow/tfjs-tflite';

/** The package folder, or null when it is not installed (see the error of loadTflitePeer for how to get it). */
export function findTflitePackage(explicit?: string): string | null {
  const ok = (d: string | undefined) => !!d && existsSync(path.join(d, 'wasm', 'tflite_web_api_cc_simd.wasm'));
  if (explicit) return ok(explicit) ? path.resolve(explicit) : null;
  if (ok(process.env.TFLITE_WEB_DIR)) return path.resolve(process.env.TFLITE_WEB_DIR!);
  try {
    const d = path.dirname(createRequire(import.meta.url).resolve(`${PKG}/package.json`));
    return ok(d) ? d : null;
  } catch { return null; }
}

const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const metaOf = (t: EmTensorInfo): TfliteTensorMeta => ({
  name: t.name, dataType: t.dataType, shape: t.shape === '' ? [] : t.shape.split(',').map(Number), bytes: t.data().byteLength,
});
const list = <T>(v: EmVector<T>): T[] => { const a: T[] = []; for (let i = 0; i < v.size(); i++) a.push(v.get(i)); v.delete(); return a; };

export async function loadTflitePeer(modelBytes: Uint8Array, opts: TflitePeerOptions = {}): Promise<TflitePeer> {
  const threads = opts.threads ?? 1;
  if (threads !== 1) throw new Error(`tflite peer: threads ${threads} unsupported; the threaded builds need Web Workers (emscripten pthreads) and cannot start in Node`);
  const dir = findTflitePackage(opts.packageDir);
  if (!dir) {
    throw new Error(`tflite peer: ${PKG} not found (set TFLITE_WEB_DIR to an unpacked \`npm pack ${PKG}@0.0.1-alpha.10\`, or install it; ` +
      `its exact peer pin on tfjs-core 4.9.0 needs an npm "overrides" entry next to tfjs 4.22)`);
  }
  const simd = opts.simd ?? true;
  const variant = simd ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc';
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;

  const log: string[] = [];
  const factory = createRequire(import.meta.url)(path.join(dir, 'wasm', `${variant}.js`)) as Factory;
  const M = await factory({
    wasmBinary: readFileSync(path.join(dir, 'wasm', `${variant}.wasm`)),
    print: (s) => log.push(s),
    printErr: (s) => log.push(s),
  });

  // The interpreter reads the flatbuffer in place: it stays in the heap until dispose().
  const modelPtr = M._malloc(modelBytes.length);
  M.HEAPU8.set(modelBytes, modelPtr);
  const create = (enableProfiling: boolean) => {
    const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(modelPtr, modelBytes.length, { numThreads: threads, enableProfiling, maxProfilingBufferEntries: 4096 });
    if (!st.ok()) { const msg = st.errorMessage(); st.delete(); throw new Error(`tflite peer: cannot create the interpreter: ${msg} ${log.join(' | ')}`); }
    const runner = st.value(); // moves the unique_ptr out: JS owns the runner, the StatusOr is empty
    st.delete();
    return runner;
  };

  const main = create(false);
  const inT = list(main.GetInputs());
  const outT = list(main.GetOutputs());
  const inputs = inT.map(metaOf), outputs = outT.map(metaOf);

  const feed = (r: EmRunner, tin: EmTensorInfo, input: Uint8Array) => {
    const dst = bytesOf(tin.data()); // a fresh view each time: the heap may have grown
    if (input.byteLength !== dst.byteLength) throw new Error(`tflite peer: input is ${input.byteLength} bytes, tensor "${tin.name}" takes ${dst.byteLength}`);
    dst.set(input);
    if (!r.Infer()) throw new Error(`tflite peer: Infer() failed ${log.slice(-3).join(' | ')}`);
  };
  let disposed = false;
  const runSync = (input: Uint8Array) => {
    if (disposed) throw new Error('tflite peer: disposed');
    feed(main, inT[0], input);
    return bytesOf(outT[0].data()).slice();
  };

  const profile = (input?: Uint8Array) => {
    const p = create(true);
    try {
      const pin = list(p.GetInputs());
      try { feed(p, pin[0], input ?? new Uint8Array(inputs[0].bytes)); } finally { pin.forEach((t) => t.delete()); }
      const nodes: Record<string, number> = {};
      for (const e of list(p.GetProfilingResults())) { nodes[e.nodeType] = (nodes[e.nodeType] ?? 0) + 1; (e as unknown as { delete?: () => void }).delete?.(); }
      return { nodes, summary: p.GetProfilingSummary() };
    } finally { p.delete(); }
  };
  const nodes = profile().nodes;
  // Structural proof (a delegate kernel ran), not just the log line.
  const xnnpack = (nodes.TfLiteXNNPackDelegate ?? 0) > 0;

  return {
    info: { version, variant, simd, threads, xnnpack, nodes, inputs, outputs, packageDir: dir, log },
    runSync,
    run: async (input) => runSync(input),
    profile: (input) => profile(input).summary,
    dispose() {
      if (disposed) return;
      disposed = true;
      [...inT, ...outT].forEach((t) => t.delete());
      main.delete();
      M._free(modelPtr);
    },
  };
}
