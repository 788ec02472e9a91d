// The paper's Figure 1 (Sandler et al., MobileNetV2, §3.2): a 2-D spiral embedded into n dimensions by
// a random matrix T (n×2, Gaussian entries), passed through ReLU, and mapped back to 2-D with the
// pseudo-inverse T⁺ = (TᵀT)⁻¹Tᵀ (T has full column rank with probability 1). Pure math, no DOM, so
// test/web/spiral.test.ts checks it directly.

import { mulberry32 } from '../../src/models/random.js';

/** Points as interleaved (x, y) pairs. */
export type Points = Float64Array;

/** The spiral: `count` points r = t, angle = t, t from 0.5 to 4π, centred on the origin. */
export function spiral(count = 600, turns = 2): Points {
  const p = new Float64Array(count * 2);
  const tMax = turns * 2 * Math.PI;
  for (let i = 0; i < count; i++) {
    const t = 0.5 + (i / (count - 1)) * (tMax - 0.5);
    p[2 * i] = t * Math.cos(t);
    p[2 * i + 1] = t * Math.sin(t);
  }
  return p;
}

/** The engine's seeded generator (mulberry32), so a seed names one figure. */
export const random = mulberry32;

/** An n×2 matrix (row-major: row i is [T[2i], T[2i+1]]) of standard normal entries (Box–Muller). */
export function gaussianMatrix(n: number, seed: number): Float64Array {
  const rnd = random(seed);
  const t = new Float64Array(n * 2);
  for (let i = 0; i < t.length; i++) {
    const u = 1 - rnd();
    const v = rnd();
    t[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return t;
}

/** T⁺ = (TᵀT)⁻¹Tᵀ as a 2×n matrix (row-major: row 0 then row 1). */
export function pseudoInverse(t: Float64Array): Float64Array {
  const n = t.length / 2;
  let a = 0, b = 0, d = 0; // TᵀT = [[a, b], [b, d]]
  for (let i = 0; i < n; i++) {
    const x = t[2 * i], y = t[2 * i + 1];
    a += x * x;
    b += x * y;
    d += y * y;
  }
  const det = a * d - b * b;
  if (!(Math.abs(det) > 1e-12)) throw new Error(`pseudoInverse: TᵀT is singular (det ${det})`);
  const ia = d / det, ib = -b / det, id = a / det; // (TᵀT)⁻¹
  const p = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = t[2 * i], y = t[2 * i + 1];
    p[i] = ia * x + ib * y;
    p[n + i] = ib * x + id * y;
  }
  return p;
}

export interface Embedding {
  n: number;
  /** T⁺·ReLU(T·x) for every point. */
  recovered: Points;
  /** Per point: how many of the n coordinates of T·x ReLU zeroed. */
  zeroed: Uint16Array;
}

/** Embeds `points` into n dimensions with T, applies ReLU, maps back with T⁺. */
export function reluRoundTrip(points: Points, n: number, seed: number): Embedding {
  if (!Number.isInteger(n) || n < 2) throw new Error(`n must be an integer ≥ 2, got ${n}`);
  const t = gaussianMatrix(n, seed);
  const pinv = pseudoInverse(t);
  const count = points.length / 2;
  const recovered = new Float64Array(points.length);
  const zeroed = new Uint16Array(count);
  for (let k = 0; k < count; k++) {
    const x = points[2 * k], y = points[2 * k + 1];
    let rx = 0, ry = 0, z = 0;
    for (let i = 0; i < n; i++) {
      const h = t[2 * i] * x + t[2 * i + 1] * y;
      if (h <= 0) {
        z++;
        continue;
      }
      rx += pinv[i] * h;
      ry += pinv[n + i] * h;
    }
    recovered[2 * k] = rx;
    recovered[2 * k + 1] = ry;
    zeroed[k] = z;
  }
  return { n, recovered, zeroed };
}

/**
 * Fraction of points whose nearest other point after the round trip lies within `window` steps of
 * it along the spiral. A kept manifold scores 1 (it may be bent and stretched, but neighbours stay
 * neighbours); where ReLU folds arms onto each other or onto a line, points find strangers nearest.
 */
export function neighbourPreservation(recovered: Points, window = 10): number {
  const count = recovered.length / 2;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const x = recovered[2 * i], y = recovered[2 * i + 1];
    let best = -1, bestD = Infinity;
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      const d = (recovered[2 * j] - x) ** 2 + (recovered[2 * j + 1] - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    if (Math.abs(best - i) <= window) kept++;
  }
  return kept / count;
}

/**
 * Fraction of points that lost information: fewer than 2 of their n coordinates survived ReLU, so no
 * linear map can recover the 2-D point (any 2 rows of a Gaussian T are independent). For n = 2 that is
 * every point with a zeroed coordinate; for large n, almost none.
 */
export function fractionLost(e: Embedding): number {
  let c = 0;
  for (const z of e.zeroed) if (e.n - z < 2) c++;
  return c / e.zeroed.length;
}
