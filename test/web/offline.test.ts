// The offline web app's classify-offline path in each browser engine (test/browser/engines.ts: Chromium,
// Firefox ESR, WebKitGTK), written once: the app (scripts/build-web.mjs, served by scripts/serve-web.mjs)
// installs its service worker online; then the network goes away, the page reloads from the service worker
// (still cross-origin isolated) and classifies cat.png with the default model like Node. The thread control
// must offer threads exactly where the page can make shared memory (WebKitGTK is isolated without
// SharedArrayBuffer: one thread, and the note says why).
// Offline is the connection cut at a gate in front of the app's server, for every engine (WebDriver has no
// offline switch), plus the engine's own offline emulation where it has one (Chromium, Firefox).
// The rest of the app (models from the file picker, deploys, Figure 1) is tested in Chromium: pwa.test.ts.
// Skips with a message without the browser, dist/ or ../shared/data.
import { readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_TIMEOUT_MS } from '../browser/chromium.js';
import { ENGINES, type Driver, type Tab } from '../browser/engines.js';
import { classifyInNode, distBuilt, referenceImage, type Classification } from '../build/reference.js';
import { ROOT, describeShared, sharedPath } from '../helpers/shared.js';

interface WebBuild { outDir: string; version: string; files: string[] }
interface WebServer { origin: string; close(): Promise<void> }
interface Shown { label: string; score: number }
const script = async <T>(name: string): Promise<T> => import(pathToFileURL(path.join(ROOT, 'scripts', name)).href) as Promise<T>;

const OUT = path.join(ROOT, 'build/web-offline-test');
const STEP_MS = 60_000;

if (!distBuilt) console.warn('[skip] web app offline tests: dist/ is not built; run `npm run build`');

/** A TCP gate in front of the app's server: online it relays, offline it drops every connection. */
interface Gate { origin: string; refused: number; setOffline(offline: boolean): void; close(): Promise<void> }

