// Runs the Deno tests (test/deno/*_test.ts) with the Deno binary from the `deno` npm package, so that
// `npm test` covers Deno. Node decodes cat.png and classifies it through dist/index.js first; Deno gets
// the same pixels and Node's top-5 (MNW_DENO_FIXTURE) and must agree. Skips with a message when no Deno
// binary is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';
import { classifyInNode, distBuilt, referenceImage } from '../build/reference.js';

/** The Deno executable: the npm package's copy, its platform package's, or one on PATH. */
function findDeno(): string | null {
  const candidates = [
    path.join(ROOT, 'node_modules/deno/deno'),
    path.join(ROOT, `node_modules/@deno/${process.platform}-${process.arch}-glibc/deno`),
    path.join(ROOT, `node_modules/@deno/${process.platform}-${process.arch}/deno`),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v deno'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

const deno = findDeno();
if (!deno) console.warn('[skip] Deno tests: no deno binary (node_modules/deno or @deno/<platform>, or deno on PATH); run `npm ci`');
if (!distBuilt) console.warn('[skip] Deno tests: dist/ is not built; run `npm run build`');

const tmp = mkdtempSync(path.join(tmpdir(), 'mnw-deno-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!deno || !distBuilt)('Deno', () => {
  it('runs test/deno/*_test.ts against dist/index.js and agrees with Node', async () => {
    const { image, source } = await referenceImage();
    const node = await classifyInNode(image);
    const pixels = path.join(tmp, 'pixels.rgba');
    writeFileSync(pixels, image.data);
    const fixture = path.join(tmp, 'fixture.json');
    writeFileSync(fixture, JSON.stringify({ pixels, width: image.width, height: image.height, channels: image.channels, expected: node.top, source }));

    // Only the Deno files (*_test.ts): this vitest file also matches `deno test`'s default pattern.
    const files = readdirSync(path.join(ROOT, 'test/deno')).filter((f) => f.endsWith('_test.ts')).map((f) => `test/deno/${f}`);
    expect(files.length).toBeGreaterThan(0);
    const r = spawnSync(deno!, ['test', '--allow-read', '--allow-env', '--no-check', ...files], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_DIR: path.join(tmp, 'deno-dir'), MNW_DENO_FIXTURE: fixture },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    console.log(`node (isa ${node.isa}, ${source}): ${node.top.map((c) => `${c.label} ${c.score.toFixed(6)}`).join(', ')}\n${out.trim()}`);
    expect(r.error, out).toBeUndefined();
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/ok \| [1-9]\d* passed \| 0 failed/);
  }, 360_000);
});
