// The state of one TFLite import and the helpers every operator converter uses (./converters.ts).
//
// TfliteImport holds what spans the whole subgraph: the model, the error helpers, the IR value names
// given so far, the shapes and types the importer tracks per IR value, the constants folded at import,
// the nodes, and the report. OpContext wraps it for one operator: its inputs (as IR values or as
// constants), its output tensors and types, its options, and the way a converter hands back nodes.
//
// How a converter hands back nodes: it builds each node, declares it with `out(node, shape, type, k)`
// (the node's value is output tensor k of the operator) or `inner(node, shape, type)` (a node of the
// importer's own, such as the flatten in front of a FULLY_CONNECTED), and returns the nodes in graph
// order. The driver then commits them: appends them to the graph and records their shapes and types
// for the operators that follow. A value is a graph output when it is bound to a tensor that the
// subgraph lists among its outputs (`isGraphOutput(k)` tells a converter so).

import type { Activation as IrActivation, Node, Quant, QuantWeights, ValueType } from '../../graph/ir.js';
import { ModelFormatError, UnsupportedOpError } from '../../errors.js';
import type { FbTable } from './flatbuffer.js';
import type { TfliteMetadata } from './metadata.js';
import {
  ACTIVATION_NAMES,
  Activation,
  Op,
  TENSOR_TYPE_SIZE,
  TensorType,
  opName,
  tensorTypeName,
  type TfliteModel,
  type TfliteOperator,
  type TfliteOperatorCode,
  type TfliteTensor,
} from './schema.js';

/** What the importer did, for tests and for the CLI's verbose output. */
export interface TfliteImportReport {
  schemaVersion: number;
  description?: string;
  /** Operator codes of the model: builtin name, resolved code, version. */
  operatorCodes: { name: string; code: number; version: number; deprecatedCode: number; builtinCode: number }[];
  /** "CONV_2D v1" → count, over the operators that feed the output. */
  opCounts: Record<string, number>;
  /** TFLite operator indices that do not feed the output (not imported). */
  deadOperators: number[];
  /** Names of weight tensors quantized per channel. */
  perChannelTensors: string[];
  /** DEQUANTIZE operators of constants folded into float32 weights. */
  foldedDequantize: number[];
  /** Weight tensors of hybrid ops (float activations, integer weights) dequantized at import. */
  dequantizedWeights: string[];
  /** Where meta.labels came from: "option", "zip:<entry>", or "default". */
  labelsSource: string;
  /** Entries of the zip appended to the FlatBuffer (empty when none). */
  zipEntries: string[];
  /** Model.metadata entry names. */
  metadataEntries: string[];
  /** Parsed TFLITE_METADATA, when present. */
  metadata?: TfliteMetadata;
  /** Where meta.preprocess came from. */
  preprocessSource: 'option' | 'input-quantization' | 'metadata-normalization' | 'default';
  warnings: string[];
}

type IntArray = Uint8Array | Int8Array;

/** A constant operator input: a buffer of the file, or a DEQUANTIZE folded at import. */
export interface ConstTensor {
  tensor: TfliteTensor;
  /** TensorType of `data` (FLOAT32 for folded constants). */
  type: number;
  shape: number[];
  count: number;
  /** Raw little-endian bytes (a view of the file), unless `f32` is set. */
  raw?: Uint8Array;
  f32?: Float32Array;
  at: number;
}

/** An activation input of an operator: an IR value with the shape and type the importer tracks. */
export interface ActValue {
  name: string;
  shape: number[];
  type: ValueType;
  tensor: TfliteTensor;
}

