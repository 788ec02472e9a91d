// A FlatBuffers reader for hostile input: every offset, vtable, vector and string is checked against
// the file before it is used, so a truncated or corrupted file gives a ModelFormatError naming the
// file, the field and a byte offset; never an exception from a typed array, a hang, or an
// allocation sized by an unchecked number.
//
// Wire format (https://flatbuffers.dev/internals/): all integers little-endian.
//   root        u32 offset (relative to byte 0) to the root table; bytes 4..8 the file identifier.
//   table       at t: i32 soffset; the vtable is at t − soffset. vtable: u16 vtable size in bytes,
//               u16 inline size of the table, then one u16 per field: the field's offset from t
//               (0 = absent, the schema default applies).
//   offsets     a table / vector / string field holds a u32 relative to the field's own position.
//   vector      u32 element count, then the elements (vectors of tables hold u32 relative offsets).
//   string      u32 byte length, the UTF-8 bytes, a NUL.
//   union       two fields: a u8 type (field n) and an offset to a table (field n + 1).

import { ModelFormatError } from '../../errors.js';

const utf8 = new TextDecoder('utf-8');

/** A located vector: element count and the position of element 0. */
export interface FbVector {
  pos: number;
  length: number;
}

export class FbReader {
  readonly dv: DataView;
  /** One past the last byte any accessor has touched: the extent of the flatbuffer so far. */
  extent = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    /** Added to positions in error messages (for a FlatBuffer nested inside a file). */
    readonly base = 0,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(what: string, msg: string, at: number): never {
    throw new ModelFormatError(`${this.file}: ${what}: ${msg} (at byte ${this.base + Math.max(0, at)})`);
  }

  /** Checks that [at, at + size) lies inside the file. */
  need(what: string, at: number, size: number): void {
    if (!Number.isSafeInteger(at) || at < 0 || size < 0 || at + size > this.bytes.length) {
      this.fail(
        what,
        `${size} byte(s) at ${at} lie outside the ${this.bytes.length}-byte file (truncated or corrupted?)`,
        Math.min(Math.max(at, 0), this.bytes.length),
      );
    }
    if (at + size > this.extent) this.extent = at + size;
  }

  u8(what: string, at: number): number {
    this.need(what, at, 1);
    return this.bytes[at]!;
  }
  u16(what: string, at: number): number {
    this.need(what, at, 2);
    return this.dv.getUint16(at, true);
  }
  i32(what: string, at: number): number {
    this.need(what, at, 4);
    return this.dv.getInt32(at, true);
  }
  u32(what: string, at: number): number {
    this.need(what, at, 4);
    return this.dv.getUint32(at, true);
  }

  /** Follows the u32 relative offset stored at `at`. */
  deref(what: string, at: number): number {
    const rel = this.u32(what, at);
    const target = at + rel;
    if (rel === 0 || target >= this.bytes.length) {
      this.fail(what, `offset ${rel} at byte ${at} points to ${target}, outside the ${this.bytes.length}-byte file`, at);
    }
    return target;
  }

  /** The root table (the offset at byte 0). */
  root(what: string): FbTable {
    if (this.bytes.length < 8) this.fail(what, `file is ${this.bytes.length} bytes, too short for a FlatBuffer`, 0);
    return this.table(what, this.deref(what, 0));
  }

  /** The table at absolute position `pos`, with its vtable checked. */
  table(what: string, pos: number): FbTable {
    const so = this.i32(`${what} (table)`, pos);
    const vt = pos - so;
    if (!Number.isSafeInteger(vt) || vt < 0 || vt + 4 > this.bytes.length) {
      this.fail(what, `vtable offset ${so} points to ${vt}, outside the file`, pos);
    }
    const vtSize = this.u16(`${what} (vtable)`, vt);
    const inline = this.u16(`${what} (vtable)`, vt + 2);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(what, `vtable size ${vtSize} is invalid`, vt);
    this.need(`${what} (vtable)`, vt, vtSize);
    if (inline < 4) this.fail(what, `table size ${inline} is smaller than its vtable offset`, vt + 2);
    this.need(`${what} (table)`, pos, inline);
    return new FbTable(this, what, pos, vt, vtSize, inline);
  }

  /** A vector of `elemSize`-byte elements at absolute position `pos` (its length word). */
  vectorAt(what: string, pos: number, elemSize: number): FbVector {
    const length = this.u32(`${what} (vector length)`, pos);
    const avail = this.bytes.length - (pos + 4);
    if (length > avail / elemSize) {
      this.fail(what, `vector of ${length} × ${elemSize}-byte elements runs past the end of the file (${avail} bytes left)`, pos);
    }
    this.need(what, pos + 4, length * elemSize);
    return { pos: pos + 4, length };
  }

  stringAt(what: string, pos: number): string {
    const v = this.vectorAt(what, pos, 1);
    return utf8.decode(this.bytes.subarray(v.pos, v.pos + v.length));
  }
}

export class FbTable {
  constructor(
    readonly r: FbReader,
    readonly what: string,
    /** Absolute position of the table (its soffset). */
    readonly pos: number,
    readonly vt: number,
    readonly vtSize: number,
    readonly inline: number,
  ) {}

