// Writes a Graph in the native format (see format.ts).

import type { Graph, ModelMeta, Node, Quant, ValueType } from '../../graph/ir.js';
import { ShapeError } from '../../errors.js';
import {
  ALIGN,
  FORMAT,
  FORMAT_VERSION,
  LITTLE_ENDIAN,
  MAX_HEADER_BYTES,
  alignUp,
  biasTensor,
  padEntryName,
  scaleTensor,
  weightsTensor,
  zeroPointTensor,
} from './format.js';

type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array;

interface TensorOut {
  name: string;
  dtype: 'F32' | 'U8' | 'I8' | 'I32';
  shape: number[];
  data: TensorData;
}

function positiveInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** The shapes a node's weights and bias have, derived from the node (ShapeError when inconsistent). */
function tensorsOf(node: Node, graphName: string): TensorOut[] {
  const ctx = `${graphName}: node "${node.name}" (${node.op})`;
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d' && node.op !== 'dense') return [];
  const q = node.q;
  const w: TensorData = q ? q.data : node.weights;
  const b: TensorData = q ? q.bias : node.bias;
  if (q) {
    const Ctor = q.dtype === 'uint8' ? Uint8Array : q.dtype === 'int8' ? Int8Array : undefined;
    if (!Ctor || !(q.data instanceof Ctor)) throw new ShapeError(`${ctx}: q.data must be a Uint8Array (uint8) or Int8Array (int8)`);
    if (!(q.bias instanceof Int32Array) || !(q.scale instanceof Float32Array) || !(q.zeroPoint instanceof Int32Array)) {
      throw new ShapeError(`${ctx}: q.scale must be a Float32Array and q.zeroPoint, q.bias Int32Arrays`);
    }
    if (!(node.weights instanceof Float32Array) || !(node.bias instanceof Float32Array) || node.weights.length + node.bias.length !== 0) {
      throw new ShapeError(`${ctx}: a quantized node must have empty float weights and bias`);
    }
  } else if (!(node.weights instanceof Float32Array) || !(node.bias instanceof Float32Array)) {
    throw new ShapeError(`${ctx}: weights and bias must be Float32Arrays`);
  }
  const nw = w.length;
  const nb = b.length;
  let wShape: number[];
  let c: number;
  if (node.op === 'dense') {
    if (!positiveInt(node.units)) throw new ShapeError(`${ctx}: invalid units ${node.units}`);
    c = node.units;
    if (nw % c !== 0 || nw === 0) throw new ShapeError(`${ctx}: ${nw} weights are not a multiple of units=${c}`);
    wShape = [nw / c, c];
  } else {
    const [kh, kw] = node.kernel;
    if (!positiveInt(kh) || !positiveInt(kw)) throw new ShapeError(`${ctx}: invalid kernel ${JSON.stringify(node.kernel)}`);
    if (node.op === 'conv2d') {
      if (!positiveInt(node.outChannels)) throw new ShapeError(`${ctx}: invalid outChannels ${node.outChannels}`);
      c = node.outChannels;
      const per = kh * kw * c;
      if (nw % per !== 0 || nw === 0) {
        throw new ShapeError(`${ctx}: ${nw} weights do not make a [${kh}, ${kw}, cin, ${c}] kernel`);
      }
      wShape = [kh, kw, nw / per, c];
    } else {
      if (nw % (kh * kw) !== 0 || nw === 0) throw new ShapeError(`${ctx}: ${nw} weights do not make a [${kh}, ${kw}, C] kernel`);
      c = nw / (kh * kw);
      wShape = [kh, kw, c];
    }
  }
  if (nb !== c) throw new ShapeError(`${ctx}: bias has ${nb} values, expected ${c}`);
  if (!q) {
    return [
      { name: weightsTensor(node.name), dtype: 'F32', shape: wShape, data: node.weights },
      { name: biasTensor(node.name), dtype: 'F32', shape: [c], data: node.bias },
    ];
  }
  const ns = q.scale.length;
  if ((ns !== 1 && ns !== c) || q.zeroPoint.length !== ns) {
    throw new ShapeError(`${ctx}: q.scale / q.zeroPoint must both have 1 or ${c} values, got ${ns} / ${q.zeroPoint.length}`);
  }
  return [
    { name: weightsTensor(node.name), dtype: q.dtype === 'uint8' ? 'U8' : 'I8', shape: wShape, data: q.data },
    { name: scaleTensor(node.name), dtype: 'F32', shape: [ns], data: q.scale },
    { name: zeroPointTensor(node.name), dtype: 'I32', shape: [ns], data: q.zeroPoint },
    { name: biasTensor(node.name), dtype: 'I32', shape: [c], data: q.bias },
  ];
}

const quantJson = (q: Quant) => ({ scale: q.scale, zeroPoint: q.zeroPoint });
const valueJson = (v: ValueType) => (v.quant ? { dtype: v.dtype, quant: quantJson(v.quant) } : { dtype: v.dtype });

