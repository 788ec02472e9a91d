// A small TFLite writer for tests: builds .tflite FlatBuffers (schema version 3) with the `flatbuffers`
// runtime's Builder, field numbers as in tensorflow/lite/schema/schema.fbs (see
// src/formats/tflite/schema.ts), plus the TFLite Support metadata ("TFLITE_METADATA", "M001") and the
// zip of associated files that classifier models carry after the FlatBuffer.
//
//   const b = new TfliteBuilder();
//   const x = b.input('x', [1, 8, 8, 3], 'UINT8', { scale: [1 / 128], zeroPoint: [128] });
//   const w = b.constant('w', [4, 3, 3, 3], 'UINT8', new Uint8Array(108), { scale: [0.02], zeroPoint: [120] });
//   const bias = b.constant('b', [4], 'INT32', new Int32Array(4), { scale: [0.02 / 128], zeroPoint: [0] });
//   const y = b.tensor('y', [1, 4, 4, 4], 'UINT8', { scale: [0.05], zeroPoint: [0] });
//   b.op('CONV_2D', [x, w, bias], [y], convOptions({ stride: 2, activation: 'RELU6' }));
//   b.output(y);
//   const bytes = b.finish();
//
// Every tensor / operator / opcode is appended in call order (tensor and operator indices are the
// return values). Operator codes are de-duplicated by (code, version) and written the way the
// converters do: TF ≥ 2.4 writes both builtin_code and deprecated_builtin_code (127 = placeholder for
// codes ≥ 127); older converters only deprecated_builtin_code (`codeStyle: 'deprecated'`).

import * as flatbuffers from 'flatbuffers';
import { deflateRawSync } from 'node:zlib';
import { Op, Options, TensorType, opName } from '../../src/formats/tflite/schema.js';
import { crc32 } from '../../src/formats/tflite/zip.js';

export type TensorTypeName = keyof typeof TensorType;
export type TypedData = Uint8Array | Int8Array | Int32Array | Float32Array | BigInt64Array | Uint16Array;

export interface QuantSpec {
  scale: number[];
  zeroPoint?: number[];
  quantizedDimension?: number;
  min?: number[];
  max?: number[];
}

/** One field of an options table: [field number, kind, value]. */
export type OptionField =
  | [number, 'i8' | 'u8' | 'i32' | 'f32', number]
  | [number, 'bool', boolean]
  | [number, 'i32[]', number[]];

export interface OptionsSpec {
  /** BuiltinOptions union type (see Options in src/formats/tflite/schema.ts). */
  type: number;
  fields: OptionField[];
}

interface TensorSpec {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quant?: QuantSpec;
  omitName?: boolean;
}

interface OpSpec {
  opcode: number;
  inputs: number[];
  outputs: number[];
  options?: OptionsSpec;
  /** custom_options bytes (a FlexBuffer for TFLite's own custom operators). */
  custom?: Uint8Array;
}

const ACT = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
export type ActName = keyof typeof ACT;
const PADDING = { SAME: 0, VALID: 1 } as const;

const typeCode = (t: TensorTypeName | number) => (typeof t === 'number' ? t : TensorType[t]);
const OP_CODES: Record<string, number> = Object.fromEntries(
  Array.from({ length: 162 }, (_, i) => [opName(i), i]),
);
export const opCode = (name: string | number): number => {
  if (typeof name === 'number') return name;
  const c = OP_CODES[name];
  if (c === undefined) throw new Error(`unknown TFLite op ${name}`);
  return c;
};

/** Little-endian bytes of typed data or plain numbers of a tensor type. */
export function toBytes(data: TypedData | number[], type: TensorTypeName | number): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const t = typeCode(type);
  switch (t) {
    case TensorType.FLOAT32: return toBytes(Float32Array.from(data), t);
    case TensorType.INT32: return toBytes(Int32Array.from(data), t);
    case TensorType.UINT8: return Uint8Array.from(data);
    case TensorType.INT8: return toBytes(Int8Array.from(data), t);
    case TensorType.INT64: return toBytes(BigInt64Array.from(data.map((x) => BigInt(x))), t);
    default: throw new Error(`toBytes: unsupported type ${t}`);
  }
}

