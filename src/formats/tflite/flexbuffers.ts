// A bounds-checked FlexBuffers reader: the schema-less format TFLite custom operators store their options in
// (Operator.custom_options, e.g. TFLite_Detection_PostProcess's max_detections, nms_iou_threshold, …).
//
// Layout (google/flatbuffers, flexbuffers.h): the root is at the END of the buffer — last byte: the root's byte
// width; the byte before: its packed type (type << 2 | log2 of its children's byte width); before that the root
// value itself. Scalars are stored inline at their parent's width (8/16/32/64 bits, little-endian); everything
// else is an unsigned offset counted BACKWARDS from where the offset is stored. A vector is preceded by its
// length; an untyped vector and a map are followed by one packed type byte per element. A map is a vector of
// values preceded by [offset to its keys vector, that vector's byte width, length]; its keys are offsets to
// NUL-terminated strings, sorted. Every read here is checked against the buffer; anything outside it, or a
// cycle of offsets, is a ModelFormatError naming the byte.
import { ModelFormatError } from '../../errors.js';

export type FlexValue = null | boolean | number | bigint | string | Uint8Array | FlexValue[] | { [key: string]: FlexValue };

const T = {
  NULL: 0, INT: 1, UINT: 2, FLOAT: 3, KEY: 4, STRING: 5, INDIRECT_INT: 6, INDIRECT_UINT: 7, INDIRECT_FLOAT: 8,
  MAP: 9, VECTOR: 10, VECTOR_INT: 11, VECTOR_UINT: 12, VECTOR_FLOAT: 13, VECTOR_KEY: 14, VECTOR_STRING: 15,
  VECTOR_INT2: 16, VECTOR_FLOAT4: 24, BLOB: 25, BOOL: 26, VECTOR_BOOL: 36,
} as const;

/** Nesting deeper than this is refused (custom options are flat maps; a hostile file could nest forever). */
const MAX_DEPTH = 32;
/** Elements decoded in one buffer at most (each element is at least one byte, so this bounds the work too). */
const MAX_ELEMENTS = 1 << 20;

/** Decodes a whole FlexBuffer (its root value) into plain JavaScript values. `where` names it in errors. */
export function readFlexBuffer(bytes: Uint8Array, where: string): FlexValue {
  return new Reader(bytes, where).root();
}

/** The root of a FlexBuffer that must be a map (TFLite custom options), as a plain object. */
export function readFlexMap(bytes: Uint8Array, where: string): Record<string, FlexValue> {
  const v = readFlexBuffer(bytes, where);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new ModelFormatError(`${where}: the FlexBuffer root is not a map`);
  }
  return v;
}

class Reader {
  readonly #b: Uint8Array;
  readonly #view: DataView;
  readonly #where: string;
  #elements = 0;

  constructor(bytes: Uint8Array, where: string) {
    this.#b = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#where = where;
  }

