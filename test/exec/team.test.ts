// When a thread team can run (a shared WebAssembly.Memory can be made, not merely an isolated page) and how
// many threads `threads: 'auto'` takes: the cores the runtime reports, at most 4, and at most 2 in browsers,
// whose navigator.hardwareConcurrency may overstate the machine (WebKit says 4 on a 2-core machine). The
// browser side of both runs for real in test/browser (WebKitGTK: isolated, no SharedArrayBuffer → 1 thread).
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTO_THREADS_MAX, AUTO_THREADS_MAX_BROWSER, autoThreads, sharedMemoryUsable, threadsAvailable } from '../../src/exec/team.js';
import { loadModel } from '../../src/index.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';

describe("threads: 'auto' policy (autoThreads)", () => {
  it('outside browsers: every reported core up to 4', () => {
    expect(AUTO_THREADS_MAX).toBe(4);
    expect([1, 2, 3, 4, 8, 64].map((c) => autoThreads(c, false))).toEqual([1, 2, 3, 4, 4, 4]);
  });

  it('in browsers: at most 2, whatever hardwareConcurrency says (WebKit on 2 cores reports 4)', () => {
    expect(AUTO_THREADS_MAX_BROWSER).toBe(2);
    expect([1, 2, 4, 8, 16].map((c) => autoThreads(c, true))).toEqual([1, 2, 2, 2, 2]);
  });

  it('an unknown or nonsensical core count means one thread', () => {
    for (const c of [undefined, 0, -3, NaN, Infinity, 0.5]) {
      expect(autoThreads(c, false), String(c)).toBe(1);
      expect(autoThreads(c, true), String(c)).toBe(1);
    }
    expect(autoThreads(3.7, false)).toBe(3);
  });

  it("loadModel(…, { threads: 'auto' }) in Node takes min(4, os.availableParallelism())", async () => {
    const model = await loadModel(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 }), { threads: 'auto' });
    try {
      expect(model.info.threads).toBe(Math.min(4, availableParallelism()));
    } finally {
      model.dispose();
    }
  });
});

describe('shared memory check', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('Node makes a shared WebAssembly.Memory, so a team can run', () => {
    expect(sharedMemoryUsable()).toBe(true);
    expect(threadsAvailable()).toBe(true);
  });

  it('without SharedArrayBuffer (WebKitGTK, even cross-origin isolated): no team, and loadModel runs one thread', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    vi.stubGlobal('crossOriginIsolated', true);
    expect(sharedMemoryUsable()).toBe(false);
    expect(threadsAvailable()).toBe(false);
    const model = await loadModel(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 }), { threads: 2 });
    try {
      expect(model.info.threads).toBe(1);
    } finally {
      model.dispose();
    }
  });

  it('a runtime that has SharedArrayBuffer but refuses shared memories: no team', () => {
    const Memory = WebAssembly.Memory;
    vi.stubGlobal('WebAssembly', {
      ...WebAssembly,
      Memory: function (d: WebAssembly.MemoryDescriptor) {
        if (d.shared) throw new TypeError('shared memory is disabled');
        return new Memory(d);
      },
    });
    expect(typeof SharedArrayBuffer).toBe('function');
    expect(sharedMemoryUsable()).toBe(false);
    expect(threadsAvailable()).toBe(false);
  });
});

describe('thread team start-up on Node', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('starts with node:worker_threads even when another library set globalThis.Worker (LiteRT.js sets it to worker_threads.Worker)', async () => {
    const { Worker } = await import('node:worker_threads');
    vi.stubGlobal('Worker', Worker);
    const g = buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 });
    const one = await loadModel(g);
    // Before: the team took the Web Worker path, set onmessage on a worker_threads.Worker and waited forever.
    const two = await Promise.race([
      loadModel(g, { threads: 2 }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('loadModel({ threads: 2 }) did not resolve within 20 s')), 20_000)),
    ]);
    try {
      expect(two.info.threads).toBe(2);
      const x = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => Math.sin(i));
      expect(await two.run(x)).toEqual(await one.run(x));
    } finally {
      one.dispose();
      two.dispose();
    }
  }, 30_000);
});
