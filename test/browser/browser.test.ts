// The built bundle in three browser engines (test/browser/engines.ts: headless Chromium, headless Firefox
// ESR over WebDriver BiDi, WebKitGTK's MiniBrowser over WebDriver on Xvfb), every scenario written once: a
// plain <script type="module"> page (test/browser/page/) imports dist/index.js with no bundler, decodes
// cat.png with createImageBitmap + OffscreenCanvas and classifies it with the default model, on the main
// thread and through the worker option (with 2 and 'auto' threads); with and without COOP/COEP
// (crossOriginIsolated) and under the CSP `script-src 'self' 'wasm-unsafe-eval'`, where no violation and no
// console error may occur. Every result must match Node's for the same pixels (dist/index.js in this
// process): top-1 identical, scores within 1e-4. Each engine skips with a message when its browser is not
// installed (.ci/run installs them: apt-get install chromium firefox-esr webkit2gtk-driver xvfb).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_TIMEOUT_MS } from './chromium.js';
import { ENGINES, visitPage, type Driver } from './engines.js';
import { CSP, startServer, type Mode, type StaticServer } from './server.js';
import { CAT_PNG, DIST, classifyInNode, distBuilt, mismatch, referenceImage, type Classification } from '../build/reference.js';

const hasWorker = existsSync(path.join(DIST, 'worker.js'));
if (!distBuilt) console.warn('[skip] browser tests: dist/ is not built; run `npm run build`');
if (distBuilt && !hasWorker) console.warn('[skip] browser worker scenarios: dist/worker.js is not built yet (worker/index.ts missing)');

interface Run { requested: string; isa: string; kind: string; threads: number; top: Classification[] }
interface PageResult {
  ok: boolean; error?: string; runs: Run[]; pixels: string; width: number; height: number;
  crossOriginIsolated: boolean; hasSimd?: boolean; violations: string[];
  /** Kernel modules the page's own probes validate, best first; whether it can make shared memory. */
  isas: string[]; sharedMemory: boolean; hardwareConcurrency: number; warnings: string[];
}
interface Outcome { result: PageResult; consoleErrors: string[] }

const nodeResults = new Map<string, Promise<Classification[]>>();
/** Node's top-5 for the exact pixels a page decoded (cached per pixel string, shared by every engine). */
function nodeTop(r: PageResult): Promise<Classification[]> {
  let p = nodeResults.get(r.pixels);
  if (!p) {
    const data = new Uint8Array(Buffer.from(r.pixels, 'base64'));
    p = classifyInNode({ data, width: r.width, height: r.height, channels: 4 }).then((n) => n.top);
    nodeResults.set(r.pixels, p);
  }
  return p;
}

