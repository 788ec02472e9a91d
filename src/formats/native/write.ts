// Writes a Graph in the native format (see format.ts).

import type { Graph, ModelMeta, Node, Quant, ValueType } from '../../graph/ir.js';
import { ShapeError } from '../../errors.js';
import { opModule } from '../../ops/index.js';
import type { NativeTensor, NativeWriteContext, OpModule } from '../../ops/types.js';
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

type TensorData = NativeTensor['data'];
type TensorOut = NativeTensor;

type Weighted = Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' | 'dense' }>;

/** The writer's helpers for one node's op module (src/ops/*.ts native.write / native.tensors). */
function writeContext(node: Node, graphName: string): NativeWriteContext {
  const where = `${graphName}: node "${node.name}" (${node.op})`;
  const fail = (message: string): never => {
    throw new ShapeError(`${where}: ${message}`);
  };
  return {
    where,
    fail,
    pad: (p) => ({ top: p.top, left: p.left, bottom: p.bottom, right: p.right }),
    tensorRefs: (n) =>
      n.q
        ? {
            q: {
              dtype: n.q.dtype, weights: weightsTensor(n.name), scale: scaleTensor(n.name),
              zeroPoint: zeroPointTensor(n.name), bias: biasTensor(n.name),
            },
          }
        : { weights: weightsTensor(n.name), bias: biasTensor(n.name) },
    weightTensors(n: Weighted, wShape: number[], c: number): TensorOut[] {
      const q = n.q;
      const nb = (q ? q.bias : n.bias).length;
      if (nb !== c) fail(`bias has ${nb} values, expected ${c}`);
      if (!q) {
        return [
          { name: weightsTensor(n.name), dtype: 'F32', shape: wShape, data: n.weights },
          { name: biasTensor(n.name), dtype: 'F32', shape: [c], data: n.bias },
        ];
      }
      const ns = q.scale.length;
      if ((ns !== 1 && ns !== c) || q.zeroPoint.length !== ns) {
        fail(`q.scale / q.zeroPoint must both have 1 or ${c} values, got ${ns} / ${q.zeroPoint.length}`);
      }
      return [
        { name: weightsTensor(n.name), dtype: q.dtype === 'uint8' ? 'U8' : 'I8', shape: wShape, data: q.data },
        { name: scaleTensor(n.name), dtype: 'F32', shape: [ns], data: q.scale },
        { name: zeroPointTensor(n.name), dtype: 'I32', shape: [ns], data: q.zeroPoint },
        { name: biasTensor(n.name), dtype: 'I32', shape: [c], data: q.bias },
      ];
    },
  };
}

/** The module of a node's op (ShapeError for an op the engine does not know). */
function moduleOf(n: Node): OpModule {
  const m = opModule(n.op);
  if (m === undefined) throw new ShapeError(`unknown op ${JSON.stringify((n as { op: unknown }).op)} in node "${(n as Node).name}"`);
  return m;
}

/** The weight tensors a node stores: its op module derives their shapes from the node (ShapeError when inconsistent). */
function tensorsOf(node: Node, graphName: string): TensorOut[] {
  const m = moduleOf(node);
  if (!m.native.tensors) return [];
  const c = writeContext(node, graphName);
  const n = node as Weighted;
  const q = n.q;
  if (q) {
    const Ctor = q.dtype === 'uint8' ? Uint8Array : q.dtype === 'int8' ? Int8Array : undefined;
    if (!Ctor || !(q.data instanceof Ctor)) c.fail('q.data must be a Uint8Array (uint8) or Int8Array (int8)');
    if (!(q.bias instanceof Int32Array) || !(q.scale instanceof Float32Array) || !(q.zeroPoint instanceof Int32Array)) {
      c.fail('q.scale must be a Float32Array and q.zeroPoint, q.bias Int32Arrays');
    }
    if (!(n.weights instanceof Float32Array) || !(n.bias instanceof Float32Array) || n.weights.length + n.bias.length !== 0) {
      c.fail('a quantized node must have empty float weights and bias');
    }
  } else if (!(n.weights instanceof Float32Array) || !(n.bias instanceof Float32Array)) {
    c.fail('weights and bias must be Float32Arrays');
  }
  return m.native.tensors(node, c);
}

const quantJson = (q: Quant) => ({ scale: q.scale, zeroPoint: q.zeroPoint });
const valueJson = (v: ValueType) => (v.quant ? { dtype: v.dtype, quant: quantJson(v.quant) } : { dtype: v.dtype });

/** A node as stored in the "graph" metadata string: canonical key order, tensors by name (its op module's native.write). */
function nodeJson(n: Node): Record<string, unknown> {
  return moduleOf(n).native.write(n, writeContext(n, ''));
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
    ...(graph.outputs !== undefined && graph.outputs.length > 1 ? { outputs: [...graph.outputs] } : {}),
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
