// Download size of each configuration: the engine's JS (each entry bundle plus the chunks it imports,
// each file once) plus the one wasm binary that configuration fetches, each file gzipped at
// level 9 (`gzip -9` equivalent, node:zlib), summed. The same measurement for
// TensorFlow.js (tfjs-core + tfjs-backend-wasm, SIMD binary) and ONNX Runtime Web (wasm build) from their
// installed npm packages, so BENCHMARKS.md's "Size" table can be reproduced:
//
//   node scripts/size.mjs            table for the terminal
//   node scripts/size.mjs --markdown the BENCHMARKS.md table
//   node scripts/size.mjs --json     machine-readable (test/build/size.test.ts checks the budget with it)
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** Engine JS + one wasm binary, gzipped, must stay at or under this (the issue's budget). */
export const BUDGET_BYTES = 100 * 1024;

/** Directory of an installed package, or null when it is not installed. */
function packageDir(name) {
  const direct = path.join(root, 'node_modules', name);
  if (existsSync(path.join(direct, 'package.json'))) return direct;
  try {
    return path.dirname(require.resolve(`${name}/package.json`)); // hoisted elsewhere; needs ./package.json exported
  } catch {
    return null;
  }
}

function measureFile(file) {
  const bytes = readFileSync(file);
  return { file: path.relative(root, file), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** A chunk that only Node can run: it imports sharp (hidden from bundlers as __mnwNodeImport("sharp")). */
function nodeOnly(file) {
  return existsSync(file) && readFileSync(file, 'utf8').includes('__mnwNodeImport("sharp")');
}

/** `entries` plus every file they import, transitively (./chunk-*.js of the code-split bundles). */
export function withImports(entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    if (!/\.m?js$/.test(file)) return;
    // Minified ESM: import{a as b}from"./chunk-X.js", import"./chunk-X.js", and lazy import("./chunk-X.js"),
    // counted too (an upper bound: a configuration may not take every lazy path) — except a lazy chunk that
    // imports sharp: Node's image decoder (src/image/decode-node.ts), which a browser never loads (it could not
    // run it; src/image/sources.ts imports it only under Node).
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"(\.\/[^"]+\.m?js)"/g)) {
      const target = path.join(path.dirname(file), m[1]);
      if (m[0].includes('(') && nodeOnly(target)) continue;
      visit(target);
    }
  };
  for (const f of entries) visit(f);
  return [...seen];
}

function config(name, files, note = '') {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) return { name, missing: missing.map((f) => path.relative(root, f)), note };
  const parts = withImports(files).map(measureFile);
  return { name, parts, bytes: parts.reduce((s, p) => s + p.bytes, 0), gzip: parts.reduce((s, p) => s + p.gzip, 0), note };
}

