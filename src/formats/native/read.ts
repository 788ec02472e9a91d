// Reads the native format (see format.ts). The file is treated as hostile: every length, offset,
// shape and reference is checked before it is used, nothing is allocated from an unchecked number,
// and every failure is a ModelFormatError naming the file and a byte offset.

import type { Activation, DType, Graph, ModelMeta, Node, Pad, Quant, QuantWeights, ValueType } from '../../graph/ir.js';
import { ModelFormatError, ShapeError, UnsupportedOpError, preview } from '../../errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-depth.js';
import { inferShapes } from '../../graph/shapes.js';
import { opModule } from '../../ops/index.js';
import {
  ACTIVATIONS,
  DTYPES,
  DTYPE_SIZES,
  FORMAT,
  FORMAT_VERSION,
  LITTLE_ENDIAN,
  MAX_HEADER_BYTES,
  PADDING_MODES,
  TASKS,
  isPadEntryName,
} from './format.js';

/** One tensor entry of the header, validated, with absolute file offsets. */
export interface NativeTensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the data start, as in the header. */
  begin: number;
  end: number;
  /** Absolute offset of the first byte in the file. */
  fileOffset: number;
}

export interface NativeHeader {
  headerLength: number;
  dataStart: number;
  metadata: Record<string, string>;
  tensors: Map<string, NativeTensorEntry>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(x: unknown): x is Record<string, Json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Index of the first byte that breaks UTF-8 in bytes[start, end), or −1. */
function firstInvalidUtf8(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) (n = 1), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (n = 2), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (n = 3), (min = 0x10000);
    else return i;
    if (i + n > end - 1) return i; // sequence cut off by the end of the header
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Index (in UTF-16 units) of the first JSON syntax error in `s`, or −1. Only used to locate an
 * error JSON.parse reported (its messages do not always carry a position). Iterative: hostile
 * nesting depth cannot overflow the stack.
 */
/** @internal exported for tests */
export function jsonErrorIndex(s: string): number {
  let i = 0;
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  const ws = () => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  /** At a '"': skips the string; false (i at the error) when it is malformed. */
  const str = (): boolean => {
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c === 0x5c) {
        JSON_ESCAPE.lastIndex = i;
        if (!JSON_ESCAPE.test(s)) return false;
        i = JSON_ESCAPE.lastIndex;
        continue;
      }
      if (c < 0x20) return false;
      i++;
    }
    return false;
  };
  /** Object key and colon, then a value follows. */
  const key = (): boolean => {
    ws();
    if (s.charCodeAt(i) !== 0x22 || !str()) return false;
    ws();
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    return true;
  };
  for (;;) {
    // A value.
    ws();
    const c = s.charCodeAt(i);
    let opened = false;
    if (c === 0x7b || c === 0x5b) {
      i++;
      ws();
      if (s.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) i++;
      else {
        if (c === 0x7b && !key()) return i;
        stack.push(c);
        opened = true;
      }
    } else if (c === 0x22) {
      if (!str()) return i;
    } else if (s.startsWith('true', i)) i += 4;
    else if (s.startsWith('false', i)) i += 5;
    else if (s.startsWith('null', i)) i += 4;
    else {
      JSON_NUMBER.lastIndex = i;
      if (!JSON_NUMBER.test(s)) return i;
      i = JSON_NUMBER.lastIndex;
    }
    if (opened) continue;
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      ws();
      if (stack.length === 0) return i === s.length ? -1 : i;
      const top = stack[stack.length - 1];
      const d = s.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        if (top === 0x7b && !key()) return i;
        break;
      }
      if (d === (top === 0x7b ? 0x7d : 0x5d)) {
        i++;
        stack.pop();
        continue;
      }
      return i;
    }
  }
}

