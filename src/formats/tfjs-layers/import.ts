// TF.js layers-model importer: Keras functional / sequential topology (model.json "modelTopology")
// plus the weights manifest and its binary shards → Graph IR.
//
// Weights are decoded exactly as @tensorflow/tfjs-core io_utils.decodeWeights does (4.22), so a
// dequantized weight here has the same float32 bits as the tensor tfjs would build:
//   uint8/uint16 → float32: values[i] = q * scale + min, evaluated in float64 (JS numbers) and
//                           rounded once to float32 by the Float32Array store;
//   uint8/uint16 → int32:   Math.round(q * scale + min);
//   float16 → float32:      the fox-toolkit table conversion tfjs uses (exact IEEE half→single).
// The manifest format documents only {dtype, min, scale} for uint8/uint16 and {dtype} for
// float16; anything else is rejected.
//
// Batch norm is folded into the preceding conv / depthwise conv / dense in float64 and rounded
// once to float32; ReLU / ReLU6 / linear activations are fused into their producer; ZeroPadding2D
// becomes the explicit pads of the convolution that consumes it.

import type {
  Activation,
  Conv2DNode,
  DenseNode,
  DepthwiseConv2DNode,
  Graph,
  ModelMeta,
  Node,
  OpName,
  Pad,
  PaddingMode,
  Preprocess,
} from '../../graph/ir.js';
import { InputError, ModelFormatError, ShapeError, UnsupportedOpError } from '../../errors.js';
import { inferShapes } from '../../graph/shapes.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** One entry of a weights manifest group (tfjs-core io WeightsManifestEntry). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  group?: 'model' | 'optimizer';
  quantization?: { dtype: 'uint16' | 'uint8' | 'float16'; min?: number; scale?: number };
}

/** What tfjs calls ModelArtifacts, reduced to what the importer needs. */
export interface TfjsArtifacts {
  modelTopology: object;
  weightSpecs: WeightSpec[];
  /** All shards concatenated in manifest order (or the list of shards). */
  weightData: ArrayBuffer | Uint8Array | ArrayBuffer[];
}

export interface ImportOptions {
  /** Used in every error message. */
  fileName?: string;
  /** Class names, one per output unit. Default: class_0 … class_{N−1}. */
  labels?: string[];
  /** Default: Keras MobileNetV2 preprocess_input (x/127.5 − 1) for MobileNetV2, else x/255. */
  preprocess?: Preprocess;
  /** Graph name. Default: the Keras model name. */
  name?: string;
  /** Free-form provenance recorded in meta.source. Default: the file name. */
  source?: string;
  /** Input height = width when the InputLayer leaves them unspecified (null). */
  resolution?: number;
}

/** What the importer did, for tests and for the CLI's verbose output. */
export interface ImportReport {
  /** Number of Keras layers in the topology. */
  layers: number;
  /** BatchNormalization layers folded into the named conv/dense: "bn_Conv1 → Conv1". */
  foldedBatchNorms: string[];
  /** Activation / ReLU layers fused into their producer. */
  fusedActivations: string[];
  /** ZeroPadding2D layers turned into explicit conv pads. */
  foldedPads: string[];
  /** Layers that are identities at inference: Dropout, Flatten, Reshape, linear Activation, InputLayer. */
  noOps: string[];
  /** IR node count per op. */
  ops: Partial<Record<OpName, number>>;
}

// ---------------------------------------------------------------------------------------------
// Weight decoding (mirrors tfjs-core io_utils.decodeWeights)

export interface DecodedWeight {
  spec: WeightSpec;
  /** float32 → Float32Array, int32 → Int32Array; null for bool/string/complex64 (never used by layers). */
  values: Float32Array | Int32Array | null;
  /** Where the tensor's bytes start in the concatenated weight data. */
  byteOffset: number;
  byteLength: number;
}

const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

function toBytes(data: TfjsArtifacts['weightData']): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) {
    let total = 0;
    for (const b of data) total += b.byteLength;
    const out = new Uint8Array(total);
    let o = 0;
    for (const b of data) {
      out.set(new Uint8Array(b), o);
      o += b.byteLength;
    }
    return out;
  }
  if (ArrayBuffer.isView(data)) {
    const v = data as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  throw new ModelFormatError('weightData must be an ArrayBuffer, a Uint8Array or an array of ArrayBuffers');
}

let f16Tables: { mantissa: Uint32Array; exponent: Uint32Array; offset: Uint32Array } | undefined;

/** tfjs-core getFloat16Decoder, table for table (http://www.fox-toolkit.org/ftp/fasthalffloatconversion.pdf). */
function float16Tables() {
  if (f16Tables) return f16Tables;
  const mantissa = new Uint32Array(2048);
  for (let i = 1; i < 1024; i++) {
    let m = i << 13;
    let e = 0;
    while ((m & 0x00800000) === 0) {
      e -= 0x00800000;
      m <<= 1;
    }
    m &= ~0x00800000;
    e += 0x38800000;
    mantissa[i] = m | e;
  }
  for (let i = 1024; i < 2048; i++) mantissa[i] = 0x38000000 + ((i - 1024) << 13);
  const exponent = new Uint32Array(64);
  exponent[31] = 0x47800000;
  exponent[32] = 0x80000000;
  exponent[63] = 0xc7800000;
  for (let i = 1; i < 31; i++) exponent[i] = i << 23;
  for (let i = 33; i < 63; i++) exponent[i] = 0x80000000 + ((i - 32) << 23);
  const offset = new Uint32Array(64).fill(1024);
  offset[0] = offset[32] = 0;
  f16Tables = { mantissa, exponent, offset };
  return f16Tables;
}

/**
 * Number of elements of a manifest shape, validated. Stops multiplying as soon as the count exceeds
 * `limit` (then calls `tooBig` with a lower bound), so absurd shapes never overflow or allocate.
 */
function checkedSize(shape: unknown, limit: number, what: string, file: string, tooBig: (atLeast: number) => never): number {
  if (!Array.isArray(shape)) throw new ModelFormatError(`${file}: ${what} has no shape array`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ModelFormatError(`${file}: ${what} has an invalid shape ${JSON.stringify(shape)}`);
    }
  }
  if (shape.includes(0)) return 0;
  let size = 1;
  for (const d of shape as number[]) {
    size *= d;
    if (size > limit) tooBig(size);
  }
  return size;
}