/** Every configuration measured: ours first (each checked against BUDGET_BYTES), then the peers. */
export function measure() {
  const d = (f) => path.join(root, 'dist', f);
  const ours = [
    config('mobilenet-wasm, main thread, relaxed SIMD', [d('index.js'), d('wasm/mobilenet-relaxed.wasm')], 'Chrome 114+, Deno'),
    config('mobilenet-wasm, main thread, SIMD', [d('index.js'), d('wasm/mobilenet-simd.wasm')], 'Node 20, Firefox, Safari 16.4+'),
    config('mobilenet-wasm, main thread, scalar', [d('index.js'), d('wasm/mobilenet-scalar.wasm')], 'no SIMD128'),
  ];
  if (existsSync(d('worker.js'))) {
    ours.push(config('mobilenet-wasm, in a worker, relaxed SIMD', [d('index.js'), d('worker.js'), d('wasm/mobilenet-relaxed.wasm')], 'page bundle + worker bundle'));
  }
  if (existsSync(d('thread.js'))) {
    ours.push(config('mobilenet-wasm, multi-threaded, relaxed SIMD', [d('index.js'), d('thread.js'), d('wasm/mobilenet-relaxed.wasm')], 'cross-origin isolated'));
  }
  const peers = [];
  const tfCore = packageDir('@tensorflow/tfjs-core');
  const tfWasm = packageDir('@tensorflow/tfjs-backend-wasm');
  if (tfCore && tfWasm) {
    const v = JSON.parse(readFileSync(path.join(tfWasm, 'package.json'), 'utf8')).version;
    peers.push(config(`TensorFlow.js ${v} wasm backend, SIMD`, [
      path.join(tfCore, 'dist/tf-core.min.js'), path.join(tfWasm, 'dist/tf-backend-wasm.min.js'), path.join(tfWasm, 'dist/tfjs-backend-wasm-simd.wasm'),
    ], 'tfjs-core + tfjs-backend-wasm; loading a model also needs tfjs-converter (next row)'));
    const tfConv = packageDir('@tensorflow/tfjs-converter');
    if (tfConv) {
      peers.push(config(`TensorFlow.js ${v} wasm backend + converter, SIMD`, [
        path.join(tfCore, 'dist/tf-core.min.js'), path.join(tfWasm, 'dist/tf-backend-wasm.min.js'), path.join(tfConv, 'dist/tf-converter.min.js'),
        path.join(tfWasm, 'dist/tfjs-backend-wasm-simd.wasm'),
      ], 'what a GraphModel (e.g. MobileNetV2) needs'));
    }
  }
  const ort = packageDir('onnxruntime-web');
  if (ort) {
    const v = JSON.parse(readFileSync(path.join(ort, 'package.json'), 'utf8')).version;
    peers.push(config(`ONNX Runtime Web ${v}, wasm`, [
      path.join(ort, 'dist/ort.wasm.min.mjs'), path.join(ort, 'dist/ort-wasm-simd-threaded.mjs'), path.join(ort, 'dist/ort-wasm-simd-threaded.wasm'),
    ], 'ort.wasm.min.mjs imports the Emscripten glue ort-wasm-simd-threaded.mjs; one binary for SIMD with or without threads'));
  }
  return { budgetBytes: BUDGET_BYTES, ours, peers };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Prints the configurations (called at the end of scripts/build.mjs); warns when ours exceed the budget. */
export function printSizes({ peers = false } = {}) {
  const m = measure();
  console.log(`size (gzip -9; budget ${kb(BUDGET_BYTES)} for engine JS + one wasm binary):`);
  for (const c of [...m.ours, ...(peers ? m.peers : [])]) {
    if (c.missing) {
      console.log(`  ${c.name}: not built (${c.missing.join(', ')})`);
      continue;
    }
    const over = m.ours.includes(c) && c.gzip > BUDGET_BYTES ? '  OVER BUDGET' : '';
    console.log(`  ${c.name}: ${kb(c.gzip)} gzipped (${kb(c.bytes)} raw)${over}`);
    for (const p of c.parts) console.log(`      ${p.file}: ${kb(p.gzip)} (${kb(p.bytes)})`);
  }
  return m;
}

function markdown(m) {
  const rows = [
    '| configuration | JS files | JS, gzip -9 | wasm, gzip -9 | total raw | **total gzip -9** |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const c of [...m.ours, ...m.peers]) {
    if (c.missing) continue;
    const js = c.parts.filter((p) => !p.file.endsWith('.wasm'));
    const wasm = c.parts.filter((p) => p.file.endsWith('.wasm'));
    const chunks = js.filter((p) => /chunk-[^/]*\.js$/.test(p.file)).length;
    const names = js.filter((p) => !/chunk-[^/]*\.js$/.test(p.file)).map((p) => path.basename(p.file));
    if (chunks) names.push(`${chunks} shared chunk${chunks > 1 ? 's' : ''}`);
    const sum = (ps, k) => ps.reduce((t, p) => t + p[k], 0);
    rows.push(`| ${c.name} | ${names.join(' + ')} | ${kb(sum(js, 'gzip'))} | ${wasm.map((p) => `${path.basename(p.file)} ${kb(p.gzip)}`).join(', ')} | ${kb(c.bytes)} | **${kb(c.gzip)}** |`);
  }
  return rows.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = new Set(process.argv.slice(2));
  if (args.has('--json')) console.log(JSON.stringify(measure(), null, 2));
  else if (args.has('--markdown')) console.log(markdown(measure()));
  else printSizes({ peers: true });
}
