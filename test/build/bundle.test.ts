// The built package as a consumer gets it: every file package.json exports exists, the web bundles have
// no eval / new Function (CSP `script-src 'self' 'wasm-unsafe-eval'`) and no static node: import, they
// find their wasm with `new URL('./wasm/…', import.meta.url)` literals, the size budget holds, and a
// TypeScript consumer compiles against dist/index.d.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';
import { DIST, distBuilt } from './reference.js';
// @ts-expect-error: plain ESM script without declarations
import { BUDGET_BYTES, measure } from '../../scripts/size.mjs';

if (!distBuilt) console.warn('[skip] build tests: dist/ is not built; run `npm run build`');

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** Files that run in browsers, Deno and Node alike: the entries and the chunks they share. */
const WEB_FILES = existsSync(DIST) ? readdirSync(DIST).filter((f) => /^(index|thread|worker|chunk-[\w-]+)\.js$/.test(f)) : [];
const WASM = ['relaxed', 'simd', 'scalar'].map((isa) => `mobilenet-${isa}.wasm`);

const tmp = mkdtempSync(path.join(tmpdir(), 'mnw-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every string target in the package.json "exports" map (conditions flattened). */
function exportTargets(e: unknown): string[] {
  if (typeof e === 'string') return [e];
  if (e && typeof e === 'object') return Object.values(e).flatMap(exportTargets);
  return [];
}

describe.skipIf(!distBuilt)('built package', () => {
  it('package.json "exports", "main", "types" and "files" name files that the build produced', () => {
    const targets = [...exportTargets(pkg.exports), `./${pkg.main}`, `./${pkg.types}`].filter((t) => !t.includes('*'));
    for (const t of targets) expect(existsSync(path.join(ROOT, t)), `${t} (package.json) is missing`).toBe(true);
    for (const f of pkg.files as string[]) {
      if (f.includes('*')) continue;
      expect(existsSync(path.join(ROOT, f)), `${f} ("files") is missing`).toBe(true);
    }
    for (const w of WASM) expect(existsSync(path.join(DIST, 'wasm', w)), `dist/wasm/${w}`).toBe(true);
    expect(pkg.exports['.'].types).toBe('./dist/index.d.ts');
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'import', 'default']); // "types" must come first
  });

  it('the CLI (package.json "bin") is executable, as `npx mobilenet-wasm` needs, also after a rebuild', () => {
    for (const bin of Object.values(pkg.bin as Record<string, string>)) {
      expect(statSync(path.join(ROOT, bin)).mode & 0o111, `${bin} has no execute bit`).not.toBe(0);
      expect(readFileSync(path.join(ROOT, bin), 'utf8').startsWith('#!/usr/bin/env node'), `${bin} shebang`).toBe(true);
    }
  });

  it('no eval( and no new Function anywhere in dist (CSP without unsafe-eval)', () => {
    const files = readdirSync(DIST, { recursive: true }).map(String).filter((f) => /\.(m?js)$/.test(f));
    expect(files).toContain('index.js');
    for (const f of files) {
      const js = readFileSync(path.join(DIST, f), 'utf8');
      expect(js, `dist/${f} calls eval(`).not.toMatch(/\beval\s*\(/);
      expect(js, `dist/${f} uses new Function`).not.toMatch(/\bnew\s+Function\b/);
    }
  });

  it.each(WEB_FILES)('dist/%s imports no node: module statically and none by a literal import()', (file) => {
    const js = readFileSync(path.join(DIST, file), 'utf8');
    // Static: a browser would fail to load the module. Literal import("node:…"): an app's esbuild
    // --platform=browser build fails to resolve it (scripts/build.mjs routes them through __mnwNodeImport).
    expect(js.match(/\b(?:from|import)\s*\(?\s*["']node:[^"']*["']/g) ?? []).toEqual([]);
    // Everything else a web file imports is a sibling chunk of the same build.
    for (const m of js.matchAll(/\b(?:from|import)\s*\(?\s*"([\w@./:-]+)"/g)) expect(m[1], `dist/${file}`).toMatch(/^\.\/chunk-[\w-]+\.js$/);
  });

  it('the web bundles leave sharp to Node: decodeImage imports it lazily, hidden from bundlers, never bundled', () => {
    const js = WEB_FILES.map((f) => readFileSync(path.join(DIST, f), 'utf8')).join('\n');
    expect(js).toContain('__mnwNodeImport("sharp")');
    expect(js, "sharp's own code was bundled").not.toMatch(/libvips/);
  });

  it('decodeImage from the built dist/index.js loads sharp (through the hidden import) and the BMP decoder in Node', async () => {
    const { pathToFileURL } = await import('node:url');
    const { writeBmp } = await import('../helpers/bmp.js');
    const { default: sharp } = await import('sharp');
    const dist = await import(/* @vite-ignore */ pathToFileURL(path.join(DIST, 'index.js')).href);
    const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toBuffer();
    expect(await dist.decodeImage(png)).toMatchObject({ width: 3, height: 2, channels: 3, format: 'png', data: new Uint8Array(18).map((_, i) => [10, 20, 30][i % 3]) });
    const bmp = writeBmp({ width: 2, height: 2, bpp: 24, pixel: () => [1, 2, 3] });
    expect(await dist.decodeImage(bmp)).toMatchObject({ width: 2, height: 2, format: 'bmp', data: new Uint8Array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]) });
    await expect(dist.decodeImage(path.join(tmp, 'missing.jpg'))).rejects.toThrow(/cannot read image ".*missing\.jpg": no such file/);
  });

  it('the web bundles find the kernels beside themselves with new URL(literal, import.meta.url)', () => {
    const js = WEB_FILES.map((f) => readFileSync(path.join(DIST, f), 'utf8')).join('\n');
    for (const w of WASM) expect(js).toContain(`new URL("./wasm/${w}",import.meta.url)`);
    expect(js).toContain('new URL("../models/mobilenet_v2_1.0_224_quant.tflite",import.meta.url)');
    expect(js, 'a src-relative URL survived the build').not.toContain('"../dist/');
  });

  it(`engine JS + the one wasm binary a configuration downloads is at most ${BUDGET_BYTES / 1024} KB gzipped`, () => {
    const m = measure();
    for (const c of m.ours) {
      expect(c.missing, c.name).toBeUndefined();
      console.log(`${c.name}: ${(c.gzip / 1024).toFixed(1)} KB gzipped`);
      expect(c.gzip, c.name).toBeLessThanOrEqual(BUDGET_BYTES);
    }
  });

  it('a strict TypeScript consumer compiles against the published declarations', () => {
    const app = path.join(tmp, 'ts-consumer');
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, path.join(app, 'node_modules/mobilenet-wasm'), 'dir');
    writeFileSync(path.join(app, 'main.ts'), [
      "import { loadModel, hasSimd, EngineError, type Classification, type ModelInfo } from 'mobilenet-wasm';",
      ...(existsSync(path.join(DIST, 'worker.d.ts')) ? ["import type { EngineApi } from 'mobilenet-wasm/worker';", 'export type Api = EngineApi;'] : []),
      "const model = await loadModel('default', { isa: hasSimd() ? 'auto' : 'scalar' });",
      'const info: ModelInfo = model.info;',
      "const top: Classification[] = await model.classify({ data: new Uint8Array(4), width: 1, height: 1 }, { topK: 1 });",
      'console.log(info.isa, top[0]?.label, EngineError.name);',
      'model.dispose();',
      '',
    ].join('\n'));
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022', module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true,
        lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
      },
      files: ['main.ts'],
    }));
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      expect.fail(`tsc on a consumer of dist/index.d.ts failed:\n${err.stdout}${err.stderr}`);
    }
  }, 120_000);
});
