// A small, defensive reader of the zip archive that TFLite classifier models carry after the
// FlatBuffer (the TFLite Support metadata populator appends the associated files, e.g. labels.txt,
// as a zip; the FlatBuffer ignores trailing bytes). Only what that needs: the end-of-central-directory
// record, the central directory, local headers, and entries that are stored (method 0) or deflated
// (method 8). No zip64, no encryption. Every offset and length is checked; decompressed sizes are
// capped, so a corrupt or hostile archive is a ModelFormatError, never a crash or a huge allocation.

import { ModelFormatError } from '../../errors.js';
import { isNode } from '../../platform.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Absolute offset of the entry's data in the file. */
  dataOffset: number;
}

export interface ZipArchive {
  /** Absolute offset of the first byte of the archive (its first local header). */
  start: number;
  entries: ZipEntry[];
}

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
/** Largest entry we inflate (labels files are kilobytes). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 4096;

function fail(file: string, msg: string, at: number): never {
  throw new ModelFormatError(`${file}: appended zip archive: ${msg} (at byte ${Math.max(0, at)})`);
}

/** Position of the end-of-central-directory record at or after `from`, or −1. */
export function findEocd(bytes: Uint8Array, from = 0): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(from, bytes.length - 22 - 0xffff);
  for (let p = bytes.length - 22; p >= lowest; p--) {
    if (bytes[p] !== 0x50) continue;
    if (dv.getUint32(p, true) !== EOCD_SIG) continue;
    // The comment must end exactly at the end of the file.
    if (p + 22 + dv.getUint16(p + 20, true) === bytes.length) return p;
  }
  return -1;
}

/**
 * Reads the zip archive at the end of `bytes` (after byte `from`, where the FlatBuffer ends).
 * Returns undefined when there is no archive; throws ModelFormatError when there is a broken one.
 */
export function readZip(bytes: Uint8Array, file: string, from = 0): ZipArchive | undefined {
  const eocd = findEocd(bytes, from);
  if (eocd < 0) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const disk = dv.getUint16(eocd + 4, true);
  const cdDisk = dv.getUint16(eocd + 6, true);
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (disk !== 0 || cdDisk !== 0) fail(file, 'multi-disk archives are not supported', eocd);
  if (count === 0xffff || cdOffset === 0xffffffff) fail(file, 'zip64 archives are not supported', eocd);
  if (count > MAX_ENTRIES) fail(file, `${count} entries is implausible`, eocd + 10);
  const cdStart = eocd - cdSize;
  if (cdSize > eocd || cdStart < from) fail(file, `central directory of ${cdSize} bytes does not fit before its end record`, eocd + 12);
  // Offsets are relative to the start of the archive; an archive appended to other data without
  // adjusting them (zip -A not run) is read the way zipfile / unzip do: shifted by the difference.
  const shift = cdStart - cdOffset;
  if (shift < 0) fail(file, `central directory offset ${cdOffset} points past its actual position ${cdStart}`, eocd + 16);
  const entries: ZipEntry[] = [];
  let p = cdStart;
  let start = cdStart;
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd) fail(file, `central directory entry ${k} runs past the directory`, p);
    if (dv.getUint32(p, true) !== CDH_SIG) fail(file, `central directory entry ${k} has a bad signature`, p);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const lho = dv.getUint32(p + 42, true) + shift;
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > eocd) fail(file, `central directory entry ${k} runs past the directory`, p);
    const name = new TextDecoder('utf-8').decode(bytes.subarray(p + 46, p + 46 + nameLen));
    if (flags & 1) fail(file, `entry "${name}" is encrypted`, p + 8);
    if (lho + 30 > cdStart || lho < from) fail(file, `entry "${name}": local header offset ${lho} is outside the archive`, p + 42);
    if (dv.getUint32(lho, true) !== LFH_SIG) fail(file, `entry "${name}": bad local header signature`, lho);
    const dataOffset = lho + 30 + dv.getUint16(lho + 26, true) + dv.getUint16(lho + 28, true);
    if (dataOffset + compressedSize > cdStart) {
      fail(file, `entry "${name}": ${compressedSize} bytes of data at ${dataOffset} run into the central directory (truncated?)`, lho);
    }
    start = Math.min(start, lho);
    entries.push({ name, method, compressedSize, size, crc32, dataOffset });
    p = next;
  }
  return { start, entries };
}

let crcTable: Uint32Array | undefined;
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Raw DEFLATE → bytes, at most `limit` bytes: Node's zlib when available, else (or with `streams`)
 * DecompressionStream('deflate-raw').
 */
export async function inflateRaw(data: Uint8Array, limit: number, streams = false): Promise<Uint8Array> {
  if (isNode && !streams) {
    const zlib = await import('node:zlib');
    // maxOutputLength makes zlib stop (with an error) instead of growing past the declared size.
    const out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, limit) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  if (typeof DecompressionStream === 'undefined') throw new Error('no raw-deflate decompressor available (DecompressionStream)');
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  // Errors surface through the reader; do not leave the write promise unhandled.
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = ds.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new Error(`inflates to more than the declared ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The uncompressed bytes of an entry, checked against its declared size and CRC-32. */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Promise<Uint8Array> {
  const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.size > MAX_ENTRY_BYTES) fail(file, `entry "${entry.name}" declares ${entry.size} bytes (limit ${MAX_ENTRY_BYTES})`, entry.dataOffset);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) fail(file, `stored entry "${entry.name}" has different compressed and uncompressed sizes`, entry.dataOffset);
    out = raw;
  } else if (entry.method === 8) {
    try {
      out = await inflateRaw(raw, entry.size);
    } catch (e) {
      fail(file, `entry "${entry.name}" does not inflate: ${(e as Error).message}`, entry.dataOffset);
    }
  } else {
    fail(file, `entry "${entry.name}" uses compression method ${entry.method} (only stored and deflate are supported)`, entry.dataOffset);
  }
  if (out.length !== entry.size) fail(file, `entry "${entry.name}" inflates to ${out.length} bytes, expected ${entry.size}`, entry.dataOffset);
  if (crc32(out) !== entry.crc32) fail(file, `entry "${entry.name}" fails its CRC-32 check`, entry.dataOffset);
  return out;
}
