// TFLite (.tflite FlatBuffer, schema version 3) → Graph IR.
//
// Supported: float32 models; TF1 quantization-aware uint8 models (per-tensor asymmetric weights and
// activations, int32 bias); TF2 post-training int8 models (per-channel symmetric int8 weights,
// asymmetric int8 activations, int32 bias, QUANTIZE / DEQUANTIZE at the edges, possibly with uint8 or
// float32 model input/output); float16 / int8 weights stored as constants behind DEQUANTIZE (folded to
// float32 at import); hybrid (dynamic-range) conv / dense with float activations and int8 weights
// (weights dequantized to float32 at import).
//
// IR conventions (see ../../graph/ir.ts):
// - Every IR value is named after its TFLite tensor (de-duplicated with a "_1", "_2"… suffix; an
//   unnamed tensor is "tensor_<index>"). Nodes the importer adds (a flatten before, or a reshape
//   after, a FULLY_CONNECTED) get the tensor name plus "/flatten" or "/fc".
// - Each value that is not float32 (quantized uint8 / int8 activations, int32 / int64 argmax
//   outputs) has its dtype and quantization in graph.values[name]; the graph input also carries them
//   in graph.input.dtype / graph.input.quant.
// - Quantized CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED become conv2d / depthwise_conv2d / dense
//   nodes whose `weights` and `bias` are empty Float32Arrays and whose `q` holds the integer weights
//   (IR layout: HWIO, [kh,kw,C], [K,N]), the per-tensor (length 1) or per-channel scales and zero
//   points, and the int32 bias (scale inputScale·scale[c], zero point 0, as TFLite stores it).
// - meta.preprocess is the REAL-valued mapping classify() applies to 0..255 pixels:
//     uint8 input (scale s, zero point z): the input takes raw pixels, so real = s·(pixel − z), i.e.
//       scale [s,s,s], offset [−s·z]×3; quantizing that real value with (s, z) gives back the pixel.
//     int8 input: the normalization of the TFLite metadata when present, else the pixel shifted into
//       int8 (q = pixel − 128): real = s·(pixel − 128 − z).
//     float32 input: the metadata normalization (x − mean)/std when present, else x/127.5 − 1 for a
//       MobileNetV2, else x/255.
//   The caller's `preprocess` option overrides all of this.

import type {
  Activation as IrActivation,
  DType,
  Graph,
  ModelMeta,
  Node,
  Pad,
  Preprocess,
  Quant,
  QuantWeights,
  ValueType,
} from '../../graph/ir.js';
import { InputError, ModelFormatError, ShapeError, UnsupportedOpError } from '../../errors.js';
import { inferShapes } from '../../graph/shapes.js';
import type { FbTable } from './flatbuffer.js';
import {
  ACTIVATION_NAMES,
  Activation,
  Op,
  Options,
  Padding,
  TENSOR_TYPE_SIZE,
  TensorType,
  opName,
  parseTflite,
  tensorTypeName,
  type TfliteModel,
  type TfliteOperator,
  type TfliteTensor,
} from './schema.js';
import { AssociatedFileType, METADATA_NAME, parseMetadata, type TfliteMetadata } from './metadata.js';
import { readZip, readZipEntry, type ZipArchive } from './zip.js';

export interface ImportTfliteOptions {
  /** Used in every error message, and as meta.source by default. */
  fileName?: string;
  /** Class names (overrides the labels embedded in the file). Must match the number of classes. */
  labels?: string[];
  /** Overrides the preprocessing derived from the input quantization / metadata. */
  preprocess?: Preprocess;
  /** Graph name (default: the file name without directory and extension). */
  name?: string;
  /** meta.source (default: the file name). */
  source?: string;
}

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

const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