  /** Absolute position of field `i` (`size` bytes inline), or 0 when absent. */
  field(i: number, size: number, name: string): number {
    const slot = 4 + 2 * i;
    if (slot + 2 > this.vtSize) return 0;
    const off = this.r.dv.getUint16(this.vt + slot, true);
    if (off === 0) return 0;
    if (off < 4 || off + size > this.inline) {
      this.r.fail(`${this.what}.${name}`, `field offset ${off} (+${size} bytes) lies outside the ${this.inline}-byte table`, this.vt + slot);
    }
    return this.pos + off;
  }

  has(i: number): boolean {
    const slot = 4 + 2 * i;
    return slot + 2 <= this.vtSize && this.r.dv.getUint16(this.vt + slot, true) !== 0;
  }

  u8(i: number, name: string, def = 0): number {
    const p = this.field(i, 1, name);
    return p ? this.r.bytes[p]! : def;
  }
  i8(i: number, name: string, def = 0): number {
    const p = this.field(i, 1, name);
    return p ? this.r.dv.getInt8(p) : def;
  }
  bool(i: number, name: string, def = false): boolean {
    const p = this.field(i, 1, name);
    return p ? this.r.bytes[p] !== 0 : def;
  }
  i32(i: number, name: string, def = 0): number {
    const p = this.field(i, 4, name);
    return p ? this.r.dv.getInt32(p, true) : def;
  }
  u32(i: number, name: string, def = 0): number {
    const p = this.field(i, 4, name);
    return p ? this.r.dv.getUint32(p, true) : def;
  }
  f32(i: number, name: string, def = 0): number {
    const p = this.field(i, 4, name);
    return p ? this.r.dv.getFloat32(p, true) : def;
  }
  /** A u64 field as a number (a value above 2^53 is reported as corrupt). */
  u64(i: number, name: string, def = 0): number {
    const p = this.field(i, 8, name);
    if (!p) return def;
    const v = this.r.dv.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.r.fail(`${this.what}.${name}`, `value ${v} is out of range`, p);
    return Number(v);
  }

  /** The sub-table in field `i`, or undefined. */
  table(i: number, name: string): FbTable | undefined {
    const p = this.field(i, 4, name);
    if (!p) return undefined;
    const w = `${this.what}.${name}`;
    return this.r.table(w, this.r.deref(w, p));
  }

  vector(i: number, elemSize: number, name: string): FbVector | undefined {
    const p = this.field(i, 4, name);
    if (!p) return undefined;
    const w = `${this.what}.${name}`;
    return this.r.vectorAt(w, this.r.deref(w, p), elemSize);
  }

  string(i: number, name: string): string | undefined {
    const p = this.field(i, 4, name);
    if (!p) return undefined;
    const w = `${this.what}.${name}`;
    return this.r.stringAt(w, this.r.deref(w, p));
  }

  /** The k-th table of a vector of tables. */
  tableAt(v: FbVector, k: number, name: string): FbTable {
    const w = `${this.what}.${name}[${k}]`;
    return this.r.table(w, this.r.deref(w, v.pos + 4 * k));
  }

  /** The k-th string of a vector of strings. */
  stringAtIndex(v: FbVector, k: number, name: string): string {
    const w = `${this.what}.${name}[${k}]`;
    return this.r.stringAt(w, this.r.deref(w, v.pos + 4 * k));
  }

  i32Array(i: number, name: string): Int32Array | undefined {
    const v = this.vector(i, 4, name);
    if (!v) return undefined;
    const out = new Int32Array(v.length);
    for (let k = 0; k < v.length; k++) out[k] = this.r.dv.getInt32(v.pos + 4 * k, true);
    return out;
  }

  f32Array(i: number, name: string): Float32Array | undefined {
    const v = this.vector(i, 4, name);
    if (!v) return undefined;
    const out = new Float32Array(v.length);
    for (let k = 0; k < v.length; k++) out[k] = this.r.dv.getFloat32(v.pos + 4 * k, true);
    return out;
  }

  /** A vector of i64 as numbers (values beyond ±2^53 are reported as corrupt). */
  i64Array(i: number, name: string): number[] | undefined {
    const v = this.vector(i, 8, name);
    if (!v) return undefined;
    const dv = this.r.dv;
    const out = new Array<number>(v.length);
    for (let k = 0; k < v.length; k++) {
      // Two 32-bit halves, no BigInt (a zero point per channel: thousands per model). hi·2^32 + lo is exact
      // within ±2^53 and stays beyond it outside, so the range check is exact.
      const at = v.pos + 8 * k;
      const x = dv.getInt32(at + 4, true) * 2 ** 32 + dv.getUint32(at, true);
      if (!(x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER)) {
        this.r.fail(`${this.what}.${name}[${k}]`, `value ${dv.getBigInt64(at, true)} is out of range`, at);
      }
      out[k] = x;
    }
    return out;
  }

  /** A [ubyte] vector as a view of the file (no copy). */
  bytes(i: number, name: string): Uint8Array | undefined {
    const v = this.vector(i, 1, name);
    if (!v) return undefined;
    return this.r.bytes.subarray(v.pos, v.pos + v.length);
  }
}
