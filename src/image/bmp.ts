// BMP (Windows bitmap) decoding in plain TypeScript: sharp (libvips) cannot read BMP. Written here rather than
// taken from npm because the candidates checked (bmp-js, bmp-ts 1.0.9, fast-bmp 4.0.1) each misread files
// this engine must take: bmp-ts ignores the header's pixel-data offset and stops early on 4-bit images of odd
// width (and its RGBA mode scrambles paletted images), fast-bmp returns palette indices instead of colours and
// reads top-down images upside down, bmp-js has been unmaintained since 2016. test/image/bmp.test.ts checks every
// layout below against hand-written files.
//
// Reads: BITMAPCOREHEADER (OS/2 1.x) and BITMAPINFOHEADER through V5; 1, 4 and 8 bits per pixel with a palette
// (uncompressed, RLE4, RLE8), 16 and 32 bits (BI_RGB defaults or BI_BITFIELDS / BI_ALPHABITFIELDS masks), 24 bits;
// bottom-up and top-down rows. Not: embedded JPEG/PNG (compression 4/5, printer formats), 2 or 64 bits per pixel.
import { InputError, ResourceLimitError } from '../errors.js';

export interface DecodedBmp {
  /** RGB or RGBA bytes, top row first. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** The most pixels decoded (sharp's default limit, 16383²): a larger header is rejected before allocating. */
const MAX_PIXELS = 0x3fff * 0x3fff;

/** An image of more than `max` pixels is refused before it is decoded (LoadOptions.limits.maxImagePixels). */
export function checkPixels(width: number, height: number, max: number, name: string): void {
  if (width * height > max) throw new ResourceLimitError('maxImagePixels', width * height, max, `image "${name}" (${width}×${height})`);
}

const BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;

/** True when the bytes start like a BMP file ("BM" and a known DIB header size). */
export function isBmp(b: Uint8Array): boolean {
  if (b.length < 18 || b[0] !== 0x42 || b[1] !== 0x4d) return false;
  const h = b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24);
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(h);
}

/** A channel mask → (value) → 0..255: shifts the field down and scales its bit width to 8 bits. */
function channel(mask: number): ((px: number) => number) | null {
  mask >>>= 0;
  if (mask === 0) return null;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1 && shift + bits < 32) bits++;
  const max = 2 ** bits - 1;
  if (bits >= 8) return (px) => ((px & mask) >>> shift) >>> (bits - 8);
  return (px) => Math.round((((px & mask) >>> shift) * 255) / max);
}

/**
 * Decodes BMP bytes. `name` (a file name, or a description of the bytes) goes into every error.
 * `alpha`: return RGBA (the file's alpha mask, or 255 when it has none) instead of RGB.
 */
