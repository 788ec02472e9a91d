// An app that imports the package by name, built the two ways the README documents:
//   Vite: no configuration; it follows `new URL('./wasm/…', import.meta.url)` and
//         `new Worker(new URL('./worker.js', import.meta.url))` in dist/ and emits the wasm, the default
//         model and the worker as assets.
//   esbuild: bundles the JS; esbuild copies no assets, so the app copies dist/wasm/ and dist/worker.js
//         beside its bundle (the README's one step) and passes its model URL.
// Both builds are checked on disk and then run under the CSP `script-src 'self' 'wasm-unsafe-eval'` on the
// main thread and in a worker, matching Node, in each browser engine that is installed (Chromium, Firefox
// ESR, WebKitGTK: test/browser/engines.ts).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';
import { DIST, SYNTHETIC_IMAGE_JS, classifyInNode, distBuilt, mismatch, syntheticImage, type Classification } from './reference.js';
import { PAGE_TIMEOUT_MS } from '../browser/chromium.js';
import { ENGINES, visitPage, type Driver } from '../browser/engines.js';
import { startServer, type StaticServer } from '../browser/server.js';

const hasWorker = existsSync(path.join(DIST, 'worker.js'));
const tmp = mkdtempSync(path.join(tmpdir(), 'mnw-apps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The app's entry: classify the synthetic image on the main thread, then in a worker; leave window.__result. */
function appSource(modelExpr: string): string {
  return `import { loadModel } from 'mobilenet-wasm';
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
${SYNTHETIC_IMAGE_JS}
async function main() {
  const runs = [];
  for (const worker of ${hasWorker ? '[false, true]' : '[false]'}) {
    const model = await loadModel(${modelExpr}, worker ? { worker: true } : {});
    runs.push({ worker, isa: model.info.isa, top: await model.classify(syntheticImage(), { topK: 5 }) });
    await model.dispose();
  }
  return { ok: true, runs, violations };
}
main().then((r) => { window.__result = r; }, (e) => { window.__result = { ok: false, error: String(e && e.stack || e), violations }; });
`;
}

/** A fresh app folder whose node_modules/mobilenet-wasm is this package. */
function appDir(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(dir, 'node_modules/mobilenet-wasm'), 'dir');
  return dir;
}

const files = (dir: string) => readdirSync(dir, { recursive: true }).map(String);
let viteOut = '';
let esbuildOut = '';

describe.skipIf(!distBuilt)('apps that import mobilenet-wasm', () => {
  beforeAll(async () => {
    const vite = appDir('vite-app');
    writeFileSync(path.join(vite, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><script type="module" src="./main.js"></script></head><body></body></html>\n');
    writeFileSync(path.join(vite, 'main.js'), appSource("'default'"));
    writeFileSync(path.join(vite, 'vite.config.mjs'), "export default { base: './', logLevel: 'warn', build: { target: 'es2022', outDir: 'out', emptyOutDir: true }, worker: { format: 'es' } };\n");
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: vite, stdio: 'pipe', timeout: 300_000 });
    viteOut = path.join(vite, 'out');

    const app = appDir('esbuild-app');
    writeFileSync(path.join(app, 'app.js'), appSource("new URL('./mobilenet_v2_1.0_224_quant.tflite', import.meta.url)"));
    esbuildOut = path.join(app, 'out');
    await esbuild.build({
      absWorkingDir: app, entryPoints: ['app.js'], outdir: 'out', bundle: true, format: 'esm', platform: 'browser',
      target: 'es2022', minify: true, logLevel: 'error',
    });
    // The one step esbuild needs: the engine's files beside the bundle, i.e. dist/wasm/*.wasm and the entry
    // files a worker or thread starts from (worker.js, thread.js and the chunks they import), plus a model.
    const pkgDist = path.join(app, 'node_modules/mobilenet-wasm/dist');
    mkdirSync(path.join(esbuildOut, 'wasm'), { recursive: true });
    for (const f of readdirSync(path.join(pkgDist, 'wasm')).filter((f) => f.endsWith('.wasm'))) copyFileSync(path.join(pkgDist, 'wasm', f), path.join(esbuildOut, 'wasm', f));
    for (const f of readdirSync(pkgDist).filter((f) => /^(worker|thread|chunk-.*)\.js$/.test(f))) copyFileSync(path.join(pkgDist, f), path.join(esbuildOut, f));
    copyFileSync(path.join(ROOT, 'models/mobilenet_v2_1.0_224_quant.tflite'), path.join(esbuildOut, 'mobilenet_v2_1.0_224_quant.tflite'));
    writeFileSync(path.join(esbuildOut, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><script type="module" src="./app.js"></script></head><body></body></html>\n');
  }, 300_000);

  it('Vite emits the three kernel modules, the default model and the worker as assets', () => {
    const out = files(viteOut);
    // Vite emits byte-identical assets once: relaxed and simd are the same bytes until a kernel uses relaxed SIMD.
    const identical = readFileSync(path.join(DIST, 'wasm/mobilenet-relaxed.wasm')).equals(readFileSync(path.join(DIST, 'wasm/mobilenet-simd.wasm')));
    for (const isa of identical ? ['simd', 'scalar'] : ['relaxed', 'simd', 'scalar']) {
      expect(out.some((f) => new RegExp(`mobilenet-${isa}-[\\w-]+\\.wasm$`).test(f)), `${isa} wasm in ${out}`).toBe(true);
    }
    expect(out.some((f) => /mobilenet_v2_1\.0_224_quant-[\w-]+\.tflite$/.test(f)), out.join(", ")).toBe(true);
    if (hasWorker) expect(out.some((f) => /worker-[\w-]+\.js$/.test(f)), out.join(', ')).toBe(true);
  });

  it('esbuild keeps the engine\'s new URL(…, import.meta.url) and no static node: import', () => {
    const js = readFileSync(path.join(esbuildOut, 'app.js'), 'utf8');
    expect(js).toContain('new URL("./wasm/mobilenet-simd.wasm",import.meta.url)');
    expect(js).not.toMatch(/import\s*[\w{*][^;]*?from\s*"node:/);
  });

  // Each browser engine (test/browser/engines.ts), skipped with a message where it is not installed.
  for (const engine of ENGINES) {
    describe.skipIf(engine.missing !== null)(`in ${engine.label} under the CSP${engine.missing ? ` — skipped: ${engine.missing}` : ''}`, () => {
      let driver: Driver;
      let server: StaticServer;
      let node: Classification[];
      beforeAll(async () => {
        server = await startServer({ 'vite-app': viteOut, 'esbuild-app': esbuildOut });
        driver = await engine.launch();
        node = (await classifyInNode(syntheticImage())).top;
      }, PAGE_TIMEOUT_MS);
      afterAll(async () => {
        await driver?.close();
        await server?.close();
      });

      it.each(['vite-app', 'esbuild-app'])('%s classifies on the main thread and in a worker like Node', async (name) => {
        const v = await visitPage<{ ok: boolean; error?: string; violations: string[]; runs: { worker: boolean; isa: string; top: Classification[] }[] }>(
          driver, `${server.origin}/csp/${name}/index.html`);
        expect(v.result.ok, v.result.error).toBe(true);
        expect(v.result.runs.map((r) => r.worker)).toEqual(hasWorker ? [false, true] : [false]);
        for (const r of v.result.runs) {
          const why = mismatch(r.top, node);
          console.log(`${engine.name}, ${name}, ${r.worker ? 'worker' : 'main thread'}, isa ${r.isa}: ${r.top[0].label} ${r.top[0].score.toFixed(6)}${why ? ` MISMATCH ${why}` : ''}`);
          expect(why).toBeNull();
        }
        expect(v.result.violations).toEqual([]);
        expect(v.consoleErrors, `not found: ${server.notFound.join(', ')}`).toEqual([]);
      }, PAGE_TIMEOUT_MS);
    });
  }
});
