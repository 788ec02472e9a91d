// decodeImage(): every format it claims, written here (sharp encodes JPEG, PNG, WebP, GIF, AVIF and TIFF; BMP is
// written byte by byte), under names that lie about the format, from paths and from bytes; and its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage, sniffImageFormat, type ImageFormat } from '../../src/image/decode-node.js';
import * as api from '../../src/index.js';
import { InputError } from '../../src/errors.js';
import { writeBmp } from '../helpers/bmp.js';

/** 48×32, four flat quadrants: red, green, blue, yellow. Flat areas survive lossy codecs nearly unchanged. */
const W = 48, H = 32;
const QUADS: [number, number, number][] = [[220, 30, 40], [30, 200, 60], [40, 50, 210], [240, 220, 20]];
const quad = (x: number, y: number) => QUADS[(y < H / 2 ? 0 : 2) + (x < W / 2 ? 0 : 1)];
const raw = Buffer.alloc(W * H * 3);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(quad(x, y), 3 * (y * W + x));

const ENCODERS: Record<Exclude<ImageFormat, 'bmp' | 'svg'>, (s: sharp.Sharp) => sharp.Sharp> = {
  jpeg: (s) => s.jpeg({ quality: 95 }),
  png: (s) => s.png(),
  webp: (s) => s.webp({ lossless: true }),
  gif: (s) => s.gif(),
  avif: (s) => s.avif({ quality: 90 }),
  tiff: (s) => s.tiff({ compression: 'lzw' }), // sharp's default TIFF compression is JPEG (lossy)
};
/** Largest channel difference allowed at quadrant centres: lossless formats must match exactly. */
const TOLERANCE: Record<ImageFormat, number> = { jpeg: 6, avif: 12, png: 0, webp: 0, gif: 0, tiff: 0, bmp: 0, svg: 0 };

