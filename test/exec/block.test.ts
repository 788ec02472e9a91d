// exec/block.ts runQGemm on a mixed packing (src/plan/pack-q.ts packQGemmDot: the panels that fit int8 in the
// dot layout, the misfits after them in the c2 layout). With recording kernels in place of the wasm ones: every
// column of every column range (the whole GEMM, and the pieces threads take) is computed exactly once, by the
// kernel of its panel's layout, reading that panel's bytes, with that kernel's zero point and clamp domain. The
// arithmetic is checked against the integer reference in Deno (test/assembly/qs8/qs8-gemm-dot.test.ts) and, on
// the uint8 model, in Chromium (test/bench/browser-bench.test.ts).
import { describe, expect, it } from 'vitest';
import { runQGemm } from '../../src/exec/block.js';
import { split } from '../../src/ops/pieces.js';
import { qgemmDotPanelBytes, qgemmPanelBytes } from '../../src/plan/pack-q.js';
import type { KernelSet } from '../../src/plan/registry.js';

const PACKED = 1 << 20;
const C = 1 << 16;
const K = 13;
const OUT_ZP = 131;

/** Kernels that note, per output column, which layout and which packed panel produced it. */
function recorder(cols: string[][], c2Base: number): KernelSet {
  const record = (kind: string, bytes: number, base: number, zp: number) => (...a: number[]) => {
    const [m, n, kk, , , packed, c, , outZp, qmin] = a;
    expect([m, kk, outZp, qmin]).toEqual([3, K, zp, zp - OUT_ZP]);
    expect((packed - base) % bytes).toBe(0);
    for (let j = 0; j < n; j++) cols[c - C + j].push(`${kind}@${(packed - base) / bytes + (j >> 3)}`);
  };
  return {
    qdot: record('dot', qgemmDotPanelBytes(K), PACKED, OUT_ZP - 128),
    quant: { qu8: { fp32: { gemm: record('c2', qgemmPanelBytes(K), c2Base, OUT_ZP) } } },
  } as unknown as KernelSet;
}

describe('runQGemm on a mixed dot / c2 packing', () => {
  const shapes: [number, number[]][] = [[33, [0, 2, 4]], [40, [1, 2]], [17, []], [24, [0]], [24, [2]], [24, [0, 1, 2]], [9, [1]]];
  for (const [n, misfits] of shapes) {
    it(`n ${n}, misfit panels [${misfits.join(', ')}], whole and in column pieces`, () => {
      const P = Math.ceil(n / 8);
      const all = misfits.length === P;
      const at = (P - misfits.length) * qgemmDotPanelBytes(K);
      // panel p: its c2 slot (index among the misfits) or its dot slot (p less the misfits before it)
      const want = Array.from({ length: n }, (_, j) => {
        const p = j >> 3;
        if (all) return `c2@${p}`;
        const i = misfits.indexOf(p);
        return i >= 0 ? `c2@${i}` : `dot@${p - misfits.filter((q) => q < p).length}`;
      });
      const g = { outZp: OUT_ZP, qmin: 0, qmax: 255, ...(all ? {} : { dot: 0x8000 }), ...(misfits.length && !all ? { misfits: { panels: misfits, at } } : {}) };
      for (const pieces of [1, 2, 3, P]) {
        const cols = Array.from({ length: n }, () => [] as string[]);
        const ks = recorder(cols, all ? PACKED : PACKED + at);
        for (let piece = 0; piece < pieces; piece++) {
          const [p0, p1] = split(P, piece, pieces);
          if (p0 < p1) runQGemm(ks, 'qu8', 'fp32', g, 3, p0 * 8, Math.min(n, p1 * 8), K, 0, K, PACKED, C, n, 0);
        }
        expect(cols.map((x) => x.join('+')), `${pieces} pieces`).toEqual(want);
      }
    });
  }
});