async function startGate(upstream: URL): Promise<Gate> {
  const live = new Set<Socket>();
  let offline = false;
  const gate: Gate = {
    origin: '',
    refused: 0,
    setOffline(on) {
      offline = on;
      if (on) for (const s of live) s.destroy();
    },
    close: () => new Promise((ok) => {
      for (const s of live) s.destroy();
      server.close(() => ok());
    }),
  };
  const server: Server = createServer((client) => {
    if (offline) {
      gate.refused++;
      client.destroy();
      return;
    }
    const up = connect(Number(upstream.port), upstream.hostname);
    live.add(client).add(up);
    const drop = () => {
      client.destroy();
      up.destroy();
      live.delete(client);
      live.delete(up);
    };
    for (const s of [client, up]) s.on('error', drop).on('close', drop);
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  gate.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return gate;
}

describeShared('web app offline, per browser engine', () => {
  const CAT = sharedPath('images', 'cat.png');
  let build: WebBuild;
  let server: WebServer;
  let node: Classification[];

  beforeAll(async () => {
    if (!distBuilt || ENGINES.every((e) => e.missing)) return;
    const { buildWeb } = await script<{ buildWeb(o: { outDir: string }): Promise<WebBuild> }>('build-web.mjs');
    const { serveWeb } = await script<{ serveWeb(o: { root: string; port: number }): Promise<WebServer> }>('serve-web.mjs');
    build = await buildWeb({ outDir: OUT });
    server = await serveWeb({ root: OUT, port: 0 });
    node = (await classifyInNode((await referenceImage()).image)).top;
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  for (const engine of ENGINES) {
    const skip = engine.missing ?? (distBuilt ? null : 'dist/ is not built');
    describe.skipIf(skip !== null)(`${engine.label}${skip ? ` — skipped: ${skip}` : ''}`, () => {
      let driver: Driver;
      let tab: Tab;
      let gate: Gate;
      let started = 0;

      beforeAll(async () => {
        started = Date.now();
        // A gate per engine: a fresh origin, so no engine finds another's service worker (they have
        // separate profiles anyway) and each gate's refusals are its own.
        gate = await startGate(new URL(server.origin));
        driver = await engine.launch();
        tab = await driver.newTab();
      }, PAGE_TIMEOUT_MS);

      afterAll(async () => {
        await driver?.close();
        await gate?.close();
        console.log(`${engine.name}: web app offline tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });

      const ready = () => tab.waitFor(() => document.body.dataset.state === 'ready', undefined, STEP_MS);
      const runCount = () => tab.evaluate(() => Number(document.getElementById('results')!.dataset.run));

      it('online: cross-origin isolated, the service worker installs the current version, threads offered only with shared memory', async () => {
        await tab.goto(`${gate.origin}/`);
        const version = await tab.waitFor(() => {
          const s = document.getElementById('offline-status')!;
          return s.dataset.ready === 'true' && s.dataset.version;
        }, undefined, STEP_MS);
        expect(version).toBe(build.version);
        await ready();
        const page = await tab.evaluate(() => {
          let shared = false;
          try {
            shared = typeof SharedArrayBuffer === 'function'
              && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
          } catch {
            shared = false;
          }
          const select = document.getElementById('threads') as HTMLSelectElement;
          return {
            isolated: self.crossOriginIsolated, shared, cores: navigator.hardwareConcurrency,
            available: select.dataset.available, enabled: Array.from(select.options).filter((o) => !o.disabled).map((o) => o.value),
            note: document.getElementById('threads-note')!.textContent ?? '',
          };
        });
        console.log(`${engine.name}: isolated ${page.isolated}, shared memory ${page.shared}, hardwareConcurrency ${page.cores}; threads offered ${page.enabled.join(', ')}: ${page.note}`);
        expect(page.isolated).toBe(true);
        expect(page.shared, `shared memory on an isolated page (if ${engine.name} changed, update sharedMemoryWhenIsolated in engines.ts)`).toBe(engine.sharedMemoryWhenIsolated);
        expect(page.available).toBe(String(page.shared && page.cores > 1));
        if (!page.shared) {
          expect(page.enabled).toEqual(['1']);
          expect(page.note).toMatch(/shared memory/);
        }
      }, PAGE_TIMEOUT_MS);

      it('offline reload: served by the service worker, still isolated, classifies cat.png like Node', async () => {
        gate.setOffline(true);
        const emulated = await tab.setOffline(true);
        await tab.reload();
        await ready();
        const state = await tab.evaluate(() => ({ controlled: navigator.serviceWorker.controller !== null, isolated: self.crossOriginIsolated }));
        expect(state).toEqual({ controlled: true, isolated: true });

        const before = await runCount();
        await tab.evaluate(async (b64: string) => {
          // What the file picker does: a File in #image-file, then its change event.
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], 'cat.png', { type: 'image/png' }));
          const input = document.getElementById('image-file') as HTMLInputElement;
          input.files = dt.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        }, readFileSync(CAT).toString('base64'));
        const shown = await tab.waitFor((n: number) => {
          const list = document.getElementById('results')!;
          const items = Array.from(list.querySelectorAll('li[data-label]'));
          return list.dataset.run !== String(n) && items.length > 0
            && items.map((li) => ({ label: li.getAttribute('data-label')!, score: Number(li.getAttribute('data-score')) }));
        }, before, STEP_MS) as Shown[];
        console.log(`${engine.name} offline (${emulated ? 'emulated and ' : ''}cut at the gate, ${gate.refused} connection(s) refused): ${shown.map((s) => `${s.label} ${s.score.toFixed(4)}`).join(', ')}; Node: ${node[0].label} ${node[0].score.toFixed(4)}`);
        expect(shown.length).toBeGreaterThan(0); // however many the app shows (top-5 today)
        for (let i = 1; i < shown.length; i++) expect(shown[i - 1].score).toBeGreaterThanOrEqual(shown[i].score);
        expect(shown[0].label).toBe(node[0].label);
        expect(Math.abs(shown[0].score - node[0].score)).toBeLessThan(1e-3);
        expect(await tab.consoleErrors()).toEqual([]);
        // The network really was gone (checked last: the failed fetch is logged as a console error): a file
        // the service worker does not cache cannot be fetched.
        expect(await tab.evaluate(() => fetch(`./not-cached-${Date.now()}.txt`).then((r) => `HTTP ${r.status}`, () => 'unreachable'))).toBe('unreachable');

        gate.setOffline(false);
        await tab.setOffline(false);
      }, PAGE_TIMEOUT_MS);
    });
  }
});
