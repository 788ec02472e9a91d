// src/plan/pack-q.ts layouts: zero points folded into int16 weights and the int32 bias, requantization blocks,
// zero padding, and the checks that keep a packed buffer consistent with its kernel family.
import { describe, expect, it } from 'vitest';
import { packQDwconv3x3, packQGemm, packQGemmDot, packedQGemmBytes, packedQDwconv3x3Bytes, qgemmDotPanelBytes, qgemmPanelBytes } from '../../src/plan/pack-q.js';
import { convRequant, convScalesFp32 } from '../../src/plan/requant.js';

describe('packQGemm', () => {
  it('bias − aZp·Σ(w − wZp), int16 k-pairs, zero padding, requantization block', () => {
    const k = 3;
    const n = 2;
    const w = [10, 20, 30, 40, 50, 60]; // [k][n]
    const rq = convRequant(0.5, [0.25], 1, n, 'uint8');
    const bytes = packQGemm({ data: w, zeroPoint: [20], bias: [100, -100] }, k, n, 7, rq, 'qu8');
    expect(bytes.length).toBe(packedQGemmBytes(k, n));
    expect(bytes.length).toBe(160 + 16 * 8);
    const i32 = new Int32Array(bytes.buffer);
    const i16 = new Int16Array(bytes.buffer);
    // column 0: w' = −10, 10, 30 (Σ 30); column 1: 0, 20, 40 (Σ 60)
    expect([i32[0], i32[1], i32[2]]).toEqual([100 - 7 * 30, -100 - 7 * 60, 0]);
    expect([i32[8], i32[24]]).toEqual([rq.mult[0], -rq.shift[0]]);
    expect(i32[16]).toBe(1);
    expect(i32[32]).toBe((1 << -rq.shift[0]) - 1);
    const wb = 80; // int16 index of the weights
    expect(Array.from(i16.subarray(wb, wb + 4))).toEqual([-10, 10, 0, 20]); // pair 0: (k0, k1) of columns 0, 1
    expect(Array.from(i16.subarray(wb + 16, wb + 20))).toEqual([30, 0, 40, 0]); // pair 1: k2 and the zero k3
    expect(Array.from(i16.subarray(wb + 4, wb + 16)).every((v) => v === 0)).toBe(true); // columns 2..7
  });

  it('rejects per-channel shifts for the qu8 kernels', () => {
    const rq = convRequant(1, [0.25, 0.5], 1, 2, 'int8');
    expect(() => packQGemm({ data: [1, 2], zeroPoint: [0], bias: null }, 1, 2, 0, rq, 'qu8')).toThrow(/qu8 kernels need per-tensor requantization/);
    expect(() => packQGemm({ data: [1, 2], zeroPoint: [0], bias: null }, 1, 2, 0, rq, 'qs8')).not.toThrow();
  });

  it('rejects wrong lengths', () => {
    const rq = convRequant(1, [1], 1, 2, 'uint8');
    expect(() => packQGemm({ data: [1, 2, 3], zeroPoint: [0], bias: null }, 1, 2, 0, rq)).toThrow(/weights has 3 values, expected 2/);
  });
});

