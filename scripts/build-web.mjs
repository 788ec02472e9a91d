// Builds the offline web app (web/) into build/web/:
//   index.html, figure1.html, teach.html, styles.css,          the pages (web/src/*.ts bundled by esbuild;
//   app.js, figure1.js, teach.js, teach-worker.js              the engine stays external: ./dist/index.js,
//                                                                ./dist/teach.js, ./dist/detect.js)
//   dist/{index,worker,thread,teach,detect,chunk-*}.js, dist/wasm/*.wasm  the engine as built by scripts/build.mjs
//   models/*                                                    every model the engine names (src/assets.ts:
//                                                                new URL('../models/…')), found by dist/index.js
//                                                                at ../models/
//   icons/*.png, manifest.webmanifest                           rendered from web/icon.svg with sharp
//   sw.js                                                       the service worker, with VERSION (a hash of
//                                                                every other file) and three lists: what to
//                                                                precache (the app shell and the default model),
//                                                                the kernel modules in the engine's order of
//                                                                preference (it precaches the first this
//                                                                browser validates), and the rest (cached on
//                                                                first use)
// Needs dist/ and the default model (npm ci / npm run build); does not rebuild them.
// Usage: node scripts/build-web.mjs [outDir]; or import { buildWeb } from it.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'web');
const DIST = path.join(ROOT, 'dist');
export const DEFAULT_OUT = path.join(ROOT, 'build/web');

/** Icon sizes for the manifest (192 and 512 are what browsers require to offer installation). */
const ICONS = [
  { size: 192, file: 'icons/icon-192.png', purpose: 'any' },
  { size: 512, file: 'icons/icon-512.png', purpose: 'any' },
  { size: 512, file: 'icons/maskable-512.png', purpose: 'maskable' },
];

/** The engine's browser files: entry, worker, thread, shared chunks and every kernel module it may pick. */
function engineFiles() {
  const top = readdirSync(DIST).filter((f) => /^(index|teach|detect|worker|thread|chunk-[\w-]+)\.js$/.test(f));
  const wasm = readdirSync(path.join(DIST, 'wasm')).filter((f) => /^mobilenet-[\w-]+\.wasm$/.test(f)).map((f) => `wasm/${f}`);
  return [...top, ...wasm];
}

/**
 * The models the engine ships, read from src/assets.ts (the one place that names them): every
 * new URL('../models/<file>') literal, and which of them is the default ('default' in builtinModelUrl's
 * switch, or the literal in defaultModelUrl()).
 */
