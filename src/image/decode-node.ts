// Image decoding in Node: sharp (libvips) reads JPEG, PNG, WebP, GIF, AVIF, TIFF and SVG.
import { InputError } from '../errors.js';
import type { ImageInput } from './preprocess.js';

/** Decodes an image file (path) or encoded bytes to RGB pixels, EXIF orientation applied. */
export async function decodeImage(source: string | Uint8Array | ArrayBuffer): Promise<ImageInput> {
  const { default: sharp } = await import('sharp');
  const name = typeof source === 'string' ? `"${source}"` : `of ${source.byteLength} bytes`;
  const input = typeof source === 'string' ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : source;
  try {
    const { data, info } = await sharp(input).rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new InputError(`cannot decode image ${name}: ${(e as Error).message}`);
  }
}
