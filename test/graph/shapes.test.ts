import { describe, expect, it } from 'vitest';
import { InputError, ShapeError, UnsupportedOpError } from '../../src/errors.js';
import type { Graph, Node, PaddingMode } from '../../src/graph/ir.js';
import { convOutSize, inferShapes, padFor, padFor2d } from '../../src/graph/shapes.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';

// ---------------------------------------------------------------------------------------------------
// padFor

// Hand-checked: [mode, in, k, stride, [before, after]].
// same:  out = ceil(in/s), total = max((out−1)s + k − in, 0), before = floor(total/2)
// keras: stride 1 = same; stride > 1 = correct_pad: (k//2 − (1 − in mod 2), k//2), clamped at 0
// symmetric: (k//2, k//2)
const PAD_TABLE: Array<[PaddingMode, number, number, number, [number, number]]> = [
  // 3×3 stride 2, the MobileNetV2 case: even sizes pad after only, odd sizes both sides.
  ['same', 224, 3, 2, [0, 1]], // out 112, total 222+3−224 = 1
  ['same', 225, 3, 2, [1, 1]], // out 113, total 224+3−225 = 2
  ['same', 8, 3, 2, [0, 1]],
  ['same', 7, 3, 2, [1, 1]], // out 4, total 6+3−7 = 2
  ['same', 2, 3, 2, [0, 1]],
  ['same', 1, 3, 2, [1, 1]], // out 1, total 0+3−1 = 2
  ['same', 224, 3, 1, [1, 1]],
  ['same', 7, 3, 1, [1, 1]],
  ['same', 1, 3, 1, [1, 1]],
  ['same', 224, 1, 1, [0, 0]],
  ['same', 8, 1, 2, [0, 0]], // total max(6+1−8, 0) = 0
  ['same', 7, 1, 2, [0, 0]], // total 6+1−7 = 0
  ['same', 8, 2, 2, [0, 0]],
  ['same', 7, 2, 2, [0, 1]], // total 6+2−7 = 1
  ['same', 8, 5, 2, [1, 2]], // total 6+5−8 = 3
  ['same', 7, 5, 2, [2, 2]], // total 6+5−7 = 4
  ['same', 224, 7, 2, [2, 3]], // total 222+7−224 = 5
  ['same', 10, 3, 3, [1, 1]], // out 4, total 9+3−10 = 2
  ['same', 11, 3, 3, [0, 1]], // out 4, total 9+3−11 = 1
  ['same', 9, 3, 3, [0, 0]], // out 3, total 6+3−9 = 0
  ['keras', 224, 3, 2, [0, 1]],
  ['keras', 225, 3, 2, [1, 1]],
  ['keras', 8, 3, 2, [0, 1]],
  ['keras', 7, 3, 2, [1, 1]],
  ['keras', 2, 3, 2, [0, 1]],
  ['keras', 1, 3, 2, [1, 1]],
  ['keras', 224, 3, 1, [1, 1]],
  ['keras', 7, 3, 1, [1, 1]],
  ['keras', 224, 1, 1, [0, 0]],
  ['keras', 8, 1, 2, [0, 0]], // k//2 − 1 = −1 clamped to 0
  ['keras', 8, 2, 2, [0, 1]], // differs from 'same' (0,0): correct_pad always pads k//2 after
  ['keras', 7, 2, 2, [1, 1]],
  ['keras', 8, 5, 2, [1, 2]],
  ['keras', 7, 5, 2, [2, 2]],
  ['keras', 10, 3, 3, [0, 1]], // differs from 'same': correct_pad ignores the stride
  ['symmetric', 224, 3, 2, [1, 1]],
  ['symmetric', 225, 3, 2, [1, 1]],
  ['symmetric', 8, 3, 2, [1, 1]],
  ['symmetric', 7, 3, 2, [1, 1]],
  ['symmetric', 1, 3, 2, [1, 1]],
  ['symmetric', 224, 3, 1, [1, 1]],
  ['symmetric', 224, 1, 1, [0, 0]],
  ['symmetric', 8, 1, 2, [0, 0]],
  ['symmetric', 8, 5, 2, [2, 2]],
  ['symmetric', 8, 2, 2, [1, 1]],
];

