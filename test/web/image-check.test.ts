// web/src/image-check.ts: a complete JPEG (baseline and progressive, with an EXIF block), PNG, WebP and
// GIF is complete; the same file cut anywhere (every 97th byte, and one byte short) is truncated, with
// the format and what is missing named. Fixtures are made here with sharp.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTruncation } from '../../web/src/image-check.js';

/** A 64×48 picture with detail (so the compressed data is not trivial). */
async function picture(): Promise<sharp.Sharp> {
  const w = 64, h = 48;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const x = i % w, y = Math.floor(i / w);
    px[3 * i] = (x * 4) ^ (y * 5);
    px[3 * i + 1] = (x * y) & 255;
    px[3 * i + 2] = ((x + y) * 7) & 255;
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
}

const files: Record<string, Buffer> = {};

beforeAll(async () => {
  const p = await picture();
  files['JPEG baseline'] = await p.clone().jpeg({ quality: 90 }).toBuffer();
  files['JPEG progressive, EXIF'] = await p.clone().withMetadata({ exif: { IFD0: { Copyright: 'test' } } }).jpeg({ progressive: true }).toBuffer();
  files.PNG = await p.clone().png().toBuffer();
  files.WebP = await p.clone().webp().toBuffer();
  files.GIF = await p.clone().gif().toBuffer();
});

const FORMAT: Record<string, string> = { 'JPEG baseline': 'JPEG', 'JPEG progressive, EXIF': 'JPEG', PNG: 'PNG', WebP: 'WebP', GIF: 'GIF' };

describe('findTruncation', () => {
  it.each(Object.keys(FORMAT))('%s: complete as written, truncated wherever it is cut', (kind) => {
    const b = new Uint8Array(files[kind]);
    expect(findTruncation(b)).toBeNull();
    const cuts = [b.length - 1, b.length - 2];
    for (let n = 20; n < b.length - 2; n += 97) cuts.push(n);
    for (const n of cuts) {
      const t = findTruncation(b.subarray(0, n));
      expect(t, `${kind} cut at ${n} of ${b.length}`).not.toBeNull();
      expect(t!.format).toBe(FORMAT[kind]);
      expect(t!.size).toBe(n);
      expect(t!.missing.length).toBeGreaterThan(0);
    }
  });

  it('names the missing end marker', () => {
    const jpeg = new Uint8Array(files['JPEG baseline']);
    expect(findTruncation(jpeg.subarray(0, jpeg.length - 2))!.missing).toMatch(/EOI/);
    const png = new Uint8Array(files.PNG);
    expect(findTruncation(png.subarray(0, png.length - 12))!.missing).toMatch(/IEND/);
  });

  it('a complete JPEG followed by padding is complete; other formats (SVG, BMP) are not checked', () => {
    const jpeg = files['JPEG baseline'];
    expect(findTruncation(new Uint8Array(Buffer.concat([jpeg, Buffer.alloc(64)])))).toBeNull();
    expect(findTruncation(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(findTruncation(new Uint8Array([0x42, 0x4d, 1, 2, 3]))).toBeNull();
  });
});
