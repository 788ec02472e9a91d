// The fuzzer's bounded CI budget (scripts/fuzz.mjs, issue 14): a fixed seed and a few hundred to a few thousand
// mutants per format, sized to about two minutes in all on a loaded 2-core machine (figures in BENCHMARKS.md).
// Every mutant must end as a typed error or a clean run: no untyped error, trap, crash, hang or memory blow-up.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/shared.js';

const built = existsSync(path.join(ROOT, 'dist/index.js'));
const BUDGET: Record<string, number> = { image: 2000, native: 1000, tfjs: 1000, tflite: 150 };

describe.skipIf(!built)('fuzz budget', () => {
  for (const [format, count] of Object.entries(BUDGET)) {
    it(`${format}: ${count} mutants, no defect`, async () => {
      // @ts-expect-error: a plain JS script
      const { fuzz } = await import('../../scripts/fuzz.mjs');
      const { table, defects } = await fuzz({ format, count, seed: 14, jobs: 2, timeMs: 30_000, log: () => {} });
      const row = table[format];
      if (!row) return; // no seed files here (e.g. TF.js without nsfwjs is still seeded; tflite needs models/)
      expect(defects.map((d: { outcome: string; detail: string }) => `${d.outcome}: ${d.detail}`)).toEqual([]);
      expect(row.tried).toBe(count);
      expect(row.typed + row.ran).toBe(count);
      // Both kinds of outcome happen: the mutations reach past the first check, and they do break things.
      expect(row.typed).toBeGreaterThan(0);
      expect(row.ran).toBeGreaterThan(0);
    }, 240_000);
  }
});
