// classify() in every browser engine installed (Chromium, Firefox ESR, WebKitGTK) on every image source a page has (test/browser/page/inputs.js): raw pixels,
// ImageData, Blob, File, encoded bytes, <img> (still loading), <canvas>, OffscreenCanvas, ImageBitmap and
// VideoFrame must give exactly the pixels' result, on the main thread, in a worker model and in a pool; a
// playing <video> (its frames pass through the video pipeline) the same top-1. Bad sources get an InputError
// naming the problem and leave the model usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_TIMEOUT_MS } from './chromium.js';
import { ENGINES, visitPage, type Driver } from './engines.js';
import { startServer, type StaticServer } from './server.js';
import { CAT_PNG, distBuilt } from '../build/reference.js';

if (!distBuilt) console.warn('[skip] browser input tests: dist/ is not built; run `npm run build`');

interface Classification { index: number; label: string; score: number }
type Run = Classification[] | { error: string };
interface Result {
  ok: boolean; error?: string; width: number; height: number;
  runs: Record<'main' | 'worker' | 'pool', Record<string, Run>>; errors: Record<string, string>; after: Classification[];
}

const EXACT = ['ImageData', 'Blob', 'File', 'ArrayBuffer', 'Uint8Array', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'VideoFrame'];

let server: StaticServer;
beforeAll(async () => {
  if (distBuilt) server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

for (const engine of ENGINES) {
  const skip = engine.missing ?? (distBuilt ? null : 'dist/ is not built');
  describe.skipIf(skip !== null)(`classify() on browser image sources: ${engine.label}${skip ? ` — skipped: ${skip}` : ''}`, () => {
    let driver: Driver;
    let result: Result;

    beforeAll(async () => {
      driver = await engine.launch();
      const query = CAT_PNG ? '' : '?image=synthetic';
      const v = await visitPage<Result>(driver, `${server.origin}/plain/inputs.html${query}`);
      result = v.result;
      expect(result.ok, result.error).toBe(true);
      expect(v.consoleErrors).toEqual([]);
    }, PAGE_TIMEOUT_MS);

    afterAll(async () => {
      await driver?.close();
    });

    it.each(['main', 'worker', 'pool'] as const)('%s: every source gives the pixels\' result', (where) => {
      const runs = result.runs[where];
      const want = runs.pixels as Classification[];
      expect(Array.isArray(want), JSON.stringify(want)).toBe(true);
      if (CAT_PNG) expect(want[0].label).toBe('Egyptian cat');
      for (const kind of EXACT) {
        if (!(kind in runs)) continue; // VideoFrame where the browser lacks WebCodecs
        expect(runs[kind], `${where} ${kind}`).toEqual(want);
      }
      if (engine.name === 'chromium') expect(Object.keys(runs)).toContain('VideoFrame');
      const video = runs.HTMLVideoElement as Classification[] | { error: string } | undefined;
      if (video === undefined) return; // no canvas.captureStream in this engine
      expect(Array.isArray(video), `${where} video: ${JSON.stringify(video)}`).toBe(true);
      expect((video as Classification[])[0].index, `${where} video`).toBe(want[0].index);
      console.log(`${engine.name} ${where}: ${want[0].label} ${want[0].score.toFixed(4)}; video ${(video as Classification[])[0].label}`);
    });

    it('the main thread result equals the worker\'s and the pool\'s', () => {
      expect(result.runs.worker.pixels).toEqual(result.runs.main.pixels);
      expect(result.runs.pool.pixels).toEqual(result.runs.main.pixels);
    });

    it('bad sources: an InputError that names the problem, and the model keeps working', () => {
      expect(result.errors.string).toMatch(/^InputError: .*file path, which only Node reads/);
      expect(result.errors.object).toMatch(/^InputError: image: unsupported input/);
      expect(result.errors.broken).toMatch(/^InputError: image: cannot decode the image\/png \(3 bytes\)/);
      expect(result.after[0].index).toBe((result.runs.main.pixels as Classification[])[0].index);
    });
  });
}
