// Writes a Graph in the native format (see format.ts).

import type { Graph, ModelMeta, Node } from '../../graph/ir.js';
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
  weightsTensor,
} from './format.js';

interface TensorOut {
  name: string;
  shape: number[];
  data: Float32Array;
}

function positiveInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** The shapes a node's weights and bias have, derived from the node (ShapeError when inconsistent). */
function tensorsOf(node: Node, graphName: string): TensorOut[] {
  const ctx = `${graphName}: node "${node.name}" (${node.op})`;
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d' && node.op !== 'dense') return [];
  if (!(node.weights instanceof Float32Array) || !(node.bias instanceof Float32Array)) {
    throw new ShapeError(`${ctx}: weights and bias must be Float32Arrays`);
  }
  const nw = node.weights.length;
  const nb = node.bias.length;
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
  return [
    { name: weightsTensor(node.name), shape: wShape, data: node.weights },
    { name: biasTensor(node.name), shape: [c], data: node.bias },
  ];
}

/** A node as stored in the "graph" metadata string: canonical key order, tensors by name. */
function nodeJson(n: Node): Record<string, unknown> {
  const pad = (p: { top: number; left: number; bottom: number; right: number }) => ({
    top: p.top, left: p.left, bottom: p.bottom, right: p.right,
  });
  switch (n.op) {
    case 'conv2d':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride], pad: pad(n.pad),
        activation: n.activation, outChannels: n.outChannels, weights: weightsTensor(n.name), bias: biasTensor(n.name),
      };
    case 'depthwise_conv2d':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], kernel: [...n.kernel], stride: [...n.stride], pad: pad(n.pad),
        activation: n.activation, weights: weightsTensor(n.name), bias: biasTensor(n.name),
      };
    case 'dense':
      return {
        name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation, units: n.units,
        weights: weightsTensor(n.name), bias: biasTensor(n.name),
      };
    case 'add':
      return { name: n.name, op: n.op, inputs: [...n.inputs], activation: n.activation };
    case 'global_avg_pool':
    case 'softmax':
      return { name: n.name, op: n.op, inputs: [...n.inputs] };
    default:
      throw new ShapeError(`unknown op ${JSON.stringify((n as { op: unknown }).op)} in node "${(n as Node).name}"`);
  }
}

/** The graph as stored in the "graph" metadata string: no meta, no weight arrays. */
function graphJson(graph: Graph): string {
  const [b, h, w, c] = graph.input.shape;
  return JSON.stringify({
    name: graph.name,
    input: { name: graph.input.name, shape: [b, h, w, c] },
    output: graph.output,
    nodes: graph.nodes.map(nodeJson),
  });
}

/** ModelMeta in canonical key order, optional fields only when present. */
function metaJson(m: ModelMeta): string {
  const out: Record<string, unknown> = { architecture: m.architecture };
  if (m.alpha !== undefined) out.alpha = m.alpha;
  if (m.resolution !== undefined) out.resolution = m.resolution;
  out.paddingMode = m.paddingMode;
  out.labels = [...m.labels];
  out.preprocess = { scale: [...m.preprocess.scale], offset: [...m.preprocess.offset], centralCrop: m.preprocess.centralCrop };
  if (m.source !== undefined) out.source = m.source;
  if (m.embeddingNode !== undefined) out.embeddingNode = m.embeddingNode;
  if (m.outputIsProbabilities !== undefined) out.outputIsProbabilities = m.outputIsProbabilities;
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
  const placed: { data: Float32Array; begin: number }[] = [];
  let cursor = 0;
  let pads = 0;
  for (const t of tensors) {
    const begin = alignUp(cursor);
    if (begin > cursor) {
      header[padEntryName(pads++)] = { dtype: 'U8', shape: [begin - cursor], data_offsets: [cursor, begin] };
    }
    const end = begin + t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [begin, end] };
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
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else {
      for (let i = 0; i < data.length; i++) dv.setFloat32(at + 4 * i, data[i], true);
    }
  }
  return out;
}
