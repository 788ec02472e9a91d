// Builds everything `npm ci` should leave ready, offline: the wasm kernels (asc, then wasm-opt from
// the binaryen package), the ESM bundles (esbuild), and the default model from the installed nsfwjs.
// Usage: node scripts/build.mjs [--skip-model] [--skip-wasm]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const skip = new Set(process.argv.slice(2));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

mkdirSync('dist/wasm', { recursive: true });
mkdirSync('build', { recursive: true });

if (!skip.has('--skip-wasm')) {
  run(bin('asc'), ['assembly/index.ts', '--target', 'simd']);
  run(bin('asc'), ['assembly/index-scalar.ts', '--target', 'scalar']);
  for (const [file, features] of [['mobilenet-simd.wasm', ['--enable-simd']], ['mobilenet-scalar.wasm', []]]) {
    const f = path.join('dist/wasm', file);
    run(bin('wasm-opt'), [f, '-O3', ...features, '--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '-o', f]);
  }
}

const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', sourcemap: true };
// The library: runs in browsers, Node and Deno. node: builtins are imported lazily and only in Node.
await esbuild.build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral', external: ['node:*', 'sharp'] });
// The CLI and the benchmark: Node only.
await esbuild.build({
  ...common, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist', platform: 'node', packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
});
if (existsSync('bench/model.bench.ts')) {
  await esbuild.build({ ...common, entryPoints: { bench: 'bench/model.bench.ts' }, outdir: 'dist', platform: 'node', packages: 'external' });
}

if (!skip.has('--skip-model')) {
  await esbuild.build({ ...common, entryPoints: ['scripts/build-default-model.ts'], outfile: 'build/build-default-model.mjs', platform: 'node', packages: 'external' });
  run(process.execPath, ['build/build-default-model.mjs']);
}

const gz = (f) => gzipSync(readFileSync(f)).length;
for (const f of ['dist/index.js', 'dist/wasm/mobilenet-simd.wasm', 'dist/wasm/mobilenet-scalar.wasm']) {
  if (existsSync(f)) console.log(`${f}: ${statSync(f).size} bytes, ${gz(f)} gzipped`);
}
