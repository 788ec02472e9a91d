// The offline web app (web/, built by scripts/build-web.mjs, served by scripts/serve-web.mjs) in headless
// Chromium (test/browser/chromium.ts): installs its service worker online (precaching the shell, one kernel
// module and the default model, nothing else), then classifies cat.png offline
// after a reload (the page and every engine file come from the service worker, still cross-origin
// isolated); adds the quantized MobileNetV2 .tflite through the file picker (Egyptian cat, online and
// offline); rejects a text file named .tflite and a truncated model with a clear message and keeps
// working; renders the Figure 1 page's five panels (screenshot: build/test-artifacts/figure1.png); and a
// new deploy (another version in sw.js) replaces the old cache.
// Skips with a message without Chromium, dist/ or ../shared/data.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, PAGE_TIMEOUT_MS, hasChromium, launchChromium, type Browser } from '../browser/chromium.js';
import { classifyInNode, distBuilt, referenceImage } from '../build/reference.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';
import { KerasBuilder, conv } from '../formats/keras-builder.js';

interface WebBuild { outDir: string; version: string; files: string[]; precache: string[]; kernels: string[]; runtime: string[] }
interface WebServer { origin: string; close(): Promise<void> }
const script = async <T>(name: string): Promise<T> => import(pathToFileURL(path.join(ROOT, 'scripts', name)).href) as Promise<T>;

const OUT = path.join(ROOT, 'build/web-test');
const ARTIFACTS = path.join(ROOT, 'build/test-artifacts');
const STEP_MS = 60_000;

