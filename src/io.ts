// Byte access that works in Node, Deno and browsers. Node's fetch cannot read file: URLs, so
// file URLs and plain paths go through node:fs, loaded lazily so browsers never see it.

import { isNode } from './platform.js';

/** Reads a file path (Node) fully. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const buf = await fs.readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads a URL: file: URLs from disk under Node, everything else with fetch. */
export async function readUrlBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:' && isNode) {
    const { fileURLToPath } = await import('node:url');
    return readFileBytes(fileURLToPath(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
  return new Uint8Array(await res.arrayBuffer());
}
