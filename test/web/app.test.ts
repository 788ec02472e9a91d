// The classifier page's behaviour (web/src/app.ts and friends) in headless Chromium, on the built app
// (scripts/build-web.mjs) served by scripts/serve-web.mjs:
// - messages appear where their cause is and a success there clears them (a bad image in the image panel,
//   never in the model panel);
// - a truncated JPEG / PNG is classified with a warning naming what is missing;
// - the per-step chart has a row per step it counts, none cut or hidden, full names in the titles;
// - a TFLite model is named by its file (not the graph's "main"), and a long file name wraps only at its
//   separators;
// - a quantized model runs as int8 or as its float32 twin (LoadOptions.precision);
// - a segmentation model shows its mask and a legend of the classes present with their colours;
// - an SSD detector (the shared COCO model) draws labelled boxes over the image and lists them, on a photo
//   and on the live camera (screenshot: build/test-artifacts/app-detection.png);
// - the live camera (Chromium's fake device) classifies continuously with a frame rate, pauses while the
//   tab is hidden, and stops every track when stopped, from the keyboard too.
// Skips with a message without Chromium, dist/ or ../shared/data.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, PAGE_TIMEOUT_MS, hasChromium } from '../browser/chromium.js';
import { distBuilt } from '../build/reference.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';

interface WebServer { origin: string; close(): Promise<void> }
const script = async <T>(name: string): Promise<T> => import(pathToFileURL(path.join(ROOT, 'scripts', name)).href) as Promise<T>;

const OUT = path.join(ROOT, 'build/web-app-test');
const ARTIFACTS = path.join(ROOT, 'build/test-artifacts');
const STEP_MS = 60_000;
/** Whether the library has LoadOptions.precision (a quantized model's float32 twin), from its published types. */

