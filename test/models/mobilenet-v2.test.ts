import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { Conv2DNode, DepthwiseConv2DNode, Graph, Node, PaddingMode } from '../../src/graph/ir.js';
import { inferShapes, padFor } from '../../src/graph/shapes.js';
import { slimCounts, summarize } from '../../src/graph/summary.js';
import {
  buildMobileNetV2,
  makeDivisible,
  MOBILENET_V2_ALPHAS,
  mulberry32,
  type MobileNetV2Options,
} from '../../src/models/mobilenet-v2.js';

import { SLIM_TABLE } from '../helpers/slim-table.js';

const byName = (g: Graph, name: string): Node => {
  const n = g.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
};
const convOut = (g: Graph, name: string): number => (byName(g, name) as Conv2DNode).outChannels;

describe('TF-Slim checkpoint table', () => {
  it('has 22 rows', () => expect(SLIM_TABLE).toHaveLength(22));

  it.each(SLIM_TABLE)('mobilenet_v2_%s_%i: %i MACs (M), %s Parameters (M)', (alpha, resolution, macsM, paramsM) => {
    const g = buildMobileNetV2({ alpha, resolution });
    const c = slimCounts(g);
    expect(c.macsM).toBe(macsM);
    expect(c.paramsM).toBe(paramsM);
    // The convention is pinned down, not just lucky: truncation, classifier included, BN excluded.
    expect(c.macs).toBe(summarize(g).macs);
    // Rounding the params instead of truncating gives the same column.
    expect(Math.round(c.params / 1e4) / 100).toBe(paramsM);
  });

  it('exact counts of mobilenet_v2_1.0_224', () => {
    const g = buildMobileNetV2();
    const s = summarize(g);
    const c = slimCounts(g);
    expect(s.macs).toBe(300_775_552);
    expect(byName(g, 'Logits').op).toBe('dense');
    expect(s.layers.find((l) => l.name === 'Logits')!.macs).toBe(1280 * 1001);
    expect(c.params).toBe(3_472_041); // conv weights + 1280·1001 + 1001
    expect(s.params).toBe(3_489_097); // + 17,056 folded BN biases
    // Rounding the MACs would give 301: the table truncates.
    expect(Math.round(s.macs / 1e6)).toBe(301);
    // Without the classifier the table would read 299.
    expect(Math.floor((s.macs - 1280 * 1001) / 1e6)).toBe(299);
  });

  it('matches the Keras parameter count (3,538,984 total, 34,112 non-trainable BN statistics, 1000 classes)', () => {
    // keras.applications.MobileNetV2() has 17,056 BN channels × (γ, β, mean, var) and no conv biases;
    // our folded graph has one bias per BN channel instead of four.
    const g = buildMobileNetV2({ classes: 1000 });
    const bnChannels = g.nodes
      .filter((n): n is Conv2DNode | DepthwiseConv2DNode => n.op === 'conv2d' || n.op === 'depthwise_conv2d')
      .reduce((s, n) => s + n.bias.length, 0);
    expect(bnChannels * 2).toBe(34_112);
    expect(summarize(g).params + 3 * bnChannels).toBe(3_538_984);
  });

  it('slim MACs do not depend on the padding mode', () => {
    for (const paddingMode of ['same', 'keras', 'symmetric'] as PaddingMode[]) {
      expect(slimCounts(buildMobileNetV2({ alpha: 0.5, resolution: 160, paddingMode })).macsM).toBe(50);
    }
  });
});

describe('makeDivisible', () => {
  it.each([
    [11.2, 16], // 8 would be < 90% of 11.2
    [5.6, 8], // min 8
    [8.4, 8],
    [18, 24], // 16 < 0.9·18 = 16.2
    [22.4, 24],
    [33.6, 32],
    [44.8, 48],
    [83.2, 80],
    [124.8, 128],
    [1792, 1792],
    [1664, 1664],
    [12, 16], // halves round up
    [20, 24],
  ])('makeDivisible(%s) = %i', (v, expected) => expect(makeDivisible(v)).toBe(expected));
});

