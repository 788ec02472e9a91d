// The math of the web app's Figure 1 page (web/src/spiral.ts): a 2-D spiral through T (n×2, Gaussian),
// ReLU, and T⁺ = (TᵀT)⁻¹Tᵀ. What the paper's figure claims: for n = 2 ReLU destroys the manifold (points
// lose information, arms fold onto each other); for n = 30 it keeps it (every point recoverable, every
// neighbourhood intact). Pointwise, T⁺·ReLU(T·x) is not x even for large n (about x/2, bent by the
// direction-dependent mask), so the properties checked are the ones the figure shows.
import { describe, expect, it } from 'vitest';
import { fractionLost, gaussianMatrix, neighbourPreservation, pseudoInverse, random, reluRoundTrip, spiral } from '../../web/src/spiral.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const points = spiral();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Figure 1 math', () => {
  it('random() is seeded and uniform-looking; gaussianMatrix has mean ≈ 0 and variance ≈ 1', () => {
    expect(random(7)()).toBe(random(7)());
    expect(random(7)()).not.toBe(random(8)());
    const t = gaussianMatrix(5000, 3);
    const m = mean([...t]);
    const v = mean([...t].map((x) => (x - m) ** 2));
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  it.each([2, 3, 5, 15, 30])('T⁺·T = I for n = %i', (n) => {
    for (const seed of SEEDS) {
      const t = gaussianMatrix(n, seed);
      const p = pseudoInverse(t);
      const prod = [0, 0, 0, 0];
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) prod[2 * r + c] += p[r * n + i] * t[2 * i + c];
      expect(prod[0]).toBeCloseTo(1, 9);
      expect(prod[1]).toBeCloseTo(0, 9);
      expect(prod[2]).toBeCloseTo(0, 9);
      expect(prod[3]).toBeCloseTo(1, 9);
    }
  });

  it('pseudoInverse rejects a rank-1 T', () => {
    expect(() => pseudoInverse(new Float64Array([1, 2, 2, 4, 3, 6]))).toThrow(/singular/);
  });

  it('n = 2: points ReLU left alone come back exactly; most others lose information and the spiral folds', () => {
    let radius = 0;
    for (let i = 0; i < points.length; i += 2) radius = Math.max(radius, Math.hypot(points[i], points[i + 1]));
    const kept: number[] = [];
    const lost: number[] = [];
    for (const seed of SEEDS) {
      const e = reluRoundTrip(points, 2, seed);
      for (let k = 0; k < e.zeroed.length; k++) {
        if (e.zeroed[k] > 0) continue;
        const err = Math.hypot(e.recovered[2 * k] - points[2 * k], e.recovered[2 * k + 1] - points[2 * k + 1]);
        expect(err / radius).toBeLessThan(1e-9);
      }
      lost.push(fractionLost(e));
      kept.push(neighbourPreservation(e.recovered));
      expect(fractionLost(e), `seed ${seed}`).toBeGreaterThan(0.3);
      expect(neighbourPreservation(e.recovered), `seed ${seed}`).toBeLessThan(0.8);
    }
    expect(mean(lost)).toBeGreaterThan(0.5);
    expect(mean(kept)).toBeLessThan(0.6);
  });

  it('n = 30: no point loses information and every neighbourhood survives', () => {
    for (const seed of SEEDS) {
      const e = reluRoundTrip(points, 30, seed);
      expect(fractionLost(e), `seed ${seed}`).toBe(0);
      expect(neighbourPreservation(e.recovered), `seed ${seed}`).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('the manifold survives better as n grows (means over seeds: 2 < 5 < 30)', () => {
    const kept = (n: number) => mean(SEEDS.map((s) => neighbourPreservation(reluRoundTrip(points, n, s).recovered)));
    const [k2, k5, k30] = [kept(2), kept(5), kept(30)];
    expect(k2).toBeLessThan(k5);
    expect(k5).toBeLessThan(k30);
  });

  it('neighbourPreservation is 1 for the spiral itself and low for a shuffled one (the measure can fail)', () => {
    expect(neighbourPreservation(points)).toBe(1);
    const rnd = random(5);
    const shuffled = new Float64Array(points);
    for (let i = shuffled.length / 2 - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      for (const c of [0, 1]) [shuffled[2 * i + c], shuffled[2 * j + c]] = [shuffled[2 * j + c], shuffled[2 * i + c]];
    }
    expect(neighbourPreservation(shuffled)).toBeLessThan(0.2);
  });
});
