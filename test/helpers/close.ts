// Float comparison for kernel tests: |actual − expected| ≤ |expected|·rel + abs (XNNPACK testers use
// |ref|·1e-5). On failure the message names the first bad index with expected and actual values, the
// number of bad elements and the worst error, like llm.c's check_tensor.
import { expect } from 'vitest';

export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rel?: number;
  /** Absolute tolerance (default 1e-5): covers cancellation in sums of O(1) terms. */
  abs?: number;
  /** Names the compared tensor in the failure message. */
  label?: string;
  /** Maps a flat index to a readable position, e.g. (i) => `[${i / n | 0}][${i % n}]`. */
  where?: (i: number) => string;
}

/** Asserts actual ≈ expected elementwise (same length; NaN never matches). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): void {
  const rel = opts.rel ?? 1e-5;
  const abs = opts.abs ?? 1e-5;
  const label = opts.label ?? 'output';
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let firstBad = -1;
  let bad = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const err = Math.abs(a - e);
    const ok = err <= Math.abs(e) * rel + abs || (a === e); // a === e covers ±Infinity
    if (!ok) {
      if (firstBad < 0) firstBad = i;
      bad++;
      if (!(err <= worst)) worst = err;
    }
  }
  if (bad > 0) {
    const pos = opts.where ? ` ${opts.where(firstBad)}` : '';
    const msg = `${label}: ${bad} of ${expected.length} elements differ; first at index ${firstBad}${pos}: ` +
      `expected ${expected[firstBad]}, actual ${actual[firstBad]} (worst |error| ${worst}, tolerance |ref|·${rel} + ${abs})`;
    expect.fail(msg);
  }
}