describe('buildMobileNetV2 architecture', () => {
  const projects = (g: Graph): number[] => {
    // Output channels of the last block of each of the 7 stages.
    const last = [0, 2, 5, 9, 12, 15, 16];
    return last.map((b) => convOut(g, b === 0 ? 'expanded_conv_project' : `block_${b}_project`));
  };

  // α → [Conv1, the 7 stage widths, Conv_1], derived by hand with make_divisible.
  const CHANNELS: Array<[number, number, number[], number]> = [
    [0.35, 16, [8, 8, 16, 24, 32, 56, 112], 1280],
    [0.5, 16, [8, 16, 16, 32, 48, 80, 160], 1280],
    [0.75, 24, [16, 24, 24, 48, 72, 120, 240], 1280],
    [1.0, 32, [16, 24, 32, 64, 96, 160, 320], 1280],
    [1.3, 40, [24, 32, 40, 80, 128, 208, 416], 1664],
    [1.4, 48, [24, 32, 48, 88, 136, 224, 448], 1792],
  ];

  it.each(CHANNELS)('α=%s: Conv1 %i, blocks %j, Conv_1 %i', (alpha, first, stages, last) => {
    const g = buildMobileNetV2({ alpha, resolution: 96 });
    expect(convOut(g, 'Conv1')).toBe(first);
    expect(projects(g)).toEqual(stages);
    expect(convOut(g, 'Conv_1')).toBe(last);
    expect((byName(g, 'Logits') as { units: number }).units).toBe(1001);
  });

  it('expansion channels are make_divisible(in·t, 8); the first block has no expansion', () => {
    const g = buildMobileNetV2({ alpha: 0.35 });
    expect(g.nodes.some((n) => n.name === 'expanded_conv_expand')).toBe(false);
    expect(byName(g, 'expanded_conv_depthwise').inputs).toEqual(['Conv1']);
    expect(convOut(g, 'block_1_expand')).toBe(48); // 8·6
    expect(convOut(g, 'block_16_expand')).toBe(336); // 56·6
    const g4 = buildMobileNetV2({ expansion: 4 });
    expect(convOut(g4, 'block_1_expand')).toBe(64); // 16·4
    expect(convOut(g4, 'block_16_expand')).toBe(640); // 160·4
    expect(g4.nodes.some((n) => n.name === 'expanded_conv_expand')).toBe(false);
    const g3 = buildMobileNetV2({ alpha: 0.35, expansion: 2.5 });
    expect(convOut(g3, 'block_1_expand')).toBe(24); // make_divisible(8·2.5 = 20) = 24
  });

  it('node names, order, strides, activations and residual adds follow Keras', () => {
    const g = buildMobileNetV2();
    const names = g.nodes.map((n) => n.name);
    expect(names.slice(0, 5)).toEqual(['Conv1', 'expanded_conv_depthwise', 'expanded_conv_project', 'block_1_expand', 'block_1_depthwise']);
    expect(names.slice(-5)).toEqual(['block_16_project', 'Conv_1', 'global_average_pooling2d', 'Logits', 'softmax']);
    expect(g.nodes).toHaveLength(1 + 2 + 16 * 3 + 10 + 4);
    const adds = g.nodes.filter((n) => n.op === 'add').map((n) => n.name);
    expect(adds).toEqual([2, 4, 5, 7, 8, 9, 11, 12, 14, 15].map((b) => `block_${b}_add`));
    for (const b of [2, 4, 5, 7, 8, 9, 11, 12, 14, 15]) {
      const add = byName(g, `block_${b}_add`);
      expect(add.inputs[1]).toBe(`block_${b}_project`);
      expect(byName(g, `block_${b}_expand`).inputs).toEqual([add.inputs[0]]);
    }
    const stride2 = g.nodes.filter((n) => (n.op === 'conv2d' || n.op === 'depthwise_conv2d') && n.stride[0] === 2).map((n) => n.name);
    expect(stride2).toEqual(['Conv1', 'block_1_depthwise', 'block_3_depthwise', 'block_6_depthwise', 'block_13_depthwise']);
    for (const n of g.nodes) {
      if (n.name.endsWith('_project') || n.name === 'Logits' || n.op === 'add') expect((n as { activation: string }).activation, n.name).toBe('none');
      else if (n.op === 'conv2d' || n.op === 'depthwise_conv2d') expect(n.activation, n.name).toBe('relu6');
      if (n.op === 'conv2d') expect(n.kernel, n.name).toEqual(n.name === 'Conv1' ? [3, 3] : [1, 1]);
      if (n.op === 'depthwise_conv2d') expect(n.kernel, n.name).toEqual([3, 3]);
    }
    expect(g.input).toEqual({ name: 'input_1', shape: [1, 224, 224, 3] });
    expect(g.output).toBe('softmax');
    expect(g.name).toBe('mobilenet_v2_1.0_224');
    expect(buildMobileNetV2({ alpha: 0.35, resolution: 96 }).name).toBe('mobilenet_v2_0.35_96');
  });

  it('meta', () => {
    const g = buildMobileNetV2({ alpha: 0.75, resolution: 192, paddingMode: 'keras' });
    expect(g.meta).toMatchObject({
      architecture: 'mobilenet_v2',
      alpha: 0.75,
      resolution: 192,
      paddingMode: 'keras',
      preprocess: { scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], centralCrop: 1 },
      embeddingNode: 'global_average_pooling2d',
      outputIsProbabilities: true,
    });
    expect(g.meta.labels).toHaveLength(1001);
    expect(g.meta.labels[0]).toBe('class_0');
    expect(g.meta.labels[1000]).toBe('class_1000');
    // 0 → −1 and 255 → 1
    expect(0 * g.meta.preprocess.scale[0] + g.meta.preprocess.offset[0]).toBe(-1);
    expect(255 * g.meta.preprocess.scale[0] + g.meta.preprocess.offset[0]).toBeCloseTo(1, 12);
    const labels = ['cat', 'dog', 'bird'];
    const g3 = buildMobileNetV2({ classes: 3, labels });
    expect(g3.meta.labels).toEqual(labels);
    expect(g3.meta.labels).not.toBe(labels);
    expect(inferShapes(g3).get('softmax')).toEqual([1, 3]);
  });

  it('weights are deterministic in the seed', () => {
    const a = buildMobileNetV2({ alpha: 0.35, resolution: 96, seed: 42 });
    const b = buildMobileNetV2({ alpha: 0.35, resolution: 96, seed: 42 });
    const c = buildMobileNetV2({ alpha: 0.35, resolution: 96, seed: 43 });
    // Byte comparison (toEqual on big typed arrays is slow).
    const bytes = (g: Graph, name: string) => {
      const w = (byName(g, name) as Conv2DNode).weights;
      return Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    };
    for (const name of ['Conv1', 'block_5_expand', 'block_16_project', 'Logits']) {
      expect(bytes(a, name).equals(bytes(b, name)), name).toBe(true);
      expect(bytes(a, name).equals(bytes(c, name)), name).toBe(false);
    }
  });
});

