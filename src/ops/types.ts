// The op-module contract (see ./README.md): what one IR op tells each layer of the engine about itself.
// The layers hand an op module a small context object, so op modules import no format, quantizer or
// planner driver (graph/shapes.ts, formats/native, quantize/quantize.ts and plan/compile.ts call them).
import type { Activation, DType, Graph, Node, OpName, Pad, Quant, QuantWeights, ValueType } from '../graph/ir.js';
import type { KernelSet, QuantScheme } from '../plan/registry.js';
import type { Step, StepKind } from '../plan/steps.js';
import type { RowCursor } from '../exec/block.js';
import type { RelaxedDot } from '../plan/pack-q.js';
import type { Packing } from '../plan/pack.js';

/** The node type of an op name. */
export type NodeOf<K extends OpName> = Extract<Node, { op: K }>;

// ---- shape inference (graph/shapes.ts inferShapes) -----------------------------------------------------------

export interface ShapeContext {
  /** `${op} "${name}"`, for messages. */
  where: string;
  /** The shape of input value `input` (ShapeError when it does not exist or comes later). */
  lookup(input: string): number[];
  /** Input k's type, which must be one of `allowed` (ShapeError otherwise). */
  inType(k: number, allowed: ReadonlySet<DType> | DType[]): ValueType;
  /** The output's dtype must be `dtype` (one of them); `why` explains the rule in the message. */
  outIs(dtype: DType | DType[], why: string): void;
}

// ---- native format (formats/native/read.ts, write.ts) -----------------------------------------------------

/** A weight tensor a node stores in the native file. */
export interface NativeTensor {
  name: string;
  dtype: 'F32' | 'U8' | 'I8' | 'I32';
  shape: number[];
  data: Float32Array | Uint8Array | Int8Array | Int32Array;
}

/** What formats/native/write.ts gives an op module writing one node. */
export interface NativeWriteContext {
  /** `${graph}: node "name" (op)`, for messages. */
  where: string;
  /** Throws ShapeError with `where` prefixed. */
  fail(message: string): never;
  /** JSON of a pad. */
  pad(p: Pad): Record<string, number>;
  /** The tensor references of a weighted node ({weights, bias} or {q: {...}}). */
  tensorRefs(node: NodeOf<'conv2d' | 'depthwise_conv2d' | 'dense'>): Record<string, unknown>;
  /** The weight tensors of a weighted node whose weights have shape `wShape` and `channels` biases (checked). */
  weightTensors(node: NodeOf<'conv2d' | 'depthwise_conv2d' | 'dense'>, wShape: number[], channels: number): NativeTensor[];
}

/** What formats/native/read.ts gives an op module reading one node's JSON record `r`. */
export interface NativeReadContext {
  /** The record's fields. */
  r: Record<string, unknown>;
  /** `node "name"`, for messages. */
  where: string;
  /** name and inputs, already checked. */
  base: { name: string; inputs: string[] };
  /** Throws the reader's ModelFormatError. */
  fail(message: string): never;
  activation(): Activation;
  pair(key: string): [number, number];
  pad(): Pad;
  bool(key: string): boolean;
  posInt(v: unknown): v is number;
  finite(v: unknown): v is number;
  /**
   * Float weights ("weights", "bias") or quantized ones ("q"). `wShape` is the weights' shape with −1 for what
   * the input decides; `channels(shape)` the channel count, from the weights' shape.
   */
  weights(wShape: number[], channels: (shape: number[]) => number): { weights: Float32Array; bias: Float32Array; q?: QuantWeights };
}

export interface NativeCodec<N extends Node> {
  /** Input count: a number, or -1 for one or more. */
  arity: number;
  /** The node as stored in the "graph" metadata string (canonical key order, tensors by name). */
  write(n: N, c: NativeWriteContext): Record<string, unknown>;
  read(c: NativeReadContext): N;
}

// ---- post-training quantization (quantize/quantize.ts) -----------------------------------------------------

export interface TensorRange { min: number; max: number }

/** What quantizeGraph gives an op module for one float node (inputs already renamed to their int8 values). */
export interface QuantizeContext {
  /** The node's inputs in the int8 graph. */
  inputs: string[];
  /** `quantize: node "name" (op)`, for messages. */
  where: string;
  /** Appends a node to the int8 graph. */
  emit(n: Node): void;
  /** The quantization of an int8 value already emitted. */
  quantOf(v: string): Quant;
  /** Gives value v int8 quantization q. */
  setQ(v: string, q: Quant): void;
  /** Int8 quantization of value v (a float node name) from its calibrated range. */
  calibrated(v: string): Quant;
  /** As calibrated, with the range intersected with a fused activation's (QuantizeOptions.relu6). */
  bounded(v: string, act: Activation): Quant;
  /**
   * Per-channel int8 weights (quantize.ts quantizeLayer), with bias correction when the options ask for it
   * (`depthwise`: each output channel reads only its own input channel).
   */
  weights(n: NodeOf<'conv2d' | 'depthwise_conv2d' | 'dense'>, channels: number, inScale: number, depthwise: boolean): QuantWeights;
  /** QuantizeOptions.pool and .softmax. */
  pool: 'avgpool' | 'mean';
  softmax: 'float' | 'int8';
  /** The softmax output quantization TFLite uses (scale 1/256, zero point −128). */
  softmaxInt8Quant: Quant;
  /** True when the node is the graph output. */
  isOutput: boolean;
  /** A fresh value name from `base`. */
  uniqueName(base: string): string;
  /** Later references to float value `from` read int8-graph value `to`; the output follows it. */
  rename(from: string, to: string): void;
}

