// The fuzz corpus (test/fuzz/corpus/*.json: mutants that once found a defect, as patches against their seeds;
// scripts/fuzz.mjs writes them) replayed against the built engine (dist/): each must now end as a typed error or
// a clean run, in a child process with the fuzzer's memory and time caps.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/shared.js';

const CORPUS = path.join(ROOT, 'test/fuzz/corpus');
const built = existsSync(path.join(ROOT, 'dist/index.js'));

describe.skipIf(!built)('fuzz corpus', () => {
  it('has entries, each replayed to a typed error or a clean run', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    // @ts-expect-error: a plain JS script
    const { corpusJobs, runJobs } = await import('../../scripts/fuzz.mjs');
    const jobs = await corpusJobs();
    const results = await runJobs(jobs, { timeMs: 60_000 });
    const bad = results.filter((r: { outcome: string }) => r.outcome !== 'typed' && r.outcome !== 'ran');
    expect(bad.map((r: { file: string; outcome: string; detail?: string }) => `${r.file}: ${r.outcome} ${r.detail ?? ''}`)).toEqual([]);
    expect(results).toHaveLength(files.length);
  }, 300_000);
});
