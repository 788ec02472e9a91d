// Builds everything `npm ci` should leave ready, offline: the wasm kernels (asc, then wasm-opt from
// the binaryen package), the ESM bundles (esbuild), the .d.ts types (tsc), and the 'nsfw' model from the
// nsfwjs package (a devDependency; the default ImageNet model ships as a file in models/). Prints the size budget at the end (scripts/size.mjs).
// Usage: node scripts/build.mjs [--skip-model] [--skip-wasm] [--skip-types]
//
// dist/ after a build:
//   index.js          the library, ESM for browsers, Node and Deno (minified, + .map); node: builtins are
//                     only imported lazily, under Node, so a plain <script type="module"> can import it
//   thread.js         helper-thread entry for multi-threaded inference (src/exec/thread-main.ts)
//   teach.js          mobilenet-wasm/teach: teaching new classes (src/teach/index.ts), a separate download
//   detect.js         mobilenet-wasm/detect: object detection (src/detect/index.ts), a separate download
//   worker.js         the API worker (worker/index.ts), when that file exists
//   chunk-<hash>.js   code shared by those three (esbuild code splitting)
//   wasm/mobilenet-{relaxed,simd,scalar}.wasm   the kernel modules; src/wasm/load.ts downloads one
//   wasm/mobilenet-{relaxed,simd}-mt.wasm     the same over a shared memory, for multi-threaded inference
//   index.d.ts, types/   declarations (tsc --emitDeclarationOnly)
//   cli.js, bench.js  Node only
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { printSizes } from './size.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const skip = new Set(process.argv.slice(2));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

mkdirSync('dist/wasm', { recursive: true });
mkdirSync('build', { recursive: true });

/** asc target (asconfig.json) → [entry, output, wasm-opt feature flags]. Every module gets the MVP extensions asc emits. */
const WASM_TARGETS = {
  simd: ['assembly/index.ts', 'dist/wasm/mobilenet-simd.wasm', ['--enable-simd']],
  relaxed: ['assembly/index-relaxed.ts', 'dist/wasm/mobilenet-relaxed.wasm', ['--enable-simd', '--enable-relaxed-simd']],
  scalar: ['assembly/index-scalar.ts', 'dist/wasm/mobilenet-scalar.wasm', []],
  // Shared-memory twins for the multi-threaded executor (src/exec/team.ts): same kernels, memory import shared.
  'simd-mt': ['assembly/index.ts', 'dist/wasm/mobilenet-simd-mt.wasm', ['--enable-simd', '--enable-threads']],
  'relaxed-mt': ['assembly/index-relaxed.ts', 'dist/wasm/mobilenet-relaxed-mt.wasm', ['--enable-simd', '--enable-relaxed-simd', '--enable-threads']],
};

if (!skip.has('--skip-wasm')) {
  // Roofline microbenchmarks for `bench --profile` (src/roofline/peak.ts), assembled from WAT by binaryen.
  const { default: binaryen } = await import('binaryen');
  const { rooflineWat } = await import('./roofline-wat.mjs');
  for (const [file, relaxed] of [['dist/wasm/roofline.wasm', false], ['dist/wasm/roofline-relaxed.wasm', true]]) {
    const m = binaryen.parseText(rooflineWat(relaxed));
    m.setFeatures(binaryen.Features.SIMD128 | (relaxed ? binaryen.Features.RelaxedSIMD : 0));
    if (!m.validate()) throw new Error(`${file}: invalid roofline module`);
    writeFileSync(file, m.emitBinary());
    m.dispose();
  }
  const base = ['--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int', '--enable-mutable-globals'];
  for (const [target, [entry, out, features]] of Object.entries(WASM_TARGETS)) {
    run(bin('asc'), [entry, '--target', target]);
    run(bin('wasm-opt'), [out, '-O3', ...features, ...base, '-o', out]);
  }
}

