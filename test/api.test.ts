// loadModel's sources beyond the default model: a TF.js model.json given as bytes with its weight files
// (what a browser file picker yields), on this thread and in a worker, against the same model loaded by path.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadModel } from '../src/api.js';
import { KerasBuilder, conv } from './formats/keras-builder.js';
import { workerBundle } from './worker/bundle.js';

function tinyModel(paths: string[]) {
  const b = new KerasBuilder(11);
  const x = b.input('img', 8, 8, 3);
  b.layer('Conv2D', 'c', { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu', use_bias: true }, [x]);
  conv(b, 'c', 3, 3, 4, true);
  b.layer('GlobalAveragePooling2D', 'gap', {}, ['c']);
  b.layer('Dense', 'fc', { units: 3, activation: 'softmax', use_bias: true }, ['gap']);
  b.weight('fc/kernel', [4, 3]);
  b.weight('fc/bias', [3]);
  const a = b.build('img', 'fc');
  const json = JSON.stringify({
    format: 'layers-model', generatedBy: 'keras v2.2.4', convertedBy: 'TensorFlow.js Converter',
    modelTopology: a.modelTopology, weightsManifest: [{ paths, weights: a.weightSpecs }],
  });
  const data = new Uint8Array(a.weightData);
  const cut = Math.floor(data.length / 2);
  return { json: new TextEncoder().encode(json), shards: [data.slice(0, cut), data.slice(cut)] };
}

describe('loadModel: TF.js model.json bytes with weightFiles', () => {
  const paths = ['weights/group1-shard1of2.bin', 'weights/group1-shard2of2.bin'];
  const { json, shards } = tinyModel(paths);
  const x = Float32Array.from({ length: 8 * 8 * 3 }, (_, i) => ((i * 37) % 101) / 101);

  async function byPath(): Promise<Float32Array> {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-api-'));
    try {
      mkdirSync(path.join(dir, 'weights'));
      writeFileSync(path.join(dir, 'model.json'), json);
      paths.forEach((p, i) => writeFileSync(path.join(dir, p), shards[i]));
      const m = await loadModel(path.join(dir, 'model.json'));
      const y = await m.run(x);
      m.dispose();
      return y;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('finds the files by manifest path or by file name, and matches the model loaded by path', async () => {
    const want = await byPath();
    const byManifest = await loadModel(json, { weightFiles: { [paths[0]]: shards[0], [paths[1]]: shards[1].buffer } });
    expect(await byManifest.run(x)).toEqual(want);
    byManifest.dispose();
    const byName = await loadModel(json, { weightFiles: { 'group1-shard1of2.bin': shards[0], 'group1-shard2of2.bin': shards[1] } });
    expect(await byName.run(x)).toEqual(want);
    byName.dispose();
  });

  it('works in a worker too (the files are copied to it)', async () => {
    const want = await byPath();
    const bundle = await workerBundle();
    try {
      const remote = await loadModel(json.slice(), {
        worker: { url: bundle.url }, weightFiles: { 'group1-shard1of2.bin': shards[0], 'group1-shard2of2.bin': shards[1] },
      });
      expect(await remote.run(x.slice())).toEqual(want);
      await remote.dispose();
    } finally {
      bundle.cleanup();
    }
  });

  it('names a missing weight file, and without weightFiles says how to pass them', async () => {
    await expect(loadModel(json, { weightFiles: { 'group1-shard1of2.bin': shards[0] } }))
      .rejects.toThrow(/weight file "weights\/group1-shard2of2\.bin" is not among the weightFiles given \(group1-shard1of2\.bin\)/);
    await expect(loadModel(json)).rejects.toThrow(/loadModel\(bytes, \{ weightFiles \}\)/);
  });
});
