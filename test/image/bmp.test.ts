// The BMP decoder against files written byte by byte (test/helpers/bmp.ts): every layout it claims to read,
// orientation, padding, palettes, masks, run-length data, and the errors for what it cannot read.
import { describe, expect, it } from 'vitest';
import { decodeBmp, isBmp } from '../../src/image/bmp.js';
import { InputError } from '../../src/errors.js';
import { writeBmp, writeRleBmp, type Rgba } from '../helpers/bmp.js';

/** A pattern with a different colour in every pixel, so a flipped row or a shifted column shows. */
const colour = (x: number, y: number): Rgba => [(x * 37 + 11) & 255, (y * 53 + 7) & 255, (x * y * 13 + 90) & 255, (x * 20 + y * 40) & 255];
const PALETTE: [number, number, number][] = [[0, 0, 0], [255, 255, 255], [200, 30, 40], [20, 180, 60], [10, 40, 220], [250, 200, 0], [90, 90, 90]];

/** RGB bytes, top row first, of what a w×h picture should decode to. */
function expected(w: number, h: number, px: (x: number, y: number) => [number, number, number] | Rgba, alpha?: (x: number, y: number) => number): Uint8Array {
  const c = alpha ? 4 : 3;
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = px(x, y);
      out.set([p[0], p[1], p[2]], c * (y * w + x));
      if (alpha) out[c * (y * w + x) + 3] = alpha(x, y);
    }
  }
  return out;
}

/** n-bit field value scaled to 8 bits the way the format is read: round(v · 255 / (2ⁿ − 1)). */
const through = (bits: number) => (c: number) => Math.round((Math.round((c * (2 ** bits - 1)) / 255) * 255) / (2 ** bits - 1));