describe('padFor', () => {
  it.each(PAD_TABLE)('%s in=%i k=%i s=%i → %j', (mode, inSize, k, s, expected) => {
    expect(padFor(mode, inSize, k, s)).toEqual(expected);
  });

  const modes: PaddingMode[] = ['same', 'keras', 'symmetric'];
  const sizes = Array.from({ length: 64 }, (_, i) => i + 1);

  it.each(modes)('%s: a 3×3 kernel gives ceil(in/s) outputs for every size 1..64, stride 1 and 2', (mode) => {
    for (const inSize of sizes) {
      for (const s of [1, 2]) {
        const [b, a] = padFor(mode, inSize, 3, s);
        expect(convOutSize(inSize, 3, s, b, a), `in ${inSize} s ${s}`).toBe(Math.ceil(inSize / s));
      }
    }
  });

  it.each(modes)('%s: stride 1 pads a 3×3 kernel (1,1) and a 1×1 kernel (0,0) at every size', (mode) => {
    for (const inSize of sizes) {
      expect(padFor(mode, inSize, 3, 1)).toEqual([1, 1]);
      expect(padFor(mode, inSize, 1, 1)).toEqual([0, 0]);
    }
  });

  it("'same': even sizes pad (0,1) and odd sizes (1,1) for 3×3 stride 2", () => {
    for (const inSize of sizes) expect(padFor('same', inSize, 3, 2)).toEqual(inSize % 2 === 0 ? [0, 1] : [1, 1]);
  });

  it("'keras' equals 'same' for every odd kernel at stride 2 and every size", () => {
    for (const k of [1, 3, 5, 7]) {
      for (const inSize of sizes) expect(padFor('keras', inSize, k, 2), `k ${k} in ${inSize}`).toEqual(padFor('same', inSize, k, 2));
    }
  });

  it("'symmetric' differs from 'same' exactly on even sizes at stride 2 (same output size, shifted grid)", () => {
    for (const inSize of sizes) {
      const sym = padFor('symmetric', inSize, 3, 2);
      const same = padFor('same', inSize, 3, 2);
      if (inSize % 2 === 0) expect(sym).not.toEqual(same);
      else expect(sym).toEqual(same);
    }
  });

  it('padFor2d combines both dimensions (non-square input)', () => {
    expect(padFor2d('same', 8, 7, [3, 3], [2, 2])).toEqual({ top: 0, bottom: 1, left: 1, right: 1 });
    expect(padFor2d('symmetric', 8, 7, [3, 1], [2, 1])).toEqual({ top: 1, bottom: 1, left: 0, right: 0 });
  });

  it('rejects bad arguments with InputError', () => {
    expect(() => padFor('same', 0, 3, 2)).toThrow(InputError);
    expect(() => padFor('same', 8, 0, 2)).toThrow(InputError);
    expect(() => padFor('same', 8, 3, 0)).toThrow(InputError);
    expect(() => padFor('same', 8.5, 3, 2)).toThrow(InputError);
    expect(() => padFor('valid' as PaddingMode, 8, 3, 2)).toThrow(/unknown padding mode "valid"/);
  });
});

// ---------------------------------------------------------------------------------------------------
// inferShapes

const f32 = (n: number): Float32Array => new Float32Array(n);
const P0 = { top: 0, left: 0, bottom: 0, right: 0 };
const P1 = { top: 1, left: 1, bottom: 1, right: 1 };

/** input [1,8,8,4] → conv3x3 s2 → 16ch [1,4,4,16] → dw3x3 → 1x1 proj → add → pool → dense → softmax */
function tinyGraph(): Graph {
  const nodes: Node[] = [
    { op: 'conv2d', name: 'c1', inputs: ['x'], kernel: [3, 3], stride: [2, 2], pad: { top: 0, left: 0, bottom: 1, right: 1 }, activation: 'relu6', weights: f32(3 * 3 * 4 * 16), bias: f32(16), outChannels: 16 },
    { op: 'depthwise_conv2d', name: 'dw', inputs: ['c1'], kernel: [3, 3], stride: [1, 1], pad: P1, activation: 'relu6', weights: f32(9 * 16), bias: f32(16) },
    { op: 'conv2d', name: 'proj', inputs: ['dw'], kernel: [1, 1], stride: [1, 1], pad: P0, activation: 'none', weights: f32(16 * 16), bias: f32(16), outChannels: 16 },
    { op: 'add', name: 'sum', inputs: ['c1', 'proj'], activation: 'none' },
    { op: 'global_avg_pool', name: 'pool', inputs: ['sum'] },
    { op: 'dense', name: 'fc', inputs: ['pool'], activation: 'none', weights: f32(16 * 10), bias: f32(10), units: 10 },
    { op: 'softmax', name: 'prob', inputs: ['fc'] },
  ];
  return {
    name: 'tiny',
    input: { name: 'x', shape: [1, 8, 8, 4] },
    output: 'prob',
    nodes,
    meta: {
      architecture: 'test',
      paddingMode: 'same',
      labels: [],
      preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 },
    },
  };
}

