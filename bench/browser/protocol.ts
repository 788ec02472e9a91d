// What the Node runner (./harness.ts), the page (./page.ts), the worker (./worker.ts) and the engine adapters
// (./engines/*.ts) exchange. Everything here crosses postMessage / page.evaluate, so it is plain data.

export type EngineName = 'ours' | 'litert' | 'tfjs' | 'ort';

/** Where the page finds each runtime, as absolute URLs on the bench server. */
export interface Urls {
  /** Our published bundle (dist/index.js); it finds its wasm and built-in models itself. */
  dist: string;
  /** @litertjs/core's wasm/ folder (the .js loaders and their .wasm). */
  litertWasm: string;
  /** @tensorflow/tfjs-backend-wasm's dist/ folder (tfjs-backend-wasm*.wasm). */
  tfjsWasm: string;
  /** onnxruntime-web's dist/ folder (ort-wasm-simd-threaded.{mjs,wasm}). */
  ortWasm: string;
  /** The built adapter modules (engines/<name>.js). */
  engines: string;
}

/** One engine on one model. */
export interface EngineSpec {
  engine: EngineName;
  /** A label for tables ('ours 1 thread' beside 'ours' in the pair rows). */
  label: string;
  threads: number;
  /**
   * The model as this engine reads it: `tflite` (URL of the .tflite file: ours and LiteRT.js), `builtin`
   * (+ `precision`: ours on a built-in model), `tfjs` (model.json URL), `onnx` (.onnx URL).
   */
  model: { tflite?: string; builtin?: string; precision?: 'float32'; tfjs?: string; onnx?: string };
  urls: Urls;
}

/** The input every engine of a section gets: uint8 NHWC bytes, or those bytes mapped to float32 per channel. */
export interface InputSpec {
  /** URL of 224·224·3 uint8 NHWC bytes. */
  url: string;
  shape: [1, number, number, 3];
  /** float32 input: real = byte · scale[c] + offset[c] (the model's own preprocessing). Absent: uint8. */
  float?: { scale: number[]; offset: number[] };
}

export interface SectionConfig {
  id: string;
  input: InputSpec;
  /** engines[0] is ours; each run of a round times every engine once, in rotating order. */
  engines: EngineSpec[];
  runs: number;
  warmup: number;
  /**
   * Two 1-thread inferences at once (ours in this worker and ours in a probe worker), after every round: the
   * host's pair throughput beside the team's speedup. Index into `engines` of ours on 1 thread.
   */
  pairOf?: number;
  /** After the timed rounds: our engines' per-step profile, averaged over this many inferences (0 or absent: none). */
  profile?: number;
}

/** One plan step's time in a profile (Model.profile). */
export interface StepTime { name: string; kind: string; ms: number }

export interface EngineInfo {
  /** Engine-specific facts: version, isa / build variant, threads it actually uses. */
  [k: string]: unknown;
}

export interface EngineResult {
  engine: EngineName;
  label: string;
  threads: number;
  info: EngineInfo;
  /** .wasm URLs this worker fetched while the engine loaded (Resource Timing), file names only. */
  wasmFetched: string[];
  /** Load (import, compile, model) + first run inside the section's worker, ms: not a fresh context. */
  loadAndFirstMs: number;
  /** Per-run latencies, ms, in run order. */
  times: number[];
  /** The first output (uint8 bytes or float32 values), as a plain array. */
  output: number[];
  /** With SectionConfig.profile, ours only: ms per plan step. */
  profile?: StepTime[];
}

export interface SectionResult {
  id: string;
  crossOriginIsolated: boolean;
  userAgent: string;
  hardwareConcurrency: number;
  engines: EngineResult[];
  /** With pairOf: the slower of two simultaneous 1-thread inferences, per round, ms. */
  pairTimes?: number[];
}

/** First inference in a fresh browser context: one engine, one model, nothing cached. */
export interface FirstResult {
  engine: EngineName;
  /** From before the engine's JS is imported to the end of the first run, ms. */
  totalMs: number;
  /** Import of the engine's JS (adapter + runtime module), ms. */
  importMs: number;
  /** Runtime set-up + model fetch + load/compile (ours: loadModel; LiteRT.js: loadLiteRt + loadAndCompile), ms. */
  loadMs: number;
  firstRunMs: number;
  /** Ours only: the load's phases from its User Timing marks (mobilenet-wasm:<phase>), ms since the previous mark. */
  phases?: Record<string, number>;
  wasmFetched: string[];
  /** Bytes transferred for the engine's JS and wasm (Resource Timing transferSize; 0 when unknown). */
  transferBytes: number;
  info: EngineInfo;
  output: number[];
}

/** The surface every engine adapter module (engines/<name>.js) exports. */
export interface LoadedEngine {
  run(): Promise<ArrayLike<number>>;
  /** Ours only: ms per plan step over `runs` inferences of the last input. */
  profile?(runs: number): Promise<StepTime[]>;
  info: EngineInfo;
  dispose(): void | Promise<void>;
}
export interface EngineModule {
  load(spec: EngineSpec, input: Uint8Array | Float32Array, shape: number[]): Promise<LoadedEngine>;
}

/** Worker messages. */
export type WorkerRequest =
  | { type: 'section'; config: SectionConfig; ctl?: SharedArrayBuffer; probeMs?: SharedArrayBuffer }
  | { type: 'first'; spec: EngineSpec; input: InputSpec }
  | { type: 'probe'; spec: EngineSpec; input: InputSpec; ctl: SharedArrayBuffer; probeMs: SharedArrayBuffer };
export type WorkerReply =
  | { type: 'section'; result: SectionResult }
  | { type: 'first'; result: FirstResult }
  | { type: 'ready' }
  | { type: 'error'; error: string };
