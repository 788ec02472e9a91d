// Images for post-training quantization: the photos in ../shared/data/images, seeded augmentations of them
// made with sharp, and seeded synthetic drawings (random SVG scenes rendered by sharp). A seed fully
// determines an image, so a calibration set (one seed range) and an evaluation set (another range, plus the
// unmodified photos) are disjoint by construction; test/quantize/ptq.test.ts and scripts/ptq-eval.ts use
// the same sets.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageInput } from '../../src/image/preprocess.js';
import { mulberry32 } from './random.js';

export interface RawImage extends ImageInput { data: Uint8Array; width: number; height: number; channels: 3; label: string }

/** The photos of a folder (JPEG / PNG / WebP), decoded to RGB like the CLI; masks (file names with "mask") are left out. */
export async function loadPhotos(dir: string): Promise<RawImage[]> {
  const files = readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f) && !/mask/i.test(f)).sort();
  return Promise.all(files.map(async (f) => ({ ...(await decodeRgb(sharp(path.join(dir, f)).rotate())), label: f })));
}

async function decodeRgb(s: sharp.Sharp): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  const { data, info } = await s.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

const rawInput = (img: { data: Uint8Array; width: number; height: number }) =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/**
 * A seeded augmentation of one of `photos`: optional rotation (±25°, random fill), a crop keeping 45–100 %
 * of each side, optional horizontal / vertical flip, brightness / saturation / hue shifts, optional
 * contrast change, grayscale or blur, and a final resize to 160–400 px wide.
 */
export async function augment(photos: RawImage[], seed: number): Promise<RawImage> {
  const r = mulberry32(seed * 7919 + 17);
  const u = (a: number, b: number) => a + (b - a) * r();
  const src = photos[Math.floor(r() * photos.length)];
  let img: { data: Uint8Array; width: number; height: number } = src;
  const steps: string[] = [];
  if (r() < 0.5) {
    const angle = Math.round(u(-25, 25));
    const bg = { r: Math.floor(u(0, 256)), g: Math.floor(u(0, 256)), b: Math.floor(u(0, 256)) };
    img = await decodeRgb(rawInput(img).rotate(angle, { background: bg }));
    steps.push(`rot${angle}`);
  }
  const cw = Math.max(16, Math.round(img.width * u(0.45, 1)));
  const ch = Math.max(16, Math.round(img.height * u(0.45, 1)));
  const left = Math.floor(u(0, img.width - cw + 1));
  const top = Math.floor(u(0, img.height - ch + 1));
  let s = rawInput(img).extract({ left, top, width: cw, height: ch });
  steps.push(`crop${cw}x${ch}`);
  if (r() < 0.5) { s = s.flop(); steps.push('flop'); }
  if (r() < 0.1) { s = s.flip(); steps.push('flip'); }
  const brightness = u(0.7, 1.3), saturation = u(0.4, 1.6), hue = Math.round(u(-40, 40));
  s = s.modulate({ brightness, saturation, hue });
  steps.push(`mod${brightness.toFixed(2)}/${saturation.toFixed(2)}/${hue}`);
  if (r() < 0.4) { const a = u(0.6, 1.4); s = s.linear(a, 128 * (1 - a)); steps.push(`contrast${a.toFixed(2)}`); }
  const extra = r();
  if (extra < 0.1) { s = s.modulate({ saturation: 0 }); steps.push('gray'); } else if (extra < 0.25) { const sg = u(0.5, 2); s = s.blur(sg); steps.push(`blur${sg.toFixed(1)}`); }
  const w = Math.round(u(160, 400));
  s = s.resize({ width: w, height: Math.max(16, Math.round((w * ch) / cw)), fit: 'fill' });
  return { ...(await decodeRgb(s)), label: `${src.label}#${seed}:${steps.join(',')}` };
}

/** A seeded synthetic drawing: sky and ground, a sun, houses, trees and random shapes in flat colors. */
export async function drawing(seed: number): Promise<RawImage> {
  const r = mulberry32(seed * 104729 + 3);
  const u = (a: number, b: number) => a + (b - a) * r();
  const col = () => `hsl(${Math.floor(u(0, 360))},${Math.floor(u(30, 100))}%,${Math.floor(u(25, 85))}%)`;
  const W = Math.round(u(200, 360)), H = Math.round(u(160, 300));
  const horizon = Math.round(u(0.5, 0.8) * H);
  const parts = [`<rect width="${W}" height="${H}" fill="${col()}"/>`, `<rect y="${horizon}" width="${W}" height="${H - horizon}" fill="${col()}"/>`];
  if (r() < 0.7) parts.push(`<circle cx="${u(0, W)}" cy="${u(0, horizon * 0.6)}" r="${u(10, 40)}" fill="${col()}" stroke="${col()}" stroke-width="${u(0, 6)}"/>`);
  const n = 2 + Math.floor(u(0, 6));
  for (let i = 0; i < n; i++) {
    const x = u(0, W), y = u(horizon * 0.5, H), s = u(15, 70);
    switch (Math.floor(u(0, 4))) {
      case 0: // house
        parts.push(`<rect x="${x}" y="${y - s}" width="${s}" height="${s}" fill="${col()}" stroke="#333" stroke-width="3"/>`,
          `<polygon points="${x - 5},${y - s} ${x + s / 2},${y - 1.6 * s} ${x + s + 5},${y - s}" fill="${col()}" stroke="#333" stroke-width="3"/>`);
        break;
      case 1: // tree
        parts.push(`<rect x="${x}" y="${y - s}" width="${s / 5}" height="${s}" fill="${col()}"/>`,
          `<circle cx="${x + s / 10}" cy="${y - s}" r="${s / 2}" fill="${col()}" stroke="#333" stroke-width="2"/>`);
        break;
      case 2:
        parts.push(`<ellipse cx="${x}" cy="${y}" rx="${s}" ry="${s / 2}" fill="${col()}" stroke="${col()}" stroke-width="${u(1, 5)}"/>`);
        break;
      default:
        parts.push(`<path d="M${x},${y} q${u(-60, 60)},${u(-60, 60)} ${u(-80, 80)},${u(-30, 30)}" fill="none" stroke="${col()}" stroke-width="${u(2, 8)}"/>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  return { ...(await decodeRgb(sharp(Buffer.from(svg)))), label: `drawing#${seed}` };
}

/** Image `seed` of a set: a synthetic drawing for one seed in `drawingEvery`, else an augmented photo. */
export async function syntheticImage(photos: RawImage[], seed: number, drawingEvery = 5): Promise<RawImage> {
  return seed % drawingEvery === 0 ? drawing(seed) : augment(photos, seed);
}

/** Calibration seeds start here; evaluation seeds start at EVAL_SEED_BASE (the ranges never overlap). */
export const CALIBRATION_SEED_BASE = 1_000;
export const EVAL_SEED_BASE = 100_000;

/** `count` images of a seed range. */
export async function imageSet(photos: RawImage[], base: number, count: number): Promise<RawImage[]> {
  const out: RawImage[] = [];
  for (let i = 0; i < count; i++) out.push(await syntheticImage(photos, base + i));
  return out;
}