let dir: string;
const files = {} as Record<ImageFormat, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mnw-decode-'));
  for (const [format, encode] of Object.entries(ENCODERS)) {
    // Named .dat: the decoder must go by the bytes.
    files[format as ImageFormat] = path.join(dir, `${format}-image.dat`);
    writeFileSync(files[format as ImageFormat], await encode(sharp(raw, { raw: { width: W, height: H, channels: 3 } })).toBuffer());
  }
  files.bmp = path.join(dir, 'bmp-image.png'); // a BMP named .png
  writeFileSync(files.bmp, writeBmp({ width: W, height: H, bpp: 24, pixel: quad }));
  files.svg = path.join(dir, 'svg-image.svg');
  const rect = (x: number, y: number, [r, g, b]: number[]) => `<rect x="${x}" y="${y}" width="${W / 2}" height="${H / 2}" fill="rgb(${r},${g},${b})"/>`;
  writeFileSync(files.svg, `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${rect(0, 0, QUADS[0])}${rect(W / 2, 0, QUADS[1])}${rect(0, H / 2, QUADS[2])}${rect(W / 2, H / 2, QUADS[3])}</svg>`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Largest difference from the expected colour at the centre of each quadrant. */
function quadrantError(img: { data: Uint8Array; width: number; channels: number }): number {
  let worst = 0;
  for (const [x, y] of [[W / 4, H / 4], [(3 * W) / 4, H / 4], [W / 4, (3 * H) / 4], [(3 * W) / 4, (3 * H) / 4]]) {
    const o = img.channels * (y * img.width + x);
    quad(x, y).forEach((v, c) => { worst = Math.max(worst, Math.abs(img.data[o + c] - v)); });
  }
  return worst;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('decodeImage', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'bmp', 'svg'] as ImageFormat[])('decodes %s from a file, by its bytes', async (format) => {
    const img = await decodeImage(files[format]);
    expect(img).toMatchObject({ width: W, height: H, channels: 3, format });
    expect(img.data.length).toBe(W * H * 3);
    expect(quadrantError(img)).toBeLessThanOrEqual(TOLERANCE[format]);
  });

  it('takes a Buffer, a Uint8Array or an ArrayBuffer, and gives the same pixels as from the file', async () => {
    const { readFileSync } = await import('node:fs');
    for (const format of ['png', 'bmp'] as const) {
      const buf = readFileSync(files[format]);
      const fromFile = await decodeImage(files[format]);
      const u8 = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      for (const src of [buf, u8, u8.buffer]) expect((await decodeImage(src)).data).toEqual(fromFile.data);
    }
  });

  it('is exported from the package entry point (loaded on first call)', async () => {
    const img = await api.decodeImage(files.bmp);
    expect(img).toMatchObject({ width: W, height: H, channels: 3, format: 'bmp' });
  });

  it('{ alpha: true } keeps transparency as RGBA (opaque formats get alpha 255)', async () => {
    const rgba = Buffer.alloc(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([10 * i, 200, 30, i < 8 ? 0 : 255], 4 * i);
    const png = await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } }).png().toBuffer();
    const img = await decodeImage(png, { alpha: true });
    expect(img.channels).toBe(4);
    expect(img.data).toEqual(new Uint8Array(rgba));
    const opaque = await decodeImage(files.jpeg, { alpha: true });
    expect(opaque.channels).toBe(4);
    expect(opaque.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    // Without it, RGB: the colour channels as stored.
    expect((await decodeImage(png)).data).toEqual(new Uint8Array(rgba.filter((_, i) => i % 4 !== 3)));
  });

  it('applies the EXIF orientation (a JPEG tagged "rotate 90° clockwise" comes out upright, 32×48)', async () => {
    const tagged = await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(tagged);
    expect([img.width, img.height]).toEqual([H, W]);
    // Rotated clockwise, the top-left (red) quadrant lands top-right.
    const o = 3 * (4 * img.width + img.width - 4);
    expect(Math.abs(img.data[o] - 220) + Math.abs(img.data[o + 1] - 30)).toBeLessThan(16);
  });

  it('errors are InputErrors naming the file, on one line', async () => {
    const text = path.join(dir, 'notes.jpg');
    writeFileSync(text, 'a text file named like a JPEG');
    const empty = path.join(dir, 'empty.png');
    writeFileSync(empty, '');
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub);
    const cases: [string | Uint8Array, RegExp][] = [
      [path.join(dir, 'missing.jpg'), /^cannot read image ".*missing\.jpg": no such file$/],
      [sub, /^cannot read image ".*a-directory": it is a directory$/],
      [empty, /^cannot decode image ".*empty\.png": the file is empty$/],
      [text, /^cannot decode image ".*notes\.jpg": not a JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP or SVG image$/],
    ];
    const { readFileSync } = await import('node:fs');
    // Truncated files: 60 % of a 256×256 photo-like image in each format.
    const big = Buffer.alloc(256 * 256 * 3).map((_, i) => (i * 2654435761) >>> 24);
    for (const format of Object.keys(ENCODERS) as (keyof typeof ENCODERS)[]) {
      const full = await ENCODERS[format](sharp(big, { raw: { width: 256, height: 256, channels: 3 } })).toBuffer();
      const cut = path.join(dir, `cut.${format}`);
      writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
      cases.push([cut, new RegExp(`^cannot decode ${format.toUpperCase()} image ".*cut\\.${format}": .+`)]);
    }
    const bmp = readFileSync(files.bmp);
    const cutBmp = path.join(dir, 'cut.bmp');
    writeFileSync(cutBmp, bmp.subarray(0, bmp.length - 100));
    cases.push([cutBmp, /^cannot decode BMP image ".*cut\.bmp": truncated: /]);
    cases.push([new Uint8Array([1, 2, 3]), /^cannot decode image "<bytes>": not a JPEG/]);
    for (const [src, message] of cases) {
      const e = await errorOf(decodeImage(src));
      expect(e, String(src)).toBeInstanceOf(InputError);
      expect(e.message, String(src)).toMatch(message);
      expect(e.message, String(src)).not.toContain('\n');
    }
    expect((await errorOf(decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0, 1]), { name: 'upload #3' }))).message).toMatch(/^cannot decode JPEG image "upload #3"/);
    // @ts-expect-error: not a source
    expect((await errorOf(decodeImage(42))).message).toMatch(/expected a file path, a Uint8Array \/ Buffer or an ArrayBuffer, got \[object Number\]/);
  });
});

describe('sniffImageFormat', () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it.each([
    ['\xff\xd8\xff\xe0\0\x10JFIF', 'jpeg'],
    ['\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'png'],
    ['RIFF\x24\0\0\0WEBPVP8 ', 'webp'],
    ['RIFF\x24\0\0\0WAVEfmt ', null],
    ['GIF89a\x01\0\x01\0', 'gif'],
    ['GIF87a\x01\0\x01\0', 'gif'],
    ['II*\0\x08\0\0\0', 'tiff'],
    ['MM\0*\0\0\0\x08', 'tiff'],
    ['\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf', 'avif'],
    ['\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf', 'avif'],
    ['\0\0\0\x18ftypheic\0\0\0\0mif1heic', null],
    ['\0\0\0\x18ftypisom\0\0\0\0isomavc1', null],
    ['\ufeff  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', 'svg'],
    ['<!DOCTYPE html><html><body>no svg here</body></html>', null],
    ['plain text', null],
  ])('%j → %s', (s, format) => {
    expect(sniffImageFormat(s.startsWith('\ufeff') ? new TextEncoder().encode(s) : bytes(s))).toBe(format);
  });
  it('BMP', () => expect(sniffImageFormat(writeBmp({ width: 1, height: 1, bpp: 24, pixel: () => [0, 0, 0] }))).toBe('bmp'));
});
