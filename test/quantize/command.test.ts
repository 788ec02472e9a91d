// `mobilenet-wasm quantize`, run in-process through main(argv), on a folder of synthetic drawings written as
// PNG / JPEG / WebP (no ../shared data needed).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { main } from '../../src/cli/main.js';
import { loadModel } from '../../src/api.js';
import { readFileBytes } from '../../src/io.js';
import { drawing } from '../helpers/ptq-data.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; stderr: string }> {
  const out: string[] = [], err: string[] = [], stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(a.join(' ')); });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr.push(String(s)); return true; });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n'), stderr: stderr.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mnw-quantize-'));
  const images = path.join(dir, 'images');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(images);
  for (let i = 0; i < 7; i++) {
    const d = await drawing(500 + i);
    const s = sharp(d.data, { raw: { width: d.width, height: d.height, channels: 3 } });
    await (i % 3 === 0 ? s.png() : i % 3 === 1 ? s.jpeg() : s.webp()).toFile(path.join(images, `d${i}.${['png', 'jpg', 'webp'][i % 3]}`));
  }
  writeFileSync(path.join(images, 'notes.txt'), 'not an image');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mobilenet-wasm quantize', () => {
  it('calibrates on the folder with a progress bar, writes an int8 model and says what it did', async () => {
    const out = path.join(dir, 'int8.safetensors');
    const r = await cli('quantize', 'nsfw', out, '--calibrate', path.join(dir, 'images'), '--images', '5', '--seed', '2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\rcalibrating [....................] 0/5 images');
    expect(r.stderr).toContain('\rcalibrating [########............] 2/5 images');
    expect(r.stderr.endsWith('\rcalibrating [####################] 5/5 images\n')).toBe(true);
    expect(r.out).toMatch(/calibrated 68 values on 5 of the 7 images/);
    expect(r.out).toMatch(/quantized 55 conv \/ depthwise \/ dense layers to int8/);
    expect(r.out).toMatch(/9\.82 MiB \(float32\) → 2\.68 MiB \(int8\)/);
    expect(statSync(out).size).toBeLessThan(3 * 1024 * 1024);
    const m = await loadModel(await readFileBytes(out));
    expect(m.info.name).toBe('nsfwjs-mobilenet-v2-int8');
    const scores = await m.run(new Float32Array(224 * 224 * 3).fill(0.5));
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    m.dispose();
  });

  it('--json reports the images picked, and the same seed picks the same ones', async () => {
    const out = path.join(dir, 'int8-b.safetensors');
    const a = JSON.parse((await cli('quantize', 'nsfw', out, '--calibrate', path.join(dir, 'images'), '--images', '3', '--seed', '9', '--json')).out);
    const b = JSON.parse((await cli('quantize', 'nsfw', out, '--calibrate', path.join(dir, 'images'), '--images', '3', '--seed', '9', '--json', '--softmax', 'int8')).out);
    expect(a.images).toHaveLength(3);
    expect(b.images).toEqual(a.images);
    expect(a).toMatchObject({ imagesInFolder: 7, method: 'minmax', valuesCalibrated: 68, layersQuantized: 55 });
    expect(b.valuesQuantized).toBe(a.valuesQuantized + 1); // the int8 softmax output
  });

  it('explains what is wrong', async () => {
    const images = path.join(dir, 'images');
    expect((await cli('quantize', 'nsfw', path.join(dir, 'x.safetensors'))).err).toMatch(/InputError: quantize: usage/);
    expect((await cli('quantize', 'nsfw', path.join(dir, 'x.safetensors'), '--calibrate', path.join(dir, 'none'))).err)
      .toMatch(/cannot read the calibration folder/);
    const empty = path.join(dir, 'empty');
    (await import('node:fs')).mkdirSync(empty);
    expect((await cli('quantize', 'nsfw', path.join(dir, 'x.safetensors'), '--calibrate', empty)).err).toMatch(/has no images/);
    expect((await cli('quantize', 'nsfw', path.join(dir, 'x.safetensors'), '--calibrate', images, '--method', 'mode')).err)
      .toMatch(/unknown range method "mode"/);
    expect((await cli('quantize', 'nsfw', path.join(dir, 'x.safetensors'), '--calibrate', images, '--images', '0')).err)
      .toMatch(/--images must be a positive integer/);
  });
});