/** A mutable view of node `name` of a fresh tiny graph. */
function withNode(name: string, edit: (n: Record<string, unknown>) => void): Graph {
  const g = tinyGraph();
  const n = g.nodes.find((x) => x.name === name)!;
  edit(n as unknown as Record<string, unknown>);
  return g;
}

function shapeError(g: Graph): string {
  try {
    inferShapes(g);
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as Error).name).toBe('ShapeError');
    return (e as Error).message;
  }
  throw new Error('expected a ShapeError');
}

describe('inferShapes', () => {
  it('infers every value of a valid graph, in graph order', () => {
    const shapes = inferShapes(tinyGraph());
    expect([...shapes.entries()]).toEqual([
      ['x', [1, 8, 8, 4]],
      ['c1', [1, 4, 4, 16]],
      ['dw', [1, 4, 4, 16]],
      ['proj', [1, 4, 4, 16]],
      ['sum', [1, 4, 4, 16]],
      ['pool', [1, 16]],
      ['fc', [1, 10]],
      ['prob', [1, 10]],
    ]);
  });

  it('treats [1,1,1,C] as [1,C] for dense', () => {
    const g = tinyGraph();
    // conv 4×4 valid on the [1,4,4,16] sum → [1,1,1,16], then dense directly.
    g.nodes.splice(4, 1, {
      op: 'conv2d', name: 'pool', inputs: ['sum'], kernel: [4, 4], stride: [1, 1], pad: P0, activation: 'none',
      weights: f32(4 * 4 * 16 * 16), bias: f32(16), outChannels: 16,
    });
    const shapes = inferShapes(g);
    expect(shapes.get('pool')).toEqual([1, 1, 1, 16]);
    expect(shapes.get('fc')).toEqual([1, 10]);
  });

  it('handles asymmetric pads, strides and kernels', () => {
    const g = withNode('c1', (n) => {
      n.kernel = [3, 1];
      n.stride = [2, 1];
      n.pad = { top: 1, bottom: 1, left: 0, right: 2 };
      n.weights = f32(3 * 1 * 4 * 16);
    });
    g.nodes.splice(1); // keep only c1
    g.output = 'c1';
    // H: floor((8+2−3)/2)+1 = 4; W: floor((8+2−1)/1)+1 = 10
    expect(inferShapes(g).get('c1')).toEqual([1, 4, 10, 16]);
  });

  it('validates a whole MobileNetV2', () => {
    const shapes = inferShapes(buildMobileNetV2({ alpha: 1, resolution: 224 }));
    expect(shapes.get('input_1')).toEqual([1, 224, 224, 3]);
    expect(shapes.get('Conv1')).toEqual([1, 112, 112, 32]);
    expect(shapes.get('block_16_project')).toEqual([1, 7, 7, 320]);
    expect(shapes.get('Conv_1')).toEqual([1, 7, 7, 1280]);
    expect(shapes.get('global_average_pooling2d')).toEqual([1, 1280]);
    expect(shapes.get('softmax')).toEqual([1, 1001]);
  });

  describe('ShapeError paths', () => {
    it('graph input: wrong rank, batch ≠ 1, non-positive or fractional dims', () => {
      for (const shape of [[1, 8, 8], [2, 8, 8, 4], [1, 0, 8, 4], [1, 8, 8.5, 4]]) {
        const g = tinyGraph();
        (g.input as { shape: number[] }).shape = shape;
        expect(shapeError(g)).toMatch(new RegExp(`input "x" has shape \\[${shape.join(',')}\\], expected \\[1,H,W,C\\]`));
      }
    });

    it('graph input without a name', () => {
      const g = tinyGraph();
      g.input.name = '';
      expect(shapeError(g)).toMatch(/input must have a non-empty name/);
    });

    it('input that does not exist', () => {
      expect(shapeError(withNode('dw', (n) => (n.inputs = ['nope'])))).toBe(
        'depthwise_conv2d "dw": input "nope" does not exist (expected the graph input "x" or an earlier node)',
      );
    });

    it('input produced by a later node', () => {
      expect(shapeError(withNode('dw', (n) => (n.inputs = ['proj'])))).toBe(
        'depthwise_conv2d "dw": input "proj" is produced by a later node; nodes must be topologically ordered',
      );
    });

    it('duplicate names (including the graph input name)', () => {
      expect(shapeError(withNode('proj', (n) => (n.name = 'dw')))).toMatch(/conv2d "dw": duplicate value name "dw"/);
      expect(shapeError(withNode('c1', (n) => (n.name = 'x')))).toMatch(/conv2d "x": duplicate value name "x"/);
    });

    it('empty node name', () => {
      expect(shapeError(withNode('pool', (n) => (n.name = '')))).toMatch(/global_avg_pool node: name must be a non-empty string/);
    });

    it('wrong number of inputs', () => {
      expect(shapeError(withNode('c1', (n) => (n.inputs = ['x', 'x'])))).toBe('conv2d "c1": expected 1 input, got 2');
      expect(shapeError(withNode('sum', (n) => (n.inputs = ['c1'])))).toBe('add "sum": expected 2 inputs, got 1');
      expect(shapeError(withNode('prob', (n) => (n.inputs = [])))).toBe('softmax "prob": expected 1 input, got 0');
    });

    it('conv / depthwise / pool on a tensor that is not rank 4', () => {
      const g = tinyGraph();
      g.nodes.push(
        { op: 'depthwise_conv2d', name: 'bad', inputs: ['pool'], kernel: [1, 1], stride: [1, 1], pad: P0, activation: 'none', weights: f32(16), bias: f32(16) },
      );
      expect(shapeError(g)).toBe('depthwise_conv2d "bad": input "pool" has shape [1,16], expected rank 4 [1,H,W,C]');
      const g2 = withNode('pool', (n) => (n.inputs = ['x']));
      g2.nodes.splice(5, 0, { op: 'global_avg_pool', name: 'pool2', inputs: ['pool'] });
      expect(shapeError(g2)).toBe('global_avg_pool "pool2": input "pool" has shape [1,4], expected rank 4 [1,H,W,C]');
      const g3 = tinyGraph();
      g3.nodes.push({ op: 'conv2d', name: 'c9', inputs: ['fc'], kernel: [1, 1], stride: [1, 1], pad: P0, activation: 'none', weights: f32(10), bias: f32(1), outChannels: 1 });
      expect(shapeError(g3)).toBe('conv2d "c9": input "fc" has shape [1,10], expected rank 4 [1,H,W,C]');
    });

    it('bad kernel, stride or pad', () => {
      expect(shapeError(withNode('c1', (n) => (n.kernel = [0, 3])))).toMatch(/conv2d "c1": kernel must be two positive integers/);
      expect(shapeError(withNode('c1', (n) => (n.kernel = [3])))).toMatch(/conv2d "c1": kernel must be two positive integers/);
      expect(shapeError(withNode('dw', (n) => (n.stride = [1, 0])))).toMatch(/depthwise_conv2d "dw": stride must be two positive integers/);
      expect(shapeError(withNode('dw', (n) => (n.pad = { top: -1, left: 1, bottom: 1, right: 1 })))).toMatch(
        /depthwise_conv2d "dw": pad must have non-negative integer top\/left\/bottom\/right/,
      );
      expect(shapeError(withNode('dw', (n) => (n.pad = { top: 1, left: 0.5, bottom: 1, right: 1 })))).toMatch(/pad must have/);
      expect(shapeError(withNode('dw', (n) => (n.pad = undefined)))).toMatch(/pad must have/);
    });

    it('window that does not fit (output < 1)', () => {
      // 4×4 input, 5×5 kernel, no pad → floor((4−5)/1)+1 = 0
      const msg = shapeError(
        withNode('dw', (n) => {
          n.kernel = [5, 5];
          n.pad = P0;
          n.weights = f32(25 * 16);
        }),
      );
      expect(msg).toBe(
        'depthwise_conv2d "dw": a 5×5 kernel with stride 1×1 and pad (top 0, bottom 0, left 0, right 0) does not fit ' +
          'input "c1" of shape [1,4,4,16]: output would be 0×0, expected at least 1×1',
      );
      // with pad 1 each side it fits: (4+2−5)+1 = 2
      const g = withNode('dw', (n) => {
        n.kernel = [5, 5];
        n.weights = f32(25 * 16);
      });
      g.nodes.splice(2);
      g.output = 'dw';
      expect(inferShapes(g).get('dw')).toEqual([1, 2, 2, 16]);
    });

    it('conv weights of the wrong length (the message names node, tensor and formula)', () => {
      const g = tinyGraph();
      g.input.shape = [1, 56, 56, 32];
      g.nodes = [
        { op: 'conv2d', name: 'block_3_expand', inputs: ['x'], kernel: [1, 1], stride: [1, 1], pad: P0, activation: 'relu6', weights: f32(9216), bias: f32(192), outChannels: 192 },
      ];
      g.output = 'block_3_expand';
      expect(shapeError(g)).toBe('conv2d "block_3_expand": weights have 9216 values, expected 1·1·32·192 = 6144');
    });

    it('conv bias of the wrong length', () => {
      expect(shapeError(withNode('c1', (n) => (n.bias = f32(15))))).toBe('conv2d "c1": bias has 15 values, expected 16 (outChannels)');
    });

    it('weights or bias that are not a Float32Array', () => {
      expect(shapeError(withNode('c1', (n) => (n.weights = new Array(576).fill(0))))).toBe(
        'conv2d "c1": weights must be a Float32Array of 3·3·4·16 = 576 values, got Array',
      );
      expect(shapeError(withNode('fc', (n) => (n.bias = undefined)))).toBe(
        'dense "fc": bias must be a Float32Array of 10 (units) values, got undefined',
      );
      expect(shapeError(withNode('dw', (n) => (n.weights = new Float64Array(144))))).toMatch(/got Float64Array/);
    });

    it('conv outChannels that is not a positive integer', () => {
      expect(shapeError(withNode('c1', (n) => (n.outChannels = 0)))).toBe('conv2d "c1": outChannels must be a positive integer, got 0');
    });

    it('depthwise weights and bias of the wrong length', () => {
      expect(shapeError(withNode('dw', (n) => (n.weights = f32(9 * 8))))).toBe(
        'depthwise_conv2d "dw": weights have 72 values, expected 3·3·16 = 144',
      );
      expect(shapeError(withNode('dw', (n) => (n.bias = f32(8))))).toBe('depthwise_conv2d "dw": bias has 8 values, expected 16 (input channels)');
    });

    it('add with operands of different shapes', () => {
      expect(shapeError(withNode('sum', (n) => (n.inputs = ['x', 'proj'])))).toBe(
        'add "sum": operands must have equal shapes, got "x" [1,8,8,4] and "proj" [1,4,4,16]',
      );
    });

    it('dense on a spatial tensor', () => {
      expect(shapeError(withNode('fc', (n) => (n.inputs = ['sum'])))).toBe(
        'dense "fc": input "sum" has shape [1,4,4,16], expected [1,K] (or [1,1,1,K])',
      );
    });

    it('dense weights, bias and units', () => {
      expect(shapeError(withNode('fc', (n) => (n.weights = f32(160 + 1))))).toBe('dense "fc": weights have 161 values, expected 16·10 = 160');
      expect(shapeError(withNode('fc', (n) => (n.bias = f32(9))))).toBe('dense "fc": bias has 9 values, expected 10 (units)');
      expect(shapeError(withNode('fc', (n) => (n.units = 2.5)))).toBe('dense "fc": units must be a positive integer, got 2.5');
    });

    it('softmax on a tensor that is not [1,N]', () => {
      expect(shapeError(withNode('prob', (n) => (n.inputs = ['sum'])))).toBe(
        'softmax "prob": input "sum" has shape [1,4,4,16], expected [1,N]',
      );
    });

    it('graph output that no node produces', () => {
      const g = tinyGraph();
      g.output = 'x';
      expect(shapeError(g)).toBe('graph "tiny": output "x" is not produced by any node');
    });
  });

  describe('UnsupportedOpError paths', () => {
    it('unknown op', () => {
      const g = tinyGraph();
      g.nodes.push({ op: 'max_pool', name: 'mp', inputs: ['sum'] } as unknown as Node);
      expect(() => inferShapes(g)).toThrow(UnsupportedOpError);
      expect(() => inferShapes(g)).toThrow('node "mp": op "max_pool" is not supported');
    });

    it('unknown activation', () => {
      const g = withNode('dw', (n) => (n.activation = 'swish'));
      expect(() => inferShapes(g)).toThrow(UnsupportedOpError);
      expect(() => inferShapes(g)).toThrow('depthwise_conv2d "dw": activation "swish" is not supported (expected none, relu or relu6)');
    });
  });
});
