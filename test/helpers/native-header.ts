// Hand edits of a native (.safetensors) file's JSON header, as an attacker or a corrupt copy would make them:
// the 8-byte little-endian header length, the header text, then the tensor data, which is kept as it is.

/** The header's length and text. */
export function headerText(bytes: Uint8Array): { n: number; text: string } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, text: new TextDecoder().decode(bytes.subarray(8, 8 + n)) };
}

/** The file with its header text replaced (the length field follows it). */
export function withHeaderText(bytes: Uint8Array, text: string): Uint8Array {
  const { n } = headerText(bytes);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes.subarray(8 + n), 8 + h.length);
  return out;
}

/** The file with one JSON-encoded metadata entry ('graph' or 'meta') edited in place by `edit`. */
export function editMetadataEntry(bytes: Uint8Array, key: 'graph' | 'meta', edit: (value: any) => void): Uint8Array {
  const header = JSON.parse(headerText(bytes).text);
  const value = JSON.parse(header.__metadata__[key]);
  edit(value);
  header.__metadata__[key] = JSON.stringify(value);
  return withHeaderText(bytes, JSON.stringify(header));
}