describe('every α × resolution builds and passes inferShapes', () => {
  const RESOLUTIONS = [32, 96, 128, 200, 224, 512];
  const cases = MOBILENET_V2_ALPHAS.flatMap((alpha) => RESOLUTIONS.map((resolution) => [alpha, resolution] as const));
  it.each(cases)('α=%s @ %i', (alpha, resolution) => {
    const g = buildMobileNetV2({ alpha, resolution });
    const shapes = inferShapes(g);
    const final = Math.ceil(resolution / 32);
    expect(shapes.get('Conv_1')!.slice(0, 3)).toEqual([1, final, final]);
    expect(shapes.get('softmax')).toEqual([1, 1001]);
    expect(shapes.size).toBe(g.nodes.length + 1);
  });

  it.each(['same', 'keras', 'symmetric'] as PaddingMode[])('%s padding: every conv carries padFor(mode) for its input size (200 has odd sizes)', (mode) => {
    const g = buildMobileNetV2({ alpha: 0.5, resolution: 200, paddingMode: mode });
    const shapes = inferShapes(g);
    expect(shapes.get('block_6_depthwise')).toEqual([1, 13, 13, 96]); // 200→100→50→25→13, 16·6 channels
    let odd = 0;
    for (const n of g.nodes) {
      if (n.op !== 'conv2d' && n.op !== 'depthwise_conv2d') continue;
      const [, h, w] = shapes.get(n.inputs[0]!)!;
      if (h! % 2 === 1 && n.stride[0] === 2) odd++;
      expect([n.pad.top, n.pad.bottom], n.name).toEqual(padFor(mode, h!, n.kernel[0], n.stride[0]));
      expect([n.pad.left, n.pad.right], n.name).toEqual(padFor(mode, w!, n.kernel[1], n.stride[1]));
    }
    expect(odd).toBe(2); // block_6_depthwise on 25×25 and block_13_depthwise on 13×13
    const b13 = byName(g, 'block_13_depthwise') as DepthwiseConv2DNode;
    expect(b13.pad).toEqual({ top: 1, left: 1, bottom: 1, right: 1 });
    const b1 = byName(g, 'block_1_depthwise') as DepthwiseConv2DNode; // on 100×100
    expect(b1.pad).toEqual(mode === 'symmetric' ? { top: 1, left: 1, bottom: 1, right: 1 } : { top: 0, left: 0, bottom: 1, right: 1 });
  });
});

