// The Teach page (web/teach.html, web/src/teach.ts) end to end in headless Chromium, on the built app
// (scripts/build-web.mjs) served by scripts/serve-web.mjs: three classes (cat, dog, hotdog), 30 camera-sized
// (640×480) examples each from files (seeded crops of the imprinting *_train_* photos), the k-NN's live
// prediction, training in the worker, the trained head's predictions on the *_test_* photos, the .tflite and
// int8 .tflite downloads (loaded by our engine in Node: they name the test photos), a project file, deleting an
// example and a class, opening the project again, then offline: the page reloads from the service worker with
// its project from IndexedDB and gives the same predictions, number for number; and, with Chromium's fake
// camera, a burst of frames kept while "Hold to record" is held and live confidences. It logs the timing figures
// (embedding per example, training) of issue 16. Skips with a message without Chromium, dist/ or ../shared/data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, PAGE_TIMEOUT_MS, hasChromium, launchChromium, type Browser } from '../browser/chromium.js';
import { distBuilt } from '../build/reference.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';
import { augment, loadPhotos } from '../helpers/ptq-data.js';
import { loadModel } from '../../src/index.js';

interface WebServer { origin: string; close(): Promise<void> }
interface Shown { label: string; score: number }
const script = async <T>(name: string): Promise<T> => import(pathToFileURL(path.join(ROOT, 'scripts', name)).href) as Promise<T>;
const OUT = path.join(ROOT, 'build/web-teach-test');
const STEP_MS = 90_000;
const PER_CLASS = 30;
const LABELS = ['cat', 'dog', 'hotdog'];

