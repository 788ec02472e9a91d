// The built bundle in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): a plain
// <script type="module"> page (test/browser/page/) imports dist/index.js with no bundler, decodes cat.png
// with createImageBitmap + OffscreenCanvas and classifies it with the default model, on the main thread
// and (once dist/worker.js is built) through the worker option; with and without COOP/COEP
// (crossOriginIsolated) and under the CSP `script-src 'self' 'wasm-unsafe-eval'`, where no violation and no
// console error may occur. Every result must match Node's for the same pixels (dist/index.js in this
// process): top-1 identical, scores within 1e-4. Skips with a message when Chromium is not installed
// (.ci/run installs it: apt-get install chromium).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, PAGE_TIMEOUT_MS, hasChromium, launchChromium, visit, type Browser } from './chromium.js';
import { CSP, startServer, type Mode, type StaticServer } from './server.js';
import { CAT_PNG, DIST, classifyInNode, distBuilt, mismatch, referenceImage, type Classification } from '../build/reference.js';

const hasWorker = existsSync(path.join(DIST, 'worker.js'));
if (!hasChromium) console.warn(`[skip] browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does; or set CHROMIUM_PATH)`);
if (!distBuilt) console.warn('[skip] browser tests: dist/ is not built; run `npm run build`');
if (hasChromium && distBuilt && !hasWorker) console.warn('[skip] browser worker scenarios: dist/worker.js is not built yet (worker/index.ts missing)');

interface Run { requested: string; isa: string; kind: string; threads: number; top: Classification[] }
interface PageResult {
  ok: boolean; error?: string; runs: Run[]; pixels: string; width: number; height: number;
  crossOriginIsolated: boolean; hasSimd?: boolean; violations: string[];
}
interface Outcome { result: PageResult; consoleErrors: string[]; headers: Record<string, string> }

let server: StaticServer;
let browser: Browser;

describe.skipIf(!hasChromium || !distBuilt)('browser (headless Chromium)', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the test page in `mode` with `query`; waits for window.__result. */
  async function openPage(mode: Mode, query: Record<string, string>): Promise<Outcome> {
    if (!CAT_PNG) query = { ...query, image: 'synthetic' };
    const url = `${server.origin}/${mode}/page.html?${new URLSearchParams(query)}`;
    const v = await visit<PageResult>(browser.context, url);
    expect(v.status, url).toBe(200);
    return v;
  }

  const nodeResults = new Map<string, Promise<Classification[]>>();
  /** Node's top-5 for the exact pixels the page decoded (cached per pixel string). */
  function nodeTop(r: PageResult): Promise<Classification[]> {
    let p = nodeResults.get(r.pixels);
    if (!p) {
      const data = new Uint8Array(Buffer.from(r.pixels, 'base64'));
      p = classifyInNode({ data, width: r.width, height: r.height, channels: 4 }).then((n) => n.top);
      nodeResults.set(r.pixels, p);
    }
    return p;
  }

  async function expectMatchesNode(o: Outcome, label: string): Promise<void> {
    expect(o.result.ok, `${label}: ${o.result.error}`).toBe(true);
    const expected = await nodeTop(o.result);
    for (const run of o.result.runs) {
      const why = mismatch(run.top, expected);
      console.log(`${label}, ${run.kind}, isa ${run.isa}: ${run.top.map((c) => `${c.label} ${c.score.toFixed(6)}`).join(', ')}${why ? `  MISMATCH: ${why}` : ''}`);
      expect(why, `${label} (isa ${run.isa})`).toBeNull();
    }
  }

  it('decodes cat.png to the same pixels as sharp in Node', async () => {
    const o = await openPage('plain', { isa: 'auto' });
    expect(o.result.ok, o.result.error).toBe(true);
    const { image, source } = await referenceImage();
    expect([o.result.width, o.result.height]).toEqual([image.width, image.height]);
    const page = Buffer.from(o.result.pixels, 'base64');
    let differ = 0;
    for (let i = 0; i < page.length; i++) if (page[i] !== image.data[i]) differ++;
    console.log(`${source}: ${differ} of ${page.length} bytes differ between Chromium and sharp`);
    expect(differ).toBe(0);
  }, PAGE_TIMEOUT_MS);

  it('main thread: picks relaxed SIMD by itself and every kernel module matches Node', async () => {
    const o = await openPage('plain', { isa: 'auto,relaxed,simd,scalar' });
    await expectMatchesNode(o, 'main thread');
    expect(o.result.runs.map((r) => r.isa)).toEqual(['relaxed', 'relaxed', 'simd', 'scalar']);
    expect(o.result.runs.map((r) => r.kind)).toEqual(['Model', 'Model', 'Model', 'Model']);
    expect(o.result.crossOriginIsolated).toBe(false);
    expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it('main thread, cross-origin isolated (COOP/COEP)', async () => {
    const o = await openPage('coi', { isa: 'auto' });
    await expectMatchesNode(o, 'main thread, COOP/COEP');
    expect(o.result.crossOriginIsolated).toBe(true);
    expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it(`main thread under the CSP "${CSP}": classifies, no violation, no console error`, async () => {
    const o = await openPage('csp', { isa: 'auto,scalar' });
    expect(o.headers['content-security-policy']).toBe(CSP);
    await expectMatchesNode(o, 'main thread, CSP');
    expect(o.result.violations).toEqual([]);
    expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it('the CSP check itself: new Function on the page is blocked and reported (negative control)', async () => {
    const o = await openPage('csp', { isa: 'scalar', control: 'eval' });
    expect(o.result.ok, o.result.error).toBe(true);
    expect(o.result.violations.join('\n')).toMatch(/script-src/);
  }, PAGE_TIMEOUT_MS);

  it('main thread under the CSP and cross-origin isolated', async () => {
    const o = await openPage('csp-coi', { isa: 'auto' });
    await expectMatchesNode(o, 'main thread, CSP + COOP/COEP');
    expect(o.result.crossOriginIsolated).toBe(true);
    expect(o.result.violations).toEqual([]);
    expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
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
      expect(o.result.runs.map((r) => [r.kind, r.isa])).toEqual([['WorkerModel', 'relaxed']]);
      expect(o.result.crossOriginIsolated).toBe(isolated);
      expect(o.result.violations).toEqual([]);
      expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
    }, PAGE_TIMEOUT_MS);

    // Multi-threaded inference inside the worker: a thread team over a shared WebAssembly.Memory
    // where the page is cross-origin isolated; one thread, silently, where it is not.
    it.each([
      ['coi', 2],
      ['csp-coi', 2],
      ['plain', 1],
    ] as const)('worker with threads: 2, mode %s → %i thread(s)', async (mode, expected) => {
      const o = await openPage(mode, { isa: 'auto', worker: '1', threads: '2' });
      await expectMatchesNode(o, `worker threads 2, ${mode}`);
      expect(o.result.runs.map((r) => r.threads)).toEqual([expected]);
      expect(o.result.violations).toEqual([]);
      expect(o.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
    }, PAGE_TIMEOUT_MS);
  });
});