/** A node as stored in the "graph" metadata string: canonical key order, tensors by name. */
function nodeJson(n: Node): Record<string, unknown> {
  const pad = (p: { top: number; left: number; bottom: number; right: number }) => ({
    top: p.top, left: p.left, bottom: p.bottom, right: p.right,
  });
  const tensors = (node: Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' | 'dense' }>) =>
    node.q
      ? {
          q: {
            dtype: node.q.dtype, weights: weightsTensor(node.name), scale: scaleTensor(node.name),
            zeroPoint: zeroPointTensor(node.name), bias: biasTensor(node.name),
          },
        }
      : { weights: weightsTensor(node.name), bias: biasTensor(node.name) };
  const dilation = (node: { dilation?: [number, number] }) => (node.dilation !== undefined ? { dilation: [...node.dilation] } : {});
  switch (n.op) {
    case 'conv2d':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride], ...dilation(n), pad: pad(n.pad),
        activation: n.activation, outChannels: n.outChannels, ...tensors(n),
      };
    case 'depthwise_conv2d':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride], ...dilation(n), pad: pad(n.pad),
        activation: n.activation, ...tensors(n),
      };
    case 'dense':
      return { name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation, units: n.units, ...tensors(n) };
    case 'add':
      return { name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation };
    case 'global_avg_pool':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], ...(n.keepDims !== undefined ? { keepDims: n.keepDims } : {}),
        ...(n.rounding !== undefined ? { rounding: n.rounding } : {}),
      };
    case 'softmax':
      return { name: n.name, op: n.op, inputs: [...n.inputs], ...(n.beta !== undefined ? { beta: n.beta } : {}) };
    case 'quantize':
    case 'dequantize':
      return { name: n.name, op: n.op, inputs: [...n.inputs] };
    case 'pad':
      return { name: n.name, op: n.op, inputs: [...n.inputs], pad: pad(n.pad) };
    case 'concat':
      return { name: n.name, op: n.op, inputs: [...n.inputs], axis: n.axis };
    case 'resize_bilinear':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], size: [...n.size], alignCorners: n.alignCorners,
        halfPixelCenters: n.halfPixelCenters,
      };
    case 'argmax':
      return { name: n.name, op: n.op, inputs: [...n.inputs], axis: n.axis, outputType: n.outputType };
    case 'reshape':
      return { name: n.name, op: n.op, inputs: [...n.inputs], shape: [...n.shape] };
    default:
      throw new ShapeError(`unknown op ${JSON.stringify((n as { op: unknown }).op)} in node "${(n as Node).name}"`);
  }
}

/** The graph as stored in the "graph" metadata string: no meta, no weight arrays. */
function graphJson(graph: Graph): string {
  const [b, h, w, c] = graph.input.shape;
  const { dtype, quant } = graph.input;
  return JSON.stringify({
    name: graph.name,
    input: {
      name: graph.input.name, shape: [b, h, w, c],
      ...(dtype !== undefined ? { dtype } : {}),
      ...(quant !== undefined ? { quant: quantJson(quant) } : {}),
    },
    output: graph.output,
    nodes: graph.nodes.map(nodeJson),
    ...(graph.values !== undefined
      ? { values: Object.fromEntries(Object.entries(graph.values).map(([k, v]) => [k, valueJson(v)])) }
      : {}),
  });
}

/** ModelMeta in canonical key order, optional fields only when present. */
function metaJson(m: ModelMeta): string {
  const out: Record<string, unknown> = { architecture: m.architecture };
  if (m.alpha !== undefined) out.alpha = m.alpha;
  if (m.resolution !== undefined) out.resolution = m.resolution;
  out.paddingMode = m.paddingMode;
  out.labels = [...m.labels];
  if (m.labelOffset !== undefined) out.labelOffset = m.labelOffset;
  out.preprocess = { scale: [...m.preprocess.scale], offset: [...m.preprocess.offset], centralCrop: m.preprocess.centralCrop };
  if (m.source !== undefined) out.source = m.source;
  if (m.embeddingNode !== undefined) out.embeddingNode = m.embeddingNode;
  if (m.outputIsProbabilities !== undefined) out.outputIsProbabilities = m.outputIsProbabilities;
  if (m.task !== undefined) out.task = m.task;
  return JSON.stringify(out);
}

/** Serializes a graph (weights included) to the native single-file format. */
export function writeNative(graph: Graph): Uint8Array {
  const tensors: TensorOut[] = [];
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    if (seen.has(node.name)) throw new ShapeError(`${graph.name}: two nodes are named "${node.name}"`);
    seen.add(node.name);
    tensors.push(...tensorsOf(node, graph.name));
  }

  // Data layout: every tensor at a multiple of 64; gaps covered by U8 filler entries.
  const header: Record<string, unknown> = {
    __metadata__: {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      architecture: String(graph.meta.architecture),
      graph: graphJson(graph),
      meta: metaJson(graph.meta),
    },
  };
  const placed: { data: TensorData; begin: number }[] = [];
  let cursor = 0;
  let pads = 0;
  for (const t of tensors) {
    const begin = alignUp(cursor);
    if (begin > cursor) {
      header[padEntryName(pads++)] = { dtype: 'U8', shape: [begin - cursor], data_offsets: [cursor, begin] };
    }
    const end = begin + t.data.byteLength;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [begin, end] };
    placed.push({ data: t.data, begin });
    cursor = end;
  }
  const dataLength = cursor;

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = alignUp(8 + json.length, ALIGN) - 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new ShapeError(`${graph.name}: the header would be ${headerLength} bytes (limit ${MAX_HEADER_BYTES})`);
  }
  const out = new Uint8Array(8 + headerLength + dataLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLength, true);
  dv.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const { data, begin } of placed) {
    const at = dataStart + begin;
    if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else if (data instanceof Float32Array) {
      for (let i = 0; i < data.length; i++) dv.setFloat32(at + 4 * i, data[i]!, true);
    } else {
      for (let i = 0; i < data.length; i++) dv.setInt32(at + 4 * i, data[i]!, true);
    }
  }
  return out;
}
