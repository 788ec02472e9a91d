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

/** A box's colour: one of 10 well-separated hues by class. */
const BOX_COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990'];

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes `image` as a PNG with each detection's box and "label score" drawn over it (an SVG layer). */
export async function writeDetectionsPng(
  file: string, image: ImageInput, found: { label: string; index: number; score: number; box: { x: number; y: number; width: number; height: number } }[],
): Promise<void> {
  const { default: sharp } = await import('sharp');
  const { width, height } = image;
  const channels = image.channels ?? (image.data.length === width * height * 3 ? 3 : 4);
  const line = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(12, Math.round(Math.min(width, height) / 40));
  // Worst first, so the best detections' labels are drawn last (on top).
  const parts = [...found].reverse().map((d) => {
    const c = BOX_COLORS[d.index % BOX_COLORS.length];
    const { x, y, width: w, height: h } = d.box;
    const text = xmlEscape(`${d.label} ${d.score.toFixed(2)}`);
    const ty = y >= font + 4 ? y - 4 : y + font + 2;
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${c}" stroke-width="${line}"/>`
      + `<rect x="${x}" y="${ty - font}" width="${Math.ceil(text.length * font * 0.6) + 6}" height="${font + 4}" fill="${c}"/>`
      + `<text x="${x + 3}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="#fff">${text}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
  try {
    await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width, height, channels: channels as 3 | 4 } })
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toFile(file);
  } catch (e) {
    const lines = String((e as Error).message).split('\n').map((l) => l.trim()).filter(Boolean);
    throw new InputError(`cannot write "${file}": ${lines[lines.length - 1] ?? 'unknown error'}`);
  }
}
