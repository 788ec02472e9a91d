// The worker bundle the worker and pool tests run against. By default it is built from
// test/worker/entry.ts (worker/index.ts's engine API plus the tests' crash switch) on the fly (esbuild, platform 'neutral' like dist/worker.js) into a uniquely named
// file in build/: one level below the root like src/, so its asset URLs (src/assets.ts: ../dist/wasm/,
// ../models/) resolve, and outside dist/, which other tests scan. MOBILENET_WORKER_BUNDLE=dist/worker.js
// runs the tests against the built bundle instead (then the crash tests fail: the shipped worker has no __crash).
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers/shared.js';

export interface WorkerBundle { url: URL; cleanup(): void }

export async function workerBundle(): Promise<WorkerBundle> {
  const given = process.env.MOBILENET_WORKER_BUNDLE;
  if (given) {
    const file = path.resolve(ROOT, given);
    if (!existsSync(file)) throw new Error(`MOBILENET_WORKER_BUNDLE=${given}: ${file} does not exist (npm run build?)`);
    return { url: pathToFileURL(file), cleanup() {} };
  }
  mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  const file = path.join(ROOT, 'build', `.worker-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}.js`);
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'test/worker/entry.ts')], outfile: file, bundle: true, format: 'esm', target: 'es2022',
    platform: 'neutral', external: ['node:*', 'sharp'], logLevel: 'warning',
  });
  return { url: pathToFileURL(file), cleanup: () => rmSync(file, { force: true }) };
}
