// createPool(): many calls answered correctly and each by its own promise, a bounded queue,
// cancellation, recovery from a dead worker, idle shutdown with lazy restart, and close().
// No timing assertions: waits are on observable state (vi.waitFor) with generous limits.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import {
  createPool, loadModel, buildMobileNetV2, writeNative, DisposedError, InputError, ModelFormatError, QueueFullError, WorkerCrashedError,
  type Model, type Pool, type PoolOptions,
} from '../../src/index.js';
import { __poolWorkers, crashWorker } from '../worker/hooks.js';
import { mulberry32 } from '../helpers/random.js';
import { workerBundle, type WorkerBundle } from '../worker/bundle.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const RES = 96;
const INPUT = RES * RES * 3;
let bundle: WorkerBundle;
let bytes: Uint8Array;
let local: Model;
const pools: Pool[] = [];

beforeAll(async () => {
  bundle = await workerBundle();
  bytes = writeNative(buildMobileNetV2({ alpha: 0.35, resolution: RES, classes: 10, seed: 4 }));
  local = await loadModel(bytes);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  local?.dispose();
  bundle?.cleanup();
});

const pool = (o: Partial<PoolOptions> = {}) => {
  const p = createPool({ model: bytes, worker: { url: bundle.url }, ...o });
  pools.push(p);
  return p;
};

const tensor = (seed: number) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: INPUT }, () => r() * 2 - 1);
};

const image = (seed: number) => {
  const r = mulberry32(seed);
  const width = 8 + (seed % 23), height = 6 + (seed % 17);
  return { data: Uint8Array.from({ length: width * height * 4 }, () => Math.floor(r() * 256)), width, height, channels: 4 as const };
};

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const settledAll = (ps: Promise<unknown>[]) => Promise.allSettled(ps);