export class TfliteBuilder {
  readonly tensors: TensorSpec[] = [];
  readonly ops: OpSpec[] = [];
  readonly opcodes: { code: number; version: number; custom?: string }[] = [];
  /** buffers[0] is the empty sentinel, as the converters write it. */
  readonly buffers: (Uint8Array | undefined)[] = [undefined];
  readonly metadata: { name: string; buffer: number }[] = [];
  inputs: number[] = [];
  outputs: number[] = [];

  constructor(
    readonly opts: {
      /** 'both' (TF ≥ 2.4, default) or 'deprecated' (TF1 / TF < 2.4: builtin_code absent). */
      codeStyle?: 'both' | 'deprecated';
      schemaVersion?: number;
      description?: string;
      subgraphName?: string;
    } = {},
  ) {}

  /** A tensor without data (an activation). Returns its index. */
  tensor(name: string, shape: number[], type: TensorTypeName | number, quant?: QuantSpec): number {
    this.tensors.push({ name, shape: [...shape], type: typeCode(type), buffer: 0, ...(quant ? { quant } : {}) });
    return this.tensors.length - 1;
  }

  /** The model input (an activation tensor listed in SubGraph.inputs). */
  input(name: string, shape: number[], type: TensorTypeName | number, quant?: QuantSpec): number {
    const t = this.tensor(name, shape, type, quant);
    this.inputs.push(t);
    return t;
  }

  /** A constant tensor with its own buffer. */
  constant(name: string, shape: number[], type: TensorTypeName | number, data: TypedData | number[], quant?: QuantSpec): number {
    this.buffers.push(toBytes(data, type));
    this.tensors.push({ name, shape: [...shape], type: typeCode(type), buffer: this.buffers.length - 1, ...(quant ? { quant } : {}) });
    return this.tensors.length - 1;
  }

  output(t: number): void {
    this.outputs.push(t);
  }

  opcode(code: number, version = 1, custom?: string): number {
    let i = this.opcodes.findIndex((o) => o.code === code && o.version === version && o.custom === custom);
    if (i < 0) {
      this.opcodes.push({ code, version, ...(custom !== undefined ? { custom } : {}) });
      i = this.opcodes.length - 1;
    }
    return i;
  }

  /** An operator (by name or code). Returns its index. */
  op(op: string | number, inputs: number[], outputs: number[], options?: OptionsSpec, version = 1): number {
    this.ops.push({ opcode: this.opcode(opCode(op), version), inputs: [...inputs], outputs: [...outputs], ...(options ? { options } : {}) });
    return this.ops.length - 1;
  }

  /** A custom operator (operator_codes[i].custom_code = `name`) with its custom_options bytes. Returns its index. */
  customOp(name: string, inputs: number[], outputs: number[], customOptions?: Uint8Array): number {
    this.ops.push({ opcode: this.opcode(32, 1, name), inputs: [...inputs], outputs: [...outputs], ...(customOptions ? { custom: customOptions } : {}) });
    return this.ops.length - 1;
  }

  /** A Model.metadata entry pointing at a new buffer. */
  addMetadata(name: string, data: Uint8Array): void {
    this.buffers.push(data);
    this.metadata.push({ name, buffer: this.buffers.length - 1 });
  }

