// The architecture rules (.dependency-cruiser.cjs): no import cycle in src/, and each layer imports only the
// layers below it (graph ← plan ← exec ← API; formats beside graph). Checked on the real tree, and on a copy
// with a deliberate back edge (graph/ir.ts importing the executor), which must be reported.
import { execFileSync } from 'node:child_process';
import { cpSync, appendFileSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/shared.js';

const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

// CI's environment asks for colour (FORCE_COLOR), which puts escape codes between the words the checks
// match: ask for none, and strip any that come anyway.
const NO_COLOUR = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

/** depcruise's report for `dir`'s src/ (exit status and output); 0 = no violation. */
function cruise(dir: string): { status: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: dir, encoding: 'utf8', env: NO_COLOUR });
    return { status: 0, out: plain(out) };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, out: plain(`${err.stdout}${err.stderr}`) };
  }
}

describe('architecture rules', () => {
  it('src/ has no import cycle and no layer imports one above it', () => {
    const r = cruise(ROOT);
    expect(r.out).toMatch(/no dependency violations found \(\d+ modules/);
    expect(r.status).toBe(0);
  }, 60_000);

  it('a deliberate back edge (graph/ imports the executor) and a cycle are reported', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-arch-'));
    try {
      cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
      for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json']) copyFileSync(path.join(ROOT, f), path.join(dir, f));
      appendFileSync(path.join(dir, 'src/graph/ir.ts'), "\nexport { execute } from '../exec/executor.js';\n");
      const r = cruise(dir);
      expect(r.status).not.toBe(0);
      expect(r.out).toMatch(/graph-is-the-bottom: src\/graph\/ir\.ts → src\/exec\/executor\.ts/);
      expect(r.out).toMatch(/no-cycles/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