/** TF/TFLite SAME padding (with dilation) for one dimension: [before, after]. */
export function samePadding(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const eff = (k - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

type IntArray = Uint8Array | Int8Array;

interface ConstTensor {
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

function prod(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

export async function importTflite(bytes: Uint8Array, opts: ImportTfliteOptions = {}): Promise<Graph> {
  return (await importTfliteWithReport(bytes, opts)).graph;
}

export async function importTfliteWithReport(
  bytes: Uint8Array,
  opts: ImportTfliteOptions = {},
): Promise<{ graph: Graph; report: TfliteImportReport }> {
  const file = opts.fileName ?? '<bytes>';
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${file}: model bytes must be a Uint8Array`);
  const model = parseTflite(bytes, file);
  const conv = convert(model, file, opts);

  // Associated files: the zip after the FlatBuffer, named by TFLITE_METADATA.
  const { report } = conv;
  const zip: ZipArchive | undefined = readZip(bytes, file, Math.min(model.extent, bytes.length));
  report.zipEntries = zip ? zip.entries.map((e) => e.name) : [];
  const md = report.metadata;
  const wanted = conv.task === 'segment' ? AssociatedFileType.TENSOR_VALUE_LABELS : AssociatedFileType.TENSOR_AXIS_LABELS;
  const declared = (md?.outputs[0]?.associatedFiles ?? []).filter(
    (f) => f.type === wanted || f.type === AssociatedFileType.TENSOR_AXIS_LABELS || f.type === AssociatedFileType.TENSOR_VALUE_LABELS,
  );
  // Every associated file the metadata names must be in the archive (a missing one: truncated file).
  const allDeclared = [...(md?.associatedFiles ?? []), ...(md?.inputs ?? []).flatMap((t) => t.associatedFiles), ...(md?.outputs ?? []).flatMap((t) => t.associatedFiles)];
  for (const f of allDeclared) {
    if (!zip || !zip.entries.some((e) => e.name === f.name)) {
      throw new ModelFormatError(
        `${file}: the TFLite metadata lists the associated file "${f.name}" but ${zip ? 'the appended zip does not contain it' : 'no zip archive follows the FlatBuffer'} (truncated file?) (at byte ${Math.min(model.extent, bytes.length)})`,
      );
    }
  }
  let labels: string[] | undefined;
  let labelsSource = 'default';
  const classes = conv.classes;
  if (opts.labels !== undefined) {
    if (!Array.isArray(opts.labels) || !opts.labels.every((l) => typeof l === 'string')) {
      throw new InputError(`${file}: labels must be an array of strings`);
    }
    if (classes !== undefined && opts.labels.length !== classes) {
      throw new InputError(`${file}: ${opts.labels.length} labels given but the model has ${classes} classes`);
    }
    labels = [...opts.labels];
    labelsSource = 'option';
  } else if (zip) {
    const pick =
      declared.find((f) => f.type === wanted && !f.locale) ??
      declared.find((f) => f.type === wanted) ??
      declared[0];
    let entry = pick ? zip.entries.find((e) => e.name === pick.name) : undefined;
    if (!entry && !md) {
      const txt = zip.entries.filter((e) => /\.txt$/i.test(e.name));
      entry = txt.find((e) => /label/i.test(e.name)) ?? (txt.length === 1 ? txt[0] : undefined);
    }
    if (entry) {
      const data = await readZipEntry(bytes, entry, file);
      const lines = new TextDecoder('utf-8').decode(data).split('\n').map((l) => l.replace(/\r$/, ''));
      while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      if (classes !== undefined && lines.length !== classes) {
        report.warnings.push(`labels file "${entry.name}" has ${lines.length} lines but the model has ${classes} classes; using class_<i> names`);
      } else {
        labels = lines;
        labelsSource = `zip:${entry.name}`;
      }
    }
  }
  report.labelsSource = labelsSource;
  // TFLite's ImageNet classifiers (TF-Slim, 1001 outputs) put a "background" class at output 0: it is not a
  // class people look for, and dropping it keeps the 1000 labels at ImageNet's own class ids.
  if (labels && conv.task === 'classify' && labels.length > 2 && /^background$/i.test(labels[0].trim())) {
    labels = labels.slice(1);
    conv.graph.meta.labelOffset = 1;
  }
  conv.graph.meta.labels = labels ?? Array.from({ length: classes ?? 0 }, (_, i) => `class_${i}`);
  return { graph: conv.graph, report };
}

interface Converted {
  graph: Graph;
  report: TfliteImportReport;
  task: 'classify' | 'segment';
  classes?: number;
}

function convert(model: TfliteModel, file: string, opts: ImportTfliteOptions): Converted {
  const sg = model.subgraphs[0]!;
  const T = sg.tensors;
  const report: TfliteImportReport = {
    schemaVersion: model.version,
    ...(model.description !== undefined ? { description: model.description } : {}),
    operatorCodes: model.operatorCodes.map((c) => ({
      name: c.customCode !== undefined && c.code === Op.CUSTOM ? `CUSTOM:${c.customCode}` : opName(c.code),
      code: c.code,
      version: c.version,
      deprecatedCode: c.deprecatedCode,
      builtinCode: c.builtinCode,
    })),
    opCounts: {},
    deadOperators: [],
    perChannelTensors: [],
    foldedDequantize: [],
    dequantizedWeights: [],
    labelsSource: 'default',
    zipEntries: [],
    metadataEntries: model.metadata.map((m) => m.name),
    preprocessSource: 'default',
    warnings: [],
  };

  const corrupt = (msg: string, at: number): never => {
    throw new ModelFormatError(`${file}: ${msg} (at byte ${Math.max(0, at)})`);
  };

  // ---- metadata
  let metadata: TfliteMetadata | undefined;
  for (const m of model.metadata) {
    if (m.name !== METADATA_NAME) continue;
    if (m.buffer >= model.buffers.length) corrupt(`metadata "${m.name}" refers to buffer ${m.buffer} of ${model.buffers.length}`, m.pos);
    const b = model.buffers[m.buffer]!;
    metadata = parseMetadata(b.data, file, b.at);
    report.metadata = metadata;
  }

  // ---- tensors: indices, buffers, producers
  const tensorAt = (i: number, what: string, at: number): TfliteTensor => {
    if (!Number.isInteger(i) || i < 0 || i >= T.length) corrupt(`${what} refers to tensor ${i}, but the subgraph has ${T.length}`, at);
    return T[i]!;
  };
  for (const t of T) {
    if (t.buffer >= model.buffers.length && !(t.buffer === 0 && model.buffers.length === 0)) {
      corrupt(`tensor ${t.index} "${t.name}" refers to buffer ${t.buffer}, but the model has ${model.buffers.length}`, t.pos);
    }
    for (const d of t.shape) if (d < -1) corrupt(`tensor ${t.index} "${t.name}" has an invalid shape ${fmt(t.shape)}`, t.pos);
  }
  const hasData = (t: TfliteTensor) => t.buffer > 0 && t.buffer < model.buffers.length && model.buffers[t.buffer]!.data.length > 0;
  const producer = new Map<number, TfliteOperator>();
  for (const op of sg.operators) {
    if (op.opcodeIndex >= model.operatorCodes.length) {
      corrupt(`operator #${op.index} uses opcode_index ${op.opcodeIndex}, but the model has ${model.operatorCodes.length} operator codes`, op.pos);
    }
    for (const i of op.inputs) if (i !== -1) tensorAt(i, `operator #${op.index} input`, op.pos);
    for (const o of op.outputs) {
      const t = tensorAt(o, `operator #${op.index} output`, op.pos);
      if (producer.has(o)) corrupt(`tensor ${o} "${t.name}" is produced by operators #${producer.get(o)!.index} and #${op.index}`, op.pos);
      if (hasData(t)) corrupt(`operator #${op.index} writes to constant tensor ${o} "${t.name}"`, op.pos);
      producer.set(o, op);
    }
  }

  if (sg.inputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${sg.inputs.length} inputs; only single-input models are supported`);
  }
  if (sg.outputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${sg.outputs.length} outputs; only single-output models are supported`);
  }
  const inT = tensorAt(sg.inputs[0]!, 'subgraph input', sg.pos);
  const outT = tensorAt(sg.outputs[0]!, 'subgraph output', sg.pos);
  if (hasData(inT) || producer.has(inT.index)) corrupt(`the input tensor ${inT.index} "${inT.name}" is a constant or computed`, inT.pos);
  if (!producer.has(outT.index)) corrupt(`the output tensor ${outT.index} "${outT.name}" is not computed by any operator`, outT.pos);

  // ---- liveness: only operators that feed the output are imported.
  const live = new Set<TfliteOperator>();
  {
    const stack = [outT.index];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const ti = stack.pop()!;
      if (seen.has(ti)) continue;
      seen.add(ti);
      const p = producer.get(ti);
      if (!p || live.has(p)) continue;
      live.add(p);
      for (const i of p.inputs) if (i !== -1) stack.push(i);
    }
  }
  for (const op of sg.operators) if (!live.has(op)) report.deadOperators.push(op.index);

  // ---- names
  const used = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const valueName = new Map<number, string>(); // tensor index → IR value name
  const values: Record<string, ValueType> = {};
  const nodes: Node[] = [];
  const nodeTensor = new Map<string, { tensor: TfliteTensor; op: TfliteOperator }>();
  const folded = new Map<number, ConstTensor>();

  // ---- value types
  const checkQuant = (t: TfliteTensor, dtype: 'uint8' | 'int8', ctx: () => string): Quant => {
    const q = t.quant;
    if (!q || !q.scale || q.scale.length === 0) {
      throw new UnsupportedOpError(`${file}: ${ctx()}: ${dtype} tensor ${t.index} "${t.name}" has no quantization parameters`);
    }
    if (q.detailsType !== 0) throw new UnsupportedOpError(`${file}: ${ctx()}: tensor "${t.name}" uses custom quantization details`);
    if (q.scale.length !== 1) {
      throw new UnsupportedOpError(`${file}: ${ctx()}: activation tensor "${t.name}" is quantized per channel (${q.scale.length} scales); only weights may be`);
    }
    const scale = q.scale[0]!;
    const zp = q.zeroPoint && q.zeroPoint.length > 0 ? q.zeroPoint[0]! : 0;
    if (q.zeroPoint && q.zeroPoint.length > 1) corrupt(`tensor ${t.index} "${t.name}" has 1 scale but ${q.zeroPoint.length} zero points`, q.pos);
    const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
    if (!(Number.isFinite(scale) && scale > 0)) corrupt(`tensor ${t.index} "${t.name}" has quantization scale ${scale}`, q.pos);
    if (!(zp >= lo && zp <= hi)) corrupt(`tensor ${t.index} "${t.name}" has zero point ${zp}, outside the ${dtype} range`, q.pos);
    return { scale, zeroPoint: zp };
  };
  /** dtype (and quantization) of an activation tensor. */
  const typeOf = (t: TfliteTensor, ctx: () => string): ValueType => {
    switch (t.type) {
      case TensorType.FLOAT32:
        return { dtype: 'float32' };
      case TensorType.UINT8:
        return { dtype: 'uint8', quant: checkQuant(t, 'uint8', ctx) };
      case TensorType.INT8:
        return { dtype: 'int8', quant: checkQuant(t, 'int8', ctx) };
      case TensorType.INT32:
        return { dtype: 'int32' };
      case TensorType.INT64:
        return { dtype: 'int64' };
      default:
        throw new UnsupportedOpError(`${file}: ${ctx()}: tensor ${t.index} "${t.name}" has type ${tensorTypeName(t.type)}, which is not supported`);
    }
  };
  const setValue = (name: string, vt: ValueType) => {
    if (vt.dtype !== 'float32') values[name] = vt.quant ? { dtype: vt.dtype, quant: { ...vt.quant } } : { dtype: vt.dtype };
  };

  // ---- graph input
  const inCtx = () => `input tensor ${inT.index} "${inT.name}"`;
  const inType = typeOf(inT, inCtx);
  if (inType.dtype !== 'float32' && inType.dtype !== 'uint8' && inType.dtype !== 'int8') {
    throw new UnsupportedOpError(`${file}: ${inCtx()} has type ${inType.dtype}; expected float32, uint8 or int8`);
  }
  if (inT.shape.length !== 4 || inT.shape.slice(1).some((d) => d < 1) || (inT.shape[0] !== 1 && inT.shape[0] !== -1)) {
    throw new UnsupportedOpError(`${file}: ${inCtx()} has shape ${fmt(inT.shape)}; expected an NHWC image [1,H,W,C]`);
  }
  const inputName = unique(inT.name || `tensor_${inT.index}`);
  valueName.set(inT.index, inputName);
  setValue(inputName, inType);
  const shapeOfValue = new Map<string, number[]>([[inputName, [1, inT.shape[1]!, inT.shape[2]!, inT.shape[3]!]]]);
  const typeOfValue = new Map<string, ValueType>([[inputName, inType]]);

  // ---- operators
  for (const op of sg.operators) {
    if (!live.has(op)) continue;
    const oc = model.operatorCodes[op.opcodeIndex]!;
    const code = oc.code;
    const name = oc.customCode !== undefined && code === Op.CUSTOM ? `CUSTOM "${oc.customCode}"` : opName(code);
    const ctx = () => `operator #${op.index} ${name} (code ${code}, version ${oc.version})`;
    const unsupported = (msg: string): never => {
      throw new UnsupportedOpError(`${file}: ${ctx()}: ${msg}`);
    };
    const bad = (msg: string, at = op.pos): never => corrupt(`${ctx()}: ${msg}`, at);
    if (oc.version < 1) bad(`version ${oc.version} is invalid`, oc.pos);
    const key = `${opName(code)} v${oc.version}`;
    report.opCounts[key] = (report.opCounts[key] ?? 0) + 1;

    const arity = (nIn: number | [number, number], nOut = 1) => {
      const [lo, hi] = typeof nIn === 'number' ? [nIn, nIn] : nIn;
      if (op.inputs.length < lo || op.inputs.length > hi) bad(`has ${op.inputs.length} inputs, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
      if (op.outputs.length !== nOut) bad(`has ${op.outputs.length} outputs, expected ${nOut}`);
    };
    const options = (type: number): FbTable | undefined => {
      if (op.optionsType === 0) return undefined;
      if (op.optionsType !== type) bad(`builtin_options has union type ${op.optionsType}, expected ${type}`);
      return op.options;
    };
    const isConst = (ti: number) => folded.has(ti) || hasData(T[ti]!);
    /** An activation input: an IR value. */
    const act = (k: number): { name: string; shape: number[]; type: ValueType; tensor: TfliteTensor } => {
      const ti = op.inputs[k];
      if (ti === undefined || ti === -1) bad(`input ${k} is missing`);
      const t = T[ti!]!;
      if (isConst(ti!)) unsupported(`input ${k} (tensor "${t.name}") is a constant; only computed tensors are supported there`);
      const nm = valueName.get(ti!);
      if (nm === undefined) {
        if (producer.has(ti!)) bad(`input ${k} (tensor "${t.name}") is computed by a later operator #${producer.get(ti!)!.index}; operators must be in execution order`);
        bad(`input ${k} (tensor ${ti} "${t.name}") is neither the model input, a constant, nor computed by an operator`);
      }
      return { name: nm!, shape: shapeOfValue.get(nm!)!, type: typeOfValue.get(nm!)!, tensor: t };
    };
    /** A constant input (a buffer, or a folded DEQUANTIZE). */
    const constant = (k: number, what: string): ConstTensor => {
      const ti = op.inputs[k];
      if (ti === undefined || ti === -1) bad(`${what} (input ${k}) is missing`);
      const f = folded.get(ti!);
      if (f) return f;
      const t = T[ti!]!;
      if (!hasData(t)) unsupported(`${what} (input ${k}, tensor "${t.name}") must be a constant`);
      if (t.sparse) unsupported(`${what} (tensor "${t.name}") is stored sparse`);
      const size = TENSOR_TYPE_SIZE[t.type];
      if (size === undefined) unsupported(`${what} (tensor "${t.name}") has type ${tensorTypeName(t.type)}`);
      if (t.shape.some((d) => d < 0)) bad(`${what} (tensor "${t.name}") has a dynamic shape ${fmt(t.shape)}`, t.pos);
      const buf = model.buffers[t.buffer]!;
      const count = prod(t.shape);
      if (count * size! !== buf.data.length) {
        bad(`${what} (tensor ${t.index} "${t.name}", ${tensorTypeName(t.type)} ${fmt(t.shape)}) needs ${count * size!} bytes but its buffer ${t.buffer} has ${buf.data.length}`, buf.at);
      }
      return { tensor: t, type: t.type, shape: [...t.shape], count, raw: buf.data, at: buf.at };
    };
    const ints = (c: ConstTensor, what: string): number[] => {
      const dv = new DataView(c.raw!.buffer, c.raw!.byteOffset, c.raw!.byteLength);
      if (c.type === TensorType.INT32) return Array.from({ length: c.count }, (_, i) => dv.getInt32(4 * i, true));
      if (c.type === TensorType.INT64) {
        return Array.from({ length: c.count }, (_, i) => {
          const v = dv.getBigInt64(8 * i, true);
          if (v > 2n ** 31n || v < -(2n ** 31n)) bad(`${what} value ${v} is out of range`, c.at);
          return Number(v);
        });
      }
      return unsupported(`${what} (tensor "${c.tensor.name}") has type ${tensorTypeName(c.type)}, expected INT32 or INT64`);
    };
    const output = (k = 0) => T[op.outputs[k]!]!;
    const outType = (k = 0) => typeOf(output(k), ctx);
    /** Registers the node producing output tensor k. */
    const emit = (node: Node, shape: number[], vt: ValueType, k = 0) => {
      nodes.push(node);
      const t = output(k);
      valueName.set(t.index, node.name);
      shapeOfValue.set(node.name, shape);
      typeOfValue.set(node.name, vt);
      setValue(node.name, vt);
      nodeTensor.set(node.name, { tensor: t, op });
    };
    const outName = (k = 0) => {
      const t = output(k);
      return unique(t.name || `tensor_${t.index}`);
    };
    /** An extra node of the importer's own (shape known, no TFLite tensor of its own). */
    const emitInner = (node: Node, shape: number[], vt: ValueType) => {
      nodes.push(node);
      shapeOfValue.set(node.name, shape);
      typeOfValue.set(node.name, vt);
      setValue(node.name, vt);
    };
    const fused = (a: number): IrActivation => {
      if (a === Activation.NONE) return 'none';
      if (a === Activation.RELU) return 'relu';
      if (a === Activation.RELU6) return 'relu6';
      return unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} is not supported (NONE, RELU, RELU6)`);
    };
    const sameDtype = (a: ValueType, b: ValueType, what: string) => {
      if (a.dtype !== b.dtype) unsupported(`${what}: ${a.dtype} in, ${b.dtype} out; the types must agree`);
    };
    const rank4 = (x: { name: string; shape: number[] }, what = 'input') => {
      if (x.shape.length !== 4 || x.shape[0] !== 1) unsupported(`${what} "${x.name}" has shape ${fmt(x.shape)}; expected [1,H,W,C]`);
    };

    /**
     * Weights of a conv / depthwise / dense in IR layout, float or quantized. `tr`: the TFLite tensor is
     * [rows][cols] and the IR wants its transpose (undefined: same layout); `channels` is the output channel
     * count, `qdim` the TFLite quantized dimension.
     */
    const weights = (
      x: { type: ValueType },
      w: ConstTensor,
      channels: number,
      qdim: number,
      tr: { rows: number; cols: number } | undefined,
    ): { f32?: Float32Array; q?: Omit<QuantWeights, 'bias'> } => {
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
        if (!q || !q.scale || q.scale.length === 0) unsupported(`${what} are ${tensorTypeName(w.type)} without quantization parameters`);
        if (q!.detailsType !== 0) unsupported(`${what} use custom quantization details`);
        const ns = q!.scale!.length;
        if (ns !== 1 && ns !== channels) bad(`${what} have ${ns} scales, expected 1 or ${channels}`, q!.pos);
        if (ns > 1 && q!.quantizedDimension !== qdim) {
          bad(`${what} are quantized along dimension ${q!.quantizedDimension}, expected ${qdim} (the output channels)`, q!.pos);
        }
        const zps = q!.zeroPoint ?? [];
        if (zps.length !== 0 && zps.length !== ns) bad(`${what} have ${ns} scales but ${zps.length} zero points`, q!.pos);
        const [lo, hi] = w.type === TensorType.UINT8 ? [0, 255] : [-128, 127];
        const zeroPoint = new Int32Array(ns);
        for (let c = 0; c < ns; c++) {
          const z = zps.length ? zps[c]! : 0;
          if (!(z >= lo && z <= hi)) bad(`${what} zero point ${z} is outside the ${tensorTypeName(w.type)} range`, q!.pos);
          // TFLite's int8 kernels require symmetric weights (zero point 0); uint8 weights are asymmetric.
          if (w.type === TensorType.INT8 && z !== 0 && x.type.dtype === 'int8') {
            unsupported(`int8 ${what} have zero point ${z}; int8 weights must be symmetric (zero point 0)`);
          }
          zeroPoint[c] = z;
          const s = q!.scale![c]!;
          if (!(Number.isFinite(s) && s >= 0)) bad(`${what} scale ${s} is invalid`, q!.pos);
        }
        if (ns > 1) report.perChannelTensors.push(w.tensor.name);
        return { scale: Float32Array.from(q!.scale!), zeroPoint };
      };
      if (w.type === TensorType.FLOAT32) {
        if (x.type.dtype !== 'float32') unsupported(`float32 weights "${w.tensor.name}" with a ${x.type.dtype} input`);
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
        if (x.type.dtype !== dtype) unsupported(`${dtype} weights "${w.tensor.name}" with a ${x.type.dtype} input`);
        const data = dtype === 'uint8' ? permute(src as Uint8Array, (k) => new Uint8Array(k)) : permute(src as Int8Array, (k) => new Int8Array(k));
        return { q: { dtype, data, scale, zeroPoint } };
      }
      return unsupported(`weights "${w.tensor.name}" have type ${tensorTypeName(w.type)}`);
    };
    const biasOf = (
      k: number,
      channels: number,
      x: { type: ValueType },
      wq: { scale: Float32Array } | undefined,
    ): { f32?: Float32Array; i32?: Int32Array } => {
      const ti = op.inputs[k];
      if (ti === undefined || ti === -1) return wq ? { i32: new Int32Array(channels) } : { f32: new Float32Array(channels) };
      const b = constant(k, 'bias');
      if (b.count !== channels) bad(`bias "${b.tensor.name}" has ${b.count} values, expected ${channels}`, b.tensor.pos);
      if (wq) {
        if (b.type !== TensorType.INT32) unsupported(`bias "${b.tensor.name}" of a quantized op has type ${tensorTypeName(b.type)}, expected INT32`);
        const i32 = i32Of(b.raw!);
        const bq = b.tensor.quant;
        const inScale = x.type.quant!.scale;
        if (bq?.scale && bq.scale.length > 0) {
          for (let c = 0; c < channels; c++) {
            const expect = inScale * wq.scale[wq.scale.length === 1 ? 0 : c]!;
            const got = bq.scale[bq.scale.length === 1 ? 0 : Math.min(c, bq.scale.length - 1)]!;
            if (Math.abs(expect - got) > 1e-3 * Math.max(Math.abs(expect), 1e-30)) {
              report.warnings.push(`${ctx()}: bias "${b.tensor.name}" channel ${c} has scale ${got}, expected input·weight scale ${expect}`);
              break;
            }
          }
        }
        return { i32 };
      }
      if (b.type !== TensorType.FLOAT32) unsupported(`bias "${b.tensor.name}" of a float op has type ${tensorTypeName(b.type)}`);
      return { f32: b.f32 ? b.f32.slice() : f32Of(b.raw!) };
    };

    switch (code) {
      case Op.CONV_2D:
      case Op.DEPTHWISE_CONV_2D: {
        arity([2, 3]);
        const dw = code === Op.DEPTHWISE_CONV_2D;
        const o = options(dw ? Options.DepthwiseConv2DOptions : Options.Conv2DOptions);
        if (!o) bad('has no options');
        // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4 dilation_w, 5 dilation_h
        // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 activation,
        //                         5 dilation_w, 6 dilation_h
        const padding = o!.i8(0, 'padding');
        const sw = o!.i32(1, 'stride_w');
        const sh = o!.i32(2, 'stride_h');
        const activation = fused(o!.i8(dw ? 4 : 3, 'fused_activation_function'));
        const dW = o!.i32(dw ? 5 : 4, 'dilation_w_factor', 1);
        const dH = o!.i32(dw ? 6 : 5, 'dilation_h_factor', 1);
        if (sw < 1 || sh < 1) bad(`stride ${sh}×${sw} is invalid`, o!.pos);
        if (dW < 1 || dH < 1) bad(`dilation ${dH}×${dW} is invalid`, o!.pos);
        if (padding !== Padding.SAME && padding !== Padding.VALID) bad(`padding ${padding} is invalid`, o!.pos);
        const x = act(0);
        rank4(x);
        const [, H, W, C] = x.shape as [number, number, number, number];
        const w = constant(1, 'filter');
        if (w.shape.length !== 4) bad(`filter "${w.tensor.name}" has shape ${fmt(w.shape)}, expected rank 4`, w.tensor.pos);
        const [w0, kh, kw, w3] = w.shape as [number, number, number, number];
        if (kh < 1 || kw < 1 || w0 < 1 || w3 < 1) bad(`filter "${w.tensor.name}" has shape ${fmt(w.shape)}`, w.tensor.pos);
        let cout: number;
        let tr: { rows: number; cols: number } | undefined;
        if (dw) {
          if (w0 !== 1) bad(`depthwise filter "${w.tensor.name}" has shape ${fmt(w.shape)}, expected [1,kh,kw,C]`, w.tensor.pos);
          if (w3 !== C) unsupported(`depthwise filter has ${w3} channels for ${C} input channels (only depth multiplier 1 is supported)`);
          cout = C;
          tr = undefined; // [1,kh,kw,C] is already the IR [kh,kw,C]
        } else {
          cout = w0;
          if (w3 !== C) unsupported(`filter "${w.tensor.name}" ${fmt(w.shape)} has ${w3} input channels but the input has ${C} (grouped convolution is not supported)`);
          // TFLite OHWI [cout][kh·kw·cin] → IR HWIO [kh·kw·cin][cout]
          tr = { rows: cout, cols: kh * kw * C };
        }
        const ww = weights(x, w, cout, dw ? 3 : 0, tr);
        const b = biasOf(2, cout, x, ww.q);
        let pad: Pad;
        if (padding === Padding.SAME) {
          const [top, bottom] = samePadding(H, kh, sh, dH);
          const [left, right] = samePadding(W, kw, sw, dW);
          pad = { top, left, bottom, right };
        } else pad = { top: 0, left: 0, bottom: 0, right: 0 };
        const outH = Math.floor((H + pad.top + pad.bottom - dH * (kh - 1) - 1) / sh) + 1;
        const outW = Math.floor((W + pad.left + pad.right - dW * (kw - 1) - 1) / sw) + 1;
        if (outH < 1 || outW < 1) bad(`a ${kh}×${kw} filter (dilation ${dH}×${dW}) does not fit the ${H}×${W} input`);
        const ot = outType();
        if (ww.q) sameDtype(x.type, ot, 'quantized convolution');
        else if (ot.dtype !== 'float32') unsupported(`float convolution with a ${ot.dtype} output`);
        const nm = outName();
        const common = {
          name: nm,
          inputs: [x.name],
          kernel: [kh, kw] as [number, number],
          stride: [sh, sw] as [number, number],
          ...(dH !== 1 || dW !== 1 ? { dilation: [dH, dW] as [number, number] } : {}),
          pad,
          activation,
          weights: ww.f32 ?? new Float32Array(0),
          bias: b.f32 ?? new Float32Array(0),
          ...(ww.q ? { q: { ...ww.q, bias: b.i32! } } : {}),
        };
        const node: Node = dw ? { op: 'depthwise_conv2d', ...common } : { op: 'conv2d', ...common, outChannels: cout };
        emit(node, [1, outH, outW, cout], ot);
        break;
      }
      case Op.FULLY_CONNECTED: {
        arity([2, 3]);
        const o = options(Options.FullyConnectedOptions);
        // FullyConnectedOptions: 0 activation, 1 weights_format, 2 keep_num_dims, 3 asymmetric_quantize_inputs
        const activation = fused(o ? o.i8(0, 'fused_activation_function') : 0);
        const format = o ? o.i8(1, 'weights_format') : 0;
        if (format !== 0) unsupported(`weights_format ${format} (shuffled weights) is not supported`);
        const keepNumDims = o ? o.bool(2, 'keep_num_dims') : false;
        let x = act(0);
        const w = constant(1, 'weights');
        if (w.shape.length !== 2 || w.shape[0]! < 1 || w.shape[1]! < 1) bad(`weights "${w.tensor.name}" have shape ${fmt(w.shape)}, expected [N,K]`, w.tensor.pos);
        const [N, K] = w.shape as [number, number];
        const total = prod(x.shape);
        if (total !== K) unsupported(`input "${x.name}" ${fmt(x.shape)} has ${total} elements; only batch 1 with K = ${K} is supported`);
        const isVec = (s: number[]) => (s.length === 2 && s[0] === 1) || (s.length === 4 && s[0] === 1 && s[1] === 1 && s[2] === 1);
        if (!isVec(x.shape)) {
          const fl = unique(`${output().name || `tensor_${output().index}`}/flatten`);
          emitInner({ op: 'reshape', name: fl, inputs: [x.name], shape: [1, K] }, [1, K], x.type);
          x = { ...x, name: fl, shape: [1, K] };
        }
        // TFLite [N,K] → IR [K,N]
        const ww = weights(x, w, N, 0, { rows: N, cols: K });
        const b = biasOf(2, N, x, ww.q);
        const ot = outType();
        if (ww.q) sameDtype(x.type, ot, 'quantized fully connected');
        else if (ot.dtype !== 'float32') unsupported(`float fully connected with a ${ot.dtype} output`);
        const tOut = output();
        const wantShape = keepNumDims ? [...x.shape.slice(0, -1), N] : [1, N];
        const declared = tOut.shape.length > 0 ? tOut.shape : wantShape;
        const needReshape = !(declared.length === 2 && declared[0] === 1 && declared[1] === N);
        const nm = needReshape ? unique(`${tOut.name || `tensor_${tOut.index}`}/fc`) : outName();
        const node: Node = {
          op: 'dense',
          name: nm,
          inputs: [x.name],
          activation,
          weights: ww.f32 ?? new Float32Array(0),
          bias: b.f32 ?? new Float32Array(0),
          units: N,
          ...(ww.q ? { q: { ...ww.q, bias: b.i32! } } : {}),
        };
        if (!needReshape) emit(node, [1, N], ot);
        else {
          if (prod(declared) !== N || declared[0] !== 1) bad(`output shape ${fmt(declared)} does not hold ${N} values`, tOut.pos);
          emitInner(node, [1, N], ot);
          emit({ op: 'reshape', name: outName(), inputs: [nm], shape: [...declared] }, [...declared], ot);
        }
        break;
      }
      case Op.ADD: {
        arity(2);
        const o = options(Options.AddOptions);
        const activation = fused(o ? o.i8(0, 'fused_activation_function') : 0);
        const a = act(0);
        const b = act(1);
        if (fmt(a.shape) !== fmt(b.shape)) unsupported(`operands ${fmt(a.shape)} and ${fmt(b.shape)} differ (broadcasting is not supported)`);
        const ot = outType();
        sameDtype(a.type, b.type, 'ADD operands');
        sameDtype(a.type, ot, 'ADD');
        emit({ op: 'add', name: outName(), inputs: [a.name, b.name], activation }, [...a.shape], ot);
        break;
      }
      case Op.AVERAGE_POOL_2D: {
        arity(1);
        const o = options(Options.Pool2DOptions);
        if (!o) bad('has no options');
        // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation
        const padding = o!.i8(0, 'padding');
        const sw = o!.i32(1, 'stride_w');
        const sh = o!.i32(2, 'stride_h');
        const fw = o!.i32(3, 'filter_width');
        const fh = o!.i32(4, 'filter_height');
        const a = o!.i8(5, 'fused_activation_function');
        if (sw < 1 || sh < 1 || fw < 1 || fh < 1) bad(`stride ${sh}×${sw} / filter ${fh}×${fw} is invalid`, o!.pos);
        const x = act(0);
        rank4(x);
        const [, H, W] = x.shape as [number, number, number, number];
        const outH = padding === Padding.SAME ? Math.ceil(H / sh) : Math.floor((H - fh) / sh) + 1;
        const outW = padding === Padding.SAME ? Math.ceil(W / sw) : Math.floor((W - fw) / sw) + 1;
        if (fh !== H || fw !== W || outH !== 1 || outW !== 1) {
          unsupported(`a ${fh}×${fw} window with stride ${sh}×${sw} over ${H}×${W} is not a global average pool (only global pooling is supported)`);
        }
        if (a !== Activation.NONE) unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} on a pool is not supported`);
        const ot = outType();
        sameDtype(x.type, ot, 'AVERAGE_POOL_2D');
        emit({ op: 'global_avg_pool', name: outName(), inputs: [x.name], keepDims: true }, [1, 1, 1, x.shape[3]!], ot);
        break;
      }
      case Op.MEAN: {
        arity(2);
        const o = options(Options.ReducerOptions);
        const keepDims = o ? o.bool(0, 'keep_dims') : false;
        const x = act(0);
        rank4(x);
        const axes = ints(constant(1, 'axes'), 'axes').map((v) => (v < 0 ? v + 4 : v));
        const set = new Set(axes);
        if (!(set.size === 2 && set.has(1) && set.has(2) && axes.length === 2)) {
          unsupported(`reduction over axes [${axes.join(',')}] is not supported (only the spatial axes 1 and 2)`);
        }
        const ot = outType();
        sameDtype(x.type, ot, 'MEAN');
        const C = x.shape[3]!;
        emit({ op: 'global_avg_pool', name: outName(), inputs: [x.name], keepDims, ...(keepDims ? { rounding: 'mean' as const } : {}) }, keepDims ? [1, 1, 1, C] : [1, C], ot);
        break;
      }
      case Op.RESHAPE:
      case Op.SQUEEZE: {
        arity(code === Op.RESHAPE ? [1, 2] : 1);
        const x = act(0);
        const t = output();
        const shape = [...t.shape];
        if (shape.some((d) => d < 1)) unsupported(`output "${t.name}" has a dynamic or empty shape ${fmt(shape)}`);
        if (prod(shape) !== prod(x.shape)) bad(`output ${fmt(shape)} does not hold the ${prod(x.shape)} elements of ${fmt(x.shape)}`, t.pos);
        const ot = outType();
        sameDtype(x.type, ot, opName(code));
        emit({ op: 'reshape', name: outName(), inputs: [x.name], shape }, shape, ot);
        break;
      }
      case Op.SOFTMAX: {
        arity(1);
        const o = options(Options.SoftmaxOptions);
        const beta = o ? o.f32(0, 'beta') : 1;
        if (!Number.isFinite(beta)) bad(`beta ${beta} is invalid`, o?.pos ?? op.pos);
        const x = act(0);
        if (x.shape.length !== 2 || x.shape[0] !== 1) unsupported(`softmax over ${fmt(x.shape)} is not supported (only [1,N])`);
        const ot = outType();
        sameDtype(x.type, ot, 'SOFTMAX');
        emit({ op: 'softmax', name: outName(), inputs: [x.name], ...(beta !== 1 ? { beta } : {}) }, [...x.shape], ot);
        break;
      }
      case Op.QUANTIZE: {
        arity(1);
        const x = act(0);
        const ot = outType();
        if (ot.dtype !== 'uint8' && ot.dtype !== 'int8') unsupported(`output has type ${ot.dtype}; expected uint8 or int8`);
        if (x.type.dtype !== 'float32' && x.type.dtype !== 'uint8' && x.type.dtype !== 'int8') unsupported(`input has type ${x.type.dtype}`);
        emit({ op: 'quantize', name: outName(), inputs: [x.name] }, [...x.shape], ot);
        break;
      }
      case Op.DEQUANTIZE: {
        arity(1);
        const ti = op.inputs[0]!;
        const ot = outType();
        if (ot.dtype !== 'float32') unsupported(`output has type ${ot.dtype}; expected float32`);
        if (ti !== -1 && isConst(ti)) {
          // Weights stored as float16 / int8 constants: fold to float32 now.
          const c = constant(0, 'input');
          if (!c.raw) unsupported('DEQUANTIZE of an already dequantized constant');
          const f = new Float32Array(c.count);
          const dv = new DataView(c.raw!.buffer, c.raw!.byteOffset, c.raw!.byteLength);
          if (c.type === TensorType.FLOAT16) {
            for (let i = 0; i < c.count; i++) f[i] = halfToFloat(dv.getUint16(2 * i, true));
          } else if (c.type === TensorType.INT8 || c.type === TensorType.UINT8) {
            const q = c.tensor.quant;
            if (!q?.scale || q.scale.length === 0) unsupported(`constant "${c.tensor.name}" has no quantization parameters`);
            const ns = q!.scale!.length;
            const axis = q!.quantizedDimension;
            if (ns > 1 && (axis < 0 || axis >= c.shape.length || c.shape[axis] !== ns)) {
              bad(`constant "${c.tensor.name}" has ${ns} scales along dimension ${axis} of ${fmt(c.shape)}`, q!.pos);
            }
            const inner = ns > 1 ? prod(c.shape.slice(axis + 1)) : 1;
            for (let i = 0; i < c.count; i++) {
              const ch = ns > 1 ? Math.floor(i / inner) % ns : 0;
              const v = c.type === TensorType.INT8 ? dv.getInt8(i) : dv.getUint8(i);
              f[i] = q!.scale![ch]! * (v - (q!.zeroPoint?.[ch] ?? 0));
            }
          } else unsupported(`constant input has type ${tensorTypeName(c.type)}`);
          folded.set(op.outputs[0]!, { tensor: output(), type: TensorType.FLOAT32, shape: c.shape, count: c.count, f32: f, at: c.at });
          report.foldedDequantize.push(op.index);
          report.opCounts[key]! -= 1;
          if (report.opCounts[key] === 0) delete report.opCounts[key];
          break;
        }
        const x = act(0);
        if (x.type.dtype !== 'uint8' && x.type.dtype !== 'int8') unsupported(`input "${x.name}" has type ${x.type.dtype}; expected uint8 or int8`);
        emit({ op: 'dequantize', name: outName(), inputs: [x.name] }, [...x.shape], ot);
        break;
      }
      case Op.PAD: {
        arity(2);
        const x = act(0);
        rank4(x);
        const p = constant(1, 'paddings');
        if (fmt(p.shape) !== '[4,2]') bad(`paddings "${p.tensor.name}" have shape ${fmt(p.shape)}, expected [4,2]`, p.tensor.pos);
        const v = ints(p, 'paddings');
        if (v.some((d) => d < 0)) bad(`negative paddings [${v.join(',')}]`, p.at);
        if (v[0] || v[1] || v[6] || v[7]) unsupported(`padding of the batch or channel dimension [${v.join(',')}] is not supported (only H and W)`);
        const pad: Pad = { top: v[2]!, bottom: v[3]!, left: v[4]!, right: v[5]! };
        const ot = outType();
        sameDtype(x.type, ot, 'PAD');
        const [, H, W, C] = x.shape as [number, number, number, number];
        emit({ op: 'pad', name: outName(), inputs: [x.name], pad }, [1, H + pad.top + pad.bottom, W + pad.left + pad.right, C], ot);
        break;
      }
      case Op.CONCATENATION: {
        if (op.inputs.length < 1 || op.outputs.length !== 1) bad(`has ${op.inputs.length} inputs and ${op.outputs.length} outputs`);
        const o = options(Options.ConcatenationOptions);
        const axis = o ? o.i32(0, 'axis') : 0;
        const a = o ? o.i8(1, 'fused_activation_function') : 0;
        if (a !== Activation.NONE) unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} on a concatenation is not supported`);
        const xs = op.inputs.map((_, k) => act(k));
        for (const x of xs) rank4(x);
        if (axis !== 3 && axis !== -1) unsupported(`concatenation along axis ${axis} is not supported (only channels: 3 or −1)`);
        const [, H, W] = xs[0]!.shape as [number, number, number, number];
        for (const x of xs) if (x.shape[1] !== H || x.shape[2] !== W) unsupported(`inputs ${xs.map((y) => fmt(y.shape)).join(', ')} differ in H or W`);
        const ot = outType();
        for (const x of xs) sameDtype(x.type, ot, 'CONCATENATION');
        const C = xs.reduce((s, x) => s + x.shape[3]!, 0);
        emit({ op: 'concat', name: outName(), inputs: xs.map((x) => x.name), axis: 3 }, [1, H, W, C], ot);
        break;
      }
      case Op.RESIZE_BILINEAR: {
        arity(2);
        const o = options(Options.ResizeBilinearOptions);
        // ResizeBilinearOptions: 0 new_height (deprecated), 1 new_width (deprecated), 2 align_corners, 3 half_pixel_centers
        const alignCorners = o ? o.bool(2, 'align_corners') : false;
        const halfPixelCenters = o ? o.bool(3, 'half_pixel_centers') : false;
        if (alignCorners && halfPixelCenters) bad('align_corners and half_pixel_centers are both set', o!.pos);
        const x = act(0);
        rank4(x);
        const s = constant(1, 'size');
        const size = ints(s, 'size');
        if (size.length !== 2 || size.some((d) => d < 1 || d > 1 << 16)) bad(`size [${size.join(',')}] is invalid`, s.at);
        const ot = outType();
        sameDtype(x.type, ot, 'RESIZE_BILINEAR');
        emit(
          { op: 'resize_bilinear', name: outName(), inputs: [x.name], size: [size[0]!, size[1]!], alignCorners, halfPixelCenters },
          [1, size[0]!, size[1]!, x.shape[3]!],
          ot,
        );
        break;
      }
      case Op.ARG_MAX: {
        arity(2);
        const o = options(Options.ArgMaxOptions);
        const x = act(0);
        rank4(x);
        const ax = ints(constant(1, 'axis'), 'axis');
        if (ax.length !== 1 || (ax[0] !== 3 && ax[0] !== -1)) unsupported(`argmax over axis [${ax.join(',')}] is not supported (only channels: 3 or −1)`);
        const t = output();
        if (t.type !== TensorType.INT32 && t.type !== TensorType.INT64) unsupported(`output "${t.name}" has type ${tensorTypeName(t.type)}; expected INT32 or INT64`);
        if (o && o.has(0) && o.i8(0, 'output_type') !== t.type) {
          bad(`output_type ${tensorTypeName(o.i8(0, 'output_type'))} disagrees with the output tensor type ${tensorTypeName(t.type)}`, o.pos);
        }
        if (x.type.dtype === 'int32' || x.type.dtype === 'int64') unsupported(`argmax of an ${x.type.dtype} tensor`);
        const outputType = t.type === TensorType.INT32 ? 'int32' : 'int64';
        const [, H, W] = x.shape as [number, number, number, number];
        emit({ op: 'argmax', name: outName(), inputs: [x.name], axis: 3, outputType }, [1, H, W], { dtype: outputType });
        break;
      }
      default:
        unsupported(
          oc.customCode !== undefined && code === Op.CUSTOM
            ? 'custom operators are not supported'
            : `operator ${opName(code)} is not supported`,
        );
    }
  }

  const outName = valueName.get(outT.index);
  if (outName === undefined || outName === inputName) corrupt(`the output tensor "${outT.name}" was not produced`, outT.pos);

  // ---- meta
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outNode = byName.get(outName!)!;
  const task: 'classify' | 'segment' = outNode.op === 'argmax' ? 'segment' : 'classify';
  let viaSoftmax: Node | undefined = outNode;
  while (viaSoftmax && (viaSoftmax.op === 'quantize' || viaSoftmax.op === 'dequantize' || viaSoftmax.op === 'reshape')) {
    viaSoftmax = byName.get(viaSoftmax.inputs[0]!);
  }
  const outputIsProbabilities = viaSoftmax?.op === 'softmax';
  const pools = nodes.filter((n) => n.op === 'global_avg_pool');
  const embeddingNode = pools.length > 0 ? pools[pools.length - 1]!.name : undefined;
  const outShape = shapeOfValue.get(outName!)!;
  let classes: number | undefined;
  if (task === 'segment') classes = shapeOfValue.get(outNode.inputs[0]!)![3];
  else if (outShape.length >= 2 && outShape.slice(0, -1).every((d) => d === 1)) classes = outShape[outShape.length - 1];

  const allNames = T.map((t) => t.name).join('\n');
  const looksMobileNetV2 = task === 'classify' && /mobilenet[_-]?v2/i.test(allNames);
  let alpha: number | undefined;
  if (looksMobileNetV2 && embeddingNode) {
    // MobileNetV2: … → block 16 project (320·α channels) → 1×1 conv (1280·max(1,α)) → global pool.
    const head = byName.get(byName.get(embeddingNode)!.inputs[0]!);
    const project = head ? byName.get(head.inputs[0]!) : undefined;
    if (head?.op === 'conv2d' && project?.op === 'conv2d') {
      alpha = MOBILENET_V2_ALPHAS.find((a) => Math.abs(project.outChannels / 320 - a) < 1e-9);
    }
  }
  const architecture = looksMobileNetV2 ? 'mobilenet_v2' : 'tflite';

  let preprocess: Preprocess;
  const norm = metadata?.inputs[0];
  const fromNorm = (): Preprocess | undefined => {
    if (!norm?.mean || !norm.std || norm.mean.length === 0 || norm.std.length === 0) return undefined;
    const C = inT.shape[3]!;
    const pick = (a: number[], c: number) => a[a.length === 1 ? 0 : Math.min(c, a.length - 1)]!;
    if (norm.std.some((s) => !(Number.isFinite(s) && s !== 0)) || norm.mean.some((m) => !Number.isFinite(m))) return undefined;
    const scale = [0, 1, 2].map((c) => 1 / pick(norm.std!, c % C)) as [number, number, number];
    const offset = [0, 1, 2].map((c) => -pick(norm.mean!, c % C) / pick(norm.std!, c % C)) as [number, number, number];
    return { scale, offset, centralCrop: 1 };
  };
  if (opts.preprocess) {
    preprocess = opts.preprocess;
    report.preprocessSource = 'option';
  } else if (inType.dtype === 'uint8') {
    const { scale: s, zeroPoint: z } = inType.quant!;
    preprocess = { scale: [s, s, s], offset: [-s * z, -s * z, -s * z], centralCrop: 1 };
    report.preprocessSource = 'input-quantization';
  } else {
    const p = fromNorm();
    if (p) {
      preprocess = p;
      report.preprocessSource = 'metadata-normalization';
    } else if (inType.dtype === 'int8') {
      const { scale: s, zeroPoint: z } = inType.quant!;
      const off = -s * (128 + z);
      preprocess = { scale: [s, s, s], offset: [off, off, off], centralCrop: 1 };
      report.preprocessSource = 'input-quantization';
    } else {
      preprocess = looksMobileNetV2
        ? { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], offset: [-1, -1, -1], centralCrop: 1 }
        : { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 };
    }
  }

  const meta: ModelMeta = {
    architecture,
    ...(alpha !== undefined ? { alpha } : {}),
    ...(looksMobileNetV2 && inT.shape[1] === inT.shape[2] ? { resolution: inT.shape[1]! } : {}),
    paddingMode: 'same',
    labels: [],
    preprocess,
    source: opts.source ?? file,
    ...(embeddingNode ? { embeddingNode } : {}),
    outputIsProbabilities,
    task,
  };
  const baseName = file.replace(/^.*[\\/]/, '').replace(/\.tflite$/i, '');
  const inDtype: DType = inType.dtype;
  const graph: Graph = {
    name: opts.name ?? (baseName && baseName !== '<bytes>' ? baseName : sg.name || 'tflite'),
    input: {
      name: inputName,
      shape: [1, inT.shape[1]!, inT.shape[2]!, inT.shape[3]!],
      ...(inDtype !== 'float32' ? { dtype: inDtype, quant: { ...inType.quant! } } : {}),
    },
    output: outName!,
    nodes,
    ...(Object.keys(values).length > 0 ? { values } : {}),
    meta,
  };

  // ---- the engine's own validation, and agreement with the shapes the file declares
  let shapes: Map<string, number[]>;
  try {
    shapes = inferShapes(graph);
  } catch (e) {
    if (e instanceof ShapeError) {
      const n = graph.nodes.find((x) => e.message.includes(`"${x.name}"`));
      const at = n ? nodeTensor.get(n.name)?.op.pos ?? sg.pos : sg.pos;
      throw new ModelFormatError(`${file}: the model does not fit together: ${e.message} (at byte ${at})`, { cause: e });
    }
    throw e;
  }
  for (const [nm, { tensor, op }] of nodeTensor) {
    const got = shapes.get(nm)!;
    const decl = tensor.shape;
    if (decl.length === 0) continue;
    const same = decl.length === got.length && decl.every((d, i) => d === got[i] || (i === 0 && d === -1));
    if (!same) {
      throw new ModelFormatError(
        `${file}: operator #${op.index} ${opName(model.operatorCodes[op.opcodeIndex]!.code)} computes ${fmt(got)} for tensor ${tensor.index} "${tensor.name}", which the file declares ${fmt(decl)} (at byte ${tensor.pos})`,
      );
    }
  }
  return { graph, report, task, ...(classes !== undefined ? { classes } : {}) };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian float32 bytes → a fresh Float32Array (never a view: `bytes` may be a Node Buffer). */
function f32Of(raw: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(raw).buffer, 0, raw.length >> 2);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.length >> 2 }, (_, i) => dv.getFloat32(4 * i, true));
}

/** Little-endian int32 bytes → a fresh Int32Array. */
function i32Of(raw: Uint8Array): Int32Array {
  if (LITTLE_ENDIAN) return new Int32Array(new Uint8Array(raw).buffer, 0, raw.length >> 2);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Int32Array.from({ length: raw.length >> 2 }, (_, i) => dv.getInt32(4 * i, true));
}

/** IEEE 754 binary16 → number. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
