// mobilenet-wasm train: the imprinting photos (../shared/data/images/imprinting) sorted into cat/, dog/, hotdog/
// sub-folders teach the default model three classes; the written model classifies the held-out photos right; the
// k-NN variant writes the examples; --int8 writes an int8 model; mistakes are one line with a non-zero exit.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadModel } from '../../src/index.js';
import { KnnClassifier } from '../../src/teach/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; progress: string }> {
  const out: string[] = [], err: string[] = [], progress: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(a.join(' ')); });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { progress.push(String(chunk)); return true; });
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n'), progress: progress.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

let dir: string;
let photos: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mnw-train-'));
  photos = path.join(dir, 'photos');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeShared('mobilenet-wasm train', () => {
  beforeAll(() => {
    const src = sharedPath('images/imprinting');
    for (const f of readdirSync(src).filter((f) => f.endsWith('.jpg'))) {
      const label = f.split('_')[0];
      mkdirSync(path.join(photos, label), { recursive: true });
      copyFileSync(path.join(src, f), path.join(photos, label, f));
    }
    writeFileSync(path.join(photos, 'cat', 'notes.txt'), 'not a photo');
  });

  it('a dense head: held-out accuracy and confusion matrix, a model that names the held-out photos', async () => {
    const out = path.join(dir, 'taught.safetensors');
    const r = await cli('train', photos, '--out', out, '--holdout', '0.5', '--seed', '3');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/classes \(training \+ held-out photos\): cat 1\+1, dog 1\+1, hotdog 1\+2/);
    expect(r.out).toMatch(/left out 1 file that is not an image: .*notes\.txt/);
    expect(r.out).toMatch(/held-out accuracy: 100\.0 % \(4 of 4 photos\)/);
    expect(r.out).toMatch(/true \\ predicted\s+cat\s+dog\s+hotdog\ncat\s+1\s+0\s+0\ndog\s+0\s+1\s+0\nhotdog\s+0\s+0\s+2/);
    // The progress bars (stderr is not a TTY here: each bar's last state only).
    expect(r.progress).toMatch(/embedding .*8\/8 images/);
    expect(r.progress).toMatch(/training .*epochs/);
    const m = await loadModel(out);
    expect(m.info.labels).toEqual(['cat', 'dog', 'hotdog']);
    for (const f of ['cat_test_0.jpg', 'dog_test_0.jpg', 'hotdog_test_0.jpg']) {
      expect((await m.classify(sharedPath('images/imprinting', f), { topK: 1 }))[0].label).toBe(f.split('_')[0]);
    }
    m.dispose();
  }, 120_000);

  it('--int8: an int8 model that still names the test photos; --head knn: the examples as JSON', async () => {
    const out = path.join(dir, 'taught8.safetensors');
    const r = await cli('train', photos, '--out', out, '--int8', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ labels: ['cat', 'dog', 'hotdog'], head: 'dense', out });
    const m = await loadModel(out);
    expect(m.info.requant).toBeDefined();
    // The same model as a .tflite (the TFLite runtime's byte identity is test/formats/tflite/write.test.ts's).
    const tfl = path.join(dir, 'taught8.tflite');
    expect((await cli('train', photos, '--out', tfl, '--int8')).code).toBe(0);
    const t = await loadModel(tfl);
    expect(t.info.labels).toEqual(['cat', 'dog', 'hotdog']);
    for (const f of ['cat_test_0.jpg', 'dog_test_0.jpg']) {
      expect(await t.classify(sharedPath('images/imprinting', f))).toEqual(await m.classify(sharedPath('images/imprinting', f)));
    }
    t.dispose();
    for (const f of ['cat_test_0.jpg', 'dog_test_0.jpg', 'hotdog_test_0.jpg']) {
      expect((await m.classify(sharedPath('images/imprinting', f), { topK: 1 }))[0].label).toBe(f.split('_')[0]);
    }
    m.dispose();
    const json = path.join(dir, 'examples.json');
    const k = await cli('train', photos, '--out', json, '--head', 'knn', '--holdout', '0.5');
    expect(k.code, k.err).toBe(0);
    expect(k.out).toMatch(/held-out accuracy: 100\.0 %/);
    const state = JSON.parse(readFileSync(json, 'utf8'));
    expect(state.examples.length).toBeGreaterThan(4);
    const knn = new KnnClassifier();
    for (const e of state.examples) knn.add(e.label, e.embedding);
    expect(knn.labels).toEqual(['cat', 'dog', 'hotdog']);
  }, 180_000);
});

describeShared('mobilenet-wasm train: a k-NN model, kept classes', () => {
  it('--head knn --out x.tflite: the k-NN as a model that names the test photos; --keep-classes: 1001 + 3 labels', async () => {
    const out = path.join(dir, 'knn.tflite');
    const r = await cli('train', photos, '--out', out, '--head', 'knn', '--holdout', '0.5', '--seed', '3');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/held-out accuracy: 100\.0 %/);
    const m = await loadModel(out);
    expect(m.info.labels).toEqual(['cat', 'dog', 'hotdog']);
    for (const f of ['cat_test_0.jpg', 'dog_test_0.jpg', 'hotdog_test_0.jpg']) {
      expect((await m.classify(sharedPath('images/imprinting', f), { topK: 1 }))[0].label).toBe(f.split('_')[0]);
    }
    m.dispose();
    const kept = path.join(dir, 'kept.safetensors');
    const k = await cli('train', photos, '--out', kept, '--keep-classes', '--holdout', '0');
    expect(k.code, k.err).toBe(0);
    const mk = await loadModel(kept);
    expect(mk.info.labels.length).toBe(1003);
    expect(mk.info.labels.slice(-3)).toEqual(['cat', 'dog', 'hotdog']);
    expect((await mk.classify(sharedPath('images/imprinting', 'cat_test_0.jpg'), { topK: 1 }))[0].label).toBe('cat');
    mk.dispose();
  }, 180_000);
});

describe('mobilenet-wasm train: mistakes', () => {
  it.each([
    [['train'], 2, /train: usage/],
    [['train', 'x'], 2, /--out is required/],
    [['train', 'x', '--out', 'm.onnx'], 2, /must name a \.tflite or \.safetensors file/],
    [['train', 'x', '--out', 'e.json'], 2, /a \.json --out holds a k-NN's examples: add --head knn/],
    [['train', 'x', '--out', 'e.json', '--head', 'knn', '--int8'], 2, /a \.json --out holds examples/],
    [['train', 'x', '--out', 'm.safetensors', '--head', 'knn', '--keep-classes'], 2, /--keep-classes needs a dense head/],
    [['train', 'x', '--out', 'm.tflite', '--keep-classes', '--int8'], 2, /--keep-classes models are float32 only/],
    [['train', 'x', '--out', 'm.tflite', '--head', 'knn', '--int8'], 2, /a k-NN model is float32 only/],
    [['train', '/nonexistent/folder', '--out', 'm.safetensors'], 1, /is not a folder/],
  ])('%j → exit %i', async (argv, code, message) => {
    const r = await cli(...argv.map((a) => (a.endsWith('.safetensors') || a.endsWith('.json') ? path.join(dir, a) : a)));
    expect(r.code).toBe(code);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a folder with one class', async () => {
    const one = path.join(dir, 'one');
    mkdirSync(path.join(one, 'only'), { recursive: true });
    const r = await cli('train', one, '--out', path.join(dir, 'x.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs one sub-folder per class, at least 2 \(found 1\)/);
  });
});
