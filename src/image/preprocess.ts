// Image input checks and crop geometry. The pixel work itself (bilinear resize with half-pixel
// centers + per-channel scale/offset) runs in wasm: u8_resize_bilinear_norm_f32_*.
import { InputError } from '../errors.js';

/** Raw pixels, row-major RGB or RGBA bytes. ImageData fits this shape. */
export interface ImageInput {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels?: 3 | 4;
}

export interface ValidImage { data: Uint8Array; width: number; height: number; channels: 3 | 4 }

export function validateImage(img: ImageInput): ValidImage {
  if (!img || typeof img !== 'object') throw new InputError('image: expected { data, width, height, channels? }');
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 16384 || height > 16384) {
    throw new InputError(`image: width and height must be integers in 1..16384, got ${width}×${height}`);
  }
  const d = img.data;
  if (!(d instanceof Uint8Array || d instanceof Uint8ClampedArray)) throw new InputError('image.data: expected a Uint8Array or Uint8ClampedArray');
  const px = width * height;
  const channels = img.channels ?? (d.length === px * 3 ? 3 : 4);
  if (channels !== 3 && channels !== 4) throw new InputError(`image.channels: expected 3 or 4, got ${channels}`);
  if (d.length !== px * channels) {
    throw new InputError(`image.data: ${d.length} bytes do not match ${width}×${height}×${channels} = ${px * channels}`);
  }
  return { data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), width, height, channels };
}

/** The centered rectangle keeping `fraction` of each side (TF central_crop rounding). */
export function imageCrop(width: number, height: number, fraction: number): { x: number; y: number; w: number; h: number } {
  if (!(fraction > 0 && fraction <= 1)) throw new InputError(`centralCrop must be in (0, 1], got ${fraction}`);
  if (fraction === 1) return { x: 0, y: 0, w: width, h: height };
  const w = Math.max(1, Math.round(width * fraction));
  const h = Math.max(1, Math.round(height * fraction));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h };
}