// Two source rewrites for the bundles that run in browsers, Deno and Node (no effect on behaviour):
// 1. src/assets.ts names files as seen from src/ ('../dist/wasm/…'); inside dist/ they sit beside the bundle.
// 2. `await import('node:…')` (lazy, Node-only) becomes `await __mnwNodeImport('node:…')`, defined in the
//    banner with a non-literal import(): an app's bundler then leaves Node built-ins alone instead of failing
//    to resolve them for the browser (esbuild --platform=browser errors on a literal import('node:fs')).
//    Write lazy Node imports exactly as `await import('node:…')` (or `await import('sharp')` for a package in
//    NODE_ONLY_PACKAGES); test/build/bundle.test.ts fails on any other.
// Packages only Node code imports (image decoding in src/image/decode-node.ts), hidden like node: built-ins.
const NODE_ONLY_PACKAGES = ['sharp'];
const NODE_ONLY_IMPORT = new RegExp(`\\bawait\\s+import\\((\\s*['"](?:node:[^'"]*|${NODE_ONLY_PACKAGES.join('|')})['"])`, 'g');
const NODE_IMPORT_BANNER = 'const __mnwNodeImport=(m)=>import(/* webpackIgnore: true */ /* @vite-ignore */ m);';
const distSource = ({ hideNodeImports }) => ({
  name: 'dist-source',
  setup(build) {
    const ours = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\\\/](src|worker)[\\\\/].*\\.ts$`);
    build.onLoad({ filter: ours }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      if (/[\\/]src[\\/]assets\.ts$/.test(args.path)) {
        const rewritten = contents.replaceAll("new URL('../dist/", "new URL('./");
        if (rewritten === contents) throw new Error("src/assets.ts: found no new URL('../dist/…') to rewrite");
        contents = rewritten;
      }
      if (hideNodeImports) contents = contents.replace(NODE_ONLY_IMPORT, 'await __mnwNodeImport($1');
      return { contents, loader: 'ts' };
    });
  },
});

const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', sourcemap: true, legalComments: 'none' };
// Runs in browsers, Node and Deno: no node: import may be static (test/build/bundle.test.ts checks).
const web = {
  ...common, platform: 'neutral', mainFields: ['module', 'main'], external: ['node:*', ...NODE_ONLY_PACKAGES], minify: !process.env.NO_MINIFY,
  plugins: [distSource({ hideNodeImports: true })], banner: { js: NODE_IMPORT_BANNER },
};
// One build with code splitting: the engine code that index.js, worker.js and thread.js share lands once in
// dist/chunk-<hash>.js, so a page that runs the model in a worker downloads it once (the worker's import
// hits the cache). Chunks stay in dist/ itself: their new URL('./wasm/…') must resolve like index.js's.
for (const f of readdirSync('dist')) if (/^chunk-.*\.js(\.map)?$/.test(f)) rmSync(path.join('dist', f));
const webEntries = { index: 'src/index.ts', teach: 'src/teach/index.ts', detect: 'src/detect/index.ts' };
if (existsSync('src/exec/thread-main.ts')) webEntries.thread = 'src/exec/thread-main.ts';
if (existsSync('worker/index.ts')) webEntries.worker = 'worker/index.ts';
else {
  console.log('build: worker/index.ts does not exist yet; dist/worker.js not built');
  rmSync('dist/worker.js', { force: true });
}
await esbuild.build({ ...web, entryPoints: webEntries, outdir: 'dist', splitting: true, chunkNames: 'chunk-[hash]' });
// The CLI and the benchmark: Node only.
await esbuild.build({
  ...common, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist', platform: 'node', packages: 'external', plugins: [distSource({ hideNodeImports: false })],
  banner: { js: '#!/usr/bin/env node' },
});
// esbuild writes files without the execute bit; `npx mobilenet-wasm` runs this file directly, also after a rebuild.
chmodSync('dist/cli.js', 0o755);
if (existsSync('bench/model.bench.ts')) {
  await esbuild.build({ ...common, entryPoints: { bench: 'bench/model.bench.ts' }, outdir: 'dist', platform: 'node', packages: 'external', plugins: [distSource({ hideNodeImports: false })] });
}

if (!skip.has('--skip-types')) {
  // Declarations for the package's entry points, rooted at the project so paths stay stable:
  // dist/types/src/index.d.ts (+ dist/types/worker/index.d.ts); dist/index.d.ts re-exports the first.
  // Hand-written ambient declarations (src/**/*.d.ts) are passed too: files on tsc's command line bypass
  // tsconfig.json's "include". A type error is reported but does not stop the build (tsc still emits);
  // `npm run typecheck` is the gate, and test/build/bundle.test.ts compiles a consumer against dist/index.d.ts.
  rmSync('dist/types', { recursive: true, force: true });
  const entries = ['src/index.ts', 'src/teach/index.ts', 'src/detect/index.ts', ...(existsSync('worker/index.ts') ? ['worker/index.ts'] : [])];
  const ambient = readdirSync('src', { recursive: true }).map(String).filter((f) => f.endsWith('.d.ts')).map((f) => path.join('src', f));
  try {
    run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), ...entries, ...ambient,
      '--declaration', '--emitDeclarationOnly', '--rootDir', '.', '--outDir', 'dist/types',
      '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,webworker',
      '--types', 'node', '--strict', '--skipLibCheck', '--isolatedModules', '--resolveJsonModule']);
  } catch {
    console.warn('build: tsc reported type errors (above); declarations were emitted anyway — run `npm run typecheck`');
  }
  writeFileSync('dist/index.d.ts', "export * from './types/src/index.js';\n");
  writeFileSync('dist/teach.d.ts', "export * from './types/src/teach/index.js';\n");
  writeFileSync('dist/detect.d.ts', "export * from './types/src/detect/index.js';\n");
  if (entries.includes('worker/index.ts')) writeFileSync('dist/worker.d.ts', "export * from './types/worker/index.js';\n");
  else rmSync('dist/worker.d.ts', { force: true });
}

if (!skip.has('--skip-model')) {
  await esbuild.build({ ...common, entryPoints: ['scripts/build-nsfw-model.ts'], outfile: 'build/build-nsfw-model.mjs', platform: 'node', packages: 'external' });
  run(process.execPath, ['build/build-nsfw-model.mjs']);
}

printSizes();