function engineModels() {
  const src = readFileSync(path.join(ROOT, 'src/assets.ts'), 'utf8');
  const all = [...src.matchAll(/new URL\('\.\.\/models\/([\w.-]+)'/g)].map((m) => m[1]);
  const def = /case 'default':\s*return new URL\('\.\.\/models\/([\w.-]+)'/.exec(src)?.[1]
    ?? /function defaultModelUrl\(\)[^{]*\{[^}]*?new URL\('\.\.\/models\/([\w.-]+)'/.exec(src)?.[1];
  if (!def) throw new Error('build-web: cannot find the default model in src/assets.ts (defaultModelUrl)');
  return { all: [...new Set(all)], def };
}

/** Kernel modules in the engine's order of preference (src/wasm/load.ts: relaxed SIMD, SIMD, scalar). */
const KERNEL_ORDER = ['wasm/mobilenet-relaxed.wasm', 'wasm/mobilenet-simd.wasm', 'wasm/mobilenet-scalar.wasm'];

/** Every file under dir, relative, with '/' separators, sorted. */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .sort();
}

export async function buildWeb({ outDir = DEFAULT_OUT, log = () => {} } = {}) {
  const models = engineModels();
  for (const need of [path.join(DIST, 'index.js'), path.join(DIST, 'worker.js'), path.join(ROOT, 'models', models.def)]) {
    if (!existsSync(need)) throw new Error(`build-web: ${path.relative(ROOT, need)} is missing; run \`npm run build\` first`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, 'dist/wasm'), { recursive: true });
  mkdirSync(path.join(outDir, 'models'), { recursive: true });
  mkdirSync(path.join(outDir, 'icons'), { recursive: true });

  // The pages' scripts. The engine is not bundled: the pages import ./dist/index.js as published, so the
  // worker, threads and wasm resolve beside it (new URL(..., import.meta.url)).
  const engineExternal = {
    name: 'engine-external',
    setup(b) {
      b.onResolve({ filter: /\/dist\/(index|teach|detect)\.js$/ }, (a) => ({ path: `./dist/${path.basename(a.path)}`, external: true }));
    },
  };
  await esbuild.build({
    entryPoints: {
      app: path.join(WEB, 'src/app.ts'), figure1: path.join(WEB, 'src/figure1.ts'),
      teach: path.join(WEB, 'src/teach.ts'), 'teach-worker': path.join(WEB, 'src/teach-worker.ts'),
    },
    outdir: outDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    sourcemap: false, logLevel: 'error', plugins: [engineExternal],
  });
  for (const f of ['figure1.html', 'teach.html', 'styles.css']) copyFileSync(path.join(WEB, f), path.join(outDir, f));
  // The page shows the built-in model's name before the model has loaded (so nothing moves when it has).
  const builtinName = models.def.replace(/\.[^.]+$/, '').replace(/[<>&"]/g, '');
  writeFileSync(path.join(outDir, 'index.html'), readFileSync(path.join(WEB, 'index.html'), 'utf8').replaceAll('{{DEFAULT_MODEL}}', builtinName));
  copyFileSync(path.join(ROOT, 'models/sample.svg'), path.join(outDir, 'models/sample.svg'));
  for (const f of engineFiles()) copyFileSync(path.join(DIST, f), path.join(outDir, 'dist', f));
  for (const m of models.all) {
    if (existsSync(path.join(ROOT, 'models', m))) copyFileSync(path.join(ROOT, 'models', m), path.join(outDir, 'models', m));
  }

  const svg = readFileSync(path.join(WEB, 'icon.svg'));
  copyFileSync(path.join(WEB, 'icon.svg'), path.join(outDir, 'icons/icon.svg'));
  for (const icon of ICONS) {
    // Maskable icons keep their content inside the central 80 % safe zone: shrink onto a full-bleed background.
    const png = icon.purpose === 'maskable'
      ? await sharp({ create: { width: icon.size, height: icon.size, channels: 4, background: '#1d3557' } })
        .composite([{ input: await sharp(svg).resize(Math.round(icon.size * 0.7)).png().toBuffer(), gravity: 'center' }]).png().toBuffer()
      : await sharp(svg, { density: 300 }).resize(icon.size, icon.size).png().toBuffer();
    writeFileSync(path.join(outDir, icon.file), png);
  }
  const manifest = {
    name: 'mobilenet-wasm', short_name: 'MobileNet', description: 'MobileNetV2 image classification in WebAssembly, offline',
    start_url: './', scope: './', display: 'standalone', background_color: '#f7f7f2', theme_color: '#1d3557',
    icons: [
      ...ICONS.map((i) => ({ src: i.file, sizes: `${i.size}x${i.size}`, type: 'image/png', purpose: i.purpose })),
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  };
  writeFileSync(path.join(outDir, 'manifest.webmanifest'), `${JSON.stringify(manifest, null, 2)}\n`);

  // The version is a hash of every file the service worker will cache (names and bytes), so any change
  // of the app, the engine or the default model gives a new cache name and the old one is deleted.
  const files = listFiles(outDir);
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(path.join(outDir, f))).update('\0');
  const version = hash.digest('hex').slice(0, 16);
  // Precached: the app shell (pages, scripts, styles, icons, manifest, the sample), the engine's JS and the
  // default model. Kernel modules: one, chosen by the service worker. The rest (other kernels, other
  // models): on first use.
  const kernels = KERNEL_ORDER.map((k) => `dist/${k}`).filter((k) => files.includes(k));
  const isModel = (f) => f.startsWith('models/') && f !== 'models/sample.svg';
  const precache = ['./', ...files.filter((f) => f !== 'index.html' && !f.startsWith('dist/wasm/') && (!isModel(f) || f === `models/${models.def}`))];
  const runtime = files.filter((f) => f !== 'index.html' && !precache.includes(f) && !kernels.includes(f));
  await esbuild.build({
    entryPoints: [path.join(WEB, 'src/sw.ts')], outfile: path.join(outDir, 'sw.js'), bundle: true, format: 'iife',
    platform: 'browser', target: 'es2022', minify: false, logLevel: 'error',
    define: {
      __VERSION__: JSON.stringify(version), __PRECACHE__: JSON.stringify(precache),
      __KERNELS__: JSON.stringify(kernels), __RUNTIME__: JSON.stringify(runtime),
    },
  });
  const size = (f) => readFileSync(path.join(outDir, f)).length;
  const precached = precache.reduce((a, f) => a + size(f === './' ? 'index.html' : f), 0) + Math.max(0, ...kernels.map(size));
  log(`build-web: ${path.relative(ROOT, outDir) || outDir} — ${files.length} files, ${(precached / 1e6).toFixed(1)} MB precached at most, version ${version}`);
  return { outDir, version, files: ['./', ...files], precache, kernels, runtime };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUT;
  buildWeb({ outDir: out, log: console.log }).catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
