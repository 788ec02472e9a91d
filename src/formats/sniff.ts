// Recognizes a model file from its bytes (never from its name).

import { MAX_HEADER_BYTES } from './native/format.js';

export type ModelFormat = 'native' | 'tfjs-layers-json' | 'tflite' | 'onnx' | 'unknown';

/** Fixed byte signatures, checked in order. */
export const MAGIC = [
  // FlatBuffers put the root table offset in bytes 0..4 and the file identifier in bytes 4..8.
  { format: 'tflite', offset: 4, bytes: [0x54, 0x46, 0x4c, 0x33] /* "TFL3" */ },
] as const satisfies readonly { format: ModelFormat; offset: number; bytes: readonly number[] }[];

/** Keys that only a TF.js model.json has near its top level. */
const TFJS_KEYS = ['"modelTopology"', '"weightsManifest"'] as const;
/** How much of a JSON file to search for those keys. */
const JSON_SCAN_BYTES = 16 * 1024 * 1024;

function matchesAt(b: Uint8Array, offset: number, sig: readonly number[]): boolean {
  if (b.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[offset + i] !== sig[i]) return false;
  return true;
}

/** safetensors layout: u64 LE header length that fits the limit (and the file, when whole), then "{". */
function looksNative(b: Uint8Array): boolean {
  if (b.length < 10) return false;
  const lo = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  const hi = b[4] | b[5] | b[6] | b[7];
  return hi === 0 && lo >= 2 && lo <= MAX_HEADER_BYTES && b[8] === 0x7b /* { */;
}

function looksTfjsJson(b: Uint8Array): boolean {
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  if (b[i] !== 0x7b /* { */) return false;
  const text = new TextDecoder('latin1').decode(b.subarray(i, Math.min(b.length, i + JSON_SCAN_BYTES)));
  return TFJS_KEYS.some((k) => text.includes(k));
}

/** Reads a protobuf varint at `i`; returns [value, next index] or undefined. */
function varint(b: Uint8Array, i: number): [number, number] | undefined {
  let v = 0;
  for (let k = 0; k < 5 && i + k < b.length; k++) {
    const c = b[i + k];
    v += (c & 0x7f) * 2 ** (7 * k);
    if ((c & 0x80) === 0) return [v, i + k + 1];
  }
  return undefined;
}

/**
 * ONNX ModelProto heuristic: field 1 (ir_version, varint, 1..20) first, then one of the other
 * ModelProto fields (producer_name 2, producer_version 3, domain 4, model_version 5, doc_string 6,
 * graph 7, opset_import 8) with the right wire type.
 */
function looksOnnx(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0x08) return false;
  const ir = varint(b, 1);
  if (!ir || ir[0] < 1 || ir[0] > 20) return false;
  const tag = b[ir[1]];
  return [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42].includes(tag);
}

export function sniffFormat(bytes: Uint8Array): ModelFormat {
  for (const m of MAGIC) if (matchesAt(bytes, m.offset, m.bytes)) return m.format;
  if (looksNative(bytes)) return 'native';
  if (looksTfjsJson(bytes)) return 'tfjs-layers-json';
  if (looksOnnx(bytes)) return 'onnx';
  return 'unknown';
}

/** The first `n` bytes in hex, for error messages. */
export function hexPrefix(bytes: Uint8Array, n = 16): string {
  return [...bytes.subarray(0, n)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}