describe('packQDwconv3x3', () => {
  it('tap pairs (w00, w10) (w01, w11) (w02, w12) (w22, w21) (w20, 0) interleaved per channel', () => {
    const c = 2;
    const w = Array.from({ length: 18 }, (_, i) => i); // [3][3][2]: tap t, channel ch → 2t + ch
    const rq = convRequant(1, [0.001, 0.002], 1, c, 'int8');
    const bytes = packQDwconv3x3({ data: w, zeroPoint: [0], bias: [5, 6] }, c, -3, rq);
    expect(bytes.length).toBe(packedQDwconv3x3Bytes(c));
    const i32 = new Int32Array(bytes.buffer);
    const i16 = new Int16Array(bytes.buffer);
    const sum0 = [0, 2, 4, 6, 8, 10, 12, 14, 16].reduce((a, b) => a + b, 0);
    expect(i32[0]).toBe(5 + 3 * sum0);
    const wb = 80;
    expect(Array.from(i16.subarray(wb, wb + 4))).toEqual([0, 6, 1, 7]); // pair (t0, t3) of channels 0, 1
    expect(Array.from(i16.subarray(wb + 16, wb + 20))).toEqual([2, 8, 3, 9]); // pair (t1, t4)
    expect(Array.from(i16.subarray(wb + 48, wb + 52))).toEqual([16, 14, 17, 15]); // pair (t8, t7)
    expect(Array.from(i16.subarray(wb + 64, wb + 68))).toEqual([12, 0, 13, 0]); // pair (t6, −)
  });
});

describe('packQGemmDot mixed packing (uint8 weights beyond int8 after the zero point)', () => {
  const k = 11;
  const n = 33; // 5 panels, the last of 1 column
  const wZp = 130;
  const rq = convScalesFp32(0.02, [0.004], 0.05, n);
  const bias = Int32Array.from({ length: n }, (_, j) => 37 * j - 500);
  const base = Int32Array.from({ length: k * n }, (_, i) => wZp + ((i * 7919) % 253) - 127); // w − wZp in [−127, 125]
  const pick = (src: Int32Array, cols: number[]) => ({
    data: Int32Array.from({ length: k * cols.length }, (_, i) => src[Math.floor(i / cols.length) * n + cols[i % cols.length]]),
    zeroPoint: [wZp], bias: Int32Array.from(cols, (c) => bias[c]),
  });
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

  it('keeps the fitting panels in the dot layout, then the misfits in the c2 layout', () => {
    const w = Int32Array.from(base);
    w[3 * n + 2] = 0; // panel 0: −130
    w[10 * n + 17] = 0; // panel 2
    w[0 * n + 32] = 255; // panel 4 (partial): +125 fits …
    w[5 * n + 32] = 1; // … −129 does not
    const rqOf = (cols: number[]) => ({ scale: Float32Array.from(cols, (c) => rq.scale[c]) });
    for (const dot of ['usdot', 'sdot'] as const) {
      const p = packQGemmDot({ data: w, zeroPoint: [wZp], bias }, k, n, 9, rq, 'qu8', dot)!;
      const dotBytes = qgemmDotPanelBytes(k);
      expect(p.misfits).toEqual({ panels: [0, 2, 4], at: 2 * dotBytes });
      const fitCols = [...range(8, 16), ...range(24, 32)];
      const fit = packQGemmDot(pick(w, fitCols), k, 16, 9, rqOf(fitCols), 'qu8', dot)!;
      expect(fit.misfits).toBeUndefined();
      expect(p.xor).toBe(fit.xor);
      expect(p.packed.subarray(0, p.misfits!.at)).toEqual(fit.packed);
      const misCols = [...range(0, 8), ...range(16, 24), 32];
      const c2 = packQGemm(pick(w, misCols), k, 17, 9, rqOf(misCols), 'qu8');
      expect(p.packed.length).toBe(2 * dotBytes + 3 * qgemmPanelBytes(k));
      expect(p.packed.subarray(p.misfits!.at)).toEqual(c2);
    }
  });

  it('packs as before when every panel fits, and declines when none does', () => {
    const p = packQGemmDot({ data: base, zeroPoint: [wZp], bias }, k, n, 9, rq, 'qu8', 'usdot')!;
    expect(p.misfits).toBeUndefined();
    expect(p.packed.length).toBe(5 * qgemmDotPanelBytes(k));
    const w = Int32Array.from(base);
    for (const j of [0, 8, 16, 24, 32]) w[j] = 0;
    expect(packQGemmDot({ data: w, zeroPoint: [wZp], bias }, k, n, 9, rq, 'qu8', 'usdot')).toBeNull();
  });
});