/** Parses and validates the header: lengths, JSON, metadata, every tensor entry and the data tiling. */
export function readNativeHeader(bytes: Uint8Array, fileName = '<bytes>'): NativeHeader {
  const file = fileName;
  const fail = (msg: string, at: number): never => {
    throw new ModelFormatError(`${file}: ${msg} (at byte ${at})`);
  };
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError(`${file}: expected the file's bytes as a Uint8Array (at byte 0)`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) {
    fail(`header length ${hi * 2 ** 32 + lo} is absurd (limit ${MAX_HEADER_BYTES} bytes); not a model file or corrupted`, 0);
  }
  const n = lo;
  if (n < 2) fail(`header length ${n} is too small for a JSON object`, 0);
  if (8 + n > bytes.length) {
    fail(`header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`, 0);
  }
  if (bytes[8] !== 0x7b /* { */) fail(`header does not start with "{" (found 0x${bytes[8].toString(16).padStart(2, '0')})`, 8);
  const bad = firstInvalidUtf8(bytes, 8, 8 + n);
  if (bad >= 0) fail(`header is not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')})`, bad);
  const text = new TextDecoder('utf-8').decode(bytes.subarray(8, 8 + n));
  const deep = jsonTooDeep(text);
  if (deep >= 0) fail(`header JSON nests deeper than ${MAX_JSON_DEPTH}`, 8 + utf8Length(text.slice(0, deep)));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = jsonErrorIndex(text);
    const at = 8 + utf8Length(text.slice(0, pos < 0 ? 0 : Math.min(pos, text.length)));
    fail(`header is not valid JSON: ${msg}`, at);
  }
  if (!isObject(parsed)) fail('header JSON is not an object', 8);
  const header = parsed as Record<string, Json>;

  const md = header.__metadata__;
  if (md === undefined) fail('header has no "__metadata__" (a plain safetensors file, not a mobilenet-wasm model)', 8);
  if (!isObject(md)) fail('"__metadata__" is not an object', 8);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(md as Record<string, Json>)) {
    if (typeof v !== 'string') fail(`metadata "${k}" is not a string`, 8);
    metadata[k] = v as string;
  }
  if (metadata.format !== FORMAT) {
    fail(`metadata "format" is ${preview(metadata.format)}, expected "${FORMAT}"`, 8);
  }
  if (metadata.format_version !== FORMAT_VERSION) {
    fail(`unknown format_version ${preview(metadata.format_version)} (this reader understands "${FORMAT_VERSION}")`, 8);
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NativeTensorEntry>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const tf = (msg: string, at = 8): never => fail(`tensor "${name}": ${msg}`, at);
    if (!isObject(e)) tf('entry is not an object');
    const entry = e as Record<string, Json>;
    const dtype = entry.dtype;
    if (typeof dtype !== 'string') tf('has no dtype');
    const size = DTYPE_SIZES[dtype as string];
    if (size === undefined) tf(`unknown dtype ${preview(dtype)}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      tf(`invalid shape ${preview(shape)}`);
    }
    const offs = entry.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
    ) {
      tf(`invalid data_offsets ${preview(offs)}`);
    }
    const [begin, end] = offs as number[];
    if (begin > end) tf(`data_offsets [${begin}, ${end}] are reversed`, dataStart + Math.min(begin, dataLength));
    if (end > dataLength) {
      tf(
        `data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes from byte ${dataStart}; truncated file?)`,
        dataStart + Math.min(begin, dataLength),
      );
    }
    // Element count, never beyond what the data can hold (no overflow, no huge numbers).
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (count * size > dataLength) tf(`shape [${(shape as number[]).join(', ')}] × ${dtype} is larger than the whole data`, dataStart + begin);
    }
    if (count * size !== end - begin) {
      tf(
        `shape [${(shape as number[]).join(', ')}] × ${dtype} is ${count * size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
        dataStart + begin,
      );
    }
    tensors.set(name, { name, dtype: dtype as string, shape: shape as number[], begin, end, fileOffset: dataStart + begin });
  }

  // The entries must tile the data exactly: sorted, no overlap, no gap, ending at the end of file.
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin < cursor) fail(`tensor "${t.name}" [${t.begin}, ${t.end}] overlaps the previous tensor (ends at ${cursor})`, t.fileOffset);
    if (t.begin > cursor) fail(`the data has a gap [${cursor}, ${t.begin}) before tensor "${t.name}"`, dataStart + cursor);
    cursor = t.end;
  }
  if (cursor !== dataLength) {
    fail(`the file has ${dataLength - cursor} bytes after the last tensor (ends at data offset ${cursor})`, dataStart + cursor);
  }
  return { headerLength: n, dataStart, metadata, tensors };
}

