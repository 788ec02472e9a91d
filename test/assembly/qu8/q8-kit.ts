// Shared harness of the int8 kernel tests (test/assembly/qu8/*.test.ts and test/assembly/qs8/*.test.ts):
// random operands for a dtype family, buffers in a guarded Heap, exact comparison against
// test/helpers/reference-q.ts (first mismatch reported with its position, expected and actual values).
import { expect } from 'vitest';
import { mulberry32 } from '../../helpers/random.js';
import { KERNELS, type QuantKernelOp } from '../../../src/plan/registry.js';
import { Heap, type Variant } from '../../helpers/wasm.js';

export interface Family {
  /** Registry dtype. */
  dtype: 'qu8' | 'qs8';
  /** Storage type name as in src/plan/requant.ts. */
  storage: 'uint8' | 'int8';
  lo: number;
  hi: number;
  signed: boolean;
}

export const QU8: Family = { dtype: 'qu8', storage: 'uint8', lo: 0, hi: 255, signed: false };
export const QS8: Family = { dtype: 'qs8', storage: 'int8', lo: -128, hi: 127, signed: true };

/** Deterministic random source with helpers for a family. */
export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  ints(n: number, lo: number, hi: number): Int32Array {
    return Int32Array.from({ length: n }, () => this.int(lo, hi));
  }
  /** A value 2^u with u uniform in [lo, hi]. */
  pow2(lo: number, hi: number): number {
    return Math.fround(2 ** (lo + this.next() * (hi - lo)));
  }
}

/** Writes int8/uint8 values as bytes. */
export function putQ(heap: Heap, values: ArrayLike<number>): number {
  return heap.bytes(Uint8Array.from(values, (v) => v & 0xff));
}

/** A zero-filled-with-poison output buffer of n bytes (0xA5 everywhere, like the guards). */
export function outQ(heap: Heap, n: number): number {
  const at = heap.alloc(n);
  heap.u8.fill(0xa5, at, at + n);
  return at;
}

/** Reads n bytes as the family's values. */
export function readQ(heap: Heap, at: number, n: number, fam: Family): Int32Array {
  const u8 = heap.u8.subarray(at, at + n);
  return Int32Array.from(u8, (v) => (fam.signed ? (v << 24) >> 24 : v));
}

/** Asserts exact equality; names the first mismatch via `where`. */
export function expectExact(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, where?: (i: number) => string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad > 0) {
    const pos = where ? ` ${where(first)}` : '';
    expect.fail(`${label}: ${bad} of ${expected.length} elements differ; first at index ${first}${pos}: expected ${expected[first]}, actual ${actual[first]}`);
  }
}

/** Asserts |actual − expected| ≤ tol elementwise and returns the number of elements that differ at all. */
export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): number {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let differ = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d > 0) differ++;
    if (d > tol) expect.fail(`${label}: index ${i}: expected ${expected[i]} ± ${tol}, actual ${actual[i]}`);
  }
  return differ;
}

/** Every (kernel, module) pair of an int8 op (test/helpers/wasm.ts variants() takes the f32 ops). */
export function qvariants(op: QuantKernelOp): Variant[] {
  const out: Variant[] = [];
  for (const entry of KERNELS) {
    if (entry.op !== op) continue;
    // relaxed-only kernels run under Deno (test/assembly/qs8/qs8-gemm-dot.test.ts): Node 20's relaxed dot is not exact
    for (const module of entry.modules) if (module !== 'relaxed') out.push({ label: `${entry.name} @ mobilenet-${module}.wasm`, entry, module });
  }
  return out;
}
