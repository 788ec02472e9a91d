// src/plan/pack-q.ts layouts: zero points folded into int16 weights and the int32 bias, requantization blocks,
// zero padding, and the checks that keep a packed buffer consistent with its kernel family.
import { describe, expect, it } from 'vitest';
import {
  packQDwconv3x3, packQGemm, packQGemmDot, packedQGemmBytes, packedQDwconv3x3Bytes, qgemmDotPanelBytes, qgemmPanelBytes,
  type QRequant, type QWeightsIn,
} from '../../src/plan/pack-q.js';
import { convRequant, convScalesFp32 } from '../../src/plan/requant.js';
import { mulberry32 } from '../helpers/random.js';

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

// The layouts written element by element from their definitions (the packers write them in bulk, row by row).
const zpAt = (w: QWeightsIn, j: number) => (w.zeroPoint.length === 1 ? w.zeroPoint[0] : w.zeroPoint[j]);

function refParams(i32: Int32Array, at: number, c0: number, n: number, biasP: (c: number) => number, rq: QRequant): void {
  const f32 = new Float32Array(i32.buffer);
  const w = at >> 2;
  for (let j = 0; j < 8; j++) {
    const c = c0 + j;
    if ('scale' in rq) {
      if (c < n) { i32[w + j] = biasP(c); f32[w + 8 + j] = rq.scale[c]; }
      i32[w + 16 + j] = 1;
    } else if (c < n) {
      const ls = Math.max(rq.shift[c], 0), rs = Math.max(-rq.shift[c], 0);
      [i32[w + j], i32[w + 8 + j], i32[w + 16 + j], i32[w + 24 + j], i32[w + 32 + j]] = [biasP(c), rq.mult[c], 2 ** ls, rs, 2 ** rs - 1];
    } else {
      i32[w + 16 + j] = 1;
    }
  }
}

/** bias − aZp·Σ(w − wZp), exact, then wrapped to int32. */
const refBias = (w: QWeightsIn, rows: number, n: number, aZp: number) => (c: number) => {
  let s = 0;
  for (let r = 0; r < rows; r++) s += w.data[r * n + c] - zpAt(w, c);
  return Number(BigInt.asIntN(32, BigInt((w.bias ? w.bias[c] : 0) - aZp * s)));
};

function refGemm(w: QWeightsIn, k: number, n: number, aZp: number, rq: QRequant): Uint8Array {
  const kp = Math.ceil(k / 8) * 8, panel = 160 + 2 * 8 * kp;
  const out = new Uint8Array(Math.ceil(n / 8) * panel);
  const i32 = new Int32Array(out.buffer), i16 = new Int16Array(out.buffer);
  for (let p = 0; p * 8 < n; p++) {
    refParams(i32, p * panel, p * 8, n, refBias(w, k, n, aZp), rq);
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < 8 && p * 8 + j < n; j++) {
      const c = p * 8 + j;
      i16[(p * panel + 160) / 2 + (kk >> 1) * 16 + 2 * j + (kk & 1)] = w.data[kk * n + c] - zpAt(w, c);
    }
  }
  return out;
}

/** The dot layout: panels whose w − wZp all fit int8 first, then the others as refGemm packs their columns. */
function refGemmDot(w: QWeightsIn, k: number, n: number, aZp: number, rq: QRequant, offset: number): Uint8Array | null {
  const panels = Math.ceil(n / 8);
  const fits = (p: number) => {
    for (let kk = 0; kk < k; kk++) for (let c = p * 8; c < Math.min(n, p * 8 + 8); c++) if (Math.abs(w.data[kk * n + c] - zpAt(w, c) + 0.5) > 128) return false;
    return true;
  };
  const good = [...Array(panels).keys()].filter(fits);
  if (good.length === 0) return null;
  const kp = Math.ceil(k / 8) * 8, panel = 160 + 8 * kp;
  const dotPart = new Uint8Array(good.length * panel);
  const i32 = new Int32Array(dotPart.buffer), i8 = new Int8Array(dotPart.buffer);
  good.forEach((p, slot) => {
    refParams(i32, slot * panel, p * 8, n, refBias(w, k, n, aZp + offset), rq);
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < 8 && p * 8 + j < n; j++) {
      const c = p * 8 + j;
      i8[slot * panel + 160 + (kk >> 2) * 32 + (j >> 2) * 16 + (j & 3) * 4 + (kk & 3)] = w.data[kk * n + c] - zpAt(w, c);
    }
  });
  const cols: number[] = [];
  for (let p = 0; p < panels; p++) if (!good.includes(p)) for (let c = p * 8; c < Math.min(n, p * 8 + 8); c++) cols.push(c);
  if (cols.length === 0) return dotPart;
  const pick = (v: ArrayLike<number>) => cols.map((c) => v[c]!);
  const sub: QWeightsIn = {
    data: Array.from({ length: k * cols.length }, (_, i) => w.data[Math.floor(i / cols.length) * n + cols[i % cols.length]!]!),
    zeroPoint: w.zeroPoint.length === 1 ? w.zeroPoint : pick(w.zeroPoint), bias: w.bias ? pick(w.bias) : null,
  };
  const subRq: QRequant = 'scale' in rq ? { scale: Float32Array.from(pick(rq.scale)) } : { mult: Int32Array.from(pick(rq.mult)), shift: Int32Array.from(pick(rq.shift)) };
  const c2 = refGemm(sub, k, cols.length, aZp, subRq);
  const out = new Uint8Array(dotPart.length + c2.length);
  out.set(dotPart);
  out.set(c2, dotPart.length);
  return out;
}

