// Peer: ONNX Runtime Web (npm onnxruntime-web, the wasm execution provider: MLAS kernels compiled to
// WebAssembly SIMD128) run in Node in this process, on the ONNX export of our Graph (./onnx-graph.ts).
//
// How it loads: `import('onnxruntime-web')` resolves the package's "node" export (dist/ort.node.min.mjs);
// the runtime itself is dist/ort-wasm-simd-threaded.{mjs,wasm}, found through env.wasm.wasmPaths (a
// file:// URL prefix of the package's dist/ folder; nothing is fetched). That is the only wasm binary of
// the default build since ORT 1.19: SIMD128 always, pthreads when numThreads > 1 (env.wasm.simd = true
// only makes ORT check that the engine supports SIMD, and fail if not).
//
// Settings are the fast path: graphOptimizationLevel 'all' (Conv+Clip/Relu and Conv+Add fusion, NCHWc
// is not used by the wasm EP), executionMode 'sequential', env.wasm.numThreads = threads (1: no worker
// is started). env.wasm is process-global and read once, when the first session initializes the
// runtime: every peer in a process must ask for the same thread count (a different one throws).
//
// Timing: NHWC → NCHW conversion is done by prepare() outside the timed region; runPrepared() is the
// timed call (ORT copies the input into its heap, runs, and copies the output out — like our run()).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { Graph } from '../../src/graph/ir.js';
import { nhwcToNchw, toOnnxModel } from './onnx-graph.js';

type Ort = typeof import('onnxruntime-web');

export interface OrtPeerInfo {
  /** onnxruntime-web version (env.versions.web). */
  version: string;
  /** The runtime is the SIMD128 build (the only one shipped); env.wasm.simd as set. */
  simd: boolean;
  /** env.wasm.numThreads after the runtime initialized. */
  threads: number;
  /** The wasm file the runtime was pointed at. */
  wasmFile: string;
  graphOptimizationLevel: 'all';
  /** import('onnxruntime-web') and env set-up by this call, ms (0 when an earlier peer did it). */
  importMs: number;
  /** Graph → ONNX bytes (toOnnx), ms; 0 with opts.modelBytes. */
  exportMs: number;
  /** Session creation (model parse, graph optimization, kernel preparation; the first one also compiles the runtime), ms. */
  loadMs: number;
  /** Size of the ONNX model, bytes. */
  modelBytes: number;
  /** Nodes of the exported ONNX model by op type (before ORT's fusions). */
  onnxOps: Record<string, number>;
  inputShape: number[];
  outputShape: number[];
}

export interface OrtPeer {
  /** NHWC float32 input in (graph.input.shape), output out in our element order (a copy). */
  run(nhwc: Float32Array): Promise<Float32Array>;
  /** The NCHW input tensor for runPrepared (the conversion is outside what runPrepared times). */
  prepare(nhwc: Float32Array): Tensor;
  runPrepared(input: Tensor): Promise<Float32Array>;
  info: OrtPeerInfo;
  session: InferenceSession;
  dispose(): Promise<void>;
}

export interface OrtPeerOptions {
  /** env.wasm.numThreads (default 1). Process-global: fixed by the first session. */
  threads?: number;
  /** An ONNX model to use instead of exporting `graph` (same input/output contract). */
  modelBytes?: Uint8Array;
}

let ortPromise: Promise<{ ort: Ort; wasmFile: string }> | undefined;
let initializedThreads: number | undefined;

async function loadOrt(threads: number) {
  ortPromise ??= (async () => {
    const mod = (await import('onnxruntime-web')) as Ort & { default?: Ort };
    const ort = (mod.default ?? mod) as Ort;
    const wasmFile = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
    ort.env.wasm.wasmPaths = pathToFileURL(path.dirname(wasmFile)).href + '/';
    ort.env.wasm.simd = true;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    return { ort, wasmFile };
  })();
  const r = await ortPromise;
  if (initializedThreads === undefined) r.ort.env.wasm.numThreads = threads;
  else if (initializedThreads !== threads) {
    throw new Error(`ort peer: the runtime of this process was initialized with ${initializedThreads} thread(s); ${threads} asked (env.wasm is process-global)`);
  }
  return r;
}

export async function loadOrtPeer(graph: Graph, opts: OrtPeerOptions = {}): Promise<OrtPeer> {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`ort peer: threads must be a positive integer, got ${threads}`);
  let t0 = performance.now();
  const exp = toOnnxModel(graph);
  const exportMs = opts.modelBytes ? 0 : performance.now() - t0;
  const bytes = opts.modelBytes ?? exp.bytes;
  t0 = performance.now();
  const { ort, wasmFile } = await loadOrt(threads);
  const importMs = performance.now() - t0;

  t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const loadMs = performance.now() - t0;
  initializedThreads ??= ort.env.wasm.numThreads ?? threads;

  const [, c, h, w] = exp.inputShape;
  const outLen = exp.outputShape.reduce((a, b) => a * b, 1);
  let disposed = false;
  const prepare = (nhwc: Float32Array) => new ort.Tensor('float32', nhwcToNchw(nhwc, h, w, c), exp.inputShape);
  const runPrepared = async (input: Tensor) => {
    if (disposed) throw new Error('ort peer: disposed');
    const out = await session.run({ [exp.inputName]: input });
    const y = out[exp.outputName];
    const data = y.data as Float32Array;
    for (const t of Object.values(out)) t.dispose();
    if (data.length !== outLen) throw new Error(`ort peer: output has ${data.length} values, expected ${outLen}`);
    return data;
  };

  return {
    info: {
      version: ort.env.versions.web ?? 'unknown',
      simd: ort.env.wasm.simd !== false,
      threads: ort.env.wasm.numThreads ?? threads,
      wasmFile,
      graphOptimizationLevel: 'all',
      importMs,
      exportMs,
      loadMs,
      modelBytes: bytes.length,
      onnxOps: exp.ops,
      inputShape: exp.inputShape,
      outputShape: exp.outputShape,
    },
    session,
    prepare,
    runPrepared,
    run: (nhwc) => runPrepared(prepare(nhwc)),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
