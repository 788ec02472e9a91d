// The browser benchmark's harness (bench/browser/harness.ts) on a tiny configuration: the uint8 .tflite model,
// 1 thread, 3 alternating rounds, one first-inference sample per engine, in headless Chromium. Checks that the result is
// well formed (both engines timed every round, the wasm each loaded recorded, a crossOriginIsolated worker), that
// our output bytes equal LiteRT.js's and the TFLite oracle's for the same input, and that the report prints the
// issue's targets. Timings are not asserted (the machine is shared). Skips with a message without Chromium,
// dist/ or ../shared/data.
import { describe, expect, it } from 'vitest';
import { formatReport, missing, runBrowserBench, targets, type BenchResult } from '../../bench/browser/harness.js';

const why = missing(['uint8']);
if (why) console.warn(`[skip] browser benchmark test: ${why}`);

describe.skipIf(why !== null)('bench:browser harness (headless Chromium, tiny configuration)', () => {
  it('times ours and LiteRT.js alternating in one worker, with identical output bytes', async () => {
    const outcome = await runBrowserBench({ runs: 3, warmup: 1, models: ['uint8'], threads: [1], firstRuns: 1, pair: false });
    expect(outcome.skipped, outcome.skipped).toBeUndefined();
    const r = outcome as BenchResult;
    expect(r.chromium).toMatch(/^\d+\./);
    expect(r.sections).toHaveLength(1);
    const [s] = r.sections;
    expect(s).toMatchObject({ id: 'uint8-t1', model: 'uint8', threads: 1, crossOriginIsolated: true });
    expect(s.engines.map((e) => e.engine)).toEqual(['ours', 'litert']);
    for (const e of s.engines) {
      expect(e.times).toHaveLength(3);
      expect(e.stats.median).toBeGreaterThan(0);
      expect(e.stats.p10).toBeLessThanOrEqual(e.stats.median);
      expect(e.stats.p90).toBeGreaterThanOrEqual(e.stats.median);
      expect(e.info.threads).toBe(1);
    }
    const [ours, litert] = s.engines;
    expect(ours.wasmFetched).toEqual([`mobilenet-${String(ours.info.isa)}.wasm`]);
    expect(litert.wasmFetched).toHaveLength(1);
    expect(litert.wasmFetched[0]).toMatch(/^litert_wasm_(internal|compat_internal)\.wasm$/);
    expect(String(litert.info.build)).toBe(litert.wasmFetched[0].replace(/\.wasm$/, ''));

    // Output bytes: identical between the engines and to the TFLite oracle.
    expect(s.comparisons).toHaveLength(1);
    expect(s.comparisons[0]).toMatchObject({ peer: 'litert', identical: true, maxAbsDiff: 0, differing: 0 });
    expect(s.comparisons[0].ratio).toBeCloseTo(ours.stats.median / litert.stats.median, 9);
    expect(s.oracle).toEqual({ maxAbsDiff: 0, differing: 0 });

    // First inference: one fresh profile per engine, the same bytes out.
    expect(r.first).toHaveLength(1);
    const [f] = r.first;
    expect(f.ours).toHaveLength(1);
    expect(f.litert).toHaveLength(1);
    expect(f.identical).toBe(true);
    for (const x of [...f.ours, ...f.litert]) {
      expect(x.totalMs).toBeCloseTo(x.importMs + x.loadMs + x.firstRunMs, 6);
      expect(x.wasmFetched.length).toBeGreaterThan(0);
    }

    const rows = targets(r);
    const uint8 = rows.find((t) => t.target.startsWith('Chromium 1 thr, uint8'))!;
    expect(uint8.ratio).toBeCloseTo(s.comparisons[0].ratio, 9);
    expect(rows.find((t) => t.target.startsWith('First inference, fresh context, uint8'))!.ratio).toBeCloseTo(f.ratio, 9);
    expect(rows.find((t) => t.target.startsWith('Chromium 1 thr, int8'))!.ratio).toBeNull(); // not run here
    const report = formatReport(r);
    console.log(report);
    expect(report).toContain('output bytes identical, max |Δ| 0');
    expect(report).toMatch(/Targets \(issue 17/);
  }, 120_000);
});