  finish(): Uint8Array {
    const b = new flatbuffers.Builder(1024);
    const i32Vec = (xs: number[]) => {
      b.startVector(4, xs.length, 4);
      for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]!);
      return b.endVector();
    };
    const f32Vec = (xs: number[]) => {
      b.startVector(4, xs.length, 4);
      for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]!);
      return b.endVector();
    };
    const i64Vec = (xs: number[]) => {
      b.startVector(8, xs.length, 8);
      for (let i = xs.length - 1; i >= 0; i--) b.addInt64(BigInt(xs[i]!));
      return b.endVector();
    };
    const offVec = (xs: number[]) => {
      b.startVector(4, xs.length, 4);
      for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
      return b.endVector();
    };

    // buffers
    const bufOffs = this.buffers.map((data) => {
      let dataOff = 0;
      if (data && data.length > 0) {
        b.startVector(1, data.length, 16);
        for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
        dataOff = b.endVector();
      }
      b.startObject(3);
      if (dataOff) b.addFieldOffset(0, dataOff, 0);
      return b.endObject();
    });

    // tensors
    const tensorOffs = this.tensors.map((t) => {
      const name = t.omitName ? 0 : b.createString(t.name);
      const shape = i32Vec(t.shape);
      let quant = 0;
      if (t.quant) {
        const q = t.quant;
        const scale = f32Vec(q.scale);
        const zp = i64Vec(q.zeroPoint ?? q.scale.map(() => 0));
        const min = q.min ? f32Vec(q.min) : 0;
        const max = q.max ? f32Vec(q.max) : 0;
        b.startObject(7);
        if (min) b.addFieldOffset(0, min, 0);
        if (max) b.addFieldOffset(1, max, 0);
        b.addFieldOffset(2, scale, 0);
        b.addFieldOffset(3, zp, 0);
        b.addFieldInt32(6, q.quantizedDimension ?? 0, 0);
        quant = b.endObject();
      }
      b.startObject(10);
      b.addFieldOffset(0, shape, 0);
      b.addFieldInt8(1, t.type, 0);
      b.addFieldInt32(2, t.buffer, 0);
      if (name) b.addFieldOffset(3, name, 0);
      if (quant) b.addFieldOffset(4, quant, 0);
      return b.endObject();
    });

    // operators
    const opOffs = this.ops.map((o) => {
      const inputs = i32Vec(o.inputs);
      const outputs = i32Vec(o.outputs);
      const custom = o.custom ? b.createByteVector(o.custom) : 0;
      let opt = 0;
      if (o.options) {
        const vecs = new Map<number, number>();
        for (const f of o.options.fields) if (f[1] === 'i32[]') vecs.set(f[0], i32Vec(f[2] as number[]));
        b.startObject(16);
        for (const [slot, kind, v] of o.options.fields) {
          if (kind === 'i8' || kind === 'u8') b.addFieldInt8(slot, v as number, null);
          else if (kind === 'bool') b.addFieldInt8(slot, v ? 1 : 0, null);
          else if (kind === 'i32') b.addFieldInt32(slot, v as number, null);
          else if (kind === 'f32') b.addFieldFloat32(slot, v as number, null);
          else b.addFieldOffset(slot, vecs.get(slot)!, 0);
        }
        opt = b.endObject();
      }
      b.startObject(9);
      b.addFieldInt32(0, o.opcode, 0);
      b.addFieldOffset(1, inputs, 0);
      b.addFieldOffset(2, outputs, 0);
      if (o.options) {
        b.addFieldInt8(3, o.options.type, 0);
        b.addFieldOffset(4, opt, 0);
      }
      if (custom) b.addFieldOffset(5, custom, 0);
      return b.endObject();
    });

    // subgraph
    const tensors = offVec(tensorOffs);
    const sgInputs = i32Vec(this.inputs);
    const sgOutputs = i32Vec(this.outputs);
    const operators = offVec(opOffs);
    const sgName = this.opts.subgraphName !== undefined ? b.createString(this.opts.subgraphName) : 0;
    b.startObject(5);
    b.addFieldOffset(0, tensors, 0);
    b.addFieldOffset(1, sgInputs, 0);
    b.addFieldOffset(2, sgOutputs, 0);
    b.addFieldOffset(3, operators, 0);
    if (sgName) b.addFieldOffset(4, sgName, 0);
    const subgraph = b.endObject();

    // operator codes
    const codeOffs = this.opcodes.map((c) => {
      const custom = c.custom !== undefined ? b.createString(c.custom) : 0;
      b.startObject(4);
      const deprecated = c.code < Op.PLACEHOLDER_FOR_GREATER_OP_CODES ? c.code : Op.PLACEHOLDER_FOR_GREATER_OP_CODES;
      if (this.opts.codeStyle === 'deprecated') {
        if (c.code >= Op.PLACEHOLDER_FOR_GREATER_OP_CODES) throw new Error(`op code ${c.code} needs builtin_code`);
        b.addFieldInt8(0, deprecated, null);
      } else {
        b.addFieldInt8(0, deprecated, null);
        b.addFieldInt32(3, c.code, null);
      }
      if (custom) b.addFieldOffset(1, custom, 0);
      b.addFieldInt32(2, c.version, 1);
      return b.endObject();
    });

    const metaOffs = this.metadata.map((m) => {
      const name = b.createString(m.name);
      b.startObject(2);
      b.addFieldOffset(0, name, 0);
      b.addFieldInt32(1, m.buffer, 0);
      return b.endObject();
    });

    const opcodes = offVec(codeOffs);
    const subgraphs = offVec([subgraph]);
    const buffers = offVec(bufOffs);
    const description = b.createString(this.opts.description ?? 'tflite-builder');
    const metadata = metaOffs.length > 0 ? offVec(metaOffs) : 0;
    b.startObject(8);
    b.addFieldInt32(0, this.opts.schemaVersion ?? 3, null);
    b.addFieldOffset(1, opcodes, 0);
    b.addFieldOffset(2, subgraphs, 0);
    b.addFieldOffset(3, description, 0);
    b.addFieldOffset(4, buffers, 0);
    if (metadata) b.addFieldOffset(6, metadata, 0);
    const model = b.endObject();
    b.finish(model, 'TFL3');
    return b.asUint8Array().slice();
  }
}

