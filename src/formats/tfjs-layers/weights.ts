// TF.js weights: the manifest entries, their decoding from the shard bytes (exactly as tfjs-core does),
// and the lookup of a layer's weights by name for the layer converters (./layers.ts).

import { ModelFormatError, ShapeError, preview } from '../../errors.js';

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
      throw new ModelFormatError(`${file}: ${what} has an invalid shape ${preview(shape)}`);
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
        `${file}: ${what} (shape ${preview(spec.shape)}) needs bytes ${offset}..${offset + bytesNeeded}` +
          `${bytesNeeded >= Number.MAX_SAFE_INTEGER ? ' or more' : ''} but the weight data has only ${bytes.length} bytes`,
      );
    };
    let bytesPerValue: number;
    let byteLength: number;
    if (q !== undefined && q !== null) {
      bytesPerValue = QUANT_BYTES[q.dtype as string] ?? 0;
      if (!bytesPerValue) {
        throw new ModelFormatError(
          `${file}: ${what} has unknown quantization dtype ${preview(q.dtype)} (supported: uint8, uint16, float16)`,
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
        throw new ModelFormatError(`${file}: ${what} has unsupported dtype ${preview(spec.dtype)}`);
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

/** "[1, 2, 3]": a shape in messages. */
export function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** A layer's weights by name; remembers which were used so that unused ones can be reported. */
export class WeightStore {
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