  #fail(what: string, at: number): never {
    throw new ModelFormatError(`${this.#where}: FlexBuffer ${what} (at byte ${at} of ${this.#b.length})`);
  }

  root(): FlexValue {
    const n = this.#b.length;
    if (n < 3) this.#fail('is shorter than its 3-byte trailer', 0);
    const width = this.#b[n - 1];
    if (width !== 1 && width !== 2 && width !== 4 && width !== 8) this.#fail(`root byte width ${width} is not 1, 2, 4 or 8`, n - 1);
    const at = n - 2 - width;
    if (at < 0) this.#fail('root value lies before the buffer', n - 2);
    return this.#value(at, width, this.#b[n - 2], 0);
  }

  /** An unsigned integer of `width` bytes at `at`, as a Number (offsets and lengths; > 2^53 is refused). */
  #uint(at: number, width: number): number {
    this.#check(at, width);
    switch (width) {
      case 1: return this.#b[at];
      case 2: return this.#view.getUint16(at, true);
      case 4: return this.#view.getUint32(at, true);
      default: {
        const v = this.#view.getBigUint64(at, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.#fail(`offset or length ${v} is too large`, at);
        return Number(v);
      }
    }
  }

  #int(at: number, width: number): number | bigint {
    this.#check(at, width);
    switch (width) {
      case 1: return this.#view.getInt8(at);
      case 2: return this.#view.getInt16(at, true);
      case 4: return this.#view.getInt32(at, true);
      default: {
        const v = this.#view.getBigInt64(at, true);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
    }
  }

  #uintValue(at: number, width: number): number | bigint {
    if (width < 8) return this.#uint(at, width);
    this.#check(at, 8);
    const v = this.#view.getBigUint64(at, true);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  #float(at: number, width: number): number {
    this.#check(at, width);
    if (width === 4) return this.#view.getFloat32(at, true);
    if (width === 8) return this.#view.getFloat64(at, true);
    return this.#fail(`float of byte width ${width}`, at);
  }

  #check(at: number, width: number): void {
    if (!Number.isInteger(at) || at < 0 || at + width > this.#b.length) this.#fail(`read of ${width} bytes is outside the buffer`, Math.max(0, at));
  }

  /**
   * The target of an offset stored at `at` (width `width`): offsets point backwards. 0 is legal (an empty vector or
   * map starts where its offset is stored); loops are cut by the depth and element limits.
   */
  #indirect(at: number, width: number): number {
    const off = this.#uint(at, width);
    if (off > at) this.#fail(`offset ${off} points outside the buffer`, at);
    return at - off;
  }

  #count(n: number, at: number): void {
    this.#elements += n;
    if (this.#elements > MAX_ELEMENTS) this.#fail(`holds more than ${MAX_ELEMENTS} elements`, at);
  }

  /** The value stored at `at` with its parent's byte width and its packed type byte. */
  #value(at: number, parentWidth: number, packed: number, depth: number): FlexValue {
    if (depth > MAX_DEPTH) this.#fail(`nests deeper than ${MAX_DEPTH} levels`, at);
    const type = packed >> 2;
    const width = 1 << (packed & 3);
    this.#count(1, at);
    switch (type) {
      case T.NULL: return null;
      case T.INT: return this.#int(at, parentWidth);
      case T.UINT: return this.#uintValue(at, parentWidth);
      case T.FLOAT: return this.#float(at, parentWidth);
      case T.BOOL: return this.#uint(at, parentWidth) !== 0;
      case T.INDIRECT_INT: return this.#int(this.#indirect(at, parentWidth), width);
      case T.INDIRECT_UINT: return this.#uintValue(this.#indirect(at, parentWidth), width);
      case T.INDIRECT_FLOAT: return this.#float(this.#indirect(at, parentWidth), width);
      case T.KEY: return this.#cstring(this.#indirect(at, parentWidth));
      case T.STRING: {
        const start = this.#indirect(at, parentWidth);
        const len = this.#uint(start - width, width);
        this.#check(start, len);
        return new TextDecoder().decode(this.#b.subarray(start, start + len));
      }
      case T.BLOB: {
        const start = this.#indirect(at, parentWidth);
        const len = this.#uint(start - width, width);
        this.#check(start, len);
        return this.#b.slice(start, start + len);
      }
      case T.MAP: return this.#map(this.#indirect(at, parentWidth), width, depth);
      case T.VECTOR: {
        const start = this.#indirect(at, parentWidth);
        const len = this.#length(start, width);
        this.#check(start + len * width, len);
        const out: FlexValue[] = [];
        for (let i = 0; i < len; i++) out.push(this.#value(start + i * width, width, this.#b[start + len * width + i], depth + 1));
        return out;
      }
      default: {
        const typed = typedVector(type);
        if (!typed) this.#fail(`type ${type} is unknown`, at);
        const start = this.#indirect(at, parentWidth);
        const len = typed.fixed ?? this.#length(start, width);
        this.#check(start, len * width);
        const out: FlexValue[] = [];
        for (let i = 0; i < len; i++) out.push(this.#value(start + i * width, width, (typed.element << 2) | (packed & 3), depth + 1));
        return out;
      }
    }
  }

  /** A vector's length, stored just before its first element. */
  #length(start: number, width: number): number {
    const len = this.#uint(start - width, width);
    this.#count(len, start);
    if (len * width > start + this.#b.length) this.#fail(`vector length ${len} exceeds the buffer`, start - width);
    return len;
  }

  #map(start: number, width: number, depth: number): Record<string, FlexValue> {
    const len = this.#length(start, width);
    const keysAt = start - 3 * width;
    const keys = this.#indirect(keysAt, width);
    const keyWidth = this.#uint(start - 2 * width, width);
    if (keyWidth !== 1 && keyWidth !== 2 && keyWidth !== 4 && keyWidth !== 8) this.#fail(`map keys byte width ${keyWidth} is not 1, 2, 4 or 8`, start - 2 * width);
    const keyCount = this.#uint(keys - keyWidth, keyWidth);
    if (keyCount !== len) this.#fail(`map has ${len} values but ${keyCount} keys`, keys - keyWidth);
    this.#check(start + len * width, len);
    const out: Record<string, FlexValue> = Object.create(null);
    for (let i = 0; i < len; i++) {
      const key = this.#cstring(this.#indirect(keys + i * keyWidth, keyWidth));
      if (Object.hasOwn(out, key)) this.#fail(`map repeats the key "${key.slice(0, 40)}"`, keys + i * keyWidth);
      out[key] = this.#value(start + i * width, width, this.#b[start + len * width + i], depth + 1);
    }
    return out;
  }

  /** A NUL-terminated UTF-8 string at `at` (keys); at most 4 KiB. */
  #cstring(at: number): string {
    this.#check(at, 1);
    const end = this.#b.indexOf(0, at);
    if (end < 0 || end - at > 4096) this.#fail('key has no terminating NUL within 4096 bytes', at);
    return new TextDecoder().decode(this.#b.subarray(at, end));
  }
}

/** Typed vectors: the element type, and the fixed length of the 2/3/4-element kinds. */
function typedVector(type: number): { element: number; fixed?: number } | null {
  if (type >= T.VECTOR_INT && type <= T.VECTOR_KEY) return { element: type - T.VECTOR_INT + T.INT };
  if (type === T.VECTOR_STRING) return { element: T.STRING };
  if (type === T.VECTOR_BOOL) return { element: T.BOOL };
  if (type >= T.VECTOR_INT2 && type <= T.VECTOR_FLOAT4) {
    const k = type - T.VECTOR_INT2;
    return { element: (k % 3) + T.INT, fixed: 2 + Math.floor(k / 3) };
  }
  return null;
}