/**
 * Decodes every tensor of a weights manifest from the concatenated shard bytes, in manifest order,
 * the way tfjs-core does. Throws ModelFormatError for malformed specs and when the data is shorter
 * or longer than the manifest says.
 */
export function decodeWeights(
  specs: WeightSpec[],
  weightData: TfjsArtifacts['weightData'],
  fileName = 'model.json',
): Map<string, DecodedWeight> {
  const file = fileName;
  if (!Array.isArray(specs)) throw new ModelFormatError(`${file}: weightSpecs must be an array`);
  const bytes = toBytes(weightData);
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const spec of specs) {
    if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string') {
      throw new ModelFormatError(`${file}: weights manifest entry at data byte ${offset} has no name`);
    }
    const what = `weight "${spec.name}"`;
    if (out.has(spec.name)) throw new ModelFormatError(`${file}: ${what} appears twice in the weights manifest`);
    const remaining = bytes.length - offset;
    const q = spec.quantization;
    const tooBig = (bytesNeeded: number): never => {
      throw new ModelFormatError(
        `${file}: ${what} (shape ${JSON.stringify(spec.shape)}) needs bytes ${offset}..${offset + bytesNeeded}` +
          `${bytesNeeded >= Number.MAX_SAFE_INTEGER ? ' or more' : ''} but the weight data has only ${bytes.length} bytes`,
      );
    };
    let bytesPerValue: number;
    let byteLength: number;
    if (q !== undefined && q !== null) {
      bytesPerValue = QUANT_BYTES[q.dtype as string] ?? 0;
      if (!bytesPerValue) {
        throw new ModelFormatError(
          `${file}: ${what} has unknown quantization dtype ${JSON.stringify(q.dtype)} (supported: uint8, uint16, float16)`,
        );
      }
      byteLength = checkedSize(spec.shape, Math.floor(remaining / bytesPerValue), what, file, (n) => tooBig(n * bytesPerValue)) * bytesPerValue;
    } else if (spec.dtype === 'string') {
      // Each element: u32 little-endian byte length, then the bytes.
      const n = checkedSize(spec.shape, Math.floor(remaining / 4), what, file, (k) => tooBig(k * 4));
      let len = 0;
      for (let i = 0; i < n; i++) {
        if (len + 4 > remaining) break;
        const p = offset + len;
        const l = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) + bytes[p + 3] * 0x1000000;
        len += 4 + l;
      }
      byteLength = len;
      bytesPerValue = 1;
    } else {
      bytesPerValue = DTYPE_BYTES[spec.dtype] ?? 0;
      if (!bytesPerValue) {
        throw new ModelFormatError(`${file}: ${what} has unsupported dtype ${JSON.stringify(spec.dtype)}`);
      }
      byteLength = checkedSize(spec.shape, Math.floor(remaining / bytesPerValue), what, file, (n) => tooBig(n * bytesPerValue)) * bytesPerValue;
    }
    if (byteLength > remaining) tooBig(byteLength);
    const src = bytes.subarray(offset, offset + byteLength);
    let values: Float32Array | Int32Array | null = null;
    if (q !== undefined && q !== null) {
      const n = byteLength / bytesPerValue;
      if (q.dtype === 'uint8' || q.dtype === 'uint16') {
        if (!('min' in q && 'scale' in q) || typeof q.min !== 'number' || typeof q.scale !== 'number') {
          throw new ModelFormatError(`${file}: ${what} is quantized to ${q.dtype} but has no numeric min and scale`);
        }
        const { min, scale } = q;
        const wide = q.dtype === 'uint16';
        if (spec.dtype === 'float32') {
          const f = new Float32Array(n);
          for (let i = 0; i < n; i++) {
            const v = wide ? src[2 * i] | (src[2 * i + 1] << 8) : src[i];
            f[i] = v * scale + min; // float64 multiply-add, one rounding to float32: exactly tfjs
          }
          values = f;
        } else if (spec.dtype === 'int32') {
          const a = new Int32Array(n);
          for (let i = 0; i < n; i++) {
            const v = wide ? src[2 * i] | (src[2 * i + 1] << 8) : src[i];
            a[i] = Math.round(v * scale + min);
          }
          values = a;
        } else {
          throw new ModelFormatError(`${file}: ${what} has dtype ${spec.dtype}, which cannot be quantized`);
        }
      } else {
        if (spec.dtype !== 'float32') {
          throw new ModelFormatError(`${file}: ${what} is float16-quantized but has dtype ${spec.dtype} (only float32)`);
        }
        const t = float16Tables();
        const u = new Uint32Array(n);
        for (let i = 0; i < n; i++) {
          const h = src[2 * i] | (src[2 * i + 1] << 8);
          u[i] = t.mantissa[t.offset[h >> 10] + (h & 0x3ff)] + t.exponent[h >> 10];
        }
        values = new Float32Array(u.buffer);
      }
    } else if (spec.dtype === 'float32' || spec.dtype === 'int32') {
      const copy = new Uint8Array(byteLength); // copy: aligned, and detached from the shard
      copy.set(src);
      values = spec.dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    }
    out.set(spec.name, { spec, values, byteOffset: offset, byteLength });
    offset += byteLength;
  }
  if (offset !== bytes.length) {
    throw new ModelFormatError(
      `${file}: the weights manifest describes ${offset} bytes but the weight data has ${bytes.length} bytes`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// model.json (on-disk form)

/**
 * Turns a parsed (or raw) model.json plus its shard files into artifacts. `shards` are the files of
 * every manifest group's `paths`, in manifest order.
 */
export function parseModelJson(json: unknown, shards: Uint8Array[], fileName = 'model.json'): TfjsArtifacts {
  const file = fileName;
  let obj: unknown = json;
  if (typeof json === 'string' || json instanceof Uint8Array) {
    const text = typeof json === 'string' ? json : new TextDecoder('utf-8').decode(json);
    try {
      obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      throw new ModelFormatError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ModelFormatError(`${file}: model.json must be a JSON object`);
  }
  const o = obj as Record<string, unknown>;
  if (o.modelTopology === null || typeof o.modelTopology !== 'object') {
    throw new ModelFormatError(`${file}: model.json has no "modelTopology" object`);
  }
  const manifest = o.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${file}: model.json has no "weightsManifest" array`);
  const weightSpecs: WeightSpec[] = [];
  const paths: string[] = [];
  for (const [g, group] of manifest.entries()) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(`${file}: weightsManifest[${g}] must have "paths" and "weights" arrays`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new ModelFormatError(`${file}: weightsManifest[${g}].paths has a non-string`);
      paths.push(p);
    }
    weightSpecs.push(...(group.weights as WeightSpec[]));
  }
  if (shards.length !== paths.length) {
    throw new ModelFormatError(
      `${file}: the weights manifest lists ${paths.length} shard file(s) (${paths.join(', ')}) but ${shards.length} were given`,
    );
  }
  let total = 0;
  for (const s of shards) total += s.byteLength;
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    weightData.set(s, off);
    off += s.byteLength;
  }
  return { modelTopology: o.modelTopology as object, weightSpecs, weightData };
}

/** Shard paths of a model.json, in order (for loaders that have to fetch them). */
export function shardPaths(json: unknown, fileName = 'model.json'): string[] {
  const o = json as { weightsManifest?: { paths?: unknown }[] } | null;
  if (!o || !Array.isArray(o.weightsManifest)) {
    throw new ModelFormatError(`${fileName}: model.json has no "weightsManifest" array`);
  }
  const out: string[] = [];
  for (const [g, group] of o.weightsManifest.entries()) {
    if (!group || !Array.isArray(group.paths)) {
      throw new ModelFormatError(`${fileName}: weightsManifest[${g}] must have a "paths" array`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new ModelFormatError(`${fileName}: weightsManifest[${g}].paths has a non-string`);
      out.push(p);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Topology walk

interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, any>;
  /** Names of the input layers (single call: node 0, tensor 0). */
  inputs: string[];
}

/** A Keras tensor as the builder sees it. */
interface Val {
  /** IR value name: the graph input or an IR node. */
  ir: string;
  /** Keras shape without the batch dimension. */
  shape: number[];
  /** True when the IR value is [1, C] (after a global pool), whatever the Keras rank. */
  flat: boolean;
  /** Zero padding not applied yet (ZeroPadding2D waiting for its convolution). */
  pad?: Pad;
  /** The IR node whose output this tensor is, when layers may still be fused into it. */
  node?: Node;
  /** The Keras layer that produced the tensor (for messages). */
  layer: string;
}

const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function pairOf(v: unknown, what: string, ctx: string): [number, number] {
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((x) => Number.isSafeInteger(x) && x > 0)) {
    throw new ModelFormatError(`${ctx}: invalid ${what} ${JSON.stringify(v)}`);
  }
  return [a[0], a[1]];
}

/** Parses Keras 2 (`[[[name, node, tensor, kwargs], …]]`) and Keras 3 (`[{args: [...]}]`) inbound nodes. */
function parseInbound(raw: unknown, ctx: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ModelFormatError(`${ctx}: inbound_nodes must be an array`);
  if (raw.length === 0) return [];
  if (raw.length > 1) {
    throw new UnsupportedOpError(`${ctx}: the layer is called ${raw.length} times (shared layers are not supported)`);
  }
  const node = raw[0];
  const names: string[] = [];
  const addRef = (name: unknown, nodeIndex: unknown, tensorIndex: unknown) => {
    if (typeof name !== 'string') throw new ModelFormatError(`${ctx}: malformed inbound node ${JSON.stringify(node)}`);
    if ((nodeIndex ?? 0) !== 0 || (tensorIndex ?? 0) !== 0) {
      throw new UnsupportedOpError(
        `${ctx}: input ${name}[${nodeIndex}][${tensorIndex}] refers to a shared layer or a multi-output layer (not supported)`,
      );
    }
    names.push(name);
  };
  if (Array.isArray(node)) {
    for (const ref of node) {
      if (!Array.isArray(ref)) throw new ModelFormatError(`${ctx}: malformed inbound node ${JSON.stringify(node)}`);
      addRef(ref[0], ref[1], ref[2]);
    }
  } else if (node && typeof node === 'object') {
    // Keras 3: { args: [ {class_name: '__keras_tensor__', config: {keras_history: [name, node, tensor]}} | [...] ] }
    const visit = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(visit);
      else if (x && typeof x === 'object') {
        const h = (x as any).config?.keras_history;
        if ((x as any).class_name === '__keras_tensor__' && Array.isArray(h)) addRef(h[0], h[1], h[2]);
      }
    };
    visit((node as any).args);
  } else {
    throw new ModelFormatError(`${ctx}: malformed inbound node ${JSON.stringify(node)}`);
  }
  return names;
}

function refName(ref: unknown, ctx: string): string {
  if (Array.isArray(ref) && typeof ref[0] === 'string') {
    if ((ref[1] ?? 0) !== 0 || (ref[2] ?? 0) !== 0) {
      throw new UnsupportedOpError(`${ctx}: model input/output ${JSON.stringify(ref)} refers to a shared layer`);
    }
    return ref[0];
  }
  throw new ModelFormatError(`${ctx}: malformed model input/output reference ${JSON.stringify(ref)}`);
}

interface ParsedTopology {
  modelName: string;
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

function parseTopology(topology: unknown, file: string): ParsedTopology {
  if (topology === null || typeof topology !== 'object') {
    throw new ModelFormatError(`${file}: modelTopology must be an object`);
  }
  const t = topology as Record<string, any>;
  if (Array.isArray(t.node) || t.format === 'graph-model') {
    throw new UnsupportedOpError(`${file}: this is a TF.js graph model (GraphDef); only layers models are supported`);
  }
  const mc = t.model_config ?? (t.class_name ? t : undefined);
  if (!mc || typeof mc !== 'object') {
    throw new ModelFormatError(`${file}: modelTopology has no model_config`);
  }
  const cls = mc.class_name;
  const cfg = mc.config;
  if (cls === 'Model' || cls === 'Functional') {
    if (!cfg || !Array.isArray(cfg.layers)) throw new ModelFormatError(`${file}: model_config.config.layers missing`);
    const layers: KerasLayer[] = cfg.layers.map((l: any, i: number) => {
      if (!l || typeof l !== 'object' || typeof l.class_name !== 'string') {
        throw new ModelFormatError(`${file}: layer #${i} is malformed`);
      }
      const name = typeof l.name === 'string' ? l.name : l.config?.name;
      if (typeof name !== 'string') throw new ModelFormatError(`${file}: layer #${i} (${l.class_name}) has no name`);
      const ctx = `${file}: layer "${name}" (${l.class_name})`;
      return { name, className: l.class_name, config: l.config ?? {}, inputs: parseInbound(l.inbound_nodes, ctx) };
    });
    const ins = (cfg.input_layers ?? []) as unknown[];
    const outs = (cfg.output_layers ?? []) as unknown[];
    // Keras 3 stores a single ref without the outer list.
    const norm = (a: unknown[]) => (a.length > 0 && typeof a[0] === 'string' ? [a] : a);
    return {
      modelName: typeof cfg.name === 'string' ? cfg.name : 'model',
      layers,
      inputs: norm(ins).map((r) => refName(r, file)),
      outputs: norm(outs).map((r) => refName(r, file)),
    };
  }
  if (cls === 'Sequential') {
    const list = Array.isArray(cfg) ? cfg : cfg?.layers;
    if (!Array.isArray(list) || list.length === 0) throw new ModelFormatError(`${file}: Sequential model has no layers`);
    const layers: KerasLayer[] = [];
    let prev: string | undefined;
    for (const [i, l] of list.entries()) {
      if (!l || typeof l !== 'object' || typeof l.class_name !== 'string') {
        throw new ModelFormatError(`${file}: layer #${i} is malformed`);
      }
      const name = l.config?.name ?? l.name;
      if (typeof name !== 'string') throw new ModelFormatError(`${file}: layer #${i} (${l.class_name}) has no name`);
      if (prev === undefined && l.class_name !== 'InputLayer') {
        const shape = l.config?.batch_input_shape ?? l.config?.batch_shape;
        if (!Array.isArray(shape)) {
          throw new ModelFormatError(`${file}: the first layer of the Sequential model has no batch_input_shape`);
        }
        layers.push({ name: 'input', className: 'InputLayer', config: { batch_input_shape: shape }, inputs: [] });
        prev = 'input';
      }
      layers.push({ name, className: l.class_name, config: l.config ?? {}, inputs: prev === undefined ? [] : [prev] });
      prev = name;
    }
    return {
      modelName: typeof cfg?.name === 'string' ? cfg.name : 'sequential',
      layers,
      inputs: [layers[0].name],
      outputs: [prev!],
    };
  }
  throw new UnsupportedOpError(`${file}: model class ${JSON.stringify(cls)} is not supported (Model, Functional, Sequential)`);
}

