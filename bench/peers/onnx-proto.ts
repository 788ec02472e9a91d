// A minimal ONNX protobuf writer: the ModelProto subset a plain feed-forward float graph needs, so the
// benchmark builds its ONNX Runtime model in-process, without Python or the `onnx` package. Field
// numbers follow onnx/onnx.proto3 (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto.Tensor, TensorShapeProto, OperatorSetIdProto).

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type OnnxDType = (typeof ONNX_DTYPE)[keyof typeof ONNX_DTYPE];
const BYTES: Record<OnnxDType, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8 };

export interface OnnxTensor {
  name: string;
  dtype: OnnxDType;
  dims: number[];
  /** Stored as raw_data (little-endian, the host order on every platform this runs on). */
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
}

/** Attribute values: an integer, { f } a float, an int list, { floats } a float list, a string, { t } a tensor. */
export type OnnxAttr = number | string | number[] | { f: number } | { floats: number[] } | { t: OnnxTensor };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, OnnxAttr>;
}

export interface OnnxValueInfo { name: string; dtype: OnnxDType; dims?: (number | string)[] }

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxOpset { domain?: string; version: number }

/** Protobuf wire writer: fields are appended as byte chunks, joined once by finish(). */
class Writer {
  private parts: Uint8Array[] = [];
  private len = 0;

  private push(b: Uint8Array) { this.parts.push(b); this.len += b.length; }

  /** Unsigned varint; negative numbers are written as their 64-bit two's complement (10 bytes), as protobuf does for int64. */
  varint(v: number | bigint) {
    const out: number[] = [];
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && Number.isInteger(v)) {
      let n = v;
      while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
      out.push(n);
    } else {
      let n = BigInt.asUintN(64, BigInt(v));
      do {
        let byte = Number(n & 0x7fn);
        n >>= 7n;
        if (n) byte |= 0x80;
        out.push(byte);
      } while (n);
    }
    this.push(Uint8Array.from(out));
  }
  tag(field: number, wire: 0 | 2 | 5) { this.varint((field << 3) | wire); }
  int(field: number, v: number) { this.tag(field, 0); this.varint(v); }
  float(field: number, v: number) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }
  bytes(field: number, b: Uint8Array) { this.tag(field, 2); this.varint(b.length); this.push(b); }
  str(field: number, s: string) { this.bytes(field, new TextEncoder().encode(s)); }
  msg(field: number, fill: (w: Writer) => void) { const w = new Writer(); fill(w); this.bytes(field, w.finish()); }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

function writeTensor(w: Writer, t: OnnxTensor) {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dtype);
  w.str(8, t.name);
  const n = t.dims.reduce((a, b) => a * b, 1);
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (raw.length !== n * BYTES[t.dtype]) throw new Error(`onnx: tensor "${t.name}" has ${raw.length} bytes for dims [${t.dims}]`);
  w.bytes(9, raw); // raw_data
}

// AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
// (AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7).
function writeAttr(w: Writer, name: string, v: OnnxAttr) {
  w.str(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`onnx: attribute "${name}" = ${v} is not an integer; pass { f: ${v} } for a float`);
    w.int(3, v); w.int(20, 2);
  } else if (typeof v === 'string') { w.str(4, v); w.int(20, 3); }
  else if (Array.isArray(v)) { for (const x of v) w.int(8, x); w.int(20, 7); }
  else if ('f' in v) { w.float(2, v.f); w.int(20, 1); }
  else if ('floats' in v) { for (const x of v.floats) w.float(7, x); w.int(20, 6); }
  else if ('t' in v) { w.msg(5, (tw) => writeTensor(tw, v.t)); w.int(20, 4); }
  else throw new Error(`onnx: bad attribute "${name}"`);
}

// ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
function writeValueInfo(w: Writer, vi: OnnxValueInfo) {
  w.str(1, vi.name);
  w.msg(2, (tp) => tp.msg(1, (tt) => {
    tt.int(1, vi.dtype);
    if (vi.dims) tt.msg(2, (sh) => { for (const d of vi.dims!) sh.msg(1, (dm) => (typeof d === 'string' ? dm.str(2, d) : dm.int(1, d))); });
  }));
}

/** Serializes a ModelProto. ir_version 8 (ONNX 1.10+) accepts opsets up to 15 on the default domain. */
export function encodeOnnxModel(graph: OnnxGraph, opsets: OnnxOpset[], { producer = 'mobilenet-wasm bench', irVersion = 8 } = {}): Uint8Array {
  const m = new Writer();
  m.int(1, irVersion); // ModelProto.ir_version
  m.str(2, producer); // producer_name
  m.msg(7, (g) => { // graph
    // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
    // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
    for (const n of graph.nodes) g.msg(1, (nw) => {
      for (const i of n.inputs) nw.str(1, i);
      for (const o of n.outputs) nw.str(2, o);
      if (n.name) nw.str(3, n.name);
      nw.str(4, n.op);
      for (const [k, v] of Object.entries(n.attrs ?? {})) nw.msg(5, (aw) => writeAttr(aw, k, v));
      if (n.domain) nw.str(7, n.domain);
    });
    g.str(2, graph.name);
    for (const t of graph.initializers) g.msg(5, (tw) => writeTensor(tw, t));
    for (const vi of graph.inputs) g.msg(11, (vw) => writeValueInfo(vw, vi));
    for (const vi of graph.outputs) g.msg(12, (vw) => writeValueInfo(vw, vi));
  });
  // OperatorSetIdProto: domain 1, version 2.
  for (const os of opsets) m.msg(8, (ow) => { if (os.domain) ow.str(1, os.domain); ow.int(2, os.version); });
  return m.finish();
}
