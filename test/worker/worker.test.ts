// loadModel(source, { worker: true }) against the in-process Model: the same answers bit for bit,
// buffers moved (the caller's is detached) or copied once when they cannot move, errors that keep
// their class across the boundary, and a crash that is reported instead of hanging.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import {
  loadModel, buildMobileNetV2, writeNative, EngineError, InputError, DisposedError, ModelFormatError, WorkerCrashedError,
  type Model, type WorkerModel,
} from '../../src/index.js';
import { spawnWorker } from '../../src/workers/spawn.js';
import { wrap } from '../../src/workers/comlink.js';
import { registerErrorTransfer } from '../../src/workers/error-transfer.js';
import type { EngineApi } from '../../worker/index.js';
import { mulberry32 } from '../helpers/random.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';
import { workerBundle, type WorkerBundle } from './bundle.js';
import { crashWorker } from './hooks.js';

const RES = 96;
const INPUT = RES * RES * 3;
let bundle: WorkerBundle;
let bytes: Uint8Array;
let local: Model;
let remote: WorkerModel;

beforeAll(async () => {
  bundle = await workerBundle();
  bytes = writeNative(buildMobileNetV2({ alpha: 0.35, resolution: RES, classes: 10, seed: 3 }));
  local = await loadModel(bytes);
  remote = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
});

afterAll(async () => {
  await remote?.dispose();
  local?.dispose();
  bundle?.cleanup();
});

const tensor = (seed: number) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: INPUT }, () => r() * 2 - 1);
};

const image = (w: number, h: number, c: 3 | 4, seed: number) => {
  const r = mulberry32(seed);
  return { data: Uint8Array.from({ length: w * h * c }, () => Math.floor(r() * 256)), width: w, height: h, channels: c };
};