if (!hasChromium) console.warn(`[skip] web app tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
if (!distBuilt) console.warn('[skip] web app tests: dist/ is not built; run `npm run build`');

interface Shown { label: string; score: number }

describeShared('web app (PWA) in headless Chromium', () => {
  if (!hasChromium || !distBuilt) {
    it.skip(`needs Chromium at ${CHROMIUM} and a built dist/`, () => {});
    return;
  }
  const CAT = sharedPath('images', 'cat.png');
  const QUANT = sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite');
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  let build: WebBuild;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const { buildWeb } = await script<{ buildWeb(o: { outDir: string }): Promise<WebBuild> }>('build-web.mjs');
    const { serveWeb } = await script<{ serveWeb(o: { root: string; port: number }): Promise<WebServer> }>('serve-web.mjs');
    build = await buildWeb({ outDir: OUT });
    server = await serveWeb({ root: OUT, port: 0 });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url || 'no location'})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  /** The rendered results, after the run counter passed `after`. */
  async function results(after: number): Promise<Shown[]> {
    await page.waitForSelector(`#results:not([data-run="${after}"]) li[data-label]`, { timeout: STEP_MS });
    return page.$$eval('#results li', (lis) => lis.map((li) => ({ label: li.getAttribute('data-label')!, score: Number(li.getAttribute('data-score')) })));
  }
  const run = () => page.$eval('#results', (e) => Number(e.getAttribute('data-run')));
  const ready = () => page.waitForSelector('body[data-state="ready"]', { timeout: STEP_MS });

  async function classifyCat(): Promise<Shown[]> {
    await ready();
    const before = await run();
    await page.setInputFiles('#image-file', CAT);
    const shown = await results(before);
    for (let i = 1; i < shown.length; i++) expect(shown[i - 1].score).toBeGreaterThanOrEqual(shown[i].score);
    return shown;
  }

  async function offlineReload(): Promise<void> {
    await browser.context.setOffline(true);
    const response = await page.reload({ timeout: STEP_MS });
    expect(response?.fromServiceWorker(), 'the page comes from the service worker').toBe(true);
    expect(await page.evaluate(() => self.crossOriginIsolated), 'still cross-origin isolated from the cache').toBe(true);
  }

  it('online: COOP/COEP headers, a manifest with icons, labelled controls, readable at 360 px; the service worker takes control', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const response = await page.goto(`${server.origin}/`, { timeout: STEP_MS });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await page.waitForSelector('#offline-status[data-ready="true"]', { timeout: STEP_MS });
    expect(await page.$eval('#offline-status', (e) => e.getAttribute('data-version'))).toBe(build.version);
    await ready();
    const manifest = await page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
    expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    // Every control has an accessible name; nothing overflows a phone-width viewport.
    const unlabelled = await page.$$eval('input, select, button', (els) => els
      .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !e.textContent?.trim())
      .map((e) => e.outerHTML));
    expect(unlabelled).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await page.$eval('#threads', (e) => e.getAttribute('data-available'))).toBe(String(cores > 1));
    // Installable by Chromium's own criteria (manifest, icons, service worker), asked directly: whether it
    // also fires beforeinstallprompt (which shows #install-button) depends on its engagement heuristics.
    const cdp = await browser.context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors') as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    await cdp.detach();
    const cached = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('mnw-shell-')));
    expect(cached).toEqual([`mnw-shell-${build.version}`]);
    // Precached: the shell and the default model, and one kernel module of the three (the one this browser
    // runs); the shared-memory twins and other models only once used.
    const inCache = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname.slice(1)), cached[0]);
    const kernels = inCache.filter((p) => /^dist\/wasm\/mobilenet-(relaxed|simd|scalar)\.wasm$/.test(p));
    expect(kernels, inCache.join(', ')).toHaveLength(1);
    const isa = await page.$eval('#model-stats', (e) => /Kernels(\w+)/.exec(e.textContent ?? '')?.[1]);
    expect(kernels[0]).toBe(`dist/wasm/mobilenet-${isa}.wasm`);
    for (const p of build.precache) expect(inCache).toContain(p === './' ? '' : p);
    expect(inCache.filter((p) => p.startsWith('models/') && !build.precache.includes(p))).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it('offline reload: served by the service worker, classifies cat.png with the default model', async () => {
    await offlineReload();
    const shown = await classifyCat();
    expect(shown).toHaveLength(5);
    expect(shown[0].label).toBe('Egyptian cat'); // the default model is ImageNet's
    const { image } = await referenceImage();
    const node = await classifyInNode(image);
    console.log(`default model offline: ${shown.map((s) => `${s.label} ${s.score.toFixed(4)}`).join(', ')}; Node: ${node.top[0].label} ${node.top[0].score.toFixed(4)}`);
    expect(shown[0].label).toBe(node.top[0].label);
    expect(Math.abs(shown[0].score - node.top[0].score)).toBeLessThan(1e-3);
    expect(await page.$$eval('#profile-chart li', (l) => l.length)).toBeGreaterThan(10);
    // Two threads (the page is cross-origin isolated, offline too): the model reloads and classifies again.
    if (await page.evaluate(() => navigator.hardwareConcurrency > 1)) {
      const before = await run();
      await page.selectOption('#threads', '2');
      const two = await results(before);
      expect(await page.$eval('#latency', (e) => e.textContent)).toContain('2 threads');
      expect(two[0].label).toBe(shown[0].label);
      expect(Math.abs(two[0].score - shown[0].score)).toBeLessThan(1e-4);
    }
    await browser.context.setOffline(false);
  }, PAGE_TIMEOUT_MS);

  it('a .tflite from the file picker: Egyptian cat first, stored, and still after going offline and reloading', async () => {
    await ready();
    const before = await run();
    await page.setInputFiles('#model-file', QUANT);
    await page.waitForSelector('#model-message[data-kind="info"]:has-text("stored it for offline use")', { timeout: STEP_MS });
    const shown = await results(before); // the image already shown is classified again with the new model
    expect(shown[0].label).toBe('Egyptian cat');
    expect(await page.$$eval('#model-list li', (l) => l.map((li) => li.getAttribute('data-name')))).toContain('mobilenet_v2_1.0_224_quant.tflite');
    expect(await page.$eval('input[name="precision"][value="int8"]', (e) => (e as HTMLInputElement).checked)).toBe(true);
    // A quantized model also offers its float32 twin (test/web/app.test.ts switches to it).
    expect(await page.$eval('input[name="precision"][value="f32"]', (e) => (e as HTMLInputElement).disabled)).toBe(false);
    // The other int8 arithmetic (TFLite's gemmlowp fixed point): reloads the model, same top label; then back.
    for (const scheme of ['gemmlowp', 'fp32']) {
      const n = await run();
      await page.selectOption('#requant', scheme);
      expect((await results(n))[0].label).toBe('Egyptian cat');
      expect(await page.$eval('#model-stats', (e) => e.textContent)).toContain(`requantization ${scheme}`);
    }

    await offlineReload();
    await page.waitForSelector('#model-list li[data-name="mobilenet_v2_1.0_224_quant.tflite"][aria-current]', { timeout: STEP_MS });
    const offline = await classifyCat();
    console.log(`quantized .tflite offline: ${offline.map((s) => `${s.label} ${s.score.toFixed(4)}`).join(', ')}`);
    expect(offline[0].label).toBe('Egyptian cat');
    await browser.context.setOffline(false);
  }, PAGE_TIMEOUT_MS);

  it('a text file named .tflite and a truncated model: a clear message each, and the app keeps classifying', async () => {
    const quant = readFileSync(QUANT);
    const bad = [
      { name: 'notes.tflite', buffer: Buffer.from('These are my notes, not a model.\n'), expect: /notes\.tflite.*unrecognized model format/s },
      { name: 'truncated.tflite', buffer: quant.subarray(0, 100_000), expect: /ModelFormatError: truncated\.tflite: .*outside the 100000-byte file/s },
    ];
    for (const b of bad) {
      await ready();
      await page.setInputFiles('#model-file', { name: b.name, mimeType: 'application/octet-stream', buffer: b.buffer });
      await page.waitForSelector(`#model-message[data-kind="error"]:has-text("${b.name}")`, { timeout: STEP_MS });
      const text = await page.$eval('#model-message', (e) => e.textContent ?? '');
      console.log(`${b.name}: ${text}`);
      expect(text).toMatch(b.expect);
      expect(text).toContain('The current model is still in use');
      const shown = await classifyCat();
      expect(shown[0].label).toBe('Egyptian cat');
    }
    expect(await page.$$eval('#model-list li', (l) => l.map((li) => li.getAttribute('data-name')))).not.toContain('notes.tflite');
    // Removing the stored model falls back to the default one.
    await page.click('#model-list li[data-name="mobilenet_v2_1.0_224_quant.tflite"] button.remove');
    await page.waitForSelector('#model-message:has-text("Removed")', { timeout: STEP_MS });
    expect(await page.$$eval('#model-list li', (l) => l.length)).toBe(1);
    expect((await classifyCat())[0].label).toBe('Egyptian cat');
    expect(consoleErrors).toEqual([]);
  }, PAGE_TIMEOUT_MS);

  it('the other ways in: Enter on the drop zone opens the picker (keyboard), a dropped file, a pasted file', async () => {
    await ready();
    let before = await run();
    // Enter and Space on the focused drop zone open the picker: counted at the input's click() (headless
    // Chromium does not always report a file chooser for a scripted click, which made this step flaky).
    await page.evaluate(() => {
      const input = document.getElementById('image-file') as HTMLInputElement;
      const w = window as unknown as { __pickerOpened: number };
      w.__pickerOpened = 0;
      input.click = () => { w.__pickerOpened++; };
    });
    await page.focus('#drop-zone');
    await page.keyboard.press('Enter');
    await page.keyboard.press(' ');
    expect(await page.evaluate(() => (window as unknown as { __pickerOpened: number }).__pickerOpened)).toBe(2);
    await page.setInputFiles('#image-file', CAT);
    const picked = await results(before);
    const cat = readFileSync(CAT).toString('base64');
    for (const how of ['drop', 'paste'] as const) {
      await ready();
      before = await run();
      await page.evaluate(([b64, how]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'cat.png', { type: 'image/png' }));
        const zone = document.getElementById('drop-zone')!;
        if (how === 'drop') zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        else document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, [cat, how] as const);
      expect(await results(before), how).toEqual(picked);
    }
  }, PAGE_TIMEOUT_MS);

  it('a TF.js model.json picked with its weight file and a labels .txt: loads, classifies, and again offline', async () => {
    // A tiny Keras model (conv → global average pool → dense, 2 classes), in the TF.js layers format.
    const b = new KerasBuilder(11);
    b.layer('Conv2D', 'c1', { batch_input_shape: [null, 16, 16, 3], filters: 4, kernel_size: 3, strides: 2, padding: 'same', activation: 'relu6', use_bias: true }, []);
    conv(b, 'c1', 3, 3, 4, true);
    b.layer('GlobalAveragePooling2D', 'gap', {}, []);
    b.layer('Dense', 'out', { units: 2, activation: 'softmax', use_bias: true }, []);
    b.weight('out/kernel', [4, 2]);
    b.weight('out/bias', [2]);
    const a = b.buildSequential('tiny-tfjs');
    const modelJson = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['tiny.weights.bin'], weights: a.weightSpecs }] };
    await ready();
    const json = { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) };
    await page.setInputFiles('#model-file', [json]);
    await page.waitForSelector('#model-message[data-kind="error"]:has-text("needs its weight files: pick tiny.weights.bin")', { timeout: STEP_MS });
    const before = await run();
    await page.setInputFiles('#model-file', [
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
      { name: 'tiny.weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(a.weightData) },
      { name: 'labels.txt', mimeType: 'text/plain', buffer: Buffer.from('round things\nsquare things\n') },
    ]);
    await page.waitForSelector('#model-message[data-kind="info"]:has-text("stored it for offline use")', { timeout: STEP_MS });
    expect(await page.$eval('#model-message', (e) => e.textContent)).toContain('(TF.js layers, 2 classes)');
    const shown = await results(before);
    expect(shown.map((s) => s.label).sort()).toEqual(['round things', 'square things']);
    await offlineReload();
    await page.waitForSelector('#model-list li[data-name="model.json"][aria-current]', { timeout: STEP_MS });
    const offline = await classifyCat();
    expect(offline.map((s) => s.label).sort()).toEqual(['round things', 'square things']);
    for (const [i, s] of offline.entries()) expect(s.score).toBeCloseTo(shown[i].score, 5);
    await browser.context.setOffline(false);
    await page.click('#model-list li[data-name="model.json"] button.remove');
    await page.waitForSelector('#model-message:has-text("Removed")', { timeout: STEP_MS });
  }, PAGE_TIMEOUT_MS);

  it('a new deploy (another version in sw.js) installs its own cache and deletes the old one', async () => {
    await page.goto(`${server.origin}/`, { timeout: STEP_MS });
    await page.waitForSelector('#offline-status[data-ready="true"]', { timeout: STEP_MS });
    const sw = path.join(OUT, 'sw.js');
    const next = 'f'.repeat(16);
    writeFileSync(sw, readFileSync(sw, 'utf8').replaceAll(build.version, next));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.waitForFunction(async (v) => {
      const keys = (await caches.keys()).filter((k) => k.startsWith('mnw-shell-'));
      return keys.length === 1 && keys[0] === `mnw-shell-${v}`;
    }, next, { timeout: STEP_MS, polling: 200 });
    await page.waitForSelector('#offline-status:has-text("A new version")', { timeout: STEP_MS });
    await page.reload({ timeout: STEP_MS });
    await page.waitForSelector(`#offline-status[data-version="${next}"]`, { timeout: STEP_MS });
  }, PAGE_TIMEOUT_MS);

  it("the paper's Figure 1 renders its five panels offline (screenshot kept)", async () => {
    await page.setViewportSize({ width: 1100, height: 900 });
    await browser.context.setOffline(true); // precached like the classifier
    const response = await page.goto(`${server.origin}/figure1.html`, { timeout: STEP_MS });
    expect(response?.fromServiceWorker()).toBe(true);
    await page.waitForSelector('body[data-rendered]', { timeout: STEP_MS });
    const panels = await page.$$eval('figure[data-key^="n"]', (figs) => figs.map((f) => {
      const c = f.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let coloured = 0; // pixels of the drawn curve (saturated), not the white background or grey axes
      for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) coloured++;
      return { n: Number(f.getAttribute('data-n')), coloured, caption: f.querySelector('figcaption')!.textContent };
    }));
    console.log(panels.map((p) => p.caption).join('\n'));
    expect(panels.map((p) => p.n)).toEqual([2, 3, 5, 15, 30]);
    for (const p of panels) expect(p.coloured, `n = ${p.n}`).toBeGreaterThan(200);
    await page.click('#reseed');
    expect(await page.$eval('body', (b) => b.dataset.rendered)).toBe('2');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'figure1.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await browser.context.setOffline(false);
  }, PAGE_TIMEOUT_MS);
});
