import { describe, it, expect } from 'vitest';
import { planMemory, peakLiveBytes, type UsageRecord } from '../../src/plan/memory-planner.js';
import { mulberry32 } from '../helpers/random.js';

const overlaps = (a: UsageRecord, b: UsageRecord) =>
  a.first <= b.last && b.first <= a.last && a.offset! < b.offset! + b.size && b.offset! < a.offset! + a.size;

describe('planMemory', () => {
  it('reuses the space of dead buffers (a chain needs two buffers, not n)', () => {
    const recs = Array.from({ length: 10 }, (_, i) => ({ name: `v${i}`, first: i, last: i + 1, size: 1024 }));
    expect(planMemory(recs)).toBe(2048);
  });

  it('never overlaps buffers live at the same time, on random lifetimes', () => {
    const r = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const recs: UsageRecord[] = Array.from({ length: 30 }, (_, i) => {
        const first = Math.floor(r() * 20);
        return { name: `v${i}`, first, last: first + Math.floor(r() * 5), size: 64 * (1 + Math.floor(r() * 100)) };
      });
      const total = planMemory(recs);
      for (const a of recs) {
        expect(a.offset! % 64).toBe(0);
        expect(a.offset! + a.size).toBeLessThanOrEqual(total);
        for (const b of recs) if (a !== b) expect(overlaps(a, b), `${a.name} and ${b.name}`).toBe(false);
      }
      expect(total).toBeGreaterThanOrEqual(peakLiveBytes(recs));
    }
  });
});
