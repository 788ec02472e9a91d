// Image decoding for the CLI (Node only): sharp (libvips) handles JPEG, PNG, WebP, GIF, TIFF, AVIF.
import { InputError } from '../errors.js';
import type { ImageInput } from '../image/preprocess.js';

export async function decodeImageFile(file: string): Promise<ImageInput> {
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(file).rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new InputError(`cannot decode image "${file}": ${(e as Error).message}`);
  }
}
