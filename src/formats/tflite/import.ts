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
//
// Layout: this file checks the subgraph as a whole (tensor and buffer references, producers, liveness,
// the input), hands every live operator to its converter (./converters.ts: one function per TFLite
// operator, one table row each, all working through the OpContext of ./context.ts), and then derives
// the task, labels, preprocessing and metadata, and checks the result against the engine's own shape
// inference and the shapes the file declares.

import type { DType, Graph, ModelMeta, Node, Preprocess } from '../../graph/ir.js';
import { InputError, ModelFormatError, ShapeError, UnsupportedOpError } from '../../errors.js';
import { inferShapes } from '../../graph/shapes.js';
import { OpContext, TfliteImport, fmt, type TfliteImportReport } from './context.js';
import { converterFor } from './converters.js';
import { Op, opName, parseTflite, type TfliteModel, type TfliteOperator, type TfliteTensor } from './schema.js';
import { AssociatedFileType, METADATA_NAME, parseMetadata, type TfliteMetadata } from './metadata.js';
import { readZip, readZipEntry, type ZipArchive } from './zip.js';

export type { TfliteImportReport } from './context.js';
export { samePadding } from './converters.js';

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

const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

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
  const wanted = conv.task === 'classify' ? AssociatedFileType.TENSOR_AXIS_LABELS : AssociatedFileType.TENSOR_VALUE_LABELS;
  // A detector's class names hang on its classes output (the second), a classifier's on its only output.
  const declared = (conv.task === 'detect' ? (md?.outputs ?? []).flatMap((t) => t.associatedFiles) : md?.outputs[0]?.associatedFiles ?? []).filter(
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
  task: 'classify' | 'segment' | 'detect';
  classes?: number;
}

/** The subgraph → Graph IR (labels are filled in by the caller, which reads the appended zip). */
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

  const imp = new TfliteImport(model, file, report);
  const corrupt = (msg: string, at: number): never => imp.corrupt(msg, at);

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
  const hasData = (t: TfliteTensor) => imp.hasData(t);
  const producer = imp.producer;
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
  if (sg.outputs.length < 1) corrupt('the subgraph has no outputs', sg.pos);
  const inT = tensorAt(sg.inputs[0]!, 'subgraph input', sg.pos);
  const outTs = sg.outputs.map((o) => tensorAt(o, 'subgraph output', sg.pos));
  const outT = outTs[0]!;
  if (hasData(inT) || producer.has(inT.index)) corrupt(`the input tensor ${inT.index} "${inT.name}" is a constant or computed`, inT.pos);
  for (const t of outTs) if (!producer.has(t.index)) corrupt(`the output tensor ${t.index} "${t.name}" is not computed by any operator`, t.pos);

  // ---- liveness: only operators that feed an output are imported.
  const live = new Set<TfliteOperator>();
  {
    const stack = outTs.map((t) => t.index);
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

  // ---- graph input
  const inCtx = () => `input tensor ${inT.index} "${inT.name}"`;
  const inType = imp.typeOf(inT, inCtx);
  if (inType.dtype !== 'float32' && inType.dtype !== 'uint8' && inType.dtype !== 'int8') {
    throw new UnsupportedOpError(`${file}: ${inCtx()} has type ${inType.dtype}; expected float32, uint8 or int8`);
  }
  if (inT.shape.length !== 4 || inT.shape.slice(1).some((d) => d < 1) || (inT.shape[0] !== 1 && inT.shape[0] !== -1)) {
    throw new UnsupportedOpError(`${file}: ${inCtx()} has shape ${fmt(inT.shape)}; expected an NHWC image [1,H,W,C]`);
  }
  const inputName = imp.unique(inT.name || `tensor_${inT.index}`);
  imp.valueName.set(inT.index, inputName);
  imp.defineValue(inputName, [1, inT.shape[1]!, inT.shape[2]!, inT.shape[3]!], inType);

  // ---- operators, in file order: each through its converter (./converters.ts)
  for (const op of sg.operators) {
    if (!live.has(op)) continue;
    const ctx = new OpContext(imp, op, model.operatorCodes[op.opcodeIndex]!);
    const oc = ctx.code;
    if (oc.version < 1) ctx.bad(`version ${oc.version} is invalid`, oc.pos);
    report.opCounts[ctx.key] = (report.opCounts[ctx.key] ?? 0) + 1;
    const convert = converterFor(oc.code, oc.customCode);
    if (!convert) {
      ctx.unsupported(
        oc.customCode !== undefined && oc.code === Op.CUSTOM
          ? oc.customCode === 'TFLite_Detection_PostProcess' ? "import 'mobilenet-wasm/detect' first" : 'custom operators are not supported'
          : `operator ${opName(oc.code)} is not supported`,
      );
    }
    imp.commit(ctx, convert!(op, ctx));
  }

  const { valueName, nodes, nodeTensor, shapeOfValue, values } = imp;
  const outNames = outTs.map((t) => {
    const nm = valueName.get(t.index);
    if (nm === undefined || nm === inputName) corrupt(`the output tensor "${t.name}" was not produced`, t.pos);
    return nm!;
  });
  const outName = outNames[0]!;

  // ---- meta
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outNode = byName.get(outName!)!;
  const post = nodes.find((n) => n.op === 'detection_postprocess');
  const task = post ? 'detect' : outNode.op === 'argmax' ? 'segment' : 'classify';
  let viaSoftmax: Node | undefined = outNode;
  while (viaSoftmax && (viaSoftmax.op === 'quantize' || viaSoftmax.op === 'dequantize' || viaSoftmax.op === 'reshape')) {
    viaSoftmax = byName.get(viaSoftmax.inputs[0]!);
  }
  const outputIsProbabilities = viaSoftmax?.op === 'softmax';
  const pools = nodes.filter((n) => n.op === 'global_avg_pool');
  const embeddingNode = pools.length > 0 ? pools[pools.length - 1]!.name : undefined;
  const outShape = shapeOfValue.get(outName!)!;
  let classes: number | undefined;
  if (post) classes = post.options.numClasses;
  else if (task === 'segment') classes = shapeOfValue.get(outNode.inputs[0]!)![3];
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
    ...(outNames.length > 1 ? { outputs: outNames } : {}),
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
