// src/plan/requant.ts against hand-computed values (TFLite quantization_util.cc QuantizeMultiplier,
// kernel_util.cc CalculateActivationRangeQuantized, add.cc Prepare) and against real multiplication.
import { describe, expect, it } from 'vitest';
import {
  activationRange, addParams, convRequant, poolParams, quantizeMultiplier, requantizeParams, roundHalfAway, softmaxTable,
} from '../../src/plan/requant.js';
import { mbqm } from '../helpers/reference-q.js';

describe('quantizeMultiplier', () => {
  it.each([
    [0, 0, 0],
    [0.5, 2 ** 30, 0],
    [0.75, 1610612736, 0],
    [0.25, 2 ** 30, -1],
    [1, 2 ** 30, 1],
    [3, 1610612736, 2],
    [1 / 3, 1431655765, -1], // round(2/3·2^31) = 1431655765.33 → 1431655765
    [2 / 3, 1431655765, 0],
    [1 - 2 ** -40, 2 ** 30, 1], // rounds up to 2^31: halved, shift + 1
    [2 ** -31, 2 ** 30, -30],
    [2 ** -32, 2 ** 30, -31],
    [2 ** -33, 0, 0], // shift −32 < −31: flushed to zero
    [0.0007396, Math.round(0.0007396 * 2 ** 41), -10],
  ])('%d → (%i, %i)', (real, mult, shift) => {
    expect(quantizeMultiplier(real)).toEqual([mult, shift]);
  });

  it('mult·2^(shift−31) is within half an ulp of the real multiplier', () => {
    for (let i = 0; i < 1000; i++) {
      const real = 2 ** (-20 + 24 * ((i * 0.61803398875) % 1));
      const [m, s] = quantizeMultiplier(real);
      expect(m).toBeGreaterThanOrEqual(2 ** 30);
      expect(m).toBeLessThan(2 ** 31);
      expect(Math.abs(m * 2 ** (s - 31) - real)).toBeLessThanOrEqual(2 ** (s - 32));
    }
  });

  it('MultiplyByQuantizedMultiplier then approximates x·real within one unit', () => {
    for (let i = 0; i < 2000; i++) {
      const real = 2 ** (-14 + 16 * ((i * 0.7548776662) % 1));
      const x = Math.round(((i * 0.5698402910) % 1) * 2e6 - 1e6);
      const [m, s] = quantizeMultiplier(real);
      expect(Math.abs(mbqm(x, m, s) - x * real)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects negative and non-finite multipliers', () => {
    expect(() => quantizeMultiplier(-1)).toThrow(/finite number ≥ 0/);
    expect(() => quantizeMultiplier(Infinity)).toThrow();
  });
});

describe('roundHalfAway', () => {
  it.each([[0.5, 1], [-0.5, -1], [1.5, 2], [-2.5, -3], [0.49999999999999994, 0], [2.4, 2], [-0, 0]])('%d → %d', (x, r) => {
    expect(roundHalfAway(x) + 0).toBe(r);
  });
});

describe('activationRange', () => {
  it('uint8 relu6 at scale 6/255, zero point 0: the whole range', () => {
    expect(activationRange('relu6', { scale: 0.0235294122248888, zeroPoint: 0 }, 'uint8')).toEqual([0, 255]);
  });
  it('uint8 relu at zero point 128', () => {
    expect(activationRange('relu', { scale: 0.1, zeroPoint: 128 }, 'uint8')).toEqual([128, 255]);
  });
  it('uint8 relu6 where 6 is inside the range', () => {
    expect(activationRange('relu6', { scale: 0.05, zeroPoint: 10 }, 'uint8')).toEqual([10, 130]);
  });
  it('int8 relu6 at zero point −128 and none', () => {
    expect(activationRange('relu6', { scale: 0.0235294122248888, zeroPoint: -128 }, 'int8')).toEqual([-128, 127]);
    expect(activationRange('relu6', { scale: 0.1, zeroPoint: -100 }, 'int8')).toEqual([-100, -40]);
    expect(activationRange('none', { scale: 0.1, zeroPoint: 3 }, 'int8')).toEqual([-128, 127]);
  });
});

describe('convRequant', () => {
  it('uint8: the scale product in float32 (GetQuantizedConvolutionMultipler), replicated per channel', () => {
    const rq = convRequant(0.0078125, [0.0772690], 0.0235295, 3, 'uint8');
    const real = Math.fround(Math.fround(0.0078125) * Math.fround(0.0772690)) / Math.fround(0.0235295);
    expect(Array.from(rq.mult)).toEqual([0, 0, 0].map(() => quantizeMultiplier(real)[0]));
    expect(Array.from(rq.shift)).toEqual([0, 0, 0].map(() => quantizeMultiplier(real)[1]));
  });
  it('int8 per channel: double products', () => {
    const rq = convRequant(0.02, [0.001, 0.004], 0.05, 2, 'int8');
    expect(rq.mult[0]).toBe(quantizeMultiplier(Math.fround(0.02) * Math.fround(0.001) / Math.fround(0.05))[0]);
    expect(rq.shift[1] - rq.shift[0]).toBe(2);
  });
  it('rejects a weight scale count that is neither 1 nor the channel count', () => {
    expect(() => convRequant(1, [1, 2], 1, 3, 'int8')).toThrow(/2 weight scales for 3 output channels/);
  });
});

describe('addParams', () => {
  it('equal scales 0.5: input multipliers 1/2, output 2^−19', () => {
    const q = { scale: 0.5, zeroPoint: 7 };
    const p = addParams(q, q, q, 'none', 'uint8');
    expect([p.aMult, p.aShift, p.bMult, p.bShift]).toEqual([2 ** 30, 0, 2 ** 30, 0]);
    expect([p.outMult, p.outShift]).toEqual([2 ** 30, -18]);
    expect([p.leftShift, p.qmin, p.qmax, p.aZeroPoint, p.outZeroPoint]).toEqual([20, 0, 255, 7, 7]);
  });
  it('the smaller input gets the smaller multiplier', () => {
    const p = addParams({ scale: 0.25, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }, 'relu', 'int8');
    expect([p.aMult, p.aShift]).toEqual([2 ** 30, -2]);
    expect([p.bMult, p.bShift]).toEqual([2 ** 30, 0]);
    expect([p.qmin, p.qmax]).toEqual([0, 127]);
  });
});

describe('other parameter blocks', () => {
  it('requantizeParams: DeepLab QUANTIZE 0.0122984 → 0.029083', () => {
    const p = requantizeParams({ scale: 0.0122984, zeroPoint: 0 }, { scale: 0.029083, zeroPoint: 0 }, 'uint8');
    expect([p.mult, p.shift]).toEqual(quantizeMultiplier(Math.fround(0.0122984) / Math.fround(0.029083)));
    expect([p.qmin, p.qmax]).toEqual([0, 255]);
  });
  it('poolParams avgpool carries the activation range; mean-4d uint8 its bias', () => {
    const a = poolParams('avgpool', 49, { scale: 0.05, zeroPoint: 10 }, { scale: 0.05, zeroPoint: 10 }, 'uint8', 'relu6');
    expect(Array.from(a.subarray(0, 4))).toEqual([0, 49, 10, 130]);
    const m = poolParams('mean-4d', 49, { scale: 0.1, zeroPoint: 100 }, { scale: 0.2, zeroPoint: 3 }, 'uint8');
    expect(m[6]).toBe(3 - 50);
  });
  it('softmaxTable: table[255] = 1, table[255 − d] = expf(−s·d)', () => {
    const t = softmaxTable(0.1);
    expect(t[255]).toBe(1);
    expect(t[245]).toBe(Math.fround(Math.exp(Math.fround(Math.fround(-0.1) * 10))));
  });
});