describe('decodeBmp', () => {
  // Widths 1–5 cover every row padding (rows are padded to 4 bytes).
  it.each([1, 2, 3, 4, 5])('24 bits, bottom-up, width %i', (w) => {
    const img = decodeBmp(writeBmp({ width: w, height: 3, bpp: 24, pixel: colour }), 'x.bmp');
    expect(img).toMatchObject({ width: w, height: 3, channels: 3 });
    expect(img.data).toEqual(expected(w, 3, colour));
  });

  it('24 bits, top-down (negative height)', () => {
    const img = decodeBmp(writeBmp({ width: 7, height: 5, bpp: 24, pixel: colour, topDown: true }), 'x.bmp');
    expect(img.data).toEqual(expected(7, 5, colour));
  });

  it('24 bits with an OS/2 1.x core header (12 bytes)', () => {
    const img = decodeBmp(writeBmp({ width: 6, height: 4, bpp: 24, pixel: colour, headerSize: 12 }), 'x.bmp');
    expect(img.data).toEqual(expected(6, 4, colour));
  });

  it('32 bits BI_RGB: B, G, R and an unused byte; with alpha requested, alpha is opaque', () => {
    const bytes = writeBmp({ width: 5, height: 3, bpp: 32, pixel: colour });
    expect(decodeBmp(bytes, 'x.bmp').data).toEqual(expected(5, 3, colour));
    const rgba = decodeBmp(bytes, 'x.bmp', { alpha: true });
    expect(rgba.channels).toBe(4);
    expect(rgba.data).toEqual(expected(5, 3, colour, () => 255));
  });

  it.each([
    ['V4 header, A8R8G8B8 masks', 108, [0xff0000, 0xff00, 0xff, 0xff000000]],
    ['V5 header, R8G8B8A8 masks (red in the top byte)', 124, [0xff000000, 0xff0000, 0xff00, 0xff]],
  ] as const)('32 bits BI_BITFIELDS, %s, top-down, alpha kept', (_, headerSize, masks) => {
    const bytes = writeBmp({ width: 4, height: 3, bpp: 32, pixel: colour, headerSize, masks: [...masks], topDown: true });
    expect(decodeBmp(bytes, 'x.bmp').data).toEqual(expected(4, 3, colour));
    expect(decodeBmp(bytes, 'x.bmp', { alpha: true }).data).toEqual(expected(4, 3, colour, (x, y) => colour(x, y)[3]!));
  });

  it('16 bits: BI_RGB is 5-5-5, BI_BITFIELDS 5-6-5 (masks after a 40-byte header), odd width padded', () => {
    const five = through(5), six = through(6);
    const a = decodeBmp(writeBmp({ width: 3, height: 2, bpp: 16, pixel: colour }), 'x.bmp');
    expect(a.data).toEqual(expected(3, 2, (x, y) => colour(x, y).slice(0, 3).map((c) => five(c!)) as Rgba));
    const b = decodeBmp(writeBmp({ width: 3, height: 2, bpp: 16, pixel: colour, masks: [0xf800, 0x07e0, 0x001f] }), 'x.bmp');
    expect(b.data).toEqual(expected(3, 2, (x, y) => { const [r, g, bl] = colour(x, y); return [five(r), six(g), five(bl)]; }));
  });

  const idx = (x: number, y: number) => (x + 3 * y) % PALETTE.length;
  it.each([1, 4, 8] as const)('%i bits with a palette, odd width, bottom-up and top-down', (bpp) => {
    const palette = bpp === 1 ? PALETTE.slice(0, 2) : PALETTE;
    const index = (x: number, y: number) => idx(x, y) % palette.length;
    for (const topDown of [false, true]) {
      const img = decodeBmp(writeBmp({ width: 11, height: 3, bpp, palette, index, topDown }), 'x.bmp');
      expect(img.data, `topDown ${topDown}`).toEqual(expected(11, 3, (x, y) => palette[index(x, y)]));
    }
  });

  it('8 bits: pixel data found through the header offset, not right after the palette', () => {
    const img = decodeBmp(writeBmp({ width: 5, height: 2, bpp: 8, palette: PALETTE, index: idx, gap: 6 }), 'x.bmp');
    expect(img.data).toEqual(expected(5, 2, (x, y) => PALETTE[idx(x, y)]));
  });

  it('8 bits with an OS/2 core header (3-byte palette entries)', () => {
    const img = decodeBmp(writeBmp({ width: 5, height: 2, bpp: 8, palette: PALETTE, index: idx, headerSize: 12 }), 'x.bmp');
    expect(img.data).toEqual(expected(5, 2, (x, y) => PALETTE[idx(x, y)]));
  });

  it('RLE8: runs, literals (padded to 16 bits), end of line, delta, end of bitmap', () => {
    // 5×3, bottom-up. Row 0 (bottom): 3×[2], 2×[5]; row 1: a delta 2 to the right, then 2×[6]; row 2: 5×[1].
    const rle = [3, 2, 2, 5, 0, 0, 0, 2, 2, 0, 2, 6, 0, 0, 5, 1, 0, 1];
    // A literal of 3 indices shows the padding to 16 bits: 0, 3, a, b, c, pad.
    const rleLiteral = [0, 3, 2, 3, 4, 0, 2, 5, 0, 0, 5, 6, 0, 0, 5, 1, 0, 1];
    const img = decodeBmp(writeRleBmp(5, 3, 8, PALETTE, rle), 'x.bmp');
    const B = [0, 0, 0] as [number, number, number];
    const rows = [[1, 1, 1, 1, 1], [-1, -1, 6, 6, -1], [2, 2, 2, 5, 5]]; // top row first; -1 = never written (black)
    expect(img.data).toEqual(expected(5, 3, (x, y) => (rows[y][x] < 0 ? B : PALETTE[rows[y][x]])));
    const lit = decodeBmp(writeRleBmp(5, 3, 8, PALETTE, rleLiteral), 'x.bmp');
    const litRows = [[1, 1, 1, 1, 1], [6, 6, 6, 6, 6], [2, 3, 4, 5, 5]];
    expect(lit.data).toEqual(expected(5, 3, (x, y) => PALETTE[litRows[y][x]]));
  });

  it('RLE4: runs alternate two indices, literals hold two per byte', () => {
    // 5×2. Row 0: a run of 5 alternating 2 and 3; row 1: literal 1,4,5 (2 bytes, already 16-bit aligned), then a run of 2×[6].
    const rle = [5, 0x23, 0, 0, 0, 3, 0x14, 0x50, 2, 0x66, 0, 1];
    const img = decodeBmp(writeRleBmp(5, 2, 4, PALETTE, rle), 'x.bmp');
    const rows = [[1, 4, 5, 6, 6], [2, 3, 2, 3, 2]];
    expect(img.data).toEqual(expected(5, 2, (x, y) => PALETTE[rows[y][x]]));
  });

  it('names the file and the problem for what it cannot read', () => {
    const good = writeBmp({ width: 8, height: 8, bpp: 24, pixel: colour });
    const err = (bytes: Uint8Array) => {
      try {
        decodeBmp(bytes, 'photos/bad.bmp');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(good.subarray(0, good.length - 10))).toMatch(/^cannot decode BMP image "photos\/bad\.bmp": truncated: 8×8 at 24 bits per pixel needs 246 bytes, the file has 236$/);
    expect(err(good.subarray(0, 30))).toMatch(/"photos\/bad\.bmp": truncated: the 40-byte header/);
    const rle = writeRleBmp(5, 3, 8, PALETTE, [3, 2, 0, 0, 5]);
    expect(err(rle)).toMatch(/truncated in the run-length data/);
    const jpegInside = good.slice();
    new DataView(jpegInside.buffer).setUint32(30, 4, true);
    expect(err(jpegInside)).toMatch(/embedded JPEG data \(compression 4\) is not supported/);
    const twoBit = good.slice();
    new DataView(twoBit.buffer).setUint16(28, 2, true);
    expect(err(twoBit)).toMatch(/2 bits per pixel is not supported/);
    const huge = good.slice();
    new DataView(huge.buffer).setInt32(18, 100_000, true);
    new DataView(huge.buffer).setInt32(22, 100_000, true);
    expect(err(huge)).toMatch(/100000×100000 is more than \d+ pixels/);
    expect(err(new TextEncoder().encode('BMnot really a bitmap'))).toMatch(/not a BMP file/);
  });

  it('isBmp wants the signature and a known header size', () => {
    expect(isBmp(writeBmp({ width: 1, height: 1, bpp: 24, pixel: colour }))).toBe(true);
    expect(isBmp(new TextEncoder().encode('BM, as in "Big Mistake", a text file'))).toBe(false);
  });
});