// ---------------------------------------------------------------------------------------------
// Options tables (field numbers from schema.fbs)

export interface ConvOpts {
  padding?: 'SAME' | 'VALID';
  stride?: number | [number, number];
  dilation?: number | [number, number];
  activation?: ActName;
}
const pair = (v: number | [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v;

export function convOptions(o: ConvOpts = {}): OptionsSpec {
  const [sh, sw] = pair(o.stride, 1);
  const [dh, dw] = pair(o.dilation, 1);
  return {
    type: Options.Conv2DOptions,
    fields: [
      [0, 'i8', PADDING[o.padding ?? 'SAME']], [1, 'i32', sw], [2, 'i32', sh],
      [3, 'i8', ACT[o.activation ?? 'NONE']], [4, 'i32', dw], [5, 'i32', dh],
    ],
  };
}

export function depthwiseOptions(o: ConvOpts & { depthMultiplier?: number } = {}): OptionsSpec {
  const [sh, sw] = pair(o.stride, 1);
  const [dh, dw] = pair(o.dilation, 1);
  return {
    type: Options.DepthwiseConv2DOptions,
    fields: [
      [0, 'i8', PADDING[o.padding ?? 'SAME']], [1, 'i32', sw], [2, 'i32', sh], [3, 'i32', o.depthMultiplier ?? 1],
      [4, 'i8', ACT[o.activation ?? 'NONE']], [5, 'i32', dw], [6, 'i32', dh],
    ],
  };
}

export function poolOptions(o: { padding?: 'SAME' | 'VALID'; stride?: number | [number, number]; filter: [number, number]; activation?: ActName }): OptionsSpec {
  const [sh, sw] = pair(o.stride, 1);
  return {
    type: Options.Pool2DOptions,
    fields: [
      [0, 'i8', PADDING[o.padding ?? 'VALID']], [1, 'i32', sw], [2, 'i32', sh], [3, 'i32', o.filter[1]],
      [4, 'i32', o.filter[0]], [5, 'i8', ACT[o.activation ?? 'NONE']],
    ],
  };
}

export function fullyConnectedOptions(o: { activation?: ActName; keepNumDims?: boolean; weightsFormat?: number } = {}): OptionsSpec {
  return {
    type: Options.FullyConnectedOptions,
    fields: [[0, 'i8', ACT[o.activation ?? 'NONE']], [1, 'i8', o.weightsFormat ?? 0], [2, 'bool', o.keepNumDims ?? false]],
  };
}

export const addOptions = (activation: ActName = 'NONE'): OptionsSpec => ({ type: Options.AddOptions, fields: [[0, 'i8', ACT[activation]]] });
export const softmaxOptions = (beta = 1): OptionsSpec => ({ type: Options.SoftmaxOptions, fields: [[0, 'f32', beta]] });
export const concatOptions = (axis: number, activation: ActName = 'NONE'): OptionsSpec => ({
  type: Options.ConcatenationOptions,
  fields: [[0, 'i32', axis], [1, 'i8', ACT[activation]]],
});
export const reducerOptions = (keepDims: boolean): OptionsSpec => ({ type: Options.ReducerOptions, fields: [[0, 'bool', keepDims]] });
export const resizeBilinearOptions = (o: { alignCorners?: boolean; halfPixelCenters?: boolean } = {}): OptionsSpec => ({
  type: Options.ResizeBilinearOptions,
  fields: [[2, 'bool', o.alignCorners ?? false], [3, 'bool', o.halfPixelCenters ?? false]],
});
export const reshapeOptions = (newShape: number[]): OptionsSpec => ({ type: Options.ReshapeOptions, fields: [[0, 'i32[]', newShape]] });
export const squeezeOptions = (dims: number[]): OptionsSpec => ({ type: Options.SqueezeOptions, fields: [[0, 'i32[]', dims]] });
export const argMaxOptions = (outputType: TensorTypeName): OptionsSpec => ({ type: Options.ArgMaxOptions, fields: [[0, 'i8', TensorType[outputType]]] });
export const padOptions = (): OptionsSpec => ({ type: Options.PadOptions, fields: [] });
export const quantizeOptions = (): OptionsSpec => ({ type: Options.QuantizeOptions, fields: [] });
export const dequantizeOptions = (): OptionsSpec => ({ type: Options.DequantizeOptions, fields: [] });

// ---------------------------------------------------------------------------------------------
// TFLite Support metadata and the appended zip

/** A "TFLITE_METADATA" FlatBuffer (file identifier "M001") with input normalization and output labels. */
export function metadataBuffer(o: {
  name?: string;
  mean?: number[];
  std?: number[];
  /** Associated files of the output tensor: [file name, AssociatedFileType]. */
  outputFiles?: [string, number][];
}): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const f32Vec = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]!);
    return b.endVector();
  };
  const offVec = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
    return b.endVector();
  };
  // input tensor metadata with NormalizationOptions
  let processUnits = 0;
  if (o.mean && o.std) {
    const mean = f32Vec(o.mean);
    const std = f32Vec(o.std);
    b.startObject(2);
    b.addFieldOffset(0, mean, 0);
    b.addFieldOffset(1, std, 0);
    const norm = b.endObject();
    b.startObject(2);
    b.addFieldInt8(0, 1, 0);
    b.addFieldOffset(1, norm, 0);
    processUnits = offVec([b.endObject()]);
  }
  const inName = b.createString('image');
  b.startObject(7);
  b.addFieldOffset(0, inName, 0);
  if (processUnits) b.addFieldOffset(4, processUnits, 0);
  const inMeta = b.endObject();
  const files = (o.outputFiles ?? []).map(([name, type]) => {
    const n = b.createString(name);
    b.startObject(4);
    b.addFieldOffset(0, n, 0);
    b.addFieldInt8(2, type, 0);
    return b.endObject();
  });
  const filesVec = files.length ? offVec(files) : 0;
  const outName = b.createString('probability');
  b.startObject(7);
  b.addFieldOffset(0, outName, 0);
  if (filesVec) b.addFieldOffset(6, filesVec, 0);
  const outMeta = b.endObject();
  const ins = offVec([inMeta]);
  const outs = offVec([outMeta]);
  b.startObject(7);
  b.addFieldOffset(2, ins, 0);
  b.addFieldOffset(3, outs, 0);
  const sg = b.endObject();
  const sgs = offVec([sg]);
  const name = b.createString(o.name ?? 'TestModel');
  b.startObject(8);
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(3, sgs, 0);
  const root = b.endObject();
  b.finish(root, 'M001');
  return b.asUint8Array().slice();
}

