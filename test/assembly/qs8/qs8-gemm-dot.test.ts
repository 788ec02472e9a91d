// qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed (the relaxed dot GEMM of both families) and its semantics probe.
// The kernel needs an engine whose relaxed dot is exact: Node 20's is not (behind its flag it doubles every
// sum, so the probe refuses it and the portable kernels run), so the kernel cases run in Deno
// (test/deno/relaxed-dot.deno.ts, spawned here) against the integer reference at the tile boundaries, packed
// for the probed semantics (every byte exact) and for the other one (wrong bytes: the probe decides), and the
// whole uint8 / int8 MobileNetV2 models run on the relaxed module byte-identical to the simd module and the oracle.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dotModeOf, hasRelaxedSimd, relaxedDotMode } from '../../../src/wasm/load.js';
import { ROOT } from '../../helpers/shared.js';

const DENO = path.join(ROOT, 'node_modules/deno/deno');
const built = existsSync(path.join(ROOT, 'dist/wasm/mobilenet-relaxed.wasm')) && existsSync(path.join(ROOT, 'dist/index.js'));
if (!existsSync(DENO)) console.warn('[skip] relaxed dot kernel cases: no node_modules/deno/deno (npm ci)');

describe('relaxed dot probe (src/wasm/load.ts)', () => {
  it('maps the probe result: 1 unsigned (VNNI), 2 signed (sdot), anything else none', () => {
    expect(dotModeOf(1)).toBe('usdot');
    expect(dotModeOf(2)).toBe('sdot');
    for (const code of [0, 3, -1]) expect(dotModeOf(code)).toBeNull();
  });
  it('finds no exact relaxed dot where relaxed SIMD is absent', () => {
    if (!hasRelaxedSimd()) expect(relaxedDotMode()).toBeNull();
  });
});

describe.skipIf(!existsSync(DENO) || !built)('relaxed dot GEMM in Deno (test/deno/relaxed-dot.deno.ts)', () => {
  it('exact at every tile boundary under the probed semantics, wrong under the other; models byte-identical', () => {
    const r = spawnSync(DENO, ['run', '--sloppy-imports', '--allow-read', '--allow-env', '--no-check', 'test/deno/relaxed-dot.deno.ts'], {
      cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      mode: 'usdot' | 'sdot' | null; results: { fam: string; dot: string; label: string; bad: number }[];
      mixed: { dot: string; label: string; bad: number; fits: number }[];
      models: { file: string; equal: boolean; oracle: boolean | null }[];
    };
    if (!out.mode) {
      console.warn('[skip] this Deno has no exact relaxed dot: only the fallback is exercised');
      return;
    }
    const probed = out.results.filter((x) => x.dot === out.mode);
    const other = out.results.filter((x) => x.dot !== out.mode);
    expect(probed.length).toBeGreaterThan(800);
    for (const x of probed) expect(x.bad, `${x.fam} ${x.dot} ${x.label}`).toBe(0);
    // packed for the wrong semantics, nearly every case goes wrong (a 1-deep k can hit no flipped byte)
    expect(other.filter((x) => x.bad > 0).length).toBeGreaterThan(other.length * 0.9);
    // mixed packings (misfit panels on the portable kernel), by rows and in column pieces
    const mixedProbed = out.mixed.filter((x) => x.dot === out.mode);
    expect(mixedProbed.length).toBeGreaterThan(1500);
    for (const x of mixedProbed) expect(x.bad, `mixed ${x.dot} ${x.label}`).toBe(0);
    const mixedOther = out.mixed.filter((x) => x.dot !== out.mode && x.fits > 0);
    for (const x of out.mixed) expect(x.bad, `mixed ${x.dot} ${x.label}: packed layout`).toBeGreaterThanOrEqual(0);
    expect(mixedOther.filter((x) => x.bad > 0).length).toBeGreaterThan(mixedOther.length * 0.9);
    for (const m of out.models) {
      expect(m.equal, `${m.file}: relaxed vs simd`).toBe(true);
      if (m.oracle !== null) expect(m.oracle, `${m.file}: relaxed vs the TFLite oracle`).toBe(true);
    }
  }, 300_000);
});
