// The built-in default model: MobileNetV2 1.0/224 ImageNet (models/mobilenet_v2_1.0_224_quant.tflite, as
// TensorFlow published it) and its float32 twin. Real photos get their ImageNet class through every input
// type Node has (path, Buffer, ArrayBuffer, Blob, pixels) and through the CLI, in int8 and in float32.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { cosineSimilarity, decodeImage, loadModel, type Model } from '../../src/index.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';

const CLI = path.join(ROOT, 'dist/cli.js');
const PHOTO = path.join(ROOT, 'models/grace_hopper.jpg');

/** ImageNet class ids (0..999, no background) and labels the TFLite runtime gives these photos. */
const EXPECTED: [file: string, index: number, label: string][] = [
  ['cat.png', 285, 'Egyptian cat'],
  ['grace_hopper.png', 652, 'military uniform'],
  ['hot_dog.jpg', 934, 'hotdog, hot dog, red hot'],
];

let models: Record<'int8' | 'float32', Model>;
beforeAll(async () => {
  models = { int8: await loadModel('default'), float32: await loadModel('default', { precision: 'float32' }) };
});
afterAll(() => Object.values(models).forEach((m) => m.dispose()));

describe('default model', () => {
  it('is ImageNet: 1000 labels (the background output hidden), uint8 in int8, float32 as its twin', () => {
    for (const [precision, m] of Object.entries(models)) {
      expect(m.info.labels.length, precision).toBe(1000);
      expect(m.info.labelOffset).toBe(1);
      expect(m.info.outputShape).toEqual([1, 1001]);
      expect(m.info.labels[0]).toBe('tench, Tinca tinca');
      expect(m.info.embeddingSize).toBe(1280);
    }
    expect(models.int8.info.inputType).toBe('uint8');
    expect(models.int8.info.name).toBe('mobilenet_v2_1.0_224_quant');
    expect(models.float32.info.inputType).toBe('float32');
    expect(models.float32.info.name).toBe('mobilenet_v2_1.0_224_quant-float32');
  });

  it('classifies the shipped photo (models/grace_hopper.jpg) given as a path, a Buffer, an ArrayBuffer, a Blob and pixels', async () => {
    const bytes = readFileSync(PHOTO);
    const pixels = await decodeImage(PHOTO);
    expect([pixels.width, pixels.height]).toEqual([512, 600]);
    for (const [precision, m] of Object.entries(models)) {
      const sources = {
        path: PHOTO, buffer: bytes, arrayBuffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
        blob: new Blob([bytes]), pixels,
      };
      const first = await m.classify(pixels, { topK: 3 });
      expect(first[0], precision).toMatchObject({ index: 652, label: 'military uniform' });
      for (const [kind, src] of Object.entries(sources)) expect(await m.classify(src, { topK: 3 }), `${precision} ${kind}`).toEqual(first);
    }
  });

  it('topK and scoreThreshold', async () => {
    const m = models.int8;
    const all = await m.classify(PHOTO, { topK: 1000 });
    expect(all.length).toBe(1000);
    expect(all.every((c, i) => i === 0 || c.score <= all[i - 1].score)).toBe(true);
    const over = await m.classify(PHOTO, { topK: 1000, scoreThreshold: 0.01 });
    expect(over.length).toBe(all.filter((c) => c.score >= 0.01).length);
    expect(over.length).toBeGreaterThan(0);
    expect(over.length).toBeLessThan(10);
    expect(await m.classify(PHOTO, { scoreThreshold: 1 })).toEqual([]);
    await expect(m.classify(PHOTO, { scoreThreshold: 2 })).rejects.toThrow(/scoreThreshold must be a number in 0\.\.1/);
    await expect(m.classify(PHOTO, { topK: 0 })).rejects.toThrow(/topK/);
    await expect(m.classify(path.join(ROOT, 'models/NOTICE'))).rejects.toThrow(/cannot decode image/);
    expect((await m.classify(PHOTO, { topK: 1 }))[0].label).toBe('military uniform'); // still usable
  });

  it('a --labels file with one line per output (background included) is accepted as well as one per class', async () => {
    const lines = ['background', ...models.int8.info.labels.map((l) => l.toUpperCase())];
    const m = await loadModel('default', { labels: lines });
    expect(m.info.labels[652]).toBe('MILITARY UNIFORM');
    await expect(loadModel('default', { labels: lines.slice(0, 10) })).rejects.toThrow(/10 labels given but model .* has 1000 classes/);
    m.dispose();
  });

  it.skipIf(!existsSync(CLI))('the README command: node dist/cli.js classify models/grace_hopper.jpg prints military uniform first', () => {
    const out = execFileSync(process.execPath, [CLI, 'classify', PHOTO, '--json'], { encoding: 'utf8' });
    expect(out).toMatch(/military uniform/);
  });
});

describeShared('default model on ../shared/data/images', () => {
  for (const [file, index, label] of EXPECTED) {
    it(`${file} → ${label} (int8 and float32, API)`, async () => {
      const img = await decodeImage(sharedPath('images', file));
      for (const [precision, m] of Object.entries(models)) {
        const [top] = await m.classify(img, { topK: 1 });
        expect(top, precision).toMatchObject({ index, label });
        expect(top.score).toBeGreaterThan(0.5);
      }
    });
  }

  it.skipIf(!existsSync(CLI))('through the CLI, int8 and float32', () => {
    for (const [file, , label] of EXPECTED) {
      for (const extra of [[], ['--precision', 'float32']]) {
        const out = execFileSync(process.execPath, [CLI, 'classify', sharedPath('images', file), '--top', '1', ...extra], { encoding: 'utf8' });
        expect(out, `${file} ${extra.join(' ')}`).toContain(label);
      }
    }
  });

  it('embeddings: the same photo in two encodings is nearer than another photo', async () => {
    const m = models.int8;
    const png = await m.embed(sharedPath('images/grace_hopper.png'));
    const jpg = await m.embed(PHOTO);
    const cat = await m.embed(sharedPath('images/cat.png'));
    expect(cosineSimilarity(png, jpg)).toBeGreaterThan(0.95);
    expect(cosineSimilarity(png, cat)).toBeLessThan(0.6);
    const half = await sharp(sharedPath('images/cat.png')).resize(200).png().toBuffer();
    expect(cosineSimilarity(await m.embed(half), cat)).toBeGreaterThan(0.9);
  });
});

describe('cosineSimilarity', () => {
  it('on hand-made vectors', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/different lengths/);
    expect(() => cosineSimilarity([NaN], [1])).toThrow(/NaN/);
  });
});