// ---------------------------------------------------------------------------------------------

function checkGraph(
  g: unknown,
  metaRaw: unknown,
  h: NativeHeader,
  bytes: Uint8Array,
  file: string,
): Graph {
  const at = 8; // graph and meta live in the header
  const fail = (msg: string, byte = at): never => {
    throw new ModelFormatError(`${file}: ${msg} (at byte ${byte})`);
  };
  const posInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
  const nonNegInt = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

  if (!isObject(g)) fail('metadata "graph" is not a JSON object');
  const graph = g as Record<string, Json>;
  if (typeof graph.name !== 'string') fail('graph has no name');
  const inp = graph.input;
  if (!isObject(inp) || typeof inp.name !== 'string' || inp.name === '') fail('graph.input must be {name, shape}');
  const ishape = (inp as Record<string, Json>).shape;
  if (!Array.isArray(ishape) || ishape.length !== 4 || ishape[0] !== 1 || !ishape.slice(1).every(posInt)) {
    fail(`graph.input.shape ${preview(ishape)} must be [1, H, W, C]`);
  }
  if (!Array.isArray(graph.nodes) || graph.nodes.length === 0) fail('graph has no nodes');
  const inputName = (inp as Record<string, Json>).name as string;

  /** {scale, zeroPoint} with a finite positive scale and an integer zero point. */
  const quantOf = (x: unknown, ctx: string): Quant => {
    if (!isObject(x) || !finite(x.scale) || !((x.scale as number) > 0) || !Number.isSafeInteger(x.zeroPoint)) {
      fail(`${ctx}: quant ${preview(x)} must be {scale > 0, zeroPoint integer}`);
    }
    const q = x as Record<string, number>;
    return { scale: q.scale!, zeroPoint: q.zeroPoint! };
  };
  const dtypeOf = (x: unknown, ctx: string): DType => {
    if (typeof x !== 'string' || !(DTYPES as readonly string[]).includes(x)) fail(`${ctx}: unknown dtype ${preview(x)}`);
    return x as DType;
  };
  const inRaw = inp as Record<string, Json>;
  const inDtype = inRaw.dtype !== undefined ? dtypeOf(inRaw.dtype, 'graph.input') : undefined;
  const inQuant = inRaw.quant !== undefined ? quantOf(inRaw.quant, 'graph.input') : undefined;

  const defined = new Set<string>([inputName]);
  const usedTensors = new Set<string>();
  const nodes: Node[] = [];
  type Want = 'F32' | 'U8' | 'I8' | 'I32';
  function tensorData(ref: unknown, node: string, role: string, expected: number[], want: 'F32'): Float32Array;
  function tensorData(ref: unknown, node: string, role: string, expected: number[], want: 'U8'): Uint8Array;
  function tensorData(ref: unknown, node: string, role: string, expected: number[], want: 'I8'): Int8Array;
  function tensorData(ref: unknown, node: string, role: string, expected: number[], want: 'I32'): Int32Array;
  function tensorData(ref: unknown, node: string, role: string, expected: number[], want: Want): Float32Array | Uint8Array | Int8Array | Int32Array {
    if (typeof ref !== 'string') fail(`node "${node}": ${role} must name a tensor`);
    const t = h.tensors.get(ref as string);
    if (!t) fail(`node "${node}" references tensor "${ref}", which is not in the file`);
    const e = t as NativeTensorEntry;
    if (e.dtype !== want) {
      fail(`tensor "${e.name}" has dtype ${e.dtype}; node "${node}" needs ${want} ${role}`, e.fileOffset);
    }
    if (e.shape.length !== expected.length || e.shape.some((d, i) => expected[i] !== -1 && d !== expected[i])) {
      fail(
        `tensor "${e.name}" has shape [${e.shape.join(', ')}] but node "${node}" needs [${expected.map((d) => (d === -1 ? '?' : d)).join(', ')}]`,
        e.fileOffset,
      );
    }
    usedTensors.add(e.name);
    const bytesLen = e.end - e.begin;
    const src = bytes.subarray(e.fileOffset, e.fileOffset + bytesLen);
    // Fresh copies (`new Uint8Array(view)` copies; Buffer#slice would not).
    if (want === 'U8') return new Uint8Array(src);
    if (want === 'I8') return new Int8Array(new Uint8Array(src).buffer);
    const count = bytesLen / 4;
    const out = want === 'F32' ? new Float32Array(count) : new Int32Array(count);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(src);
    else {
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0; i < count; i++) out[i] = want === 'F32' ? dv.getFloat32(4 * i, true) : dv.getInt32(4 * i, true);
    }
    return out;
  }

  for (const [i, raw] of (graph.nodes as Json[]).entries()) {
    if (!isObject(raw)) fail(`graph.nodes[${i}] is not an object`);
    const r = raw as Record<string, Json>;
    const name = r.name;
    if (typeof name !== 'string' || name === '') fail(`graph.nodes[${i}] has no name`);
    const nm = name as string;
    const ctx = `node "${nm}"`;
    if (defined.has(nm)) fail(`${ctx}: the name is used twice`);
    const op = r.op;
    const m = opModule(op) ?? fail(`${ctx}: unknown op ${preview(op)}`);
    const inputs = r.inputs;
    const arity = m.native.arity;
    if (
      !Array.isArray(inputs) ||
      (arity > 0 ? inputs.length !== arity : inputs.length < 1) ||
      !inputs.every((x) => typeof x === 'string')
    ) {
      fail(`${ctx}: ${op} needs ${arity > 0 ? arity : 'one or more'} input name(s), got ${preview(inputs)}`);
    }
    for (const x of inputs as string[]) if (!defined.has(x)) fail(`${ctx}: input "${x}" is not defined before it`);
    const act = (): Activation => {
      if (typeof r.activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(r.activation)) {
        fail(`${ctx}: invalid activation ${preview(r.activation)}`);
      }
      return r.activation as Activation;
    };
    const pair = (k: string): [number, number] => {
      const v = r[k];
      if (!Array.isArray(v) || v.length !== 2 || !v.every(posInt)) fail(`${ctx}: invalid ${k} ${preview(v)}`);
      return [(v as number[])[0], (v as number[])[1]];
    };
    const padOf = (): Pad => {
      const p = r.pad;
      if (!isObject(p) || !['top', 'left', 'bottom', 'right'].every((k) => nonNegInt(p[k]))) {
        fail(`${ctx}: invalid pad ${preview(p)}`);
      }
      const pp = p as Record<string, number>;
      return { top: pp.top, left: pp.left, bottom: pp.bottom, right: pp.right };
    };
    const bool = (k: string): boolean => {
      if (typeof r[k] !== 'boolean') fail(`${ctx}: ${k} must be a boolean, got ${preview(r[k])}`);
      return r[k] as boolean;
    };
    /**
     * Float weights ("weights", "bias") or quantized ones ("q"). `wShape` is the weights' shape with
     * −1 for what the input decides; `channels(shape)` the channel count, from the weights' shape.
     */
    const weightsOf = (
      wShape: number[],
      channels: (shape: number[]) => number,
    ): { weights: Float32Array; bias: Float32Array; q?: QuantWeights } => {
      if (r.q === undefined) {
        const weights = tensorData(r.weights, nm, 'weights', wShape, 'F32');
        const c = channels(h.tensors.get(r.weights as string)!.shape);
        const bias = tensorData(r.bias, nm, 'bias', [c], 'F32');
        return { weights, bias };
      }
      if (r.weights !== undefined || r.bias !== undefined) fail(`${ctx}: a quantized node (with "q") has no "weights" / "bias"`);
      const q = r.q;
      if (!isObject(q)) fail(`${ctx}: q must be an object`);
      const qq = q as Record<string, Json>;
      if (qq.dtype !== 'uint8' && qq.dtype !== 'int8') fail(`${ctx}: q.dtype ${preview(qq.dtype)} must be "uint8" or "int8"`);
      const dtype = qq.dtype as 'uint8' | 'int8';
      const data = dtype === 'uint8' ? tensorData(qq.weights, nm, 'q.weights', wShape, 'U8') : tensorData(qq.weights, nm, 'q.weights', wShape, 'I8');
      const c = channels(h.tensors.get(qq.weights as string)!.shape);
      const st = h.tensors.get(qq.scale as string);
      const ns = st && st.shape.length === 1 && (st.shape[0] === 1 || st.shape[0] === c) ? st.shape[0]! : c;
      const scale = tensorData(qq.scale, nm, 'q.scale', [ns], 'F32');
      const zeroPoint = tensorData(qq.zeroPoint, nm, 'q.zeroPoint', [ns], 'I32');
      const bias = tensorData(qq.bias, nm, 'q.bias', [c], 'I32');
      return { weights: new Float32Array(0), bias: new Float32Array(0), q: { dtype, data, scale, zeroPoint, bias } };
    };
    const base = { name: nm, inputs: [...(inputs as string[])] };
    const node: Node = m.native.read({
      r, where: ctx, base, fail, activation: act, pair, pad: padOf, bool, posInt, finite, weights: weightsOf,
    });
    defined.add(nm);
    nodes.push(node);
  }

  // values: dtype / quantization of the non-float32 values
  let values: Record<string, ValueType> | undefined;
  if (graph.values !== undefined) {
    if (!isObject(graph.values)) fail('graph.values must be an object');
    values = {};
    for (const [k, v] of Object.entries(graph.values as Record<string, Json>)) {
      const c = `graph.values["${k}"]`;
      if (!defined.has(k)) fail(`${c} names no value of the graph`);
      if (!isObject(v)) fail(`${c} must be {dtype, quant?}`);
      const vv = v as Record<string, Json>;
      const dtype = dtypeOf(vv.dtype, c);
      values[k] = vv.quant !== undefined ? { dtype, quant: quantOf(vv.quant, c) } : { dtype };
    }
  }
  if (typeof graph.output !== 'string' || !defined.has(graph.output) || graph.output === inputName) {
    fail(`graph.output ${preview(graph.output)} is not a node of the graph`);
  }
  const outs = graph.outputs;
  if (outs !== undefined && !(Array.isArray(outs) && outs.every((o) => typeof o === 'string' && defined.has(o)))) fail('invalid graph.outputs');
  for (const t of h.tensors.values()) {
    if (usedTensors.has(t.name)) continue;
    if (isPadEntryName(t.name) && t.dtype === 'U8') continue;
    fail(`tensor "${t.name}" is not used by any node`, t.fileOffset);
  }

  // meta
  if (!isObject(metaRaw)) fail('metadata "meta" is not a JSON object');
  const m = metaRaw as Record<string, Json>;
  if (typeof m.architecture !== 'string') fail('meta.architecture must be a string');
  if (h.metadata.architecture !== undefined && h.metadata.architecture !== m.architecture) {
    fail(`metadata "architecture" (${h.metadata.architecture}) disagrees with meta.architecture (${m.architecture})`);
  }
  if (m.alpha !== undefined && !(finite(m.alpha) && (m.alpha as number) > 0)) fail(`meta.alpha ${preview(m.alpha)} is invalid`);
  if (m.resolution !== undefined && !posInt(m.resolution)) fail(`meta.resolution ${preview(m.resolution)} is invalid`);
  if (typeof m.paddingMode !== 'string' || !(PADDING_MODES as readonly string[]).includes(m.paddingMode)) {
    fail(`meta.paddingMode ${preview(m.paddingMode)} is invalid`);
  }
  if (!Array.isArray(m.labels) || !m.labels.every((l) => typeof l === 'string')) fail('meta.labels must be an array of strings');
  if (m.labelOffset !== undefined && !(Number.isInteger(m.labelOffset) && (m.labelOffset as number) >= 0 && (m.labelOffset as number) <= 1)) {
    fail(`meta.labelOffset ${preview(m.labelOffset)} must be 0 or 1`);
  }
  const pre = m.preprocess;
  const triple = (x: unknown) => Array.isArray(x) && x.length === 3 && x.every(finite);
  if (
    !isObject(pre) ||
    !triple(pre.scale) ||
    !triple(pre.offset) ||
    !finite(pre.centralCrop) ||
    !((pre.centralCrop as number) > 0 && (pre.centralCrop as number) <= 1)
  ) {
    fail(`meta.preprocess ${preview(pre)} must be {scale: [3], offset: [3], centralCrop in (0, 1]}`);
  }
  if (m.source !== undefined && typeof m.source !== 'string') fail('meta.source must be a string');
  if (m.embeddingNode !== undefined && (typeof m.embeddingNode !== 'string' || !defined.has(m.embeddingNode) || m.embeddingNode === inputName)) {
    fail(`meta.embeddingNode ${preview(m.embeddingNode)} is not a node of the graph`);
  }
  if (m.outputIsProbabilities !== undefined && typeof m.outputIsProbabilities !== 'boolean') {
    fail('meta.outputIsProbabilities must be a boolean');
  }
  if (m.task !== undefined && !(TASKS as readonly Json[]).includes(m.task)) fail(`meta.task ${preview(m.task)} is invalid`);
  const p = pre as Record<string, number[] | number>;
  const meta: ModelMeta = {
    architecture: m.architecture as string,
    ...(m.alpha !== undefined ? { alpha: m.alpha as number } : {}),
    ...(m.resolution !== undefined ? { resolution: m.resolution as number } : {}),
    paddingMode: m.paddingMode as ModelMeta['paddingMode'],
    labels: [...(m.labels as string[])],
    ...(m.labelOffset !== undefined ? { labelOffset: m.labelOffset as number } : {}),
    preprocess: {
      scale: [...(p.scale as number[])] as [number, number, number],
      offset: [...(p.offset as number[])] as [number, number, number],
      centralCrop: p.centralCrop as number,
    },
    ...(m.source !== undefined ? { source: m.source as string } : {}),
    ...(m.embeddingNode !== undefined ? { embeddingNode: m.embeddingNode as string } : {}),
    ...(m.outputIsProbabilities !== undefined ? { outputIsProbabilities: m.outputIsProbabilities as boolean } : {}),
    ...(m.task !== undefined ? { task: m.task as 'classify' | 'segment' | 'detect' } : {}),
  };
  const [, ih, iw, ic] = ishape as number[];
  return {
    name: graph.name as string,
    input: {
      name: inputName,
      shape: [1, ih, iw, ic],
      ...(inDtype !== undefined ? { dtype: inDtype } : {}),
      ...(inQuant !== undefined ? { quant: inQuant } : {}),
    },
    output: graph.output as string,
    ...(outs !== undefined ? { outputs: [...(outs as string[])] } : {}),
    nodes,
    ...(values !== undefined ? { values } : {}),
    meta,
  };
}