/** A zip archive (stored or deflated entries), as the metadata populator appends it. */
export function zipArchive(entries: { name: string; data: Uint8Array; method?: 'store' | 'deflate' }[], base = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const method = e.method === 'deflate' ? 8 : 0;
    const body = method === 8 ? new Uint8Array(deflateRawSync(e.data)) : e.data;
    const crc = crc32(e.data);
    const lh = new Uint8Array(30 + name.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, base + offset, true);
    ch.set(name, 46);
    parts.push(lh, body);
    central.push(ch);
    offset += lh.length + body.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, base + offset, true);
  return concat([...parts, ...central, eocd]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A model with its associated files appended as a zip (offsets relative to the whole file). */
export function withZip(model: Uint8Array, entries: { name: string; data: Uint8Array; method?: 'store' | 'deflate' }[]): Uint8Array {
  return concat([model, zipArchive(entries, model.length)]);
}

// ---------------------------------------------------------------------------------------------
// Deterministic data

/** Deterministic pseudo-random integers in [lo, hi]. */
export function seq(n: number, lo: number, hi: number, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  });
}

/** Deterministic pseudo-random float32 values in [−1, 1). */
export function seqF32(n: number, seed = 1): Float32Array {
  return Float32Array.from(seq(n, 0, 1 << 20, seed), (v) => v / (1 << 19) - 1);
}