if (!hasChromium) console.warn(`[skip] web app behaviour tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
if (!distBuilt) console.warn('[skip] web app behaviour tests: dist/ is not built; run `npm run build`');

describeShared('web app behaviour in headless Chromium', () => {
  if (!hasChromium || !distBuilt) {
    it.skip(`needs Chromium at ${CHROMIUM} and a built dist/`, () => {});
    return;
  }
  const CAT = sharedPath('images', 'cat.png');
  const HOT_DOG = sharedPath('images', 'hot_dog.jpg');
  const DOG_SEG = sharedPath('images', 'dog_segmentation.png');
  const QUANT = sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite');
  const DEEPLAB = sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite');
  const SSD = sharedPath('models', 'ssd_mobilenet_v2_coco_quant_postprocess.tflite');
  const COCO_LABELS = sharedPath('labels', 'coco_labels.txt');
  const KITES = sharedPath('images', 'kite_and_cold.jpg');
  let server: WebServer;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const { buildWeb } = await script<{ buildWeb(o: { outDir: string }): Promise<unknown> }>('build-web.mjs');
    const { serveWeb } = await script<{ serveWeb(o: { root: string; port: number }): Promise<WebServer> }>('serve-web.mjs');
    await buildWeb({ outDir: OUT });
    server = await serveWeb({ root: OUT, port: 0 });
    // Launched here rather than with test/browser/chromium.ts: the live camera needs Chromium's fake
    // capture device and an auto-accepted permission prompt.
    const { chromium } = await import('playwright-core');
    userDataDir = mkdtempSync(path.join(tmpdir(), 'mnw-chromium-app-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, timeout: PAGE_TIMEOUT_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    await context.grantPermissions(['camera'], { origin: server.origin });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url || 'no location'})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.origin}/`, { timeout: STEP_MS });
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  const run = () => page.$eval('#results', (e) => Number(e.getAttribute('data-run')));
  const ready = () => page.waitForSelector('body[data-state="ready"]', { timeout: STEP_MS });
  const text = (sel: string) => page.$eval(sel, (e) => e.textContent ?? '');
  /** Picks an image file and waits for the run it causes. */
  async function pick(file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await ready();
    const before = await run();
    await page.setInputFiles('#image-file', file);
    await page.waitForSelector(`#results:not([data-run="${before}"])`, { timeout: STEP_MS, state: 'attached' });
    await ready();
  }
  async function addModel(file: string | string[]): Promise<void> {
    await ready();
    await page.setInputFiles('#model-file', file);
    await page.waitForSelector('#model-message[data-kind="info"]:has-text("stored it for offline use")', { timeout: STEP_MS });
    await ready();
  }
  async function removeModel(name: string): Promise<void> {
    await page.click(`#model-list li[data-name="${name}"] button.remove`);
    await page.waitForSelector('#model-message:has-text("Removed")', { timeout: STEP_MS });
    await ready();
  }

  it('an image error shows in the image panel only, and the next image clears it', async () => {
    await ready();
    await page.setInputFiles('#image-file', { name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('this is not a PNG') });
    await page.waitForSelector('#image-message[data-kind="error"]:has-text("holiday.png")', { timeout: STEP_MS });
    expect(await text('#image-message')).toMatch(/Could not decode “holiday\.png”/);
    expect(await text('#model-message')).toBe('');
    await pick(CAT);
    expect(await text('#image-message')).toBe('');
    expect(await page.$eval('#image-message', (e) => getComputedStyle(e).display)).toBe('none');
    expect(await text('#model-message')).toBe('');
  }, PAGE_TIMEOUT_MS);

  it('a truncated JPEG and a truncated PNG: classified with a warning that says what is missing; a whole file clears it', async () => {
    const jpeg = readFileSync(HOT_DOG);
    await pick({ name: 'cut.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) });
    const warning = await text('#image-message');
    console.log(warning);
    expect(await page.$eval('#image-message', (e) => e.getAttribute('data-kind'))).toBe('warning');
    expect(warning).toMatch(/“cut\.jpg” is incomplete: the JPEG file is cut off after [\d,]+ bytes \(missing .*EOI/);
    expect(await page.$$eval('#results li', (l) => l.length)).toBeGreaterThan(0);
    expect(await page.$eval('#preview', (e) => e.getAttribute('aria-label'))).toContain('incomplete');
    await pick(HOT_DOG);
    expect(await text('#image-message')).toBe('');
    const png = readFileSync(CAT);
    await pick({ name: 'cut.png', mimeType: 'image/png', buffer: png.subarray(0, Math.floor(png.length * 0.5)) });
    expect(await text('#image-message')).toMatch(/“cut\.png” is incomplete: the PNG file is cut off .*IEND/);
    await pick(CAT);
    expect(await text('#image-message')).toBe('');
  }, PAGE_TIMEOUT_MS);

  /** The chart's rows against its "N steps" line: all there, none cut, none scrolled out of sight. */
  async function checkChart(): Promise<number> {
    const total = await text('#chart-total');
    const n = Number(/^(\d+) steps/.exec(total)?.[1]);
    const rows = await page.$$eval('#profile-chart li', (lis) => lis.map((li) => {
      const name = li.querySelector<HTMLElement>('.name')!;
      return { title: (li as HTMLElement).title, name: name.textContent ?? '', cut: name.scrollWidth > name.clientWidth + 1, height: li.getBoundingClientRect().height };
    }));
    expect(rows).toHaveLength(n);
    expect(rows.filter((r) => r.cut).map((r) => r.name)).toEqual([]);
    expect(rows.every((r) => r.height > 0)).toBe(true);
    const chart = await page.$eval('#profile-chart', (e) => ({ scroll: e.scrollHeight, client: e.clientHeight, overflow: getComputedStyle(e).overflowY }));
    expect(chart.scroll <= chart.client + 1 || chart.overflow === 'visible').toBe(true);
    for (const [i, r] of rows.entries()) {
      expect(r.name.startsWith(`${i + 1}. `)).toBe(true);
      expect(r.title.startsWith(`${i + 1}. `)).toBe(true);
      expect(r.title.length).toBeGreaterThan(r.name.length - 3);
    }
    return n;
  }

  it('the per-step chart shows a row for every step it counts, names whole, at 1280 px and 360 px', async () => {
    const n = await checkChart();
    expect(n).toBeGreaterThan(10);
    await page.setViewportSize({ width: 360, height: 740 });
    await checkChart();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, PAGE_TIMEOUT_MS);

  it('a .tflite is named by its file, not "main"; its long name wraps only between its parts; its chart is whole', async () => {
    await addModel(QUANT);
    await pick(CAT);
    const name = 'mobilenet_v2_1.0_224_quant.tflite';
    expect(await text('#latency')).toContain(`with ${name}`);
    expect(await text('#latency')).not.toMatch(/\bmain\b/);
    expect(await text('#model-stats')).toContain(`Model${name} (tflite)`);
    expect(await page.$eval('#results', (e) => e.getAttribute('data-model'))).toBe(name);
    await checkChart();
    // At phone width the name takes several lines; every line break falls after _ . or -.
    await page.setViewportSize({ width: 360, height: 740 });
    const breaks = await page.$eval(`#model-list li[data-name="${name}"] .name`, (span) => {
      const range = document.createRange();
      const chars: { c: string; top: number }[] = [];
      const walker = document.createTreeWalker(span, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (t.parentElement?.tagName === 'SMALL') break;
        for (let i = 0; i < t.textContent!.length; i++) {
          range.setStart(t, i);
          range.setEnd(t, i + 1);
          chars.push({ c: t.textContent![i], top: Math.round(range.getBoundingClientRect().top) });
        }
      }
      const lines = new Set(chars.map((x) => x.top)).size;
      const after = chars.slice(1).flatMap((x, i) => (x.top > chars[i].top ? [chars[i].c] : []));
      return { lines, after };
    });
    console.log(`file name at 360 px: ${breaks.lines} line(s), breaks after ${JSON.stringify(breaks.after)}`);
    for (const c of breaks.after) expect('_.-/').toContain(c);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, PAGE_TIMEOUT_MS);

  it('a quantized model runs as float32 (its twin) and as int8, from the precision control', async () => {
    const name = 'mobilenet_v2_1.0_224_quant.tflite';
    await page.waitForSelector(`#model-list li[data-name="${name}"][aria-current]`, { timeout: STEP_MS });
    for (const [value, input] of [['f32', 'float32'], ['int8', 'uint8']] as const) {
      const before = await run();
      await page.check(`input[name="precision"][value="${value}"]`);
      await page.waitForSelector(`#results:not([data-run="${before}"])`, { timeout: STEP_MS });
      await ready();
      expect(await text('#model-stats')).toContain(`Input1×224×224×3 ${input}`);
      expect(await page.$eval(`input[name="precision"][value="${value}"]`, (e) => (e as HTMLInputElement).checked)).toBe(true);
      expect(await page.$eval('input[name="precision"][value="int8"]', (e) => (e as HTMLInputElement).disabled)).toBe(false);
      expect(await page.$eval('#requant', (e) => (e as HTMLSelectElement).disabled)).toBe(value === 'f32');
      expect(await page.$eval('#results li', (li) => li.getAttribute('data-label'))).toBe('Egyptian cat');
    }
  }, PAGE_TIMEOUT_MS);

  it('a segmentation model: the mask over the image and a legend of the classes in it with their colours', async () => {
    const name = 'deeplabv3_mnv2_dm05_pascal_quant.tflite';
    await addModel(DEEPLAB);
    expect(await text('#model-message')).toContain('segmentation');
    await pick(DOG_SEG);
    expect(await page.$eval('#segmentation', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#results', (e) => (e as HTMLElement).hidden)).toBe(true);
    const legend = await page.$$eval('#legend li', (lis) => lis.map((li) => ({
      label: li.getAttribute('data-label')!, color: li.getAttribute('data-color')!, share: Number(li.getAttribute('data-share')),
      swatch: getComputedStyle(li.querySelector('.swatch')!).backgroundColor, text: li.textContent ?? '',
    })));
    console.log(`legend: ${legend.map((l) => `${l.label} ${l.color} ${(100 * l.share).toFixed(1)} %`).join(', ')}`);
    const labels = legend.map((l) => l.label);
    expect(labels).toContain('dog');
    expect(labels).toContain('background');
    const dog = legend.find((l) => l.label === 'dog')!;
    expect(dog.color).toBe('rgb(64, 0, 128)'); // PASCAL VOC colour map: class 12
    expect(dog.swatch).toBe('rgb(64, 0, 128)');
    expect(dog.share).toBeGreaterThan(0.05);
    expect(legend.reduce((a, l) => a + l.share, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < legend.length; i++) expect(legend[i - 1].share).toBeGreaterThanOrEqual(legend[i].share);
    // The mask canvas: tinted with the dog's colour where the dog is.
    const tinted = await page.$eval('#mask', (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let purple = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > d[i + 1] + 40 && d[i] > d[i + 1]) purple++;
      return purple / (d.length / 4);
    });
    expect(tinted).toBeGreaterThan(0.02);
    expect(await text('#latency')).toContain(`with ${name}`);
    await removeModel(name);
    await pick(CAT);
    expect(await page.$eval('#segmentation', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#results', (e) => (e as HTMLElement).hidden)).toBe(false);
  }, PAGE_TIMEOUT_MS);

  it.skipIf(!existsSync(SSD) || !existsSync(COCO_LABELS))('an SSD detector: labelled boxes over the photo and the live camera, listed best first', async () => {
    const name = 'ssd_mobilenet_v2_coco_quant_postprocess.tflite';
    await addModel([SSD, COCO_LABELS]);
    expect(await text('#model-message')).toMatch(/detection, 9[01] classes/);
    await pick(KITES);
    expect(await page.$eval('#detection', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#results', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#segmentation', (e) => (e as HTMLElement).hidden)).toBe(true);
    const found = await page.$$eval('#detections li', (lis) => lis.map((li) => ({
      label: li.getAttribute('data-label')!, score: Number(li.getAttribute('data-score')), box: li.getAttribute('data-box')!.split(',').map(Number),
    })));
    console.log(`detections: ${found.map((d) => `${d.label} ${d.score.toFixed(3)} [${d.box.join(',')}]`).join('; ')}`);
    // The TFLite runtime's answer for this photo (../shared/data/oracle/detect): kites and persons above 0.5.
    const labels = new Set(found.map((d) => d.label));
    expect(labels.has('kite') && labels.has('person')).toBe(true);
    expect(found.every((d) => d.score >= 0.5)).toBe(true);
    for (let i = 1; i < found.length; i++) expect(found[i - 1].score).toBeGreaterThanOrEqual(found[i].score);
    const size = await page.$eval('#preview', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    for (const d of found) {
      const [x, y, w, h] = d.box;
      expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= size[0] + 1 && y + h <= size[1] + 1, `${d.label} box ${d.box} in ${size}`).toBe(true);
    }
    expect(await page.$eval('#boxes', (e) => e.getAttribute('aria-label'))).toMatch(/^Objects found: kite \d+ %/);
    expect(await text('#latency')).toContain(`with ${name}: ${found.length} objects found`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#detection').screenshot({ path: path.join(ARTIFACTS, 'app-detection.png') });

    // The live camera (Chromium's fake device): frame after frame detected, with the frame rate shown.
    const start = await run();
    await page.click('#camera-button');
    await page.waitForFunction((n) => Number(document.getElementById('results')!.dataset.run) >= n + 3, start, { timeout: STEP_MS });
    await page.waitForSelector('#camera-status[data-fps]', { timeout: STEP_MS });
    expect(Number(await page.$eval('#detections', (e) => e.getAttribute('data-run')))).toBeGreaterThanOrEqual(start + 3);
    expect(await text('#latency')).toContain('for this camera frame');
    console.log(`detection on the live camera: ${await text('#camera-status')}`);
    await page.locator('#detection').screenshot({ path: path.join(ARTIFACTS, 'app-detection-camera.png') });
    await page.click('#camera-button');
    await page.waitForSelector('#camera-button[aria-pressed="false"]', { timeout: STEP_MS });
    await ready();

    // Back to the built-in classifier: the boxes go, the top-5 list returns.
    await removeModel(name);
    await pick(CAT);
    expect(await page.$eval('#detection', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#results', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(consoleErrors).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it('the live camera: continuous with a frame rate, paused while hidden, stopped cleanly from the keyboard', async () => {
    await ready();
    // Keep every stream the page opens, to check its tracks once stopped.
    await page.evaluate(() => {
      const w = window as unknown as { __streams: MediaStream[] };
      w.__streams = [];
      const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const s = await gum(c);
        w.__streams.push(s);
        return s;
      };
    });
    const start = await run();
    await page.focus('#camera-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#camera-button[aria-pressed="true"]', { timeout: STEP_MS });
    await page.waitForFunction((n) => Number(document.getElementById('results')!.dataset.run) >= n + 5, start, { timeout: STEP_MS });
    await page.waitForSelector('#camera-status[data-fps]', { timeout: STEP_MS });
    const fps = Number(await page.$eval('#camera-status', (e) => e.getAttribute('data-fps')));
    console.log(`live camera: ${await text('#camera-status')}`);
    expect(fps).toBeGreaterThan(0);
    expect(await text('#camera-status')).toMatch(/^Live: [\d.]+ frames per second/);
    expect(await text('#latency')).toContain('for this camera frame');
    expect(await page.$eval('#camera', (e) => (e as HTMLVideoElement).hidden)).toBe(false);

    // The tab is hidden (as the browser reports it): the loop pauses; visible again: it resumes.
    const setHidden = (hidden: boolean) => page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    await setHidden(true);
    await page.waitForSelector('#camera-status:has-text("paused")', { timeout: STEP_MS });
    await page.waitForTimeout(500); // a frame in flight when hidden may still land
    const paused = await run();
    await page.waitForTimeout(1500);
    expect(await run()).toBe(paused);
    expect(await page.$eval('#drop-zone', (e) => e.getAttribute('data-camera'))).toBe('paused');
    await setHidden(false);
    await page.waitForFunction((n) => Number(document.getElementById('results')!.dataset.run) >= n + 3, paused, { timeout: STEP_MS });

    // Stop from the keyboard: every track ended, the preview emptied, no more runs.
    await page.focus('#camera-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#camera-button[aria-pressed="false"]', { timeout: STEP_MS });
    const state = await page.evaluate(() => ({
      tracks: (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)),
      src: (document.getElementById('camera') as HTMLVideoElement).srcObject,
      hidden: (document.getElementById('camera') as HTMLVideoElement).hidden,
      focused: document.activeElement?.id,
    }));
    expect(state.tracks.length).toBeGreaterThan(0);
    expect(state.tracks.every((t) => t === 'ended')).toBe(true);
    expect(state.src).toBeNull();
    expect(state.hidden).toBe(true);
    expect(state.focused).toBe('camera-button');
    await page.waitForTimeout(500);
    const stopped = await run();
    await page.waitForTimeout(1000);
    expect(await run()).toBe(stopped);
    expect(await page.$eval('#camera-status', (e) => (e as HTMLElement).hidden)).toBe(true);

    // "Keep this frame": the current frame becomes the still image, and the camera stops.
    await page.click('#camera-button');
    await page.waitForSelector('#snap-button:not([hidden])', { timeout: STEP_MS });
    await page.click('#snap-button');
    await page.waitForSelector('#camera-button[aria-pressed="false"]', { timeout: STEP_MS });
    await page.waitForSelector('#preview[aria-label*="camera frame"]', { timeout: STEP_MS });
    await ready();
    expect(consoleErrors).toEqual([]);
  }, PAGE_TIMEOUT_MS);
});
