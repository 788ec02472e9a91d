// Is an image file complete? Browsers decode a cut-off JPEG or PNG without complaint (Chromium paints the
// missing rows grey), so a truncated download or copy would be classified as if it were whole. This walks
// the file's own structure to its end marker — JPEG: segments, scans and their entropy-coded data up to
// EOI; PNG: chunks up to IEND; WebP: the RIFF size; GIF: blocks up to the trailer — and says what is missing.
// Other formats (SVG, AVIF, BMP…) are not checked: null.

export interface Truncation { format: string; missing: string; at: number; size: number }

/** What is missing at the end of `b`, or null when the file is complete (or of a format not checked). */
export function findTruncation(b: Uint8Array): Truncation | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return png(b);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') return gif(b);
  return null;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

const cut = (format: string, missing: string, at: number, size: number): Truncation => ({ format, missing, at, size });

/**
 * JPEG: marker segments (FF xx + 2-byte length) until SOS; the scan's entropy-coded data, where FF is always
 * followed by 00 (a stuffed byte) or a restart marker D0–D7, runs to the next marker; EOI (FF D9) ends the
 * image. An EXIF thumbnail's own EOI sits inside an APP1 segment and is skipped with it.
 */
function jpeg(b: Uint8Array): Truncation | null {
  const n = b.length;
  let i = 2;
  const missing = (what: string) => cut('JPEG', what, Math.min(i, n), n);
  for (;;) {
    if (i >= n) return missing('the end-of-image marker (EOI)');
    if (b[i] !== 0xff) return missing('a marker where the next segment should start');
    while (i < n && b[i] === 0xff) i++; // fill bytes
    if (i >= n) return missing('the end-of-image marker (EOI)');
    const marker = b[i++];
    if (marker === 0xd9) return null; // EOI
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // standalone markers
    if (i + 2 > n) return missing('the rest of a segment header');
    const len = (b[i] << 8) | b[i + 1];
    if (len < 2 || i + len > n) return missing(`${i + len - n} bytes of a segment`);
    i += len;
    if (marker !== 0xda) continue;
    // Entropy-coded data after SOS: up to a marker that is not a stuffed byte or a restart marker.
    for (;;) {
      while (i < n && b[i] !== 0xff) i++;
      if (i + 1 >= n) return missing('the rest of the compressed image data and the end-of-image marker (EOI)');
      const next = b[i + 1];
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
        i += next === 0xff ? 1 : 2;
        continue;
      }
      break;
    }
  }
}

/** PNG: 8-byte signature, then chunks (length, type, data, CRC) until IEND. */
function png(b: Uint8Array): Truncation | null {
  const n = b.length;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 8;
  let sawData = false;
  while (i + 8 <= n) {
    const len = view.getUint32(i);
    const type = ascii(b, i + 4, 4);
    if (i + 12 + len > n) return cut('PNG', `${i + 12 + len - n} bytes of its ${type} chunk and the IEND chunk`, i, n);
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') return null;
    i += 12 + len;
  }
  return cut('PNG', sawData ? 'the IEND chunk after the image data' : 'its image data (IDAT) and IEND', i, n);
}

/** WebP: the RIFF header states the file size (8 + its little-endian size field). */
function webp(b: Uint8Array): Truncation | null {
  const want = 8 + new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(4, true);
  return b.length < want ? cut('WebP', `${want - b.length} of its ${want} bytes`, b.length, b.length) : null;
}

/** GIF: header, logical screen (+ global colour table), then extension and image blocks up to the 0x3B trailer. */
function gif(b: Uint8Array): Truncation | null {
  const n = b.length;
  let i = 13;
  const missing = () => cut('GIF', 'the rest of its blocks and the trailer', Math.min(i, n), n);
  if (n < 13) return missing();
  if (b[10] & 0x80) i += 3 << ((b[10] & 7) + 1);
  const subBlocks = (): boolean => {
    for (;;) {
      if (i >= n) return false;
      const len = b[i++];
      if (len === 0) return true;
      i += len;
    }
  };
  for (;;) {
    if (i >= n) return missing();
    const kind = b[i++];
    if (kind === 0x3b) return null;
    if (kind === 0x21) {
      i++; // label
      if (!subBlocks()) return missing();
    } else if (kind === 0x2c) {
      if (i + 9 > n) return missing();
      const flags = b[i + 8];
      i += 9;
      if (flags & 0x80) i += 3 << ((flags & 7) + 1);
      i++; // LZW minimum code size
      if (!subBlocks()) return missing();
    } else {
      return cut('GIF', 'a valid block (the file is damaged)', i - 1, n);
    }
  }
}