describe('invalid options → InputError', () => {
  const bad: Array<[string, MobileNetV2Options, RegExp]> = [
    ['α 0.6', { alpha: 0.6 }, /alpha must be one of 0.35, 0.5, 0.75, 1, 1.3, 1.4, got 0.6/],
    ['α 1.2', { alpha: 1.2 }, /alpha/],
    ['α 0', { alpha: 0 }, /alpha/],
    ['α NaN', { alpha: NaN }, /alpha/],
    ['α "1"', { alpha: '1' as unknown as number }, /alpha/],
    ['resolution 24', { resolution: 24 }, /resolution must be a multiple of 8 in \[32, 512\], got 24/],
    ['resolution 520', { resolution: 520 }, /resolution/],
    ['resolution 100', { resolution: 100 }, /resolution/],
    ['resolution 225', { resolution: 225 }, /resolution/],
    ['resolution 224.5', { resolution: 224.5 }, /resolution/],
    ['resolution 0', { resolution: 0 }, /resolution/],
    ['expansion 0', { expansion: 0 }, /expansion must be a positive number/],
    ['expansion Infinity', { expansion: Infinity }, /expansion/],
    ['classes 0', { classes: 0 }, /classes must be a positive integer/],
    ['classes 2.5', { classes: 2.5 }, /classes/],
    ['paddingMode valid', { paddingMode: 'valid' as PaddingMode }, /paddingMode must be/],
    ['seed NaN', { seed: NaN }, /seed/],
    ['labels of the wrong length', { classes: 3, labels: ['a', 'b'] }, /labels must be an array of 3 strings/],
  ];
  it.each(bad)('%s', (_, options, message) => {
    expect(() => buildMobileNetV2(options)).toThrow(InputError);
    expect(() => buildMobileNetV2(options)).toThrow(message);
  });

  it('accepts the boundary resolutions 32 and 512 and every listed α', () => {
    expect(() => buildMobileNetV2({ alpha: 0.35, resolution: 32 })).not.toThrow();
    expect(() => buildMobileNetV2({ alpha: 0.35, resolution: 512 })).not.toThrow();
    for (const alpha of [0.35, 0.5, 0.75, 1, 1.0, 1.3, 1.4]) expect(() => buildMobileNetV2({ alpha, resolution: 32 })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------
// Numerical sanity of the random weights, with a naive float64 reference forward pass.

interface Stats { rms: number; zero: number; saturated: number; finite: boolean }

function forward(g: Graph, x: Float32Array, onValue?: (node: Node, out: Float32Array) => void): Map<string, Float32Array> {
  const shapes = inferShapes(g);
  const vals = new Map<string, Float32Array>([[g.input.name, x]]);
  const act = (v: number, a: string): number => (a === 'relu6' ? Math.min(Math.max(v, 0), 6) : a === 'relu' ? Math.max(v, 0) : v);
  for (const n of g.nodes) {
    const ins = n.inputs.map((i) => vals.get(i)!);
    const is = shapes.get(n.inputs[0]!)!;
    const os = shapes.get(n.name)!;
    let out: Float32Array;
    if (n.op === 'conv2d' || n.op === 'depthwise_conv2d') {
      const [, H, W, C] = is as [number, number, number, number];
      const [, OH, OW, OC] = os as [number, number, number, number];
      const [kh, kw] = n.kernel;
      const [sh, sw] = n.stride;
      const src = ins[0]!;
      out = new Float32Array(OH * OW * OC);
      const acc = new Float64Array(OC);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let o = 0; o < OC; o++) acc[o] = n.bias[o]!;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh + ky - n.pad.top;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw + kx - n.pad.left;
              if (ix < 0 || ix >= W) continue;
              const base = (iy * W + ix) * C;
              if (n.op === 'conv2d') {
                for (let ci = 0; ci < C; ci++) {
                  const v = src[base + ci]!;
                  if (v === 0) continue;
                  const wb = ((ky * kw + kx) * C + ci) * OC;
                  for (let o = 0; o < OC; o++) acc[o]! += v * n.weights[wb + o]!;
                }
              } else {
                const wb = (ky * kw + kx) * C;
                for (let ci = 0; ci < C; ci++) acc[ci]! += src[base + ci]! * n.weights[wb + ci]!;
              }
            }
          }
          const ob = (oy * OW + ox) * OC;
          for (let o = 0; o < OC; o++) out[ob + o] = act(acc[o]!, n.activation);
        }
      }
    } else if (n.op === 'add') {
      out = new Float32Array(ins[0]!.length);
      for (let i = 0; i < out.length; i++) out[i] = act(ins[0]![i]! + ins[1]![i]!, n.activation);
    } else if (n.op === 'global_avg_pool') {
      const [, H, W, C] = is as [number, number, number, number];
      const sum = new Float64Array(C);
      for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) sum[c]! += ins[0]![p * C + c]!;
      out = Float32Array.from(sum, (s) => s / (H * W));
    } else if (n.op === 'dense') {
      const K = ins[0]!.length;
      out = new Float32Array(n.units);
      for (let u = 0; u < n.units; u++) {
        let s = n.bias[u]!;
        for (let k = 0; k < K; k++) s += ins[0]![k]! * n.weights[k * n.units + u]!;
        out[u] = act(s, n.activation);
      }
    } else {
      const v = ins[0]!;
      let m = -Infinity;
      for (const e of v) m = Math.max(m, e);
      const e = Float64Array.from(v, (t) => Math.exp(t - m));
      const s = e.reduce((a, b) => a + b, 0);
      out = Float32Array.from(e, (t) => t / s);
    }
    vals.set(n.name, out);
    onValue?.(n, out);
  }
  return vals;
}