/** Bit patterns, so -0 vs 0 or a last-ulp difference fails. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('worker model', () => {
  it('has the in-process info and interface', () => {
    expect(remote.info).toEqual(local.info);
    for (const m of ['run', 'classify', 'embed', 'profile', 'dispose'] as const) expect(typeof remote[m]).toBe('function');
  });

  it('gives bit-identical outputs to the in-process model', async () => {
    for (const seed of [1, 2, 3]) {
      const x = tensor(seed);
      const want = await local.run(x);
      expect(bits(await remote.run(x.slice()))).toEqual(bits(want));
    }
    for (const [w, h, c] of [[50, 37, 4], [96, 96, 3], [7, 300, 4]] as const) {
      const img = image(w, h, c, w * h);
      expect(await remote.classify({ ...img, data: img.data.slice() }, { topK: 10 })).toEqual(await local.classify(img, { topK: 10 }));
      expect(await remote.classify({ ...img, data: img.data.slice() }, { topK: 3, centralCrop: 0.875 })).toEqual(
        await local.classify(img, { topK: 3, centralCrop: 0.875 }),
      );
      expect(bits(await remote.embed({ ...img, data: img.data.slice() }))).toEqual(bits(await local.embed(img)));
    }
    const steps = await remote.profile(1);
    expect(steps.map((s) => s.name)).toEqual(local.profile(1).map((s) => s.name));
  });

  it('answers concurrent calls each with its own result', async () => {
    const xs = Array.from({ length: 12 }, (_, i) => tensor(100 + i));
    const want = await Promise.all(xs.map((x) => local.run(x)));
    const got = await Promise.all(xs.map((x) => remote.run(x.slice())));
    got.forEach((g, i) => expect(bits(g)).toEqual(bits(want[i])));
    expect(remote.pending).toBe(0);
  });

  it('transfers whole buffers (the caller\'s is detached) and copies views and opt-outs', async () => {
    const x = tensor(7);
    const want = await local.run(x);
    const moved = x.slice();
    expect(bits(await remote.run(moved))).toEqual(bits(want));
    expect(moved.byteLength).toBe(0);
    expect(moved.buffer.byteLength).toBe(0);

    const kept = x.slice();
    expect(bits(await remote.run(kept, { transfer: false }))).toEqual(bits(want));
    expect(bits(kept)).toEqual(bits(x));

    const big = new Float32Array(INPUT + 16);
    big.set(x, 8);
    const view = big.subarray(8, 8 + INPUT); // a window into a larger buffer: copied once, never detached
    expect(bits(await remote.run(view))).toEqual(bits(want));
    expect(big.byteLength).toBe((INPUT + 16) * 4);

    expect(bits(await remote.run(Array.from(x)))).toEqual(bits(want)); // a plain array is converted

    const img = image(40, 30, 4, 9);
    const pixels = img.data.slice();
    expect(await remote.classify({ ...img, data: pixels })).toEqual(await local.classify(img));
    expect(pixels.byteLength).toBe(0);
    const clamped = new Uint8ClampedArray(img.data);
    await remote.embed({ data: clamped, width: 40, height: 30, channels: 4 }, { transfer: false });
    expect(clamped.byteLength).toBe(40 * 30 * 4);

    const source = bytes.slice();
    const m = await loadModel(source, { worker: { url: bundle.url } }); // model bytes move too
    expect(source.byteLength).toBe(0);
    await m.dispose();
  });

  it('keeps error classes across the boundary', async () => {
    const wrong = remote.run(new Float32Array(10));
    await expect(wrong).rejects.toBeInstanceOf(InputError);
    await expect(wrong).rejects.toBeInstanceOf(EngineError);
    await expect(wrong).rejects.toThrow(/10 values, expected 27648/);
    const e = await remote.run(new Float32Array(10)).catch((err: Error) => err);
    expect((e as Error).name).toBe('InputError');
    expect((e as Error).stack).toMatch(/worker boundary/);
    await expect(remote.classify({ data: new Uint8Array(5), width: 2, height: 2 })).rejects.toBeInstanceOf(InputError);
    await expect(remote.classify(image(4, 4, 4, 1), { topK: 0 })).rejects.toThrow(/topK/);
    await expect(remote.classify(null as never)).rejects.toBeInstanceOf(InputError);
    await expect(loadModel(new Uint8Array(64).fill(7), { worker: { url: bundle.url } })).rejects.toBeInstanceOf(ModelFormatError);
    const x = tensor(11);
    expect(bits(await remote.run(x.slice()))).toEqual(bits(await local.run(x))); // still works
  });

  it('throws DisposedError after dispose (in the worker, and on the caller\'s side)', async () => {
    registerErrorTransfer();
    const thread = await spawnWorker(bundle.url);
    try {
      const api = wrap<EngineApi>(thread.endpoint);
      const { handle } = await api.load(bytes.slice(), {});
      await api.dispose(handle);
      await expect(api.run(handle, new Float32Array(INPUT))).rejects.toBeInstanceOf(DisposedError);
    } finally {
      await thread.terminate();
    }
    const m = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
    await m.dispose();
    await expect(m.run(new Float32Array(INPUT))).rejects.toBeInstanceOf(DisposedError);
    await m.dispose(); // idempotent
  });

  it('lets calls made before dispose() finish', async () => {
    const m = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
    const x = tensor(5);
    const p = m.run(x.slice());
    const d = m.dispose();
    expect(bits(await p)).toEqual(bits(await local.run(x)));
    await d;
  });

  it('rejects calls with the signal\'s AbortError and keeps working', async () => {
    const before = new AbortController();
    before.abort();
    const e1 = await remote.run(tensor(1), { signal: before.signal }).catch((e: Error) => e);
    expect(e1).toBeInstanceOf(DOMException);
    expect((e1 as DOMException).name).toBe('AbortError');
    const during = new AbortController();
    const p = remote.run(tensor(2), { signal: during.signal });
    during.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const x = tensor(3);
    expect(bits(await remote.run(x.slice()))).toEqual(bits(await local.run(x)));
  });

  it('rejects in-flight calls with WorkerCrashedError when the worker dies', async () => {
    for (const how of ['exit', 'throw'] as const) {
      const m = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
      await crashWorker(m, how, 'next-call');
      const calls = [1, 2, 3].map((s) => m.run(tensor(s)));
      for (const c of calls) await expect(c).rejects.toBeInstanceOf(WorkerCrashedError);
      await expect(calls[0]).rejects.toThrow(how === 'exit' ? /exited with code 70/ : /uncaught Error: __crash/);
      expect(m.alive).toBe(false);
      await expect(m.run(tensor(4))).rejects.toBeInstanceOf(WorkerCrashedError);
      await m.dispose();
    }
    const m = await loadModel(bytes.slice(), { worker: { url: bundle.url } });
    await expect(crashWorker(m, 'exit', 'now')).rejects.toBeInstanceOf(WorkerCrashedError);
  });

  it('reports a worker bundle that cannot start', async () => {
    const missing = new URL('./no-such-worker.js', bundle.url);
    await expect(loadModel(bytes.slice(), { worker: { url: missing } })).rejects.toBeInstanceOf(WorkerCrashedError);
  });

  it('runs the default model (paths resolved in the worker) like the in-process one', async () => {
    const [a, b] = await Promise.all([loadModel('default'), loadModel('default', { worker: { url: bundle.url } })]);
    try {
      expect(b.info.inputShape).toEqual([1, 224, 224, 3]);
      const img = image(320, 240, 4, 42);
      expect(await b.classify({ ...img, data: img.data.slice() }, { topK: 5 })).toEqual(await a.classify(img, { topK: 5 }));
    } finally {
      a.dispose();
      await b.dispose();
    }
  });

  it('does not keep Node alive when a worker model is left idle without dispose()', async () => {
    // A script that loads a worker model, uses it, and returns without disposing: the process must exit
    // (the worker is ref()'d only while calls are pending).
    const script = path.join(ROOT, 'build', `.worker-exit-test-${process.pid}.mjs`);
    const src = `import { loadModel, buildMobileNetV2, writeNative } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};
      const m = await loadModel(writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 })), { worker: { url: ${JSON.stringify(bundle.url.href)} } });
      const out = await m.run(new Float32Array(32 * 32 * 3));
      globalThis.keep = m; // still referenced: only unref(), not garbage collection, can let the process end
      console.log('ok', out.length);`;
    await esbuild.build({ stdin: { contents: src, resolveDir: ROOT, loader: 'ts' }, outfile: script, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'warning' });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 60_000, env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1' } });
      expect(stdout.trim()).toBe('ok 3'); // no colour: FORCE_COLOR (set on some CI hosts) would colour the 3
    } finally {
      rmSync(script, { force: true });
    }
  });
});

describeShared('worker model with the quantized TFLite models of ../shared', () => {
  it('run() moves a Uint8Array in and returns the uint8 output; segment() returns the class map', async () => {
    const file = sharedPath('models/mobilenet_v2_1.0_224_quant.tflite');
    const q = await loadModel(file);
    const w = await loadModel(file, { worker: { url: bundle.url } });
    expect(w.info).toMatchObject({ inputType: 'uint8', outputType: 'uint8', requant: 'fp32' });
    const x = Uint8Array.from({ length: 224 * 224 * 3 }, (_, i) => (i * 31) & 255);
    const want = await q.run(x);
    const moved = x.slice();
    const got = await w.run<Uint8Array>(moved);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(moved.length).toBe(0); // transferred
    expect(Array.from(await w.run(Array.from(x)))).toEqual(Array.from(want)); // plain numbers become the model's type
    await expect(w.run(new Float32Array(x.length))).rejects.toThrow(InputError);
    q.dispose();
    await w.dispose();

    const d = await loadModel(sharedPath('models/deeplabv3_mnv2_dm05_pascal_quant.tflite'), { worker: { url: bundle.url } });
    const img = image(40, 30, 3, 5);
    const seg = await d.segment(img, { size: { width: 40, height: 30 } });
    expect(seg).toMatchObject({ width: 40, height: 30 });
    expect(seg.classes).toBeInstanceOf(Uint8Array);
    expect(seg.labels[12]).toBe('dog');
    await d.dispose();
  });
});