export function decodeBmp(bytes: Uint8Array, name: string, { alpha = false, maxPixels = Infinity } = {}): DecodedBmp {
  const fail = (why: string): never => { throw new InputError(`cannot decode BMP image "${name}": ${why}`); };
  if (!isBmp(bytes)) fail('not a BMP file (no "BM" signature with a known header size)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(14, true);
  if (bytes.length < 14 + headerSize) fail(`truncated: the ${headerSize}-byte header needs ${14 + headerSize} bytes, the file has ${bytes.length}`);
  const offset = view.getUint32(10, true);
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bpp = core ? view.getUint16(24, true) : view.getUint16(28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const colorsUsed = core ? 0 : view.getUint32(46, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width < 1 || height < 1) fail(`bad size ${width}×${rawHeight}`);
  if (width * height > MAX_PIXELS) fail(`${width}×${height} is more than ${MAX_PIXELS} pixels`);
  checkPixels(width, height, maxPixels, name);
  const rle = compression === BI_RLE8 || compression === BI_RLE4;
  if (compression === 4 || compression === 5) fail(`embedded ${compression === 4 ? 'JPEG' : 'PNG'} data (compression ${compression}) is not supported`);
  if (![BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) fail(`unknown compression ${compression}`);
  if ((compression === BI_RLE8 && bpp !== 8) || (compression === BI_RLE4 && bpp !== 4)) fail(`compression ${compression} with ${bpp} bits per pixel`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`${bpp} bits per pixel is not supported (1, 4, 8, 16, 24 and 32 are)`);

  // Channel masks: in the header from V2 (52 bytes) on, else right after a 40-byte header for BI_(ALPHA)BITFIELDS.
  let masks: number[];
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (bpp !== 16 && bpp !== 32) fail(`bit-field masks with ${bpp} bits per pixel`);
    const at = headerSize >= 52 ? 54 : 14 + headerSize;
    const n = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
    if (bytes.length < at + 4 * n) fail('truncated in the colour masks');
    masks = Array.from({ length: n }, (_, i) => view.getUint32(at + 4 * i, true));
  } else {
    // BI_RGB defaults: 16 bits are 5-5-5, 32 bits are 8-8-8 with the fourth byte unused.
    masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  }

  // The palette (1/4/8 bits): after the header (and a 40-byte header's masks), 4 bytes per entry (3 for OS/2 1.x),
  // BGR order. Entries past the pixel-data offset are not read; an index past the palette's end is black.
  let palette = new Uint8Array(0);
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const start = 14 + headerSize + (compression === BI_BITFIELDS ? 12 : compression === BI_ALPHABITFIELDS ? 16 : 0);
    const wanted = colorsUsed > 0 && colorsUsed < 1 << bpp ? colorsUsed : 1 << bpp;
    const end = Math.min(bytes.length, offset > start ? offset : bytes.length);
    const count = Math.min(wanted, Math.floor((end - start) / entry));
    if (count < 1) fail('the palette is missing');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count; i++) {
      palette[3 * i] = bytes[start + entry * i + 2];
      palette[3 * i + 1] = bytes[start + entry * i + 1];
      palette[3 * i + 2] = bytes[start + entry * i];
    }
  }

  const channels = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  if (alpha) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  /** Output index of pixel (x, row) where row counts file rows (bottom-up unless topDown). */
  const at = (x: number, row: number) => ((topDown ? row : height - 1 - row) * width + x) * channels;
  const putIndex = (o: number, index: number) => {
    out[o] = palette[3 * index];
    out[o + 1] = palette[3 * index + 1];
    out[o + 2] = palette[3 * index + 2];
  };
  if (offset >= bytes.length) fail(`truncated: the pixel data should start at byte ${offset}, the file has ${bytes.length}`);

  if (rle) {
    decodeRle(bytes, offset, width, height, bpp, (x, row, index) => putIndex(at(x, row), index), fail);
  } else {
    const stride = Math.floor((bpp * width + 31) / 32) * 4;
    const needed = offset + stride * (height - 1) + Math.ceil((bpp * width) / 8);
    if (bytes.length < needed) fail(`truncated: ${width}×${height} at ${bpp} bits per pixel needs ${needed} bytes, the file has ${bytes.length}`);
    const [r, g, b, a] = masks.map(channel);
    if (bpp > 8 && bpp !== 24 && (!r || !g || !b)) fail('a colour mask is zero');
    for (let row = 0; row < height; row++) {
      const p = offset + row * stride;
      for (let x = 0; x < width; x++) {
        const o = at(x, row);
        if (bpp === 24) {
          out[o] = bytes[p + 3 * x + 2];
          out[o + 1] = bytes[p + 3 * x + 1];
          out[o + 2] = bytes[p + 3 * x];
        } else if (bpp === 32 || bpp === 16) {
          const px = bpp === 32 ? view.getUint32(p + 4 * x, true) : view.getUint16(p + 2 * x, true);
          out[o] = r!(px);
          out[o + 1] = g!(px);
          out[o + 2] = b!(px);
          if (alpha && a) out[o + 3] = a(px);
        } else {
          const bit = x * bpp;
          putIndex(o, (bytes[p + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1));
        }
      }
    }
  }
  return { data: out, width, height, channels };
}

/**
 * Run-length decoding (BI_RLE8 / BI_RLE4): pairs (count, value) repeat a value; (0, 0) ends a row, (0, 1) the
 * image, (0, 2, dx, dy) moves; (0, n ≥ 3) is n literal indices padded to 16 bits. Pixels never written stay black.
 */
function decodeRle(
  bytes: Uint8Array, offset: number, width: number, height: number, bpp: number,
  put: (x: number, row: number, index: number) => void, fail: (why: string) => never,
): void {
  let p = offset, x = 0, row = 0;
  const next = () => (p < bytes.length ? bytes[p++] : fail('truncated in the run-length data'));
  const emit = (index: number) => {
    if (x < width && row < height) put(x, row, index);
    x++;
  };
  while (row < height) {
    const count = next();
    const value = next();
    if (count > 0) {
      for (let i = 0; i < count; i++) emit(bpp === 8 ? value : i & 1 ? value & 15 : value >> 4);
    } else if (value === 0) {
      x = 0;
      row++;
    } else if (value === 1) {
      return;
    } else if (value === 2) {
      x += next();
      row += next();
    } else {
      const literalBytes = bpp === 8 ? value : Math.ceil(value / 2);
      for (let i = 0; i < value; i++) {
        if (bpp === 8) emit(next());
        else {
          const byte = bytes[p + (i >> 1)];
          if (byte === undefined) fail('truncated in the run-length data');
          emit(i & 1 ? byte & 15 : byte >> 4);
        }
      }
      if (bpp === 4) p += literalBytes;
      if (literalBytes & 1) p++;
    }
  }
}
