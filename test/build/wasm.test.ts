// The three kernel modules and how the loader picks one. relaxed (SIMD128 + relaxed SIMD) exports what simd
// does plus the registry's 'relaxed' kernels; simd and scalar contain no relaxed opcode (they validate where relaxed SIMD does not);
// Node 20 picks simd by itself and relaxed only under --experimental-wasm-relaxed-simd, where the relaxed
// module classifies like the simd one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { KERNELS } from '../../src/plan/registry.js';
import { detectIsa, hasRelaxedSimd, hasSimd, resolveIsa } from '../../src/wasm/load.js';
import { ROOT } from '../helpers/shared.js';
import { DIST, distBuilt } from './reference.js';

const wasm = (isa: string) => path.join(DIST, 'wasm', `mobilenet-${isa}.wasm`);
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/** Runs an ESM snippet in a child Node with `flags`; returns what it prints as JSON. */
function nodeJson(flags: string[], code: string): unknown {
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('isa selection (src/wasm/load.ts)', () => {
  it('auto picks the best the runtime validates, in the order relaxed, simd, scalar', () => {
    expect(detectIsa()).toBe(hasRelaxedSimd() ? 'relaxed' : hasSimd() ? 'simd' : 'scalar');
    expect(resolveIsa('auto')).toBe(detectIsa());
    expect(resolveIsa(undefined)).toBe(detectIsa());
    expect(resolveIsa('scalar')).toBe('scalar');
  });

  it.runIf(process.versions.node.startsWith('20.') && !process.execArgv.includes(RELAXED_FLAG))(
    'Node 20 without the flag: plain SIMD by default; asking for relaxed says how to get it', () => {
      expect(hasSimd()).toBe(true);
      expect(hasRelaxedSimd()).toBe(false);
      expect(detectIsa()).toBe('simd');
      expect(() => resolveIsa('relaxed')).toThrow(EngineError);
      expect(() => resolveIsa('relaxed')).toThrow(RELAXED_FLAG);
    });

  it('rejects an unknown isa with the accepted values', () => {
    expect(() => resolveIsa('avx' as never)).toThrow(/"auto", "relaxed", "simd" or "scalar"/);
  });
});

describe.skipIf(!distBuilt)('kernel modules (dist/wasm)', () => {
  it('simd and scalar hold no relaxed opcode: they validate where relaxed SIMD does not', () => {
    expect(WebAssembly.validate(readFileSync(wasm('scalar')))).toBe(true);
    if (!hasRelaxedSimd()) expect(WebAssembly.validate(readFileSync(wasm('simd')))).toBe(true);
  });

  it(`under ${RELAXED_FLAG}: relaxed validates, exports what simd exports (+ its own kernels), is picked by auto, and classifies like simd`, () => {
    const r = nodeJson([RELAXED_FLAG], `
      import { readFileSync } from 'node:fs';
      const ex = (isa) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync('dist/wasm/mobilenet-' + isa + '.wasm'))).map((e) => e.kind + ' ' + e.name).sort();
      const { loadModel } = await import('./dist/index.js');
      const img = { data: new Uint8Array(64 * 48 * 4).map((_, i) => (i * 37) & 255), width: 64, height: 48 };
      const top = {};
      for (const isa of ['auto', 'relaxed', 'simd']) {
        const m = await loadModel('default', { isa });
        top[isa] = { isa: m.info.isa, top: await m.classify(img, { topK: 5 }) };
        m.dispose();
      }
      console.log(JSON.stringify({ relaxed: ex('relaxed'), simd: ex('simd'), top }));
    `) as { relaxed: string[]; simd: string[]; top: Record<string, { isa: string; top: { index: number; score: number }[] }> };
    const own = KERNELS.filter((k) => k.isa === 'relaxed').map((k) => `function ${k.name}`);
    expect(own.length).toBeGreaterThan(0);
    expect(r.relaxed).toEqual([...r.simd, ...own].sort());
    expect(r.top.auto.isa).toBe('relaxed');
    expect(r.top.relaxed.isa).toBe('relaxed');
    expect(r.top.simd.isa).toBe('simd');
    expect(r.top.relaxed.top[0].index).toBe(r.top.simd.top[0].index);
    for (const [i, c] of r.top.relaxed.top.entries()) {
      expect(c.index).toBe(r.top.simd.top[i].index);
      expect(Math.abs(c.score - r.top.simd.top[i].score)).toBeLessThan(1e-4);
    }
  }, 300_000);
});

describe('the RELAXED_SIMD switch for kernel authors (assembly/common/features.ts)', () => {
  it('compiles the relaxed branch only into the module built with --enable relaxed-simd', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-asc-'));
    try {
      const features = path.relative(dir, path.join(ROOT, 'assembly/common/features')).split(path.sep).join('/');
      writeFileSync(path.join(dir, 'probe.ts'), [
        `import { RELAXED_SIMD } from "${features}";`,
        'export function madd(p: usize): void {',
        '  const a = v128.load(p);',
        '  v128.store(p, RELAXED_SIMD ? f32x4.relaxed_madd(a, a, a) : f32x4.add(f32x4.mul(a, a), a));',
        '}',
        '',
      ].join('\n'));
      const wat = (features: string[]) => {
        const out = path.join(dir, `probe-${features.length}.wat`);
        execFileSync(path.join(ROOT, 'node_modules/.bin/asc'), [path.join(dir, 'probe.ts'), '-O3', '--runtime', 'stub', ...features.flatMap((f) => ['--enable', f]), '--textFile', out, '--outFile', out.replace(/wat$/, 'wasm')], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
        return readFileSync(out, 'utf8');
      };
      const simd = wat(['simd']);
      const relaxed = wat(['simd', 'relaxed-simd']);
      expect(simd).not.toContain('relaxed');
      expect(simd).toContain('f32x4.mul');
      expect(relaxed).toContain('f32x4.relaxed_madd');
      expect(relaxed).not.toContain('f32x4.mul');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