/** Reads a native model file. Throws ModelFormatError (with a byte offset) for anything malformed. */
export function readNative(bytes: Uint8Array, fileName = '<bytes>'): Graph {
  const file = fileName;
  const h = readNativeHeader(bytes, file);
  const parseMeta = (key: string): unknown => {
    const s = h.metadata[key];
    if (s === undefined) throw new ModelFormatError(`${file}: metadata "${key}" is missing (at byte 8)`);
    if (jsonTooDeep(s) >= 0) throw new ModelFormatError(`${file}: metadata "${key}" nests deeper than ${MAX_JSON_DEPTH} (at byte 8)`);
    try {
      return JSON.parse(s);
    } catch (e) {
      throw new ModelFormatError(`${file}: metadata "${key}" is not valid JSON: ${(e as Error).message} (at byte 8)`);
    }
  };
  const graph = parseMeta('graph');
  const meta = parseMeta('meta');
  const g = checkGraph(graph, meta, h, bytes, file);
  try {
    inferShapes(g);
  } catch (e) {
    // A well-formed file whose graph does not fit together is a corrupt file.
    if (e instanceof ShapeError || e instanceof UnsupportedOpError) {
      throw new ModelFormatError(`${file}: the stored graph is inconsistent: ${e.message} (at byte 8)`, { cause: e });
    }
    throw e;
  }
  return g;
}