function refDwconv(w: QWeightsIn, c: number, aZp: number, rq: QRequant): Uint8Array {
  const slot = [0, 2, 4, 1, 3, 5, 8, 7, 6]; // tap ky·3 + kx → 2·pair + lane
  const out = new Uint8Array(Math.ceil(c / 8) * 320);
  const i32 = new Int32Array(out.buffer), i16 = new Int16Array(out.buffer);
  for (let g = 0; g * 8 < c; g++) {
    refParams(i32, g * 320, g * 8, c, refBias(w, 9, c, aZp), rq);
    for (let t = 0; t < 9; t++) for (let j = 0; j < 8 && g * 8 + j < c; j++) {
      i16[(g * 320 + 160) / 2 + (slot[t] >> 1) * 16 + 2 * j + (slot[t] & 1)] = w.data[t * c + g * 8 + j] - zpAt(w, g * 8 + j);
    }
  }
  return out;
}

describe('packers against their layouts written element by element', () => {
  const rnd = mulberry32(17);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  /** uint8 (per-tensor or per-channel zero points, values near them or not) or int8 symmetric weights. */
  function weights(rows: number, n: number, dtype: 'uint8' | 'int8', perChannel: boolean, near: boolean): QWeightsIn {
    const zeroPoint = dtype === 'int8' ? [0] : Array.from({ length: perChannel ? n : 1 }, () => int(60, 200));
    const data = dtype === 'int8' ? new Int8Array(rows * n) : new Uint8Array(rows * n);
    for (let i = 0; i < data.length; i++) {
      data[i] = dtype === 'int8' ? int(-128, 127) : near ? zeroPoint[zeroPoint.length === 1 ? 0 : i % n] + int(-60, 60) : int(0, 255);
    }
    const bias = rnd() < 0.25 ? null : Int32Array.from({ length: n }, () => int(-2e9, 2e9));
    return { data, zeroPoint, bias };
  }
  const requant = (n: number, perChannel: boolean, fp32: boolean): QRequant => {
    const ws = Array.from({ length: perChannel ? n : 1 }, () => 0.001 + rnd() * 0.02);
    return fp32 ? convScalesFp32(0.03, ws, 0.07, n) : convRequant(0.03, ws, 0.07, n, 'int8');
  };
  const shapes = [[1, 1], [3, 5], [4, 8], [7, 9], [8, 16], [9, 13], [17, 8], [33, 24], [40, 7]];

  it('packQGemm and packQGemmDot (both relaxed dot readings) at tile boundaries', () => {
    let dotted = 0, refused = 0;
    for (const [k, n] of shapes) for (const dtype of ['uint8', 'int8'] as const) for (const perChannel of [false, true]) for (const fp32 of [false, true]) {
      const near = rnd() < 0.5;
      const w = weights(k, n, dtype, perChannel, near);
      const rq = requant(n, perChannel || dtype === 'int8', fp32);
      const family = dtype === 'uint8' && !perChannel ? 'qu8' : 'qs8';
      const aZp = dtype === 'uint8' ? int(0, 255) : int(-128, 127);
      const what = `k ${k} n ${n} ${dtype} ${perChannel ? 'per-channel' : 'per-tensor'} ${fp32 ? 'fp32' : 'gemmlowp'}`;
      expect(packQGemm(w, k, n, aZp, rq, family), what).toEqual(refGemm(w, k, n, aZp, rq));
      for (const dot of ['usdot', 'sdot'] as const) {
        const got = packQGemmDot(w, k, n, aZp, rq, family, dot);
        const flip = (family === 'qu8') === (dot === 'sdot');
        const want = refGemmDot(w, k, n, aZp, rq, flip ? (family === 'qu8' ? -128 : 128) : 0);
        expect(got?.packed ?? null, `${what} ${dot}`).toEqual(want);
        if (got) expect(got.xor).toBe((flip ? 0x80 : 0) | (family === 'qu8' ? 0x8000 : 0));
        if (want) dotted++; else refused++;
      }
    }
    expect(dotted).toBeGreaterThan(20); // both outcomes of the int8 range check (some panels fit, none does)
    expect(refused).toBeGreaterThan(5);
  });

  it('packQDwconv3x3 for channel counts around the group of 8', () => {
    for (const c of [1, 7, 8, 9, 24, 30]) for (const dtype of ['uint8', 'int8'] as const) for (const fp32 of [false, true]) {
      const w = weights(9, c, dtype, dtype === 'int8', true);
      const rq = requant(c, true, fp32);
      const aZp = dtype === 'uint8' ? int(0, 255) : int(-128, 127);
      expect(packQDwconv3x3(w, c, aZp, rq, 'qs8'), `c ${c} ${dtype}`).toEqual(refDwconv(w, c, aZp, rq));
    }
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