let server: StaticServer;
beforeAll(async () => {
  if (distBuilt) server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

for (const engine of ENGINES) {
  const skip = engine.missing ?? (distBuilt ? null : 'dist/ is not built');
  describe.skipIf(skip !== null)(`browser: ${engine.label}${skip ? ` — skipped: ${skip}` : ''}`, () => {
    let driver: Driver;
    let started = 0;

    beforeAll(async () => {
      started = Date.now();
      driver = await engine.launch();
      console.log(`${engine.name}: ${driver.version}`);
    }, PAGE_TIMEOUT_MS);

    afterAll(async () => {
      await driver?.close();
      console.log(`${engine.name}: browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    /** Opens the test page in `mode` with `query`; waits for window.__result. */
    async function openPage(mode: Mode, query: Record<string, string>): Promise<Outcome> {
      if (!CAT_PNG) query = { ...query, image: 'synthetic' };
      return visitPage<PageResult>(driver, `${server.origin}/${mode}/page.html?${new URLSearchParams(query)}`);
    }

    async function expectMatchesNode(o: Outcome, label: string): Promise<void> {
      expect(o.result.ok, `${label}: ${o.result.error}`).toBe(true);
      const expected = await nodeTop(o.result);
      for (const run of o.result.runs) {
        const why = mismatch(run.top, expected);
        console.log(`${engine.name}, ${label}, ${run.kind}, isa ${run.isa}, ${run.threads} thread(s): ${run.top.map((c) => `${c.label} ${c.score.toFixed(6)}`).join(', ')}${why ? `  MISMATCH: ${why}` : ''}`);
        expect(why, `${label} (isa ${run.isa})`).toBeNull();
      }
    }

    const noConsoleErrors = (o: Outcome) => expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);

    it('decodes cat.png to the same pixels as sharp in Node', async () => {
      const o = await openPage('plain', { isa: 'auto' });
      expect(o.result.ok, o.result.error).toBe(true);
      const { image, source } = await referenceImage();
      expect([o.result.width, o.result.height]).toEqual([image.width, image.height]);
      const page = Buffer.from(o.result.pixels, 'base64');
      let differ = 0;
      for (let i = 0; i < page.length; i++) if (page[i] !== image.data[i]) differ++;
      console.log(`${engine.name}: ${source}: ${differ} of ${page.length} bytes differ from sharp`);
      expect(differ).toBe(0);
    }, PAGE_TIMEOUT_MS);

    it('main thread: auto picks the best kernel module the engine validates, and every module it validates matches Node', async () => {
      const o = await openPage('plain', { isa: 'supported' });
      await expectMatchesNode(o, 'main thread');
      const { isas } = o.result;
      console.log(`${engine.name}: validates ${isas.join(', ')}; hardwareConcurrency ${o.result.hardwareConcurrency}`);
      expect(isas, 'WebAssembly SIMD128 (every engine tested has it)').toContain('simd');
      expect(o.result.runs.map((r) => r.isa)).toEqual([isas[0], ...isas]);
      expect(o.result.runs.map((r) => r.kind)).toEqual(o.result.runs.map(() => 'Model'));
      expect(o.result.crossOriginIsolated).toBe(false);
      noConsoleErrors(o);
    }, PAGE_TIMEOUT_MS);

    it('main thread, cross-origin isolated (COOP/COEP)', async () => {
      const o = await openPage('coi', { isa: 'auto' });
      await expectMatchesNode(o, 'main thread, COOP/COEP');
      expect(o.result.crossOriginIsolated).toBe(true);
      expect(o.result.sharedMemory, `shared memory on an isolated page (if ${engine.name} changed, update sharedMemoryWhenIsolated in engines.ts)`).toBe(engine.sharedMemoryWhenIsolated);
      noConsoleErrors(o);
    }, PAGE_TIMEOUT_MS);

    // A window may not block in Atomics.wait, which a team's leader does: threads on the main thread run on one,
    // and the engine says so once, pointing to the worker option (which the next block shows using two).
    it('main thread, cross-origin isolated, threads: 2: runs on 1 thread, says so in info.threads and one console warning', async () => {
      const o = await openPage('coi', { isa: 'auto,simd', threads: '2' });
      await expectMatchesNode(o, 'main thread, COOP/COEP, threads 2');
      expect(o.result.runs.map((r) => r.threads)).toEqual([1, 1]);
      const said = o.result.warnings.filter((w) => w.includes('mobilenet-wasm: threads: 2 runs on 1 thread'));
      expect(said.length, o.result.warnings.join('\n')).toBe(o.result.sharedMemory ? 1 : 0);
      if (o.result.sharedMemory) expect(said[0]).toContain('worker: true');
      noConsoleErrors(o);
    }, PAGE_TIMEOUT_MS);

    it(`main thread under the CSP "${CSP}": classifies, no violation, no console error`, async () => {
      const o = await openPage('csp', { isa: 'auto,scalar' });
      await expectMatchesNode(o, 'main thread, CSP');
      expect(o.result.violations).toEqual([]);
      noConsoleErrors(o);
    }, PAGE_TIMEOUT_MS);

    it('the CSP check itself: new Function on the page is blocked and reported (negative control)', async () => {
      const o = await openPage('csp', { isa: 'scalar', control: 'eval' });
      expect(o.result.ok, o.result.error).toBe(true);
      expect(o.result.violations.join('\n')).toMatch(/script-src/);
    }, PAGE_TIMEOUT_MS);

    it('the console-error check itself: a console.error and an uncaught error are both reported (negative control)', async () => {
      const o = await openPage('plain', { isa: 'scalar', control: 'errors' });
      expect(o.result.ok, o.result.error).toBe(true);
      expect(o.consoleErrors.join('\n')).toMatch(/deliberate console error/);
      expect(o.consoleErrors.join('\n')).toMatch(/deliberate uncaught error/);
    }, PAGE_TIMEOUT_MS);

    it('main thread under the CSP and cross-origin isolated', async () => {
      const o = await openPage('csp-coi', { isa: 'auto' });
      await expectMatchesNode(o, 'main thread, CSP + COOP/COEP');
      expect(o.result.crossOriginIsolated).toBe(true);
      expect(o.result.violations).toEqual([]);
      noConsoleErrors(o);
    }, PAGE_TIMEOUT_MS);

    describe.skipIf(!hasWorker)(`in a Web Worker (worker option)${hasWorker ? '' : ' — skipped: dist/worker.js not built yet'}`, () => {
      it.each([
        ['plain', false],
        ['coi', true],
        ['csp', false],
        ['csp-coi', true],
      ] as const)('worker, mode %s', async (mode, isolated) => {
        const o = await openPage(mode, { isa: 'auto', worker: '1' });
        await expectMatchesNode(o, `worker, ${mode}`);
        expect(o.result.runs.map((r) => [r.kind, r.isa])).toEqual([['WorkerModel', o.result.isas[0]]]);
        expect(o.result.crossOriginIsolated).toBe(isolated);
        expect(o.result.violations).toEqual([]);
        noConsoleErrors(o);
      }, PAGE_TIMEOUT_MS);

      // Multi-threaded inference inside the worker: a thread team over a shared WebAssembly.Memory where
      // the page is cross-origin isolated and the engine has SharedArrayBuffer; one thread, silently,
      // elsewhere (WebKitGTK is isolated without it).
      it.each([
        ['coi', true],
        ['csp-coi', true],
        ['plain', false],
      ] as const)('worker with threads: 2, mode %s', async (mode, isolated) => {
        const o = await openPage(mode, { isa: 'auto', worker: '1', threads: '2' });
        await expectMatchesNode(o, `worker threads 2, ${mode}`);
        const expected = isolated && engine.sharedMemoryWhenIsolated ? 2 : 1;
        expect(o.result.sharedMemory).toBe(isolated && engine.sharedMemoryWhenIsolated);
        expect(o.result.runs.map((r) => r.threads)).toEqual([expected]);
        expect(o.result.violations).toEqual([]);
        noConsoleErrors(o);
      }, PAGE_TIMEOUT_MS);

      // threads: 'auto' in a browser takes at most 2 threads, whatever hardwareConcurrency says (WebKit
      // reports 4 on a 2-core machine), and 1 without shared memory.
      it("worker with threads: 'auto', cross-origin isolated", async () => {
        const o = await openPage('coi', { isa: 'auto', worker: '1', threads: 'auto' });
        await expectMatchesNode(o, "worker threads 'auto', coi");
        const cores = o.result.hardwareConcurrency;
        const expected = engine.sharedMemoryWhenIsolated ? Math.max(1, Math.min(2, cores)) : 1;
        console.log(`${engine.name}: hardwareConcurrency ${cores} → threads 'auto' = ${o.result.runs[0].threads}`);
        expect(o.result.runs.map((r) => r.threads)).toEqual([expected]);
        noConsoleErrors(o);
      }, PAGE_TIMEOUT_MS);
    });
  });
}
