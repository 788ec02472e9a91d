// The segmentation overlay the CLI writes (Node only, sharp). Images are read with decodeImage (src/image/decode-node.ts).
import { InputError } from '../errors.js';
import type { ImageInput } from '../image/preprocess.js';
import { pascalVocColor } from '../models/pascal-voc.js';

/**
 * Writes a segmentation of `image` (a class map of the image's size) as a PNG: each pixel's PASCAL VOC colour
 * blended over the image, out = (1 − alpha)·pixel + alpha·colour.
 */
export async function writeSegmentationPng(
  file: string, image: ImageInput, seg: { width: number; height: number; classes: Uint8Array }, alpha: number,
): Promise<void> {
  const { default: sharp } = await import('sharp');
  const { width, height } = image;
  if (seg.width !== width || seg.height !== height) throw new InputError(`segmentation ${seg.width}×${seg.height} does not match the image ${width}×${height}`);
  const channels = image.channels ?? (image.data.length === width * height * 3 ? 3 : 4);
  const out = Buffer.alloc(width * height * 3);
  const palette = Array.from({ length: 256 }, (_, c) => pascalVocColor(c));
  for (let i = 0; i < width * height; i++) {
    const color = palette[seg.classes[i]];
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round((1 - alpha) * image.data[channels * i + c] + alpha * color[c]);
  }
  try {
    await sharp(out, { raw: { width, height, channels: 3 } }).png().toFile(file);
  } catch (e) {
    // libvips reports over several lines ("unable to open file … for writing", "unix error: …"); keep the last.
    const lines = String((e as Error).message).split('\n').map((l) => l.trim()).filter(Boolean);
    throw new InputError(`cannot write "${file}": ${lines[lines.length - 1] ?? 'unknown error'}`);
  }
}