describeShared('Teach page in headless Chromium', () => {
  if (!hasChromium || !distBuilt) {
    it.skip(`needs Chromium at ${CHROMIUM} and a built dist/`, () => {});
    return;
  }
  const TEST = LABELS.map((l) => sharedPath('images/imprinting', `${l}_test_0.jpg`));
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const figures: string[] = [];

  beforeAll(async () => {
    const { buildWeb } = await script<{ buildWeb(o: { outDir: string }): Promise<unknown> }>('build-web.mjs');
    const { serveWeb } = await script<{ serveWeb(o: { root: string; port: number }): Promise<WebServer> }>('serve-web.mjs');
    await buildWeb({ outDir: OUT });
    server = await serveWeb({ root: OUT, port: 0 });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url || 'no location'})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    await page.setViewportSize({ width: 1280, height: 900 });
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    console.log(`[teach page]\n  ${figures.join('\n  ')}`);
    await browser?.close();
    await server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  const ready = () => page.waitForSelector('body[data-state="ready"]', { timeout: STEP_MS });
  const run = () => page.$eval('#predictions', (e) => Number(e.getAttribute('data-run')));
  /** Picks a test image and returns the per-class confidences shown, with where they came from. */
  async function predict(file: string): Promise<{ shown: Shown[]; source: string }> {
    await ready();
    const before = await run();
    await page.setInputFiles('#test-file', file);
    await page.waitForSelector(`#predictions:not([data-run="${before}"]) li[data-label]`, { timeout: STEP_MS });
    const shown = await page.$$eval('#predictions li', (lis) => lis.map((li) => ({ label: li.getAttribute('data-label')!, score: Number(li.getAttribute('data-score')) })));
    return { shown, source: (await page.$eval('#predictions', (e) => e.getAttribute('data-source'))) ?? '' };
  }
  const top = (s: Shown[]) => s.reduce((a, b) => (b.score > a.score ? b : a)).label;
  async function downloaded(button: string): Promise<Buffer> {
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: STEP_MS }), page.click(button)]);
    return readFileSync((await d.path())!);
  }

  it('classes, examples from files, k-NN, training, predictions, exports, deleting, a project file, offline reload', async () => {
    await page.goto(`${server.origin}/teach.html`, { timeout: STEP_MS });
    await page.waitForSelector('#offline-status[data-ready="true"]', { timeout: STEP_MS });
    await ready();
    for (const l of LABELS) {
      await page.fill('#class-name', l);
      await page.click('#class-form button[type="submit"]');
      await page.waitForSelector(`#classes li[data-name="${l}"]`, { timeout: STEP_MS });
    }
    // 30 camera-sized JPEGs per class: seeded crops (rotation, flips, colour) of its training photos.
    const train = (await loadPhotos(sharedPath('images/imprinting'))).filter((p) => p.label.includes('_train_'));
    let embedMs = 0;
    for (const l of LABELS) {
      const mine = train.filter((p) => p.label.startsWith(`${l}_`));
      const files = [];
      for (let i = 0; i < PER_CLASS; i++) {
        const a = await augment([mine[i % mine.length]!], 500_000 + 100 * LABELS.indexOf(l) + i);
        const buffer = await sharp(a.data, { raw: { width: a.width, height: a.height, channels: 3 } }).resize(640, 480, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
        files.push({ name: `${l}-${i}.jpg`, mimeType: 'image/jpeg', buffer });
      }
      await page.setInputFiles(`#classes li[data-name="${l}"] input.class-files`, files);
      await page.waitForSelector(`#classes li[data-name="${l}"][data-count="${PER_CLASS}"]`, { timeout: STEP_MS });
      await ready();
      embedMs += Number(await page.$eval('#examples-status', (e) => e.getAttribute('data-embed-ms')));
    }
    figures.push(`embeddings: ${(embedMs / (3 * PER_CLASS)).toFixed(1)} ms per 640×480 example (${(embedMs / 1000).toFixed(2)} s for ${3 * PER_CLASS})`);
    // The engine's own speed in this page, side by side: classify() and embed() of one 640×480 image in a worker,
    // alternating, median of 9 each.
    // (A string: vitest would rewrite an import() written in the test file.)
    const speed = await page.evaluate(`(async () => {
      const { loadModel } = await import(new URL('dist/index.js', location.href).href);
      const m = await loadModel('default', { worker: true });
      const img = () => ({ data: new Uint8Array(640 * 480 * 4).map((_, i) => (i * 7) % 251), width: 640, height: 480, channels: 4 });
      const t = { classify: [], embed: [] };
      for (let i = 0; i < 10; i++) {
        for (const k of ['classify', 'embed']) {
          const x = img();
          const t0 = performance.now();
          await m[k](x);
          if (i > 0) t[k].push(performance.now() - t0);
        }
      }
      await m.dispose();
      const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
      return { classify: med(t.classify), embed: med(t.embed) };
    })()`) as { classify: number; embed: number };
    figures.push(`same page, default model in a worker, 640×480 input, median of 9: classify ${speed.classify.toFixed(1)} ms, embed ${speed.embed.toFixed(1)} ms`);

    // Before training: the k-NN.
    const knn = await predict(TEST[0]!);
    expect(knn.source).toBe('knn');
    expect(top(knn.shown)).toBe('cat');

    await page.click('#train-button');
    await page.waitForSelector('#train-status[data-seconds]', { timeout: STEP_MS });
    const seconds = Number(await page.$eval('#train-status', (e) => e.getAttribute('data-seconds')));
    figures.push(`training: ${seconds.toFixed(2)} s from the click to the trained head (90 examples); ${await page.textContent('#train-status')}`);
    expect(seconds).toBeLessThan(5);
    const before: Shown[][] = [];
    for (const [i, f] of TEST.entries()) {
      const p = await predict(f);
      expect(p.source).toBe('head');
      expect(top(p.shown), f).toBe(LABELS[i]);
      before.push(p.shown);
    }
    figures.push(`trained head on the test photos: ${before.map((s, i) => `${LABELS[i]} ${s[i]!.score.toFixed(3)}`).join(', ')}`);

    // Exports: loaded by our engine in Node, they name the test photos.
    for (const button of ['#export-tflite', '#export-int8']) {
      const bytes = await downloaded(button);
      const m = await loadModel(new Uint8Array(bytes));
      expect(m.info.labels).toEqual(LABELS);
      for (const [i, f] of TEST.entries()) expect((await m.classify(f, { topK: 1 }))[0]!.label, `${button} ${f}`).toBe(LABELS[i]);
      figures.push(`${button}: ${bytes.length} bytes, names the 3 test photos in Node`);
      m.dispose();
    }
    const project = await downloaded('#export-project');
    expect(JSON.parse(project.toString('utf8'))).toMatchObject({ format: 'mobilenet-wasm-teach', classes: LABELS });

    // Delete an example, then a class: the page follows; then open the project again.
    await page.click('#classes li[data-name="dog"] .delete-example');
    await page.waitForSelector(`#classes li[data-name="dog"][data-count="${PER_CLASS - 1}"]`, { timeout: STEP_MS });
    await page.click('#classes li[data-name="hotdog"] button.remove');
    await page.waitForSelector('#classes li[data-name="hotdog"]', { state: 'detached', timeout: STEP_MS });
    expect((await predict(TEST[0]!)).source).toBe('knn'); // the head was for three classes
    await page.setInputFiles('#import-project', { name: 'teach-project.json', mimeType: 'application/json', buffer: project });
    await page.waitForSelector(`#classes li[data-name="hotdog"][data-count="${PER_CLASS}"]`, { timeout: STEP_MS });
    for (const [i, f] of TEST.entries()) expect((await predict(f)).shown).toEqual(before[i]);

    // Offline: the page and its project come back from the service worker and IndexedDB, predictions unchanged.
    await browser.context.setOffline(true);
    const response = await page.reload({ timeout: STEP_MS });
    expect(response?.fromServiceWorker(), 'the page comes from the service worker').toBe(true);
    await ready();
    expect(await page.$$eval('#classes > li', (lis) => lis.map((li) => `${li.getAttribute('data-name')} ${li.getAttribute('data-count')}`)))
      .toEqual(LABELS.map((l) => `${l} ${PER_CLASS}`));
    for (const [i, f] of TEST.entries()) {
      const p = await predict(f);
      expect(p.source).toBe('head');
      expect(p.shown, `offline ${f}`).toEqual(before[i]);
    }
    await browser.context.setOffline(false);
    expect(consoleErrors).toEqual([]);
  }, 600_000);

  it('the camera (Chromium\'s fake device): holding "Hold to record" keeps a burst of frames; live confidences follow the frames', async () => {
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-chromium-teach-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM, headless: true, timeout: PAGE_TIMEOUT_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    try {
      await context.grantPermissions(['camera'], { origin: server.origin });
      const p = await context.newPage();
      await p.goto(`${server.origin}/teach.html`, { timeout: STEP_MS });
      await p.waitForSelector('body[data-state="ready"]', { timeout: STEP_MS });
      for (const l of ['still', 'moving']) {
        await p.fill('#class-name', l);
        await p.click('#class-form button[type="submit"]');
        await p.waitForSelector(`#classes li[data-name="${l}"]`, { timeout: STEP_MS });
      }
      for (const l of ['still', 'moving']) {
        const button = p.locator(`#classes li[data-name="${l}"] button.record`);
        await button.hover();
        await p.mouse.down();
        await p.waitForSelector(`#classes li[data-name="${l}"]:not([data-count="0"]):not([data-count="1"]):not([data-count="2"])`, { timeout: STEP_MS });
        await p.mouse.up();
      }
      const counts = await p.$$eval('#classes > li', (lis) => lis.map((li) => Number(li.getAttribute('data-count'))));
      expect(counts.every((n) => n >= 3)).toBe(true);
      // Released: no more frames are kept, while the live predictions go on.
      await p.waitForTimeout(500);
      const kept = await p.$eval('#classes', (e) => e.getAttribute('data-examples'));
      const run = await p.$eval('#predictions', (e) => Number(e.getAttribute('data-run')));
      await p.waitForSelector(`#predictions:not([data-run="${run}"]) li[data-label]`, { timeout: STEP_MS });
      expect(await p.$eval('#classes', (e) => e.getAttribute('data-examples'))).toBe(kept);
      expect(await p.$eval('#predictions', (e) => e.getAttribute('data-source'))).toBe('knn');
      figures.push(`camera burst: ${counts.join(' + ')} frames kept while held`);
      await p.click('#camera-toggle');
      expect(await p.$eval('#teach-camera', (v) => (v as HTMLVideoElement).srcObject)).toBeNull();
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