/** Kahn's algorithm over the layer list; throws on cycles and dangling references. */
function topoSort(layers: KerasLayer[], file: string): KerasLayer[] {
  const byName = new Map<string, KerasLayer>();
  for (const l of layers) {
    if (byName.has(l.name)) throw new ModelFormatError(`${file}: two layers are named "${l.name}"`);
    byName.set(l.name, l);
  }
  const indeg = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const l of layers) {
    indeg.set(l.name, l.inputs.length);
    for (const i of l.inputs) {
      if (!byName.has(i)) throw new ModelFormatError(`${file}: layer "${l.name}" takes input from unknown layer "${i}"`);
      users.set(i, [...(users.get(i) ?? []), l.name]);
    }
  }
  const ready = layers.filter((l) => l.inputs.length === 0).map((l) => l.name);
  const order: KerasLayer[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(byName.get(n)!);
    for (const u of users.get(n) ?? []) {
      const d = indeg.get(u)! - 1;
      indeg.set(u, d);
      if (d === 0) ready.push(u);
    }
  }
  if (order.length !== layers.length) {
    const stuck = layers.filter((l) => indeg.get(l.name)! > 0).map((l) => l.name);
    throw new ModelFormatError(`${file}: the layer graph has a cycle through ${stuck.slice(0, 5).join(', ')}`);
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Builder

class WeightStore {
  private entries: { name: string; parts: string[] }[];
  readonly used = new Set<string>();
  constructor(
    private decoded: Map<string, DecodedWeight>,
    private file: string,
  ) {
    this.entries = [...decoded.keys()].map((name) => ({ name, parts: name.replace(/:\d+$/, '').split('/') }));
  }

  /**
   * The weight `kind` of layer `layer` ("Conv1" + "kernel"), matched robustly:
   * "Conv1/kernel", "Conv1/kernel:0", "model/Conv1/kernel", "Conv1/cell/kernel".
   */
  get(layer: string, kind: string, expected: number[]): Float32Array {
    const want = `${layer}/${kind}`;
    let hits = this.entries.filter((e) => e.parts.join('/') === want);
    if (hits.length === 0) {
      hits = this.entries.filter(
        (e) => e.parts.length > 2 && e.parts[e.parts.length - 1] === kind && e.parts.slice(0, -1).includes(layer),
      );
    }
    if (hits.length === 0) {
      throw new ModelFormatError(
        `${this.file}: weight "${want}" (shape ${fmtShape(expected)}) is missing from the weights manifest`,
      );
    }
    if (hits.length > 1) {
      throw new ModelFormatError(
        `${this.file}: weight "${want}" is ambiguous: ${hits.map((h) => `"${h.name}"`).join(', ')}`,
      );
    }
    const d = this.decoded.get(hits[0].name)!;
    this.used.add(hits[0].name);
    const shape = d.spec.shape;
    const n = expected.reduce((a, b) => a * b, 1);
    const actual = shape.reduce((a, b) => a * b, 1);
    if (shape.length !== expected.length || shape.some((v, i) => v !== expected[i])) {
      throw new ShapeError(
        `${this.file}: weight "${d.spec.name}" has shape ${fmtShape(shape)} (${actual} values) but layer "${layer}" ` +
          `needs ${fmtShape(expected)} (${n} values)`,
      );
    }
    if (!(d.values instanceof Float32Array)) {
      if (d.values instanceof Int32Array) return Float32Array.from(d.values);
      throw new ModelFormatError(`${this.file}: weight "${d.spec.name}" has dtype ${d.spec.dtype}, expected float32`);
    }
    return d.values;
  }

  unused(): string[] {
    return [...this.decoded.values()]
      .filter((d) => !this.used.has(d.spec.name) && d.spec.group !== 'optimizer')
      .map((d) => d.spec.name);
  }
}

function activationOf(a: unknown, ctx: string, allowSoftmax: boolean): Activation | 'softmax' {
  if (a === undefined || a === null || a === 'linear') return 'none';
  if (a === 'relu') return 'relu';
  if (a === 'relu6') return 'relu6';
  if (a === 'softmax' && allowSoftmax) return 'softmax';
  throw new UnsupportedOpError(`${ctx}: activation ${JSON.stringify(a)} is not supported`);
}

function checkChannelsLast(cfg: Record<string, any>, ctx: string) {
  if (cfg.data_format !== undefined && cfg.data_format !== null && cfg.data_format !== 'channels_last') {
    throw new UnsupportedOpError(`${ctx}: data_format ${JSON.stringify(cfg.data_format)} (only channels_last)`);
  }
}

/** TF SAME padding for one spatial dimension. */
function samePad(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function isMobileNetV2(layers: Map<string, KerasLayer>): boolean {
  const need: [string, string][] = [
    ['Conv1', 'Conv2D'],
    ['expanded_conv_depthwise', 'DepthwiseConv2D'],
    ['expanded_conv_project', 'Conv2D'],
    ['Conv_1', 'Conv2D'],
  ];
  for (let i = 1; i <= 16; i++) {
    need.push([`block_${i}_expand`, 'Conv2D'], [`block_${i}_depthwise`, 'DepthwiseConv2D'], [`block_${i}_project`, 'Conv2D']);
  }
  return need.every(([n, c]) => layers.get(n)?.className === c);
}

/** Imports a TF.js layers model (Keras topology + weights) into the Graph IR. */
export function importTfjsLayers(artifacts: TfjsArtifacts, opts: ImportOptions = {}): Graph {
  return importTfjsLayersWithReport(artifacts, opts).graph;
}

/** Same as importTfjsLayers, plus a report of what was folded and fused. */
export function importTfjsLayersWithReport(
  artifacts: TfjsArtifacts,
  opts: ImportOptions = {},
): { graph: Graph; report: ImportReport } {
  const file = opts.fileName ?? 'model.json';
  if (!artifacts || typeof artifacts !== 'object') throw new ModelFormatError(`${file}: no model artifacts`);
  const topo = parseTopology(artifacts.modelTopology, file);
  const weights = new WeightStore(decodeWeights(artifacts.weightSpecs ?? [], artifacts.weightData ?? new Uint8Array(0), file), file);

  if (topo.inputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${topo.inputs.length} inputs (exactly one is supported)`);
  }
  if (topo.outputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${topo.outputs.length} outputs (exactly one is supported)`);
  }
  const order = topoSort(topo.layers, file);
  const byName = new Map(topo.layers.map((l) => [l.name, l] as const));

  // How many layers read each layer's output (+1 for the model output): fusion needs exactly one.
  const consumers = new Map<string, number>();
  for (const l of topo.layers) for (const i of l.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of topo.outputs) consumers.set(o, (consumers.get(o) ?? 0) + 1);

  const report: ImportReport = {
    layers: topo.layers.length,
    foldedBatchNorms: [],
    fusedActivations: [],
    foldedPads: [],
    noOps: [],
    ops: {},
  };
  const nodes: Node[] = [];
  const vals = new Map<string, Val>();
  let input: Graph['input'] | undefined;
  let sawZeroPadding = false;
  let embeddingNode: string | undefined;
  const nodeNames = new Set<string>();

  const addNode = (n: Node) => {
    if (nodeNames.has(n.name) || (input && input.name === n.name)) {
      throw new ModelFormatError(`${file}: two graph values are named "${n.name}"`);
    }
    nodeNames.add(n.name);
    nodes.push(n);
    report.ops[n.op] = (report.ops[n.op] ?? 0) + 1;
  };
  /** The node a layer may fuse into: the input's producer, when nothing else reads the input. */
  const fusable = (v: Val) => (v.node && !v.pad && consumers.get(v.layer) === 1 ? v.node : undefined);
  /** An alias of `v` (identity layer): fusion stays possible only through a single-consumer chain. */
  const alias = (v: Val, layer: string, shape = v.shape): Val => ({
    ...v,
    shape,
    layer,
    node: consumers.get(v.layer) === 1 ? v.node : undefined,
  });

  for (const layer of order) {
    const ctx = `${file}: layer "${layer.name}" (${layer.className})`;
    const cfg = layer.config;
    const ins = layer.inputs.map((n) => vals.get(n)!);
    const one = (): Val => {
      if (ins.length !== 1) throw new ModelFormatError(`${ctx}: expected 1 input, got ${ins.length}`);
      return ins[0];
    };
    const spatial = (v: Val): [number, number, number] => {
      if (v.flat || v.shape.length !== 3) {
        throw new UnsupportedOpError(`${ctx}: needs an H×W×C input, got ${fmtShape(v.shape)} from "${v.layer}"`);
      }
      return v.shape as [number, number, number];
    };
    const noPad = (v: Val) => {
      if (v.pad) {
        throw new UnsupportedOpError(`${ctx}: input comes from ZeroPadding2D "${v.layer}", which only convolutions may consume`);
      }
    };
    const fuseActivation = (act: Activation) => {
      const v = one();
      noPad(v);
      const n = fusable(v);
      if (!n || !('activation' in n) || n.activation !== 'none') {
        throw new UnsupportedOpError(
          `${ctx}: a standalone ${act} is not supported; it must directly follow a single-use conv, depthwise conv, dense or add`,
        );
      }
      n.activation = act;
      report.fusedActivations.push(`${layer.name} → ${n.name}`);
      vals.set(layer.name, { ...v, layer: layer.name, node: n });
    };
    const softmax = () => {
      const v = one();
      noPad(v);
      if (!v.flat) throw new UnsupportedOpError(`${ctx}: softmax over a spatial tensor ${fmtShape(v.shape)} is not supported`);
      const name = layer.name;
      addNode({ op: 'softmax', name, inputs: [v.ir] });
      vals.set(layer.name, { ir: name, shape: v.shape, flat: true, layer: layer.name });
    };

    switch (layer.className) {
      case 'InputLayer': {
        if (ins.length !== 0) throw new ModelFormatError(`${ctx}: an InputLayer cannot have inputs`);
        const bs = cfg.batch_input_shape ?? cfg.batch_shape;
        if (!Array.isArray(bs) || bs.length !== 4) {
          throw new UnsupportedOpError(`${ctx}: input shape ${JSON.stringify(bs)} (only [batch, H, W, C] images)`);
        }
        if (cfg.dtype !== undefined && cfg.dtype !== 'float32' && typeof cfg.dtype === 'string') {
          throw new UnsupportedOpError(`${ctx}: input dtype ${cfg.dtype} (only float32)`);
        }
        let [, h, w, c] = bs as (number | null)[];
        if (h === null && w === null && opts.resolution) h = w = opts.resolution;
        if (![h, w, c].every((x) => Number.isSafeInteger(x) && (x as number) > 0)) {
          throw new UnsupportedOpError(
            `${ctx}: input shape ${JSON.stringify(bs)} is not fully known (pass the resolution option for H and W)`,
          );
        }
        if (input) throw new UnsupportedOpError(`${ctx}: a second input layer`);
        input = { name: layer.name, shape: [1, h as number, w as number, c as number] };
        vals.set(layer.name, { ir: layer.name, shape: [h as number, w as number, c as number], flat: false, layer: layer.name });
        report.noOps.push(layer.name);
        break;
      }

      case 'ZeroPadding2D': {
        const v = one();
        const [h, w, c] = spatial(v);
        checkChannelsLast(cfg, ctx);
        const p = cfg.padding ?? 1;
        let t: number, b: number, l: number, r: number;
        const ok = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
        if (ok(p)) t = b = l = r = p;
        else if (Array.isArray(p) && p.length === 2 && ok(p[0]) && ok(p[1])) [t, b, l, r] = [p[0], p[0], p[1], p[1]];
        else if (
          Array.isArray(p) &&
          p.length === 2 &&
          Array.isArray(p[0]) &&
          Array.isArray(p[1]) &&
          [...p[0], ...p[1]].length === 4 &&
          [...p[0], ...p[1]].every(ok)
        )
          [[t, b], [l, r]] = p;
        else throw new ModelFormatError(`${ctx}: invalid padding ${JSON.stringify(p)}`);
        const prev = v.pad ?? { top: 0, left: 0, bottom: 0, right: 0 };
        sawZeroPadding = true;
        vals.set(layer.name, {
          ir: v.ir,
          shape: [h + t + b, w + l + r, c],
          flat: false,
          pad: { top: prev.top + t, left: prev.left + l, bottom: prev.bottom + b, right: prev.right + r },
          layer: layer.name,
        });
        break;
      }

      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const v = one();
        const [ph, pw, cin] = spatial(v);
        checkChannelsLast(cfg, ctx);
        const depthwise = layer.className === 'DepthwiseConv2D';
        const kernel = pairOf(cfg.kernel_size, 'kernel_size', ctx);
        const stride = pairOf(cfg.strides ?? 1, 'strides', ctx);
        const dil = pairOf(cfg.dilation_rate ?? 1, 'dilation_rate', ctx);
        if (dil[0] !== 1 || dil[1] !== 1) {
          throw new UnsupportedOpError(`${ctx}: dilation_rate ${fmtShape(dil)} is not supported (only 1)`);
        }
        if ((cfg.groups ?? 1) !== 1) throw new UnsupportedOpError(`${ctx}: groups=${cfg.groups} (only 1)`);
        if (depthwise && (cfg.depth_multiplier ?? 1) !== 1) {
          throw new UnsupportedOpError(`${ctx}: depth_multiplier=${cfg.depth_multiplier} (only 1)`);
        }
        const act = activationOf(cfg.activation, ctx, false) as Activation;
        const useBias = cfg.use_bias ?? true;
        const pre = v.pad ?? { top: 0, left: 0, bottom: 0, right: 0 };
        let pad: Pad;
        if (cfg.padding === 'same') {
          const [t, b] = samePad(ph, kernel[0], stride[0]);
          const [l, r] = samePad(pw, kernel[1], stride[1]);
          pad = { top: pre.top + t, left: pre.left + l, bottom: pre.bottom + b, right: pre.right + r };
        } else if (cfg.padding === 'valid' || cfg.padding === undefined) {
          pad = { top: pre.top, left: pre.left, bottom: pre.bottom, right: pre.right };
        } else {
          throw new UnsupportedOpError(`${ctx}: padding ${JSON.stringify(cfg.padding)} (only same, valid)`);
        }
        const h = ph - pre.top - pre.bottom;
        const w = pw - pre.left - pre.right;
        const oh = Math.floor((h + pad.top + pad.bottom - kernel[0]) / stride[0]) + 1;
        const ow = Math.floor((w + pad.left + pad.right - kernel[1]) / stride[1]) + 1;
        if (oh < 1 || ow < 1) {
          throw new ShapeError(`${ctx}: a ${kernel.join('×')} kernel does not fit the ${ph}×${pw} (padded) input`);
        }
        let node: Conv2DNode | DepthwiseConv2DNode;
        if (depthwise) {
          const wts = weights.get(layer.name, 'depthwise_kernel', [kernel[0], kernel[1], cin, 1]);
          const bias = useBias ? weights.get(layer.name, 'bias', [cin]) : new Float32Array(cin);
          node = {
            op: 'depthwise_conv2d', name: layer.name, inputs: [v.ir], kernel, stride, pad, activation: act,
            weights: wts, bias,
          };
          vals.set(layer.name, { ir: layer.name, shape: [oh, ow, cin], flat: false, node, layer: layer.name });
        } else {
          const filters = cfg.filters;
          if (!Number.isSafeInteger(filters) || filters <= 0) throw new ModelFormatError(`${ctx}: invalid filters ${filters}`);
          const wts = weights.get(layer.name, 'kernel', [kernel[0], kernel[1], cin, filters]);
          const bias = useBias ? weights.get(layer.name, 'bias', [filters]) : new Float32Array(filters);
          node = {
            op: 'conv2d', name: layer.name, inputs: [v.ir], kernel, stride, pad, activation: act,
            weights: wts, bias, outChannels: filters,
          };
          vals.set(layer.name, { ir: layer.name, shape: [oh, ow, filters], flat: false, node, layer: layer.name });
        }
        if (v.pad) report.foldedPads.push(`${v.layer} → ${layer.name}`);
        addNode(node);
        break;
      }

      case 'BatchNormalization': {
        const v = one();
        noPad(v);
        const axis = cfg.axis ?? -1;
        const axisOk = axis === -1 || axis === v.shape.length || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === v.shape.length));
        if (!axisOk) throw new UnsupportedOpError(`${ctx}: axis ${JSON.stringify(axis)} (only the channel axis)`);
        const n = fusable(v);
        if (!n || (n.op !== 'conv2d' && n.op !== 'depthwise_conv2d' && n.op !== 'dense') || n.activation !== 'none') {
          throw new UnsupportedOpError(
            `${ctx}: batch norm must directly follow a single-use conv, depthwise conv or dense without activation`,
          );
        }
        const c = v.shape[v.shape.length - 1];
        const eps = typeof cfg.epsilon === 'number' ? cfg.epsilon : 1e-3;
        const gamma = (cfg.scale ?? true) ? weights.get(layer.name, 'gamma', [c]) : undefined;
        const beta = (cfg.center ?? true) ? weights.get(layer.name, 'beta', [c]) : undefined;
        const mean = weights.get(layer.name, 'moving_mean', [c]);
        const variance = weights.get(layer.name, 'moving_variance', [c]);
        // Fold in float64, round once: scale = γ/√(σ²+ε); w' = w·scale; b' = (b − μ)·scale + β.
        const scale = new Float64Array(c);
        for (let i = 0; i < c; i++) scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
        const w = new Float32Array(n.weights.length);
        for (let i = 0; i < w.length; i++) w[i] = n.weights[i] * scale[i % c];
        const b = new Float32Array(c);
        for (let i = 0; i < c; i++) b[i] = (n.bias[i] - mean[i]) * scale[i] + (beta ? beta[i] : 0);
        n.weights = w;
        n.bias = b;
        report.foldedBatchNorms.push(`${layer.name} → ${n.name}`);
        vals.set(layer.name, { ...v, layer: layer.name, node: n });
        break;
      }

      case 'ReLU': {
        const max = cfg.max_value;
        if ((cfg.negative_slope ?? 0) !== 0) throw new UnsupportedOpError(`${ctx}: negative_slope=${cfg.negative_slope} (only 0)`);
        if ((cfg.threshold ?? 0) !== 0) throw new UnsupportedOpError(`${ctx}: threshold=${cfg.threshold} (only 0)`);
        if (max === null || max === undefined) fuseActivation('relu');
        else if (max === 6) fuseActivation('relu6');
        else throw new UnsupportedOpError(`${ctx}: max_value=${max} (only none or 6)`);
        break;
      }

      case 'Activation': {
        const a = activationOf(cfg.activation, ctx, true);
        if (a === 'none') {
          vals.set(layer.name, alias(one(), layer.name));
          report.noOps.push(layer.name);
        } else if (a === 'softmax') softmax();
        else fuseActivation(a);
        break;
      }

      case 'Softmax': {
        const axis = cfg.axis ?? -1;
        if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
          const v = one();
          if (axis !== v.shape.length) throw new UnsupportedOpError(`${ctx}: axis ${JSON.stringify(axis)} (only the last axis)`);
        }
        softmax();
        break;
      }

      case 'Add': {
        if (ins.length !== 2) throw new UnsupportedOpError(`${ctx}: ${ins.length} inputs (only 2)`);
        ins.forEach(noPad);
        const [a, b] = ins;
        if (a.flat !== b.flat || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
          throw new ShapeError(`${ctx}: inputs "${a.layer}" ${fmtShape(a.shape)} and "${b.layer}" ${fmtShape(b.shape)} differ`);
        }
        const node: Node = { op: 'add', name: layer.name, inputs: [a.ir, b.ir], activation: 'none' };
        addNode(node);
        vals.set(layer.name, { ir: layer.name, shape: a.shape, flat: a.flat, node, layer: layer.name });
        break;
      }

      case 'GlobalAveragePooling2D': {
        const v = one();
        noPad(v);
        const [, , c] = spatial(v);
        checkChannelsLast(cfg, ctx);
        addNode({ op: 'global_avg_pool', name: layer.name, inputs: [v.ir] });
        embeddingNode = layer.name;
        vals.set(layer.name, { ir: layer.name, shape: cfg.keepdims ? [1, 1, c] : [c], flat: true, layer: layer.name });
        break;
      }

      case 'AveragePooling2D': {
        const v = one();
        noPad(v);
        const [h, w, c] = spatial(v);
        checkChannelsLast(cfg, ctx);
        const pool = pairOf(cfg.pool_size ?? 2, 'pool_size', ctx);
        const stride = pairOf(cfg.strides ?? pool, 'strides', ctx);
        const padding = cfg.padding ?? 'valid';
        // Whole-input pooling: one output pixel covering every input pixel, no padding involved.
        const whole = pool[0] === h && pool[1] === w && (padding === 'valid' || (stride[0] >= h && stride[1] >= w && padding === 'same'));
        if (!whole) {
          throw new UnsupportedOpError(
            `${ctx}: only pooling over the whole ${h}×${w} input is supported (pool ${pool.join('×')}, strides ${stride.join('×')}, padding ${padding})`,
          );
        }
        addNode({ op: 'global_avg_pool', name: layer.name, inputs: [v.ir] });
        embeddingNode = layer.name;
        vals.set(layer.name, { ir: layer.name, shape: [1, 1, c], flat: true, layer: layer.name });
        break;
      }

      case 'Flatten': {
        const v = one();
        noPad(v);
        if (!v.flat) {
          throw new UnsupportedOpError(`${ctx}: only flattening a pooled [1, 1, C] tensor is supported, got ${fmtShape(v.shape)}`);
        }
        const c = v.shape.reduce((x, y) => x * y, 1);
        vals.set(layer.name, alias(v, layer.name, [c]));
        report.noOps.push(layer.name);
        break;
      }

      case 'Reshape': {
        const v = one();
        noPad(v);
        const c = v.shape.reduce((x, y) => x * y, 1);
        const target = cfg.target_shape;
        if (!Array.isArray(target) || target.length === 0) throw new ModelFormatError(`${ctx}: invalid target_shape`);
        const resolved = target.map((d: number) => (d === -1 ? c / target.filter((x: number) => x !== -1).reduce((x: number, y: number) => x * y, 1) : d));
        const ok = v.flat && resolved.slice(0, -1).every((d: number) => d === 1) && resolved[resolved.length - 1] === c;
        if (!ok) {
          throw new UnsupportedOpError(
            `${ctx}: only reshaping a pooled tensor to [..., 1, C] is supported (${fmtShape(v.shape)} → ${JSON.stringify(target)})`,
          );
        }
        vals.set(layer.name, alias(v, layer.name, resolved));
        report.noOps.push(layer.name);
        break;
      }

      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianDropout':
      case 'AlphaDropout':
      case 'GaussianNoise': {
        const v = one();
        vals.set(layer.name, alias(v, layer.name));
        report.noOps.push(layer.name);
        break;
      }

      case 'Dense': {
        const v = one();
        noPad(v);
        if (!v.flat) {
          throw new UnsupportedOpError(`${ctx}: dense on an H×W×C tensor ${fmtShape(v.shape)} is not supported (pool first)`);
        }
        const k = v.shape[v.shape.length - 1];
        const units = cfg.units;
        if (!Number.isSafeInteger(units) || units <= 0) throw new ModelFormatError(`${ctx}: invalid units ${units}`);
        const act = activationOf(cfg.activation, ctx, true);
        const wts = weights.get(layer.name, 'kernel', [k, units]);
        const bias = (cfg.use_bias ?? true) ? weights.get(layer.name, 'bias', [units]) : new Float32Array(units);
        const node: DenseNode = {
          op: 'dense', name: layer.name, inputs: [v.ir], activation: act === 'softmax' ? 'none' : act,
          weights: wts, bias, units,
        };
        addNode(node);
        const shape = [...v.shape.slice(0, -1), units];
        if (act === 'softmax') {
          const sm = `${layer.name}/softmax`;
          addNode({ op: 'softmax', name: sm, inputs: [layer.name] });
          vals.set(layer.name, { ir: sm, shape, flat: true, layer: layer.name });
        } else {
          vals.set(layer.name, { ir: layer.name, shape, flat: true, node, layer: layer.name });
        }
        break;
      }

      default:
        throw new UnsupportedOpError(`${ctx}: layer class "${layer.className}" is not supported`);
    }
  }

  if (!input) throw new ModelFormatError(`${file}: the model has no InputLayer`);
  if (topo.inputs[0] !== input.name) {
    throw new ModelFormatError(`${file}: input_layers names "${topo.inputs[0]}" but the InputLayer is "${input.name}"`);
  }
  const outVal = vals.get(topo.outputs[0]);
  if (!outVal) throw new ModelFormatError(`${file}: output layer "${topo.outputs[0]}" does not exist`);
  if (outVal.pad || outVal.ir === input.name) {
    throw new UnsupportedOpError(`${file}: output layer "${topo.outputs[0]}" does not compute anything`);
  }
  const extra = weights.unused();
  if (extra.length > 0) {
    throw new ModelFormatError(
      `${file}: ${extra.length} weight(s) in the manifest are not used by any layer: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''}`,
    );
  }
  // Layers that do not feed the output would still be computed by the engine: drop them.
  const live = new Set<string>([outVal.ir]);
  for (let i = nodes.length - 1; i >= 0; i--) if (live.has(nodes[i].name)) nodes[i].inputs.forEach((x) => live.add(x));
  const liveNodes = nodes.filter((n) => live.has(n.name));

  const mobilenet = isMobileNetV2(byName);
  let alpha: number | undefined;
  if (mobilenet) {
    const f16 = byName.get('block_16_project')!.config.filters / 320;
    alpha = MOBILENET_V2_ALPHAS.find((a) => Math.abs(a - f16) < 1e-9) ?? byName.get('Conv1')!.config.filters / 32;
  }
  const output = liveNodes.find((n) => n.name === outVal.ir)!;
  const outShape = outVal.shape;
  const outUnits = outVal.flat ? outShape[outShape.length - 1] : undefined;
  let labels = opts.labels;
  if (labels !== undefined) {
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw new InputError('labels must be an array of strings');
    if (outUnits !== undefined && labels.length !== outUnits) {
      throw new InputError(`${file}: ${labels.length} labels given but the model has ${outUnits} outputs`);
    }
  } else {
    labels = Array.from({ length: outUnits ?? 0 }, (_, i) => `class_${i}`);
  }
  const preprocess: Preprocess = opts.preprocess ?? (mobilenet
    ? { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], offset: [-1, -1, -1], centralCrop: 1 }
    : { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 });
  const paddingMode: PaddingMode = sawZeroPadding ? 'keras' : 'same';
  const meta: ModelMeta = {
    architecture: mobilenet ? 'mobilenet_v2' : 'unknown',
    ...(alpha !== undefined ? { alpha } : {}),
    ...(mobilenet && input.shape[1] === input.shape[2] ? { resolution: input.shape[1] } : {}),
    paddingMode,
    labels: [...labels],
    preprocess,
    source: opts.source ?? file,
    ...(embeddingNode && live.has(embeddingNode) ? { embeddingNode } : {}),
    outputIsProbabilities: output.op === 'softmax',
  };
  const graph: Graph = {
    name: opts.name ?? topo.modelName,
    input,
    output: outVal.ir,
    nodes: liveNodes,
    meta,
  };
  // The engine's own validation: the importer's shape bookkeeping must agree with it.
  inferShapes(graph);
  return { graph, report };
}