// ---- lowering (plan/compile.ts) ---------------------------------------------------------------------------

/**
 * The constants under construction (packed weights, parameter blocks, tables); add returns a byte offset. A
 * Packing is written when the plan is placed in memory (packed weights: straight into the kernels' memory).
 */
export interface ConstSink { add(data: Uint8Array | Float32Array | Int32Array | Packing): number }

/** Absolute addresses, known once the constants blob and the arena are placed. */
export interface Resolve {
  /** A constants-blob offset. */
  w(at: number): number;
  /** A value's buffer. */
  v(name: string): number;
  /** A scratch record (`${owner}/${label}${thread}`). */
  s(label: string): number;
  /** The row of a zero point (registered with LowerContext.zpRow). */
  zp(zeroPoint: number): number;
  /** The float32 zero buffer. */
  zero: number;
}

/** A step waiting for its addresses. */
export type Pending = (r: Resolve) => Step;

export interface LowerContext {
  graph: Graph;
  shapes: Map<string, number[]>;
  typeOf: (v: string) => ValueType;
  /** The plan's requantization arithmetic. */
  scheme: QuantScheme;
  /** The relaxed dot semantics the int8 GEMMs may be packed for (null: the portable kernels only). */
  relaxedDot: RelaxedDot | null;
  /** Threads that will share each step (per-thread scratch count). */
  threads: number;
  /** Target bytes of a fused block's ring plus depthwise slice. */
  budget: number;
  consts: ConstSink;
  /** Asks for a row of `bytes` bytes filled with `zeroPoint` (the padding of a quantized depthwise). */
  zpRow(zeroPoint: number, bytes: number): void;
}

/** Per-thread scratch a node's step needs: `threads` records named `${node}/${label}${thread}` (bytes: before alignment, slack included where the kernel reads past the end). */
export interface ScratchNeed { label: string; bytes: number }

// ---- the op module ------------------------------------------------------------------------------------------

/** Multiply-accumulates and parameters of a node (graph/summary.ts explains the convention). */
export interface OpCost { macs: number; params: number }

export interface OpModule<N extends Node = Node> {
  op: N['op'];
  /** Validates the node against its input shapes and returns its output shape (ShapeError otherwise). */
  shape(n: N, c: ShapeContext): number[];
  /** Checks the input and output dtypes (Graph.values). */
  types(n: N, c: ShapeContext): void;
  /** MACs and params; absent: 0 and 0. */
  cost?(n: N, inShape: number[], outShape: number[]): OpCost;
  /** Params as the TF-Slim checkpoint table counts them (graph/summary.ts slimCounts); absent: 0. */
  slimParams?(n: N): number;
  /** Native-format JSON (and the weight tensors, for weighted ops). */
  native: NativeCodec<N> & { tensors?(n: N, c: NativeWriteContext): NativeTensor[] };
  /** How post-training quantization rewrites the float node; absent: the quantizer rejects the op. */
  quantize?(n: N, c: QuantizeContext): void;
  /** Per-thread scratch of the node's step when it runs unfused (absent: none). */
  scratch?(n: N, ctx: Pick<LowerContext, 'shapes' | 'typeOf'>, quantized: boolean): ScratchNeed[];
  /** Bytes of the float32 zero buffer the node's step reads (absent: none). */
  zeroBytes?(n: N, shapes: Map<string, number[]>, quantized: boolean): number;
  /** Lowers a float32 node to its step; null for an alias (no step). */
  lowerF32(n: N, ctx: LowerContext): Pending | null;
  /** Lowers a quantized node (integer weights, or quantized values) to its step; null for an alias. */
  lowerQ(n: N, ctx: LowerContext): Pending | null;
}

// ---- steps (exec/executor.ts) ----------------------------------------------------------------------------------

export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/**
 * How a step kind runs. A team of threads cuts a step into pieces (exec/share.ts); `run` computes piece
 * `piece` of `pieces` with the scratch of thread `slot` (cursor: a fused block continues from the piece the
 * thread ran last).
 */
export interface StepRunner<S extends Step> {
  /**
   * The most pieces worth cutting the step into (whole row tiles, panels, output rows, ≥ 1024 elements);
   * absent: the step is never shared (tiny or sequential: it runs whole on one thread).
   */
  maxPieces?(s: S): number;
  run(k: KernelSet, s: S, piece: number, pieces: number, slot: number, cursor?: RowCursor): void;
}

export type StepTable = { [K in StepKind]: StepRunner<StepOf<K>> };