function stats(v: Float32Array): Stats {
  let s2 = 0;
  let zero = 0;
  let saturated = 0;
  let finite = true;
  for (const e of v) {
    if (!Number.isFinite(e)) finite = false;
    s2 += e * e;
    if (e === 0) zero++;
    if (e >= 6) saturated++;
  }
  return { rms: Math.sqrt(s2 / v.length), zero: zero / v.length, saturated: saturated / v.length, finite };
}

function randomInput(resolution: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: resolution * resolution * 3 }, () => rand() * 2 - 1);
}

describe('random weights keep activations in a sane range', () => {
  const cases: Array<[number, number, PaddingMode]> = [
    [1.0, 224, 'same'],
    [0.35, 96, 'same'],
    [1.4, 128, 'keras'],
    [0.75, 200, 'symmetric'],
    [1.0, 32, 'same'],
  ];
  it.each(cases)('α=%s @ %i (%s)', (alpha, resolution, paddingMode) => {
    const g = buildMobileNetV2({ alpha, resolution, paddingMode });
    const vals = forward(g, randomInput(resolution, 7), (node, out) => {
      const s = stats(out);
      expect(s.finite, node.name).toBe(true);
      if (node.op === 'softmax') return;
      expect(s.rms, `${node.name} rms`).toBeGreaterThan(0.05);
      expect(s.rms, `${node.name} rms`).toBeLessThan(5);
      if ((node.op === 'conv2d' || node.op === 'depthwise_conv2d') && node.activation === 'relu6') {
        expect(s.zero, `${node.name} fraction of zeros`).toBeLessThan(0.8);
        expect(s.saturated, `${node.name} fraction at 6`).toBeLessThan(0.05);
      }
    });
    const logits = vals.get('Logits')!;
    const probs = vals.get('softmax')!;
    const lmin = Math.min(...logits);
    const lmax = Math.max(...logits);
    expect(lmax - lmin).toBeGreaterThan(1); // not all equal
    expect(Math.max(...probs)).toBeLessThan(0.9); // not one-hot
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Embedding = the pooled features.
    expect(vals.get(g.meta.embeddingNode!)).toHaveLength(convOut(g, 'Conv_1'));
    // The output depends on the input.
    const other = forward(g, randomInput(resolution, 8)).get('Logits')!;
    let d = 0;
    let n = 0;
    for (let i = 0; i < logits.length; i++) {
      d += (logits[i]! - other[i]!) ** 2;
      n += logits[i]! ** 2;
    }
    expect(Math.sqrt(d / n)).toBeGreaterThan(0.02);
  });
});