describe('createPool', () => {
  it('answers 1000 queued calls, each promise with its own result', async () => {
    const p = pool({ size: 2 });
    type Call = { kind: 'run' | 'classify' | 'embed'; seed: number };
    const calls: Call[] = Array.from({ length: 1000 }, (_, i) => ({ kind: i % 50 === 0 ? 'run' : i % 50 === 1 ? 'embed' : 'classify', seed: i + 1 }));
    const want: unknown[] = [];
    for (const c of calls) {
      if (c.kind === 'run') want.push(bits(await local.run(tensor(c.seed))));
      else if (c.kind === 'embed') want.push(bits(await local.embed(image(c.seed))));
      else want.push(await local.classify(image(c.seed), { topK: 10 }));
    }
    expect(new Set(want.map((w) => JSON.stringify(w))).size).toBe(1000); // every call has a distinct answer

    const promises = calls.map((c) =>
      c.kind === 'run' ? p.run(tensor(c.seed)).then(bits)
        : c.kind === 'embed' ? p.embed(image(c.seed)).then(bits)
          : p.classify(image(c.seed), { topK: 10 }),
    );
    expect(p.pending).toBe(1000); // all waiting (maxQueue 1000 allows exactly 1000)
    const got = await Promise.all(promises);
    got.forEach((g, i) => expect(g, `call ${i} (${calls[i].kind})`).toEqual(want[i]));
    expect(p.pending).toBe(0);
    expect(p.size).toBe(2);
    expect(p.workers).toBeLessThanOrEqual(2);
    expect((await p.info()).inputShape).toEqual([1, RES, RES, 3]);
  });

  it('rejects calls beyond maxQueue with QueueFullError', async () => {
    const p = pool({ size: 1, maxQueue: 3 });
    const ok = [1, 2, 3].map((s) => p.classify(image(s)));
    const full = p.classify(image(4));
    await expect(full).rejects.toBeInstanceOf(QueueFullError);
    await expect(full).rejects.toThrow(/maxQueue 3/);
    const results = await Promise.all(ok);
    for (let i = 0; i < 3; i++) expect(results[i]).toEqual(await local.classify(image(i + 1)));
    expect(await p.classify(image(5))).toEqual(await local.classify(image(5))); // room again
  });

  it('drops an aborted waiting call with an AbortError', async () => {
    const p = pool({ size: 1 });
    const controllers = [0, 1, 2, 3, 4].map(() => new AbortController());
    const promises = controllers.map((c, i) => p.classify(image(i + 1), { signal: c.signal }));
    controllers[2].abort(); // still waiting: no worker has started yet
    expect(p.pending).toBe(4);
    const results = await settledAll(promises);
    const aborted = results[2] as PromiseRejectedResult;
    expect(aborted.status).toBe('rejected');
    expect(aborted.reason).toBeInstanceOf(DOMException);
    expect(aborted.reason.name).toBe('AbortError');
    for (const i of [0, 1, 3, 4]) expect(results[i]).toEqual({ status: 'fulfilled', value: await local.classify(image(i + 1)) });

    const pre = new AbortController();
    pre.abort(new Error('caller reason'));
    await expect(p.classify(image(1), { signal: pre.signal })).rejects.toThrow('caller reason'); // the signal's own reason
  });

  it('rejects an aborted running call without killing its worker', async () => {
    const p = pool({ size: 1 });
    await p.info(); // one worker up and idle
    const [worker] = __poolWorkers(p);
    const c = new AbortController();
    const running = p.run(tensor(1), { signal: c.signal }); // goes straight to the idle worker
    expect(p.pending).toBe(1);
    expect(worker.pending).toBe(1); // sent to the worker, not waiting in the pool's queue
    c.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(p.pending).toBe(0);
    const x = tensor(2);
    expect(bits(await p.run(x))).toEqual(bits(await local.run(tensor(2))));
    expect(__poolWorkers(p)).toEqual([worker]); // the same worker, not restarted
    expect(worker.alive).toBe(true);
  });

  it('rejects the calls of a worker that dies with WorkerCrashedError and keeps serving', async () => {
    for (const [size, how] of [[1, 'exit'], [2, 'throw']] as const) {
      const p = pool({ size });
      expect((await p.info()).isa).toBe(local.info.isa);
      const [victim] = __poolWorkers(p);
      await crashWorker(victim, how, 'next-call'); // its next call dies in flight
      const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
      const results = await settledAll(seeds.map((s) => p.classify(image(s))));
      const crashed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      // One call per worker at a time: only the armed call was on it.
      expect(crashed.map((r) => `${r.reason?.name}: ${r.reason?.message}`), `size ${size}, ${how}`).toEqual([expect.stringMatching(/^WorkerCrashedError: /)]);
      expect(crashed[0].reason).toBeInstanceOf(WorkerCrashedError);
      for (let i = 0; i < seeds.length; i++) {
        if (results[i].status === 'fulfilled') expect((results[i] as PromiseFulfilledResult<unknown>).value).toEqual(await local.classify(image(seeds[i])));
      }
      expect(__poolWorkers(p)).not.toContain(victim);
      expect(await p.classify(image(99))).toEqual(await local.classify(image(99)));
    }
  });

  it('replaces a worker that dies while idle', async () => {
    const p = pool({ size: 1 });
    await p.info();
    const [victim] = __poolWorkers(p);
    await expect(crashWorker(victim, 'exit', 'now')).rejects.toBeInstanceOf(WorkerCrashedError);
    await vi.waitFor(() => expect(p.workers).toBe(0), { timeout: 30_000, interval: 20 });
    expect(bits(await p.run(tensor(3)))).toEqual(bits(await local.run(tensor(3))));
    expect(__poolWorkers(p)).toHaveLength(1);
  });

  it('stops idle workers and restarts them on the next call', async () => {
    const p = pool({ size: 2, idleTimeoutMs: 50 });
    await Promise.all([1, 2, 3, 4].map((s) => p.classify(image(s))));
    expect(p.workers).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(p.workers).toBe(0), { timeout: 30_000, interval: 20 });
    expect(await p.classify(image(7))).toEqual(await local.classify(image(7)));
    expect(p.workers).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(p.workers).toBe(0), { timeout: 30_000, interval: 20 });
  });

  it('fails waiting calls with the load error when no worker can load the model, without respawning', async () => {
    const p = pool({ model: new Uint8Array(64).fill(7), size: 2 });
    const results = await settledAll([1, 2, 3].map((s) => p.classify(image(s))));
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ModelFormatError);
    expect(p.workers).toBe(0);
    expect(p.pending).toBe(0);
  });

  it('keeps typed errors from the worker and validates its options', async () => {
    const p = pool({ size: 1 });
    await expect(p.run(new Float32Array(10))).rejects.toBeInstanceOf(InputError);
    await expect(p.classify(image(1), { topK: 0 })).rejects.toThrow(/topK/);
    expect(() => createPool({ model: bytes, size: 0 })).toThrow(InputError);
    expect(() => createPool({ model: bytes, maxQueue: 0 })).toThrow(InputError);
    expect(() => createPool({ model: bytes, idleTimeoutMs: -1 })).toThrow(InputError);
  });

  it('close() rejects waiting calls, lets running ones finish, and refuses new ones', async () => {
    const p = pool({ size: 1 });
    await p.info();
    const running = p.classify(image(1));
    const waiting = settledAll([2, 3].map((s) => p.classify(image(s))));
    const closed = p.close();
    expect(await running).toEqual(await local.classify(image(1)));
    for (const w of await waiting) expect((w as PromiseRejectedResult).reason).toBeInstanceOf(DisposedError);
    await closed;
    expect(p.workers).toBe(0);
    await expect(p.classify(image(4))).rejects.toBeInstanceOf(DisposedError);
    await expect(p.info()).rejects.toBeInstanceOf(DisposedError);
  });

  it('profile() measures the plan on a worker; a segmentation call on a classifier fails like in process', async () => {
    const p = pool({ size: 1 });
    await p.run(tensor(5));
    const steps = await p.profile(2);
    const want = local.profile(1);
    expect(steps.map((s) => [s.name, s.kind, s.nodes, s.macs])).toEqual(want.map((s) => [s.name, s.kind, s.nodes, s.macs]));
    for (const s of steps) expect(s.ms).toBeGreaterThanOrEqual(0);
    await expect(p.segment(image(1))).rejects.toBeInstanceOf(InputError);
    await expect(p.segment(image(1))).rejects.toThrow(/not a segmentation model/);
    const aborted = new AbortController();
    aborted.abort();
    await expect(p.profile(1, { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await p.dispose(); // dispose() is close()
    await expect(p.profile()).rejects.toBeInstanceOf(DisposedError);
  });

  it('serves the default model given as a name (resolved in each worker)', async () => {
    const p = pool({ model: 'default', size: 1 });
    const info = await p.info();
    expect(info.inputShape).toEqual([1, 224, 224, 3]);
    expect(info.labels.length + info.labelOffset).toBe(info.outputShape[1]);
  });
});

describeShared('pool with the quantized DeepLab model of ../shared', () => {
  it('segment() gives the in-process class map, resampled to the size asked for', async () => {
    const file = sharedPath('models/deeplabv3_mnv2_dm05_pascal_quant.tflite');
    const d = await loadModel(file);
    const p = pool({ model: file, size: 2 });
    try {
      const seeds = [1, 2, 3, 4];
      const got = await Promise.all(seeds.map((s) => p.segment(image(s), s % 2 ? { size: { width: 40, height: 30 } } : {})));
      for (let i = 0; i < seeds.length; i++) {
        const want = await d.segment(image(seeds[i]), seeds[i] % 2 ? { size: { width: 40, height: 30 } } : {});
        expect(got[i]).toEqual(want);
      }
      expect(got[0]).toMatchObject({ width: 40, height: 30 });
      expect(got[0].labels[12]).toBe('dog');
    } finally {
      d.dispose();
      await p.close();
    }
  });
});