// ---------------------------------------------------------------------------------------------
// Fast exact comparison of graphs (vitest's deep equality walks typed arrays element by element,
// which takes seconds for a real model's weights)

/**
 * The graph as JSON (object keys sorted, so key order does not matter) with every typed array replaced
 * by "<Type>[length]#k", plus the arrays in that order.
 */
export function graphSkeleton(graph: unknown): { json: unknown; arrays: ArrayBufferView[] } {
  const arrays: ArrayBufferView[] = [];
  const walk = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      arrays.push(v);
      return `${v.constructor.name}[${(v as Uint8Array).length}]#${arrays.length - 1}`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => [k, walk(o[k])]));
    }
    return v;
  };
  return { json: walk(graph), arrays };
}

/** True when both graphs have the same structure and bit-identical typed arrays of the same types. */
export function sameGraph(a: unknown, b: unknown): { same: boolean; why?: string } {
  const x = graphSkeleton(a);
  const y = graphSkeleton(b);
  const jx = JSON.stringify(x.json);
  const jy = JSON.stringify(y.json);
  if (jx !== jy) return { same: false, why: `structure differs:\n${jx.slice(0, 2000)}\n${jy.slice(0, 2000)}` };
  for (let i = 0; i < x.arrays.length; i++) {
    const p = x.arrays[i]!;
    const q = y.arrays[i]!;
    const pb = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
    const qb = new Uint8Array(q.buffer, q.byteOffset, q.byteLength);
    if (pb.length !== qb.length) return { same: false, why: `array #${i} has ${pb.length} vs ${qb.length} bytes` };
    for (let j = 0; j < pb.length; j++) if (pb[j] !== qb[j]) return { same: false, why: `array #${i} differs at byte ${j}` };
  }
  return { same: true };
}
