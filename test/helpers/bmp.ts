// Writes BMP files byte by byte, straight from the format's description (Microsoft's BITMAPFILEHEADER /
// BITMAPINFOHEADER…BITMAPV5HEADER layouts), so the decoder is checked against files it did not produce.

export type Rgba = [number, number, number, number?];

export interface BmpSpec {
  width: number;
  height: number;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  /** The colour of pixel (x, y), y = 0 the top row (16, 24 and 32 bits). */
  pixel?: (x: number, y: number) => Rgba;
  /** Palette index of pixel (x, y) (1, 4 and 8 bits). */
  index?: (x: number, y: number) => number;
  palette?: [number, number, number][];
  /** Rows stored top row first (negative height) instead of the usual bottom row first. */
  topDown?: boolean;
  /** 12 (OS/2 BITMAPCOREHEADER), 40 (BITMAPINFOHEADER), 108 (V4) or 124 (V5). */
  headerSize?: 12 | 40 | 108 | 124;
  /** BI_BITFIELDS channel masks R, G, B (and A in a V4/V5 header). */
  masks?: number[];
  /** Unused bytes between the palette and the pixel data (the header's offset field skips them). */
  gap?: number;
}

export function writeBmp(s: BmpSpec): Uint8Array {
  const { width, height, bpp, topDown = false, headerSize = 40, gap = 0 } = s;
  const core = headerSize === 12;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const entry = core ? 3 : 4;
  const palette = s.palette ?? [];
  const maskBytes = s.masks && headerSize === 40 ? 12 : 0;
  const offset = 14 + headerSize + maskBytes + palette.length * entry + gap;
  const size = offset + stride * height;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b[0] = 0x42; b[1] = 0x4d; // "BM"
  v.setUint32(2, size, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, headerSize, true);
  if (core) {
    v.setUint16(18, width, true);
    v.setUint16(20, height, true);
    v.setUint16(22, 1, true);
    v.setUint16(24, bpp, true);
  } else {
    v.setInt32(18, width, true);
    v.setInt32(22, topDown ? -height : height, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, bpp, true);
    v.setUint32(30, s.masks ? 3 : 0, true);
    v.setUint32(34, stride * height, true);
    v.setUint32(38, 2835, true); // 72 dpi
    v.setUint32(42, 2835, true);
    v.setUint32(46, palette.length, true);
    if (s.masks) s.masks.forEach((m, i) => v.setUint32(54 + 4 * i, m >>> 0, true));
  }
  let p = 14 + headerSize + maskBytes;
  for (const [r, g, bl] of palette) {
    b[p] = bl; b[p + 1] = g; b[p + 2] = r;
    p += entry;
  }
  const pack = (m: number, c: number) => {
    if (!m) return 0;
    let shift = 0;
    while (((m >>> shift) & 1) === 0) shift++;
    const bits = Math.round(Math.log2((m >>> shift) + 1));
    return ((Math.round((c * (2 ** bits - 1)) / 255) << shift) >>> 0);
  };
  for (let y = 0; y < height; y++) {
    const row = offset + stride * (topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) {
      if (bpp <= 8) {
        const i = s.index!(x, y);
        const bit = x * bpp;
        b[row + (bit >> 3)] |= i << (8 - bpp - (bit & 7));
        continue;
      }
      const [r, g, bl, a = 255] = s.pixel!(x, y);
      if (bpp === 24) {
        b[row + 3 * x] = bl; b[row + 3 * x + 1] = g; b[row + 3 * x + 2] = r;
      } else {
        const masks = s.masks ?? (bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff]);
        const px = (pack(masks[0], r) | pack(masks[1], g) | pack(masks[2], bl) | pack(masks[3] ?? 0, a)) >>> 0;
        if (bpp === 32) v.setUint32(row + 4 * x, px, true);
        else v.setUint16(row + 2 * x, px, true);
      }
    }
  }
  return b;
}

/** A BI_RLE8 / BI_RLE4 file around already-encoded run-length data (bottom-up rows). */
export function writeRleBmp(width: number, height: number, bpp: 4 | 8, palette: [number, number, number][], rle: number[]): Uint8Array {
  const offset = 14 + 40 + 4 * palette.length;
  const b = new Uint8Array(offset + rle.length);
  const v = new DataView(b.buffer);
  b[0] = 0x42; b[1] = 0x4d;
  v.setUint32(2, b.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bpp, true);
  v.setUint32(30, bpp === 8 ? 1 : 2, true);
  v.setUint32(34, rle.length, true);
  v.setUint32(46, palette.length, true);
  palette.forEach(([r, g, bl], i) => { b[54 + 4 * i] = bl; b[55 + 4 * i] = g; b[56 + 4 * i] = r; });
  b.set(rle, offset);
  return b;
}
