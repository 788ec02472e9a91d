// Image files and encoded bytes → pixels, in Node: decodeImage('cat.jpg') gives an ImageInput for classify(),
// embed(), segment(). The format is told by the bytes, never by the file name. sharp (libvips) decodes JPEG, PNG,
// WebP, GIF (first frame), AVIF, TIFF and SVG, applying the EXIF orientation and converting to sRGB; BMP, which
// sharp cannot read, goes through ./bmp.ts. sharp is imported lazily, as `await import('sharp')`: scripts/build.mjs
// hides that import from browser bundlers like the node: ones, so the web bundle never pulls it in.
import { EngineError, InputError } from '../errors.js';
import { readFileBytes } from '../io.js';
import { isNode } from '../platform.js';
import { checkPixels, decodeBmp, isBmp } from './bmp.js';
import { NODE_ONLY_DECODE } from './node-only.js';

/** A file path, or the encoded bytes of an image (a Node Buffer is a Uint8Array). */
export type ImageSource = string | Uint8Array | ArrayBuffer;

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff' | 'bmp' | 'svg';

export interface DecodeImageOptions {
  /** Keep an alpha channel: return RGBA (4 channels, alpha 255 where the image has none) instead of RGB. */
  alpha?: boolean;
  /** How errors name the image when `source` is bytes (default "<bytes>"). */
  name?: string;
  /** Most pixels (width × height) to decode; a larger image is a ResourceLimitError (default 16384²). */
  maxPixels?: number;
}

/** Decoded pixels, row-major, top row first: an ImageInput whose `channels` is always set. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  /** The format found in the bytes. */
  format: ImageFormat;
}

/** The formats decodeImage reads, as error messages name them. */
export const IMAGE_FORMATS = 'JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP or SVG';

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The image format of encoded bytes, from their signature; null when they are none of the formats read here. */
export function sniffImageFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && /^GIF8[79]a$/.test(ascii(b, 0, 6))) return 'gif';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (isBmp(b)) return 'bmp';
  // ISO-BMFF: a 'ftyp' box whose major or compatible brands include AVIF's (HEIC's HEVC is not decodable here).
  if (b.length >= 16 && ascii(b, 4, 8) === 'ftyp') {
    const size = Math.min(b.length, (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) >>> 0);
    for (let i = 8; i + 4 <= size; i += 4) if (i !== 12 && /^avi[fs]$/.test(ascii(b, i, i + 4))) return 'avif';
    return null;
  }
  // SVG: XML text (after an optional byte-order mark and whitespace) with an <svg element near the start.
  const head = new TextDecoder().decode(b.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<') && /<svg[\s>]/.test(head)) return 'svg';
  return null;
}

/** "cannot read image …" with Node's error code made readable. */
function readError(file: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied'
    : (e as Error).message;
  return new InputError(`cannot read image "${file}": ${why}`);
}

/**
 * Decodes an image file (Node) or encoded image bytes to RGB (or, with `alpha`, RGBA) pixels: JPEG, PNG, WebP,
 * GIF (first frame), AVIF, TIFF, BMP and SVG, told apart by their bytes. EXIF orientation is applied and colours
 * are converted to sRGB. A missing file, an unknown format or a truncated or corrupt image throws an InputError
 * that names the file.
 *
 *   const model = await loadModel('default');
 *   const top = await model.classify(await decodeImage('cat.jpg'));
 */
export async function decodeImage(source: ImageSource, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  if (!isNode) throw new InputError(NODE_ONLY_DECODE);
  let bytes: Uint8Array;
  let name: string;
  if (typeof source === 'string') {
    name = source;
    try {
      bytes = await readFileBytes(source);
    } catch (e) {
      throw readError(source, e);
    }
  } else if (source instanceof Uint8Array) {
    bytes = source;
    name = options.name ?? '<bytes>';
  } else if (source instanceof ArrayBuffer) {
    bytes = new Uint8Array(source);
    name = options.name ?? '<bytes>';
  } else {
    throw new InputError(`decodeImage(): expected a file path, a Uint8Array / Buffer or an ArrayBuffer, got ${Object.prototype.toString.call(source)}`);
  }
  if (bytes.length === 0) throw new InputError(`cannot decode image "${name}": the file is empty`);
  const format = sniffImageFormat(bytes);
  if (format === null) throw new InputError(`cannot decode image "${name}": not a ${IMAGE_FORMATS} image`);
  const alpha = options.alpha ?? false;
  const maxPixels = options.maxPixels ?? 16384 * 16384;
  if (format === 'bmp') return { ...decodeBmp(bytes, name, { alpha, maxPixels }), format };

  let sharp: typeof import('sharp');
  try {
    ({ default: sharp } = await import('sharp'));
  } catch (e) {
    throw new InputError(`cannot decode image "${name}": decoding ${format.toUpperCase()} needs the sharp package, which did not load (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    // failOn 'error' (sharp's default is 'warning'): a cut-off or corrupt file is an error rather than a half-grey
    // picture, while what libvips only warns about and recovers from (e.g. stray bytes between JPEG markers) decodes.
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    checkPixels(width, height, maxPixels, name);
    let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).rotate().toColourspace('srgb');
    pipeline = alpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: alpha ? 4 : 3, format };
  } catch (e) {
    if (e instanceof EngineError) throw e;
    // libvips can report several lines (one per retried read); the last one says what went wrong.
    const lines = String((e as Error).message).split('\n').map((l) => l.trim()).filter(Boolean);
    throw new InputError(`cannot decode ${format.toUpperCase()} image "${name}": ${lines[lines.length - 1] ?? 'unknown error'}`);
  }
}
