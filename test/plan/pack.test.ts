// Packed weight layouts (the kernel ABI) on small hand-checkable examples, and the packers' shape errors.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import {
  packConv3x3, packDwconv3x3, packGemm, packedConv3x3Length, packedDwconv3x3Length, packedGemmLength,
} from '../../src/plan/pack.js';

const seq = (n: number, from = 1) => Float32Array.from({ length: n }, (_, i) => from + i);

describe('packGemm', () => {
  it('k=2, n=10: two panels of (8 bias, 2 rows of 8), zero past column 9', () => {
    const w = seq(20); // B[kk][j] = 1 + kk·10 + j
    const bias = seq(10, 101);
    const p = packGemm(w, bias, 2, 10);
    expect(p.length).toBe(packedGemmLength(2, 10));
    expect(p.length).toBe(2 * (8 + 16));
    expect(Array.from(p.subarray(0, 24))).toEqual([
      101, 102, 103, 104, 105, 106, 107, 108,
      1, 2, 3, 4, 5, 6, 7, 8,
      11, 12, 13, 14, 15, 16, 17, 18,
    ]);
    expect(Array.from(p.subarray(24, 48))).toEqual([
      109, 110, 0, 0, 0, 0, 0, 0,
      9, 10, 0, 0, 0, 0, 0, 0,
      19, 20, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('null bias packs zeros', () => {
    expect(Array.from(packGemm(seq(3), null, 1, 3))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0]);
  });

  it('rejects mismatched sizes with ShapeError', () => {
    expect(() => packGemm(seq(5), null, 2, 3)).toThrow(ShapeError);
    expect(() => packGemm(seq(5), null, 2, 3)).toThrow('cannot pack gemm weights [2][3]: weights has 5 values, expected 6');
    expect(() => packGemm(seq(6), seq(2), 2, 3)).toThrow('bias has 2 values, expected 3');
    expect(() => packGemm(seq(0), null, 0, 3)).toThrow('k must be a positive integer, got 0');
  });
});

describe('packDwconv3x3', () => {
  it('c=5: groups of bias[4] + 9 taps × 4, zero lanes past c', () => {
    const c = 5;
    const w = Float32Array.from({ length: 9 * c }, (_, i) => 10 * Math.floor(i / c) + (i % c)); // tap·10 + ch
    const bias = seq(c, 100);
    const p = packDwconv3x3(w, bias, c);
    expect(p.length).toBe(packedDwconv3x3Length(c));
    expect(p.length).toBe(80);
    expect(Array.from(p.subarray(0, 12))).toEqual([100, 101, 102, 103, 0, 1, 2, 3, 10, 11, 12, 13]);
    expect(Array.from(p.subarray(36, 40))).toEqual([80, 81, 82, 83]); // tap 8
    expect(Array.from(p.subarray(40, 48))).toEqual([104, 0, 0, 0, 4, 0, 0, 0]);
    expect(Array.from(p.subarray(76, 80))).toEqual([84, 0, 0, 0]);
  });

  it('rejects mismatched sizes with ShapeError', () => {
    expect(() => packDwconv3x3(seq(10), null, 1)).toThrow('cannot pack depthwise weights [3][3][1]: weights has 10 values, expected 9');
  });
});

describe('packConv3x3', () => {
  it('inC=2, outC=9: panels of 8 bias + 18 groups, group (ky·3 + kx)·inC + ci', () => {
    const inC = 2;
    const outC = 9;
    const w = seq(9 * inC * outC, 0); // HWIO: w[g][co] = g·9 + co
    const bias = seq(outC, 100);
    const p = packConv3x3(w, bias, inC, outC);
    expect(p.length).toBe(packedConv3x3Length(inC, outC));
    expect(p.length).toBe(2 * (8 + 8 * 18));
    expect(Array.from(p.subarray(0, 8))).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    const g = (1 * 3 + 2) * inC + 1; // ky=1, kx=2, ci=1
    expect(Array.from(p.subarray(8 + 8 * g, 16 + 8 * g))).toEqual([g * 9, g * 9 + 1, g * 9 + 2, g * 9 + 3, g * 9 + 4, g * 9 + 5, g * 9 + 6, g * 9 + 7]);
    const panel1 = 8 + 8 * 18;
    expect(Array.from(p.subarray(panel1, panel1 + 8))).toEqual([108, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(p.subarray(panel1 + 8 + 8 * g, panel1 + 16 + 8 * g))).toEqual([g * 9 + 8, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('rejects mismatched sizes with ShapeError', () => {
    expect(() => packConv3x3(seq(27 * 32), seq(31), 3, 32)).toThrow('cannot pack 3×3 conv weights [3][3][3][32]: bias has 31 values, expected 32');
  });
});
