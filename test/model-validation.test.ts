// Nonsense refused (issue 14, defect 4): run() checks the input's kind, type, length and finiteness; a model's
// metadata must fit its graph (task vs output shape, labels vs classes); an argument a worker cannot receive is
// an InputError from a worker model and a pool, as in process (no DataCloneError).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  loadModel, createPool, buildMobileNetV2, writeNative, InputError, ModelFormatError, type Model,
} from '../src/index.js';
import { workerBundle, type WorkerBundle } from './worker/bundle.js';
import { editMetadataEntry } from './helpers/native-header.js';

const RES = 32;
const N = RES * RES * 3;
let bytes: Uint8Array;
let model: Model;
let bundle: WorkerBundle;
beforeAll(async () => {
  bytes = writeNative(buildMobileNetV2({ alpha: 0.35, resolution: RES, classes: 5 }));
  model = await loadModel(bytes);
  bundle = await workerBundle();
});
afterAll(() => {
  model?.dispose();
  bundle?.cleanup();
});

/** The test model with its metadata "meta" JSON edited. */
const editMeta = (edit: (m: any) => void): Uint8Array => editMetadataEntry(bytes, 'meta', edit);

describe('run() input checks', () => {
  it('refuses NaN and ±Infinity anywhere (NaN gave "Drawing" 0.90 before)', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = new Float32Array(N).fill(0.5);
      x[N - 1] = bad;
      await expect(model.run(x)).rejects.toThrow(InputError);
      await expect(model.run(x)).rejects.toThrow(new RegExp(`input\\[${N - 1}\\] is ${String(bad)}`));
    }
    expect((await model.run(new Float32Array(N).fill(0.5))).length).toBe(5);
  });

  it('refuses arrays of strings, { length: N } and other non-arrays', async () => {
    await expect(model.run(Array.from({ length: N }, () => '1') as unknown as number[])).rejects.toThrow(/input\[0\] is "1"/);
    await expect(model.run({ length: N } as ArrayLike<number>)).rejects.toThrow(InputError);
    await expect(model.run(null as unknown as Float32Array)).rejects.toThrow(InputError);
    expect((await model.run(Array.from({ length: N }, () => 0.25))).length).toBe(5);
  });
});

describe('metadata against the graph', () => {
  it('task "segment" on a 1×5 classifier is a ModelFormatError (segment() gave width: undefined)', async () => {
    await expect(loadModel(editMeta((m) => { m.task = 'segment'; }))).rejects.toThrow(/task "segment" needs a \[1, H, W\] class map output, got \[1, 5\]/);
  });

  it('task "detect" on a 1×5 classifier is a ModelFormatError', async () => {
    await expect(loadModel(editMeta((m) => { m.task = 'detect'; }))).rejects.toThrow(/task "detect" needs boxes \[1, N, 4\], classes, scores and count first; got 1 outputs, the first \[1, 5\]/);
  });

  it('300 labels for 5 outputs is a ModelFormatError', async () => {
    await expect(loadModel(editMeta((m) => { m.labels = Array.from({ length: 300 }, (_, i) => `l${i}`); }))).rejects.toThrow(ModelFormatError);
    await expect(loadModel(editMeta((m) => { m.labels = Array.from({ length: 300 }, (_, i) => `l${i}`); }))).rejects.toThrow(/300 labels for 5 classes/);
  });
});

describe('arguments a worker cannot receive', () => {
  it('a worker model and a pool reject them with InputError, like the in-process model', async () => {
    const fn = () => 1;
    await expect(model.classify({ data: new Uint8Array(12), width: 2, height: 2 }, { topK: fn as unknown as number })).rejects.toThrow(InputError);
    const remote = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
    const pool = createPool({ model: bytes, worker: { url: bundle.url }, size: 1 });
    try {
      for (const m of [remote, pool]) {
        const e = await m.classify({ data: new Uint8Array(12), width: 2, height: 2 }, { topK: fn as unknown as number }).then(() => null, (x: Error) => x);
        expect(e?.name).toBe('InputError');
        expect(e).toBeInstanceOf(InputError);
        // and the model still works after it
        expect((await m.run(new Float32Array(N).fill(0.5))).length).toBe(5);
      }
      await expect(remote.run(new Float32Array(N).fill(NaN))).rejects.toThrow(InputError);
    } finally {
      await remote.dispose();
      await pool.close();
    }
  });
});

describe('checkFinite: false', () => {
  it('skips the scan of a typed array (the caller vouches for it), not the checks of plain arrays', async () => {
    const fast = await loadModel(bytes, { checkFinite: false });
    const x = new Float32Array(N).fill(0.5);
    x[3] = NaN;
    expect((await fast.run(x)).length).toBe(5);
    await expect(fast.run(Array.from({ length: N }, () => 'a') as unknown as number[])).rejects.toThrow(InputError);
    fast.dispose();
  });
});
