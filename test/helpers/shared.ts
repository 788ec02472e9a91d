// Access to ../shared/data (real models, images, TFLite oracle outputs). Present in CI, absent in a
// user's fresh clone: tests that need it use `describeShared`, which skips with a clear message.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DATA = path.resolve(ROOT, '../shared/data');
export const hasShared = existsSync(path.join(SHARED_DATA, 'images'));
export const sharedPath = (...p: string[]) => path.join(SHARED_DATA, ...p);

if (!hasShared) {
  console.warn(`[skip] ../shared/data not found at ${SHARED_DATA}: tests on real images and TFLite oracles are skipped`);
}

/**
 * describe() when ../shared/data exists; otherwise one skipped placeholder that says why. The body is
 * not even run then, so it may read shared files at collection time.
 */
export const describeShared = (name: string, fn: () => void) =>
  hasShared ? describe(name, fn) : describe.skip(`${name} (skipped: ../shared/data is absent)`, () => { it('needs ../shared/data', () => {}); });
