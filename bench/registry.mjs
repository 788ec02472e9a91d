// The kernel registry (src/plan/registry.ts) and the benchmark shapes (./kernel-shapes.json) for the plain-JS
// kernel benchmarks: Node 20 cannot import TypeScript, so the registry module is bundled in memory with esbuild
// (a devDependency) and imported from a data: URL. The benchmarks iterate KERNELS, so a kernel added to the
// registry is benchmarked as soon as its op has shapes here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const bundled = await build({
  entryPoints: [path.join(ROOT, 'src/plan/registry.ts')], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent',
});
const registry = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

/** Every registry row (src/plan/registry.ts KERNELS). */
export const KERNELS = registry.KERNELS;

/** Benchmark shapes by registry op (./kernel-shapes.json). */
export const SHAPES = JSON.parse(readFileSync(path.join(ROOT, 'bench/kernel-shapes.json'), 'utf8'));

/** The registry's kernels of `op` that `module` exports, SIMD first (then by name). */
export function kernelsOf(op, module = 'simd') {
  return KERNELS.filter((k) => k.op === op && k.modules.includes(module))
    .sort((a, b) => (a.isa === 'simd' ? -1 : 1) - (b.isa === 'simd' ? -1 : 1) || a.name.localeCompare(b.name));
}