export function prod(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

/** What a converter declared about one node it returns (see OpContext.out / inner). */
interface Declared {
  shape: number[];
  type: ValueType;
  /** Output tensor of the operator that the node's value is (undefined: a node of the importer's own). */
  output?: number;
}

/** Import-wide state: one per subgraph. */
export class TfliteImport {
  readonly T: TfliteTensor[];
  /** Tensor index → the operator that computes it. */
  readonly producer = new Map<number, TfliteOperator>();
  /** Tensor index → IR value name. */
  readonly valueName = new Map<number, string>();
  /** IR values that are not float32 (graph.values). */
  readonly values: Record<string, ValueType> = {};
  readonly nodes: Node[] = [];
  /** IR node name → the TFLite tensor it computes and its operator (for the final shape check). */
  readonly nodeTensor = new Map<string, { tensor: TfliteTensor; op: TfliteOperator }>();
  /** Tensor index → constant folded at import (DEQUANTIZE of a float16 / int8 constant). */
  readonly folded = new Map<number, ConstTensor>();
  readonly shapeOfValue = new Map<string, number[]>();
  readonly typeOfValue = new Map<string, ValueType>();
  /** Tensor indices of the subgraph outputs. */
  readonly graphOutputs: ReadonlySet<number>;
  private readonly used = new Set<string>();

  constructor(
    readonly model: TfliteModel,
    readonly file: string,
    readonly report: TfliteImportReport,
  ) {
    const sg = model.subgraphs[0]!;
    this.T = sg.tensors;
    this.graphOutputs = new Set(sg.outputs);
  }

  corrupt(msg: string, at: number): never {
    throw new ModelFormatError(`${this.file}: ${msg} (at byte ${Math.max(0, at)})`);
  }

  hasData(t: TfliteTensor): boolean {
    const b = this.model.buffers;
    return t.buffer > 0 && t.buffer < b.length && b[t.buffer]!.data.length > 0;
  }

  /** A fresh IR value name: `base`, else `base_1`, `base_2`… */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  private checkQuant(t: TfliteTensor, dtype: 'uint8' | 'int8', ctx: () => string): Quant {
    const q = t.quant;
    const file = this.file;
    if (!q || !q.scale || q.scale.length === 0) {
      throw new UnsupportedOpError(`${file}: ${ctx()}: ${dtype} tensor ${t.index} "${t.name}" has no quantization parameters`);
    }
    if (q.detailsType !== 0) throw new UnsupportedOpError(`${file}: ${ctx()}: tensor "${t.name}" uses custom quantization details`);
    if (q.scale.length !== 1) {
      throw new UnsupportedOpError(`${file}: ${ctx()}: activation tensor "${t.name}" is quantized per channel (${q.scale.length} scales); only weights may be`);
    }
    const scale = q.scale[0]!;
    const zp = q.zeroPoint && q.zeroPoint.length > 0 ? q.zeroPoint[0]! : 0;
    if (q.zeroPoint && q.zeroPoint.length > 1) this.corrupt(`tensor ${t.index} "${t.name}" has 1 scale but ${q.zeroPoint.length} zero points`, q.pos);
    const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
    if (!(Number.isFinite(scale) && scale > 0)) this.corrupt(`tensor ${t.index} "${t.name}" has quantization scale ${scale}`, q.pos);
    if (!(zp >= lo && zp <= hi)) this.corrupt(`tensor ${t.index} "${t.name}" has zero point ${zp}, outside the ${dtype} range`, q.pos);
    return { scale, zeroPoint: zp };
  }

  /** dtype (and quantization) of an activation tensor. */
  typeOf(t: TfliteTensor, ctx: () => string): ValueType {
    switch (t.type) {
      case TensorType.FLOAT32:
        return { dtype: 'float32' };
      case TensorType.UINT8:
        return { dtype: 'uint8', quant: this.checkQuant(t, 'uint8', ctx) };
      case TensorType.INT8:
        return { dtype: 'int8', quant: this.checkQuant(t, 'int8', ctx) };
      case TensorType.INT32:
        return { dtype: 'int32' };
      case TensorType.INT64:
        return { dtype: 'int64' };
      default:
        throw new UnsupportedOpError(`${this.file}: ${ctx()}: tensor ${t.index} "${t.name}" has type ${tensorTypeName(t.type)}, which is not supported`);
    }
  }

  /** Records an IR value's shape and type (graph.values gets the types that are not float32). */
  defineValue(name: string, shape: number[], vt: ValueType): void {
    this.shapeOfValue.set(name, shape);
    this.typeOfValue.set(name, vt);
    if (vt.dtype !== 'float32') this.values[name] = vt.quant ? { dtype: vt.dtype, quant: { ...vt.quant } } : { dtype: vt.dtype };
  }

  /** Appends the nodes a converter returned, with what it declared about each, in the order returned. */
  commit(ctx: OpContext, nodes: Node[]): void {
    const declared = ctx.declared;
    if (nodes.length !== declared.size || nodes.some((n) => !declared.has(n))) {
      // A bug in a converter, not in the file.
      throw new Error(`TFLite converter for ${ctx.describe()} returned nodes it did not declare with out() / inner(), or the reverse`);
    }
    for (const node of nodes) {
      const d = declared.get(node)!;
      this.nodes.push(node);
      if (d.output !== undefined) this.valueName.set(ctx.op.outputs[d.output]!, node.name);
      this.defineValue(node.name, d.shape, d.type);
      if (d.output !== undefined) this.nodeTensor.set(node.name, { tensor: ctx.output(d.output), op: ctx.op });
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian float32 bytes → a fresh Float32Array (never a view: `bytes` may be a Node Buffer). */
export function f32Of(raw: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(raw).buffer, 0, raw.length >> 2);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.length >> 2 }, (_, i) => dv.getFloat32(4 * i, true));
}

/** Little-endian int32 bytes → a fresh Int32Array. */
export function i32Of(raw: Uint8Array): Int32Array {
  if (LITTLE_ENDIAN) return new Int32Array(new Uint8Array(raw).buffer, 0, raw.length >> 2);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Int32Array.from({ length: raw.length >> 2 }, (_, i) => dv.getInt32(4 * i, true));
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One operator being converted: its inputs, outputs, options, and the nodes it declares. */
export class OpContext {
  /** The nodes declared so far, with their shapes and types (see TfliteImport.commit). */
  readonly declared = new Map<Node, Declared>();
  /** The operator's name in messages: the builtin name, or CUSTOM "<custom code>". */
  readonly name: string;
  /** "CONV_2D v1": the operator's key in report.opCounts. */
  readonly key: string;

  constructor(
    readonly imp: TfliteImport,
    readonly op: TfliteOperator,
    readonly code: TfliteOperatorCode,
  ) {
    const c = code.code;
    this.name = code.customCode !== undefined && c === Op.CUSTOM ? `CUSTOM "${code.customCode}"` : opName(c);
    this.key = `${opName(c)} v${code.version}`;
  }

  get file(): string {
    return this.imp.file;
  }
  get report(): TfliteImportReport {
    return this.imp.report;
  }

  /** "operator #3 CONV_2D (code 3, version 1)": the prefix of every message about this operator. */
  describe(): string {
    return `operator #${this.op.index} ${this.name} (code ${this.code.code}, version ${this.code.version})`;
  }

  unsupported(msg: string): never {
    throw new UnsupportedOpError(`${this.imp.file}: ${this.describe()}: ${msg}`);
  }

  bad(msg: string, at = this.op.pos): never {
    return this.imp.corrupt(`${this.describe()}: ${msg}`, at);
  }

  arity(nIn: number | [number, number], nOut = 1): void {
    const op = this.op;
    const [lo, hi] = typeof nIn === 'number' ? [nIn, nIn] : nIn;
    if (op.inputs.length < lo || op.inputs.length > hi) this.bad(`has ${op.inputs.length} inputs, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
    if (op.outputs.length !== nOut) this.bad(`has ${op.outputs.length} outputs, expected ${nOut}`);
  }

  /** The builtin options table, checked to be of union type `type` (undefined when the operator has none). */
  options(type: number): FbTable | undefined {
    const op = this.op;
    if (op.optionsType === 0) return undefined;
    if (op.optionsType !== type) this.bad(`builtin_options has union type ${op.optionsType}, expected ${type}`);
    return op.options;
  }

  /**
   * The operator's custom_options bytes (a FlexBuffer for TFLite's own custom operators such as
   * TFLite_Detection_PostProcess), as a view of the file; undefined when it has none. Read on demand so that
   * operators that never look at them import exactly as before.
   */
  customOptions(): Uint8Array | undefined {
    if (!this.op.hasCustomOptions) return undefined;
    const t = this.imp.model.reader.table(`model.subgraphs[0].operators[${this.op.index}]`, this.op.pos);
    return t.bytes(5, 'custom_options');
  }

  /** True when tensor `ti` is a constant (a buffer with data, or a folded DEQUANTIZE). */
  isConst(ti: number): boolean {
    return this.imp.folded.has(ti) || this.imp.hasData(this.imp.T[ti]!);
  }

  /** Activation input k: an IR value. */
  act(k: number): ActValue {
    const { T, valueName, producer, shapeOfValue, typeOfValue } = this.imp;
    const ti = this.op.inputs[k];
    if (ti === undefined || ti === -1) this.bad(`input ${k} is missing`);
    const t = T[ti!]!;
    if (this.isConst(ti!)) this.unsupported(`input ${k} (tensor "${t.name}") is a constant; only computed tensors are supported there`);
    const nm = valueName.get(ti!);
    if (nm === undefined) {
      if (producer.has(ti!)) this.bad(`input ${k} (tensor "${t.name}") is computed by a later operator #${producer.get(ti!)!.index}; operators must be in execution order`);
      this.bad(`input ${k} (tensor ${ti} "${t.name}") is neither the model input, a constant, nor computed by an operator`);
    }
    return { name: nm!, shape: shapeOfValue.get(nm!)!, type: typeOfValue.get(nm!)!, tensor: t };
  }

  /** Constant input k (a buffer, or a folded DEQUANTIZE); `what` names it in messages. */
  constant(k: number, what: string): ConstTensor {
    const ti = this.op.inputs[k];
    if (ti === undefined || ti === -1) this.bad(`${what} (input ${k}) is missing`);
    const f = this.imp.folded.get(ti!);
    if (f) return f;
    const t = this.imp.T[ti!]!;
    if (!this.imp.hasData(t)) this.unsupported(`${what} (input ${k}, tensor "${t.name}") must be a constant`);
    if (t.sparse) this.unsupported(`${what} (tensor "${t.name}") is stored sparse`);
    const size = TENSOR_TYPE_SIZE[t.type];
    if (size === undefined) this.unsupported(`${what} (tensor "${t.name}") has type ${tensorTypeName(t.type)}`);
    if (t.shape.some((d) => d < 0)) this.bad(`${what} (tensor "${t.name}") has a dynamic shape ${fmt(t.shape)}`, t.pos);
    const buf = this.imp.model.buffers[t.buffer]!;
    const count = prod(t.shape);
    if (count * size! !== buf.data.length) {
      this.bad(`${what} (tensor ${t.index} "${t.name}", ${tensorTypeName(t.type)} ${fmt(t.shape)}) needs ${count * size!} bytes but its buffer ${t.buffer} has ${buf.data.length}`, buf.at);
    }
    return { tensor: t, type: t.type, shape: [...t.shape], count, raw: buf.data, at: buf.at };
  }

  /** The values of an INT32 / INT64 constant. */
  ints(c: ConstTensor, what: string): number[] {
    const dv = new DataView(c.raw!.buffer, c.raw!.byteOffset, c.raw!.byteLength);
    if (c.type === TensorType.INT32) return Array.from({ length: c.count }, (_, i) => dv.getInt32(4 * i, true));
    if (c.type === TensorType.INT64) {
      return Array.from({ length: c.count }, (_, i) => {
        const v = dv.getBigInt64(8 * i, true);
        if (v > 2n ** 31n || v < -(2n ** 31n)) this.bad(`${what} value ${v} is out of range`, c.at);
        return Number(v);
      });
    }
    return this.unsupported(`${what} (tensor "${c.tensor.name}") has type ${tensorTypeName(c.type)}, expected INT32 or INT64`);
  }

  /** Output tensor k. */
  output(k = 0): TfliteTensor {
    return this.imp.T[this.op.outputs[k]!]!;
  }

  /** dtype (and quantization) of output tensor k. */
  outType(k = 0): ValueType {
    return this.imp.typeOf(this.output(k), () => this.describe());
  }

  /** True when output tensor k is one of the subgraph's outputs. */
  isGraphOutput(k = 0): boolean {
    return this.imp.graphOutputs.has(this.op.outputs[k]!);
  }

  /** A fresh IR value name for output tensor k: its tensor name (or tensor_<index>), de-duplicated. */
  outName(k = 0): string {
    const t = this.output(k);
    return this.imp.unique(t.name || `tensor_${t.index}`);
  }

  /** A fresh IR value name for a node of the importer's own: output tensor 0's name + `suffix` ("/flatten"). */
  innerName(suffix: string): string {
    const t = this.output();
    return this.imp.unique(`${t.name || `tensor_${t.index}`}${suffix}`);
  }

  /** Declares `node` as the node computing output tensor k, with its shape and type. Returns the node. */
  out<N extends Node>(node: N, shape: number[], vt: ValueType, k = 0): N {
    this.declared.set(node, { shape, type: vt, output: k });
    return node;
  }

  /** Declares an extra node of the importer's own (shape known, no TFLite tensor of its own). Returns the node. */
  inner<N extends Node>(node: N, shape: number[], vt: ValueType): N {
    this.declared.set(node, { shape, type: vt });
    return node;
  }

  /** The operator was folded into a constant: it no longer counts in report.opCounts. */
  uncount(): void {
    const counts = this.imp.report.opCounts;
    counts[this.key]! -= 1;
    if (counts[this.key] === 0) delete counts[this.key];
  }

  fused(a: number): IrActivation {
    if (a === Activation.NONE) return 'none';
    if (a === Activation.RELU) return 'relu';
    if (a === Activation.RELU6) return 'relu6';
    return this.unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} is not supported (NONE, RELU, RELU6)`);
  }

  sameDtype(a: ValueType, b: ValueType, what: string): void {
    if (a.dtype !== b.dtype) this.unsupported(`${what}: ${a.dtype} in, ${b.dtype} out; the types must agree`);
  }

  rank4(x: { name: string; shape: number[] }, what = 'input'): void {
    if (x.shape.length !== 4 || x.shape[0] !== 1) this.unsupported(`${what} "${x.name}" has shape ${fmt(x.shape)}; expected [1,H,W,C]`);
  }

  /**
   * Weights of a conv / depthwise / dense in IR layout, float or quantized. `tr`: the TFLite tensor is
   * [rows][cols] and the IR wants its transpose (undefined: same layout); `channels` is the output channel
   * count, `qdim` the TFLite quantized dimension.
   */
  weights(
    x: { type: ValueType },
    w: ConstTensor,
    channels: number,
    qdim: number,
    tr: { rows: number; cols: number } | undefined,
  ): { f32?: Float32Array; q?: Omit<QuantWeights, 'bias'> } {
    const report = this.imp.report;
    const n = w.count;
    // IR index → TFLite index.
    const perm = tr ? (i: number) => (i % tr.rows) * tr.cols + Math.floor(i / tr.rows) : undefined;
    const permute = <A extends Float32Array | Uint8Array | Int8Array>(src: A, make: (n: number) => A): A => {
      if (!tr) return src.slice() as A;
      // Row by row of the source (a closure call per element was half of the import's time).
      const out = make(n);
      const { rows, cols } = tr;
      for (let o = 0, s = 0; o < rows; o++) for (let r = 0, d = o; r < cols; r++, s++, d += rows) out[d] = src[s]!;
      return out;
    };
    const wq = () => {
      const q = w.tensor.quant;
      const what = `weights "${w.tensor.name}"`;
      if (!q || !q.scale || q.scale.length === 0) this.unsupported(`${what} are ${tensorTypeName(w.type)} without quantization parameters`);
      if (q!.detailsType !== 0) this.unsupported(`${what} use custom quantization details`);
      const ns = q!.scale!.length;
      if (ns !== 1 && ns !== channels) this.bad(`${what} have ${ns} scales, expected 1 or ${channels}`, q!.pos);
      if (ns > 1 && q!.quantizedDimension !== qdim) {
        this.bad(`${what} are quantized along dimension ${q!.quantizedDimension}, expected ${qdim} (the output channels)`, q!.pos);
      }
      const zps = q!.zeroPoint ?? [];
      if (zps.length !== 0 && zps.length !== ns) this.bad(`${what} have ${ns} scales but ${zps.length} zero points`, q!.pos);
      const [lo, hi] = w.type === TensorType.UINT8 ? [0, 255] : [-128, 127];
      const zeroPoint = new Int32Array(ns);
      for (let c = 0; c < ns; c++) {
        const z = zps.length ? zps[c]! : 0;
        if (!(z >= lo && z <= hi)) this.bad(`${what} zero point ${z} is outside the ${tensorTypeName(w.type)} range`, q!.pos);
        // TFLite's int8 kernels require symmetric weights (zero point 0); uint8 weights are asymmetric.
        if (w.type === TensorType.INT8 && z !== 0 && x.type.dtype === 'int8') {
          this.unsupported(`int8 ${what} have zero point ${z}; int8 weights must be symmetric (zero point 0)`);
        }
        zeroPoint[c] = z;
        const s = q!.scale![c]!;
        if (!(Number.isFinite(s) && s >= 0)) this.bad(`${what} scale ${s} is invalid`, q!.pos);
      }
      if (ns > 1) report.perChannelTensors.push(w.tensor.name);
      return { scale: Float32Array.from(q!.scale!), zeroPoint };
    };
    if (w.type === TensorType.FLOAT32) {
      if (x.type.dtype !== 'float32') this.unsupported(`float32 weights "${w.tensor.name}" with a ${x.type.dtype} input`);
      const src = w.f32 ?? f32Of(w.raw!);
      return { f32: permute(src, (k) => new Float32Array(k)) };
    }
    if (w.type === TensorType.UINT8 || w.type === TensorType.INT8) {
      const dtype = w.type === TensorType.UINT8 ? 'uint8' : 'int8';
      const src: IntArray = dtype === 'uint8' ? new Uint8Array(w.raw!) : new Int8Array(w.raw!.buffer, w.raw!.byteOffset, w.raw!.byteLength);
      const { scale, zeroPoint } = wq();
      if (x.type.dtype === 'float32') {
        // Hybrid (dynamic-range) op: dequantize the weights once, run in float.
        const f = new Float32Array(n);
        const ns = scale.length;
        for (let i = 0; i < n; i++) {
          const ti = perm ? perm(i) : i;
          const c = ns === 1 ? 0 : qdim === 0 ? Math.floor(ti / (n / channels)) : ti % channels;
          f[i] = scale[c]! * (src[ti]! - zeroPoint[c]!);
        }
        report.dequantizedWeights.push(w.tensor.name);
        return { f32: f };
      }
      if (x.type.dtype !== dtype) this.unsupported(`${dtype} weights "${w.tensor.name}" with a ${x.type.dtype} input`);
      const data = dtype === 'uint8' ? permute(src as Uint8Array, (k) => new Uint8Array(k)) : permute(src as Int8Array, (k) => new Int8Array(k));
      return { q: { dtype, data, scale, zeroPoint } };
    }
    return this.unsupported(`weights "${w.tensor.name}" have type ${tensorTypeName(w.type)}`);
  }

  /**
   * Bias input k for `channels` outputs: float32 for a float op, int32 for a quantized one (`wq`: the
   * weights' quantization); zeros when the input is absent.
   */
  biasOf(
    k: number,
    channels: number,
    x: { type: ValueType },
    wq: { scale: Float32Array } | undefined,
  ): { f32?: Float32Array; i32?: Int32Array } {
    const ti = this.op.inputs[k];
    if (ti === undefined || ti === -1) return wq ? { i32: new Int32Array(channels) } : { f32: new Float32Array(channels) };
    const b = this.constant(k, 'bias');
    if (b.count !== channels) this.bad(`bias "${b.tensor.name}" has ${b.count} values, expected ${channels}`, b.tensor.pos);
    if (wq) {
      if (b.type !== TensorType.INT32) this.unsupported(`bias "${b.tensor.name}" of a quantized op has type ${tensorTypeName(b.type)}, expected INT32`);
      const i32 = i32Of(b.raw!);
      const bq = b.tensor.quant;
      const inScale = x.type.quant!.scale;
      if (bq?.scale && bq.scale.length > 0) {
        for (let c = 0; c < channels; c++) {
          const expect = inScale * wq.scale[wq.scale.length === 1 ? 0 : c]!;
          const got = bq.scale[bq.scale.length === 1 ? 0 : Math.min(c, bq.scale.length - 1)]!;
          if (Math.abs(expect - got) > 1e-3 * Math.max(Math.abs(expect), 1e-30)) {
            this.imp.report.warnings.push(`${this.describe()}: bias "${b.tensor.name}" channel ${c} has scale ${got}, expected input·weight scale ${expect}`);
            break;
          }
        }
      }
      return { i32 };
    }
    if (b.type !== TensorType.FLOAT32) this.unsupported(`bias "${b.tensor.name}" of a float op has type ${tensorTypeName(b.type)}`);
    return { f32: b.f32 ? b.f32.slice() : f32Of(b.raw!) };
  }
}
