// TF.js layers importer: the nsfwjs Keras MobileNetV2, weight decoding bit-exact against tfjs-core,
// BN folding, and small hand-written models checked against TensorFlow.js itself.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Conv2DNode, DepthwiseConv2DNode, Graph } from '../../../src/graph/ir.js';
import { ModelFormatError, ShapeError, UnsupportedOpError, InputError } from '../../../src/errors.js';
import {
  decodeWeights,
  importTfjsLayers,
  importTfjsLayersWithReport,
  parseModelJson,
  type ImportReport,
  type TfjsArtifacts,
  type WeightSpec,
} from '../../../src/formats/tfjs-layers/import.js';
import { loadNsfwjsArtifacts, loadNsfwjsLabels, nsfwjsModelDir, type NsfwjsArtifacts } from '../../../src/formats/nsfwjs.js';
import { runReference } from '../../helpers/reference-graph.js';
import { mulberry32 } from '../../helpers/random.js';
import { KerasBuilder, bn, conv } from '../keras-builder.js';

const FILE = 'nsfwjs/model.min.js';
let nsfw: NsfwjsArtifacts;
let graph: Graph;
let report: ImportReport;

beforeAll(async () => {
  await tf.setBackend('cpu');
  nsfw = loadNsfwjsArtifacts(nsfwjsModelDir());
  ({ graph, report } = importTfjsLayersWithReport(nsfw, { fileName: FILE, labels: loadNsfwjsLabels() }));
});

const node = <T>(g: Graph, name: string) => g.nodes.find((n) => n.name === name) as T;
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Bitwise equality of two float32 arrays (NaN == NaN whatever the payload). */
function expectSameBits(ours: Float32Array, ref: Float32Array, what: string) {
  expect(ours.length, what).toBe(ref.length);
  const a = bits(ours);
  const b = bits(ref);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(ours[i]) && Number.isNaN(ref[i]))) {
      throw new Error(`${what}[${i}]: ours ${ours[i]} (0x${a[i].toString(16)}) vs tfjs ${ref[i]} (0x${b[i].toString(16)})`);
    }
  }
}

function tfjsModel(a: TfjsArtifacts & { weightData: ArrayBuffer }) {
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }),
  );
}

function randomInput(shape: number[], seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A subgraph that ends at `output` (for comparing intermediate values). */
function truncate(g: Graph, output: string): Graph {
  const i = g.nodes.findIndex((n) => n.name === output);
  return { ...g, nodes: g.nodes.slice(0, i + 1), output };
}

describe('nsfwjs MobileNetV2 (Keras 2.2.4, 162 layers)', () => {
  it('folds every batch norm and fuses every activation', () => {
    expect(report.layers).toBe(162);
    expect(report.foldedBatchNorms).toHaveLength(52);
    expect(report.fusedActivations).toHaveLength(35);
    expect(report.ops).toEqual({ conv2d: 35, depthwise_conv2d: 17, add: 10, global_avg_pool: 1, dense: 3, softmax: 1 });
    expect(graph.nodes).toHaveLength(67);
    expect(report.noOps.sort()).toEqual(['dropout_2', 'dropout_3', 'flatten_1', 'input_1']);
    expect(report.foldedPads).toEqual([
      'Conv1_pad → Conv1',
      'block_1_pad → block_1_depthwise',
      'block_3_pad → block_3_depthwise',
      'block_6_pad → block_6_depthwise',
      'block_13_pad → block_13_depthwise',
    ]);
  });

  it('records the architecture and the head', () => {
    expect(graph.name).toBe('model_1');
    expect(graph.input).toEqual({ name: 'input_1', shape: [1, 224, 224, 3] });
    expect(graph.output).toBe('dense_3/softmax');
    expect(graph.meta).toMatchObject({
      architecture: 'mobilenet_v2',
      alpha: 1,
      resolution: 224,
      paddingMode: 'keras',
      labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
      embeddingNode: 'average_pooling2d_1',
      outputIsProbabilities: true,
      source: FILE,
    });
    const tail = graph.nodes.slice(-6).map((n) => [n.name, n.op, 'activation' in n ? n.activation : '-']);
    expect(tail).toEqual([
      ['Conv_1', 'conv2d', 'relu6'],
      ['average_pooling2d_1', 'global_avg_pool', '-'],
      ['dense_1', 'dense', 'relu'],
      ['dense_2', 'dense', 'relu'],
      ['dense_3', 'dense', 'none'],
      ['dense_3/softmax', 'softmax', '-'],
    ]);
    // Projections stay linear, the adds too.
    for (const n of graph.nodes) {
      const act = 'activation' in n ? n.activation : undefined;
      if (n.name.endsWith('_project') || n.op === 'add') expect(act, n.name).toBe('none');
      if (n.name.endsWith('_expand') || n.name.endsWith('_depthwise')) expect(act, n.name).toBe('relu6');
    }
  });

  it('turns ZeroPadding2D((0,1),(0,1)) + valid into explicit pads on the stride-2 convolutions', () => {
    for (const name of ['Conv1', 'block_1_depthwise', 'block_3_depthwise', 'block_6_depthwise', 'block_13_depthwise']) {
      const n = node<Conv2DNode | DepthwiseConv2DNode>(graph, name);
      expect(n.stride, name).toEqual([2, 2]);
      expect(n.pad, name).toEqual({ top: 0, left: 0, bottom: 1, right: 1 });
    }
    const s1 = node<DepthwiseConv2DNode>(graph, 'block_2_depthwise');
    expect(s1.pad).toEqual({ top: 1, left: 1, bottom: 1, right: 1 });
  });

  it('dequantizes every tensor bit-identically to tf.io.decodeWeights', () => {
    const ours = decodeWeights(nsfw.weightSpecs, nsfw.weightData, FILE);
    const ref = tf.io.decodeWeights(nsfw.weightData, nsfw.weightSpecs);
    expect(ours.size).toBe(266);
    for (const spec of nsfw.weightSpecs) {
      expect(spec.quantization?.dtype).toBe('uint8');
      expectSameBits(ours.get(spec.name)!.values as Float32Array, ref[spec.name].dataSync() as Float32Array, spec.name);
    }
    tf.dispose(Object.values(ref));
  });

  it('folds batch norm as scale = γ/√(σ²+ε), w·scale, (b − μ)·scale + β in float64', () => {
    const w = decodeWeights(nsfw.weightSpecs, nsfw.weightData, FILE);
    const v = (n: string) => w.get(n)!.values as Float32Array;
    const check = (convName: string, bnName: string, kernelKind: string, c: number) => {
      const k = v(`${convName}/${kernelKind}`);
      const [g, b, m, s] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((x) => v(`${bnName}/${x}`));
      const n = node<Conv2DNode | DepthwiseConv2DNode>(graph, convName);
      for (const i of [0, 1, 7, k.length - 1, Math.floor(k.length / 3)]) {
        const ch = i % c;
        const scale = g[ch] / Math.sqrt(s[ch] + 0.001);
        expect(n.weights[i], `${convName} w[${i}]`).toBe(Math.fround(k[i] * scale));
      }
      for (const ch of [0, 3, c - 1]) {
        const scale = g[ch] / Math.sqrt(s[ch] + 0.001);
        expect(n.bias[ch], `${convName} b[${ch}]`).toBe(Math.fround((0 - m[ch]) * scale + b[ch]));
      }
    };
    check('Conv1', 'bn_Conv1', 'kernel', 32);
    check('block_5_depthwise', 'block_5_depthwise_BN', 'depthwise_kernel', 192);
    check('Conv_1', 'Conv_1_bn', 'kernel', 1280);
    // Dense layers keep their weights untouched.
    expectSameBits(node<{ weights: Float32Array }>(graph, 'dense_3').weights, v('dense_3/kernel'), 'dense_3/kernel');
  });

  it('matches TensorFlow.js through the first blocks (pads, folding, fusion)', async () => {
    const m = await tfjsModel(nsfw);
    const x = randomInput([1, 224, 224, 3], 5).map((v) => (v + 1) / 2);
    const names = ['Conv1_relu', 'expanded_conv_project_BN', 'block_1_depthwise_relu'];
    const inter = tf.model({ inputs: m.inputs, outputs: names.map((n) => m.getLayer(n).output as tf.SymbolicTensor) });
    const outs = inter.predict(tf.tensor4d(x, [1, 224, 224, 3])) as tf.Tensor[];
    const ours = runReference(truncate(graph, 'block_1_depthwise'), x);
    const pairs = [['Conv1', 0], ['expanded_conv_project', 1], ['block_1_depthwise', 2]] as const;
    for (const [name, k] of pairs) {
      const d = maxAbsDiff(ours.get(name)!, outs[k].dataSync());
      expect(d, name).toBeLessThan(5e-5);
    }
    tf.dispose(outs);
    m.dispose();
  });
});

describe('weight decoding (all manifest variants) vs tf.io.decodeWeights', () => {
  it('uint8, uint16, float16, float32 and int32 are bit-identical', () => {
    const r = mulberry32(9);
    const specs: WeightSpec[] = [
      { name: 'a/u8', shape: [3, 5], dtype: 'float32', quantization: { dtype: 'uint8', min: -0.873345116, scale: 0.0066667566 } },
      { name: 'b/u16', shape: [37], dtype: 'float32', quantization: { dtype: 'uint16', min: -3.1, scale: 1.2345e-4 } },
      { name: 'c/f16', shape: [2, 2, 64], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'd/f32', shape: [11], dtype: 'float32' },
      { name: 'e/i32q', shape: [9], dtype: 'int32', quantization: { dtype: 'uint8', min: -5, scale: 0.37 } },
      { name: 'f/i32', shape: [4], dtype: 'int32' },
      { name: 'g/u16', shape: [1], dtype: 'float32', quantization: { dtype: 'uint16', min: 0.1, scale: 0.2 } },
    ];
    const bytesPer = [1, 2, 2, 4, 1, 4, 2];
    const total = specs.reduce((a, s, i) => a + s.shape.reduce((x, y) => x * y, 1) * bytesPer[i], 0);
    const data = new Uint8Array(total);
    for (let i = 0; i < total; i++) data[i] = Math.floor(r() * 256); // every half-float bit pattern class: NaN, Inf, subnormal…
    const ours = decodeWeights(specs, data.buffer);
    const ref = tf.io.decodeWeights(data.buffer, specs);
    for (const s of specs) {
      const o = ours.get(s.name)!.values!;
      const t = ref[s.name].dataSync();
      if (s.dtype === 'int32') expect(Array.from(o), s.name).toEqual(Array.from(t));
      else expectSameBits(o as Float32Array, t as Float32Array, s.name);
    }
    tf.dispose(Object.values(ref));
  });

  it('rejects truncated data, unknown dtypes and missing min/scale, naming the tensor', () => {
    const spec: WeightSpec = { name: 'x/kernel', shape: [4, 4], dtype: 'float32' };
    expect(() => decodeWeights([spec], new Uint8Array(60), 'm.json')).toThrow(/m\.json.*"x\/kernel".*0\.\.64.*60 bytes/);
    expect(() => decodeWeights([spec], new Uint8Array(68), 'm.json')).toThrow(/describes 64 bytes.*68/);
    expect(() => decodeWeights([{ ...spec, quantization: { dtype: 'int4' as 'uint8' } }], new Uint8Array(16))).toThrow(
      /"x\/kernel".*quantization dtype "int4"/,
    );
    expect(() => decodeWeights([{ ...spec, quantization: { dtype: 'uint8', scale: 1 } }], new Uint8Array(16))).toThrow(
      /"x\/kernel".*min and scale/,
    );
    expect(() => decodeWeights([{ ...spec, shape: [2 ** 40, 2 ** 40] }], new Uint8Array(16))).toThrow(ModelFormatError);
    expect(() => decodeWeights([{ ...spec, dtype: 'float64' as 'float32' }], new Uint8Array(128))).toThrow(/unsupported dtype/);
  });
});

/** Input → pad → conv(s2, bias) → Activation(relu6) → dw(same) → BN(center=false) → ReLU → conv 1×1(relu) → add → pool head. */
function tinyFunctional(head: 'gap-dense-softmax' | 'avgpool-flatten-activation', quant?: 'uint8' | 'uint16' | 'float16') {
  const b = new KerasBuilder(3);
  const x = b.input('img', 9, 9, 3);
  b.layer('ZeroPadding2D', 'pad', { padding: [[1, 1], [1, 1]], data_format: 'channels_last' }, [x]);
  b.layer('Conv2D', 'conv_a', { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', dilation_rate: [1, 1], activation: 'linear', use_bias: true, data_format: 'channels_last' }, ['pad']);
  conv(b, 'conv_a', 3, 3, 4, true, { quant });
  b.layer('Activation', 'act_a', { activation: 'relu6' }, ['conv_a']);
  b.layer('DepthwiseConv2D', 'dw', { kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, activation: 'linear', use_bias: false, data_format: 'channels_last' }, ['act_a']);
  b.weight('dw/depthwise_kernel', [3, 3, 4, 1], { quant });
  b.layer('BatchNormalization', 'dw_bn', { axis: -1, epsilon: 0.001, center: false, scale: true }, ['dw']);
  bn(b, 'dw_bn', 4, false, true);
  b.layer('ReLU', 'dw_relu', { max_value: null }, ['dw_bn']);
  b.layer('Conv2D', 'conv_b', { filters: 4, kernel_size: [1, 1], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true }, ['dw_relu']);
  conv(b, 'conv_b', 1, 4, 4, true);
  b.layer('Add', 'add', {}, ['act_a', 'conv_b']);
  if (head === 'gap-dense-softmax') {
    b.layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last' }, ['add']);
    b.layer('Dropout', 'drop', { rate: 0.5 }, ['gap']);
    b.layer('Dense', 'fc', { units: 3, activation: 'softmax', use_bias: true }, ['drop']);
    b.weight('fc/kernel', [4, 3]);
    b.weight('fc/bias', [3]);
    return b.build('img', 'fc');
  }
  b.layer('AveragePooling2D', 'pool', { pool_size: [5, 5], strides: [5, 5], padding: 'valid', data_format: 'channels_last' }, ['add']);
  b.layer('Flatten', 'flat', {}, ['pool']);
  b.layer('Dense', 'fc1', { units: 6, activation: 'relu', use_bias: true }, ['flat']);
  b.weight('fc1/kernel', [4, 6]);
  b.weight('fc1/bias', [6]);
  b.layer('Dense', 'fc2', { units: 3, activation: 'linear', use_bias: false }, ['fc1']);
  b.weight('fc2/kernel', [6, 3]);
  b.layer('Activation', 'probs', { activation: 'softmax' }, ['fc2']);
  return b.build('img', 'probs');
}

describe('hand-written functional models vs TensorFlow.js', () => {
  it.each([
    ['gap-dense-softmax', undefined],
    ['avgpool-flatten-activation', undefined],
    ['gap-dense-softmax', 'uint8'],
    ['avgpool-flatten-activation', 'uint16'],
    ['gap-dense-softmax', 'float16'],
  ] as const)('%s (%s weights)', async (head, quant) => {
    const a = tinyFunctional(head, quant);
    const { graph: g, report: r } = importTfjsLayersWithReport(a, { fileName: 'tiny.json', labels: ['a', 'b', 'c'] });
    expect(r.foldedBatchNorms).toEqual(['dw_bn → dw']);
    expect(r.fusedActivations).toEqual(['act_a → conv_a', 'dw_relu → dw']);
    expect(r.foldedPads).toEqual(['pad → conv_a']);
    const convA = node<Conv2DNode>(g, 'conv_a');
    expect(convA.pad).toEqual({ top: 1, left: 1, bottom: 1, right: 1 });
    expect(convA.activation).toBe('relu6');
    expect(node<DepthwiseConv2DNode>(g, 'dw').pad).toEqual({ top: 1, left: 1, bottom: 1, right: 1 });
    expect(g.meta.paddingMode).toBe('keras');
    expect(g.meta.architecture).toBe('unknown');
    expect(g.meta.outputIsProbabilities).toBe(true);
    expect(g.meta.embeddingNode).toBe(head === 'gap-dense-softmax' ? 'gap' : 'pool');
    expect(g.output).toBe(head === 'gap-dense-softmax' ? 'fc/softmax' : 'probs');

    const m = await tfjsModel(a);
    for (const seed of [1, 2]) {
      const x = randomInput([1, 9, 9, 3], seed);
      const ref = tf.tidy(() => (m.predict(tf.tensor4d(x, [1, 9, 9, 3])) as tf.Tensor).dataSync());
      const ours = runReference(g, x).get(g.output)!;
      expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-5);
    }
    m.dispose();
  });

  it('imports a Sequential model', async () => {
    const b = new KerasBuilder(4);
    b.layer('Conv2D', 'c1', { batch_input_shape: [null, 8, 8, 2], filters: 3, kernel_size: 3, strides: 2, padding: 'same', activation: 'relu6', use_bias: true }, []);
    conv(b, 'c1', 3, 2, 3, true);
    b.layer('GlobalAveragePooling2D', 'gap', {}, []);
    b.layer('Dense', 'out', { units: 2, activation: 'linear', use_bias: true }, []);
    b.weight('out/kernel', [3, 2]);
    b.weight('out/bias', [2]);
    const a = b.buildSequential();
    const g = importTfjsLayers(a, { fileName: 'seq.json' });
    expect(g.nodes.map((n) => n.op)).toEqual(['conv2d', 'global_avg_pool', 'dense']);
    // TF SAME for an even size and stride 2: the extra pixel goes after.
    expect(node<Conv2DNode>(g, 'c1').pad).toEqual({ top: 0, left: 0, bottom: 1, right: 1 });
    expect(g.meta.paddingMode).toBe('same');
    expect(g.meta.labels).toEqual(['class_0', 'class_1']);
    expect(g.meta.outputIsProbabilities).toBe(false);
    const m = await tfjsModel(a);
    const x = randomInput([1, 8, 8, 2], 3);
    const ref = tf.tidy(() => (m.predict(tf.tensor4d(x, [1, 8, 8, 2])) as tf.Tensor).dataSync());
    expect(maxAbsDiff(runReference(g, x).get('out')!, ref)).toBeLessThan(1e-5);
    m.dispose();
  });

  it('reads Keras 3 style inbound_nodes and the "Functional" class', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const t = structuredClone(a.modelTopology) as { model_config: { class_name: string; config: { layers: { inbound_nodes: unknown[] }[] } } };
    t.model_config.class_name = 'Functional';
    for (const l of t.model_config.config.layers) {
      const refs = (l.inbound_nodes[0] ?? []) as [string, number, number][];
      l.inbound_nodes = refs.length
        ? [{ args: [refs.map(([n, i, j]) => ({ class_name: '__keras_tensor__', config: { shape: [], dtype: 'float32', keras_history: [n, i, j] } }))], kwargs: {} }]
        : [];
    }
    expect(importTfjsLayers({ ...a, modelTopology: t }).nodes).toEqual(importTfjsLayers(a).nodes);
  });

  it('matches weight names with scopes and :0 suffixes', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const renamed = a.weightSpecs.map((s, i) => ({ ...s, name: i % 2 ? `model/${s.name}:0` : `${s.name.split('/')[0]}/${s.name}` }));
    const g = importTfjsLayers({ ...a, weightSpecs: renamed });
    const g0 = importTfjsLayers(a);
    expect(g.nodes).toEqual(g0.nodes);
  });
});

describe('errors name the layer, the tensor and the file', () => {
  const withLayer = (extra: Record<string, unknown>) => {
    const a = tinyFunctional('gap-dense-softmax');
    const t = a.modelTopology as { model_config: { config: { layers: Record<string, unknown>[] } } };
    const layers = t.model_config.config.layers.map((l) => (l.name === 'conv_b' ? { ...l, ...extra, config: { ...(l.config as object), ...(extra.config as object) } } : l));
    return { ...a, modelTopology: { ...t, model_config: { ...t.model_config, config: { ...t.model_config.config, layers } } } };
  };

  it('unknown layer class → UnsupportedOpError', () => {
    const a = withLayer({ class_name: 'SeparableConv2D' });
    expect(() => importTfjsLayers(a, { fileName: 'weird.json' })).toThrow(UnsupportedOpError);
    expect(() => importTfjsLayers(a, { fileName: 'weird.json' })).toThrow(/weird\.json: layer "conv_b" \(SeparableConv2D\).*not supported/);
  });

  it.each([
    [{ config: { dilation_rate: [2, 2] } }, /conv_b.*dilation_rate \[2, 2\]/],
    [{ config: { padding: 'causal' } }, /conv_b.*padding "causal"/],
    [{ config: { activation: 'tanh' } }, /conv_b.*activation "tanh"/],
    [{ config: { data_format: 'channels_first' } }, /conv_b.*channels_first/],
  ])('unsupported attribute %j → UnsupportedOpError', (extra, re) => {
    expect(() => importTfjsLayers(withLayer(extra), { fileName: 'm.json' })).toThrow(UnsupportedOpError);
    expect(() => importTfjsLayers(withLayer(extra), { fileName: 'm.json' })).toThrow(re);
  });

  it('ReLU max_value other than 6, non-global pooling, depth_multiplier 2 → UnsupportedOpError', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const edit = (name: string, cfg: Record<string, unknown>, cls?: string) => {
      const t = structuredClone(a.modelTopology) as { model_config: { config: { layers: { name: string; class_name: string; config: object }[] } } };
      const l = t.model_config.config.layers.find((x) => x.name === name)!;
      l.config = { ...l.config, ...cfg };
      if (cls) l.class_name = cls;
      return { ...a, modelTopology: t };
    };
    expect(() => importTfjsLayers(edit('dw_relu', { max_value: 3 }))).toThrow(/dw_relu.*max_value=3/);
    expect(() => importTfjsLayers(edit('dw', { depth_multiplier: 2 }))).toThrow(/"dw".*depth_multiplier=2/);
    expect(() => importTfjsLayers(edit('gap', { pool_size: [2, 2], strides: [2, 2] }, 'AveragePooling2D'))).toThrow(
      /"gap".*whole 5×5 input/,
    );
    expect(() => importTfjsLayers(edit('gap', { pool_size: [2, 2] }, 'MaxPooling2D'))).toThrow(/"gap" \(MaxPooling2D\)/);
  });

  it('a missing weight → ModelFormatError naming it and the file', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const specs = a.weightSpecs.map((s) => (s.name === 'conv_b/kernel' ? { ...s, name: 'conv_b/kernel_typo' } : s));
    const f = () => importTfjsLayers({ ...a, weightSpecs: specs }, { fileName: 'tiny.json' });
    expect(f).toThrow(ModelFormatError);
    expect(f).toThrow(/tiny\.json: weight "conv_b\/kernel" \(shape \[1, 1, 4, 4\]\) is missing/);
  });

  it('an extra weight → ModelFormatError naming it', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const specs: WeightSpec[] = [...a.weightSpecs, { name: 'ghost/kernel', shape: [2], dtype: 'float32' }];
    const data = new Uint8Array(a.weightData.byteLength + 8);
    data.set(new Uint8Array(a.weightData));
    expect(() => importTfjsLayers({ ...a, weightSpecs: specs, weightData: data }, { fileName: 'tiny.json' })).toThrow(
      /tiny\.json: 1 weight\(s\) .* not used by any layer: ghost\/kernel/,
    );
  });

  it('a weight of the wrong shape → ShapeError with expected and actual sizes', () => {
    const a = tinyFunctional('gap-dense-softmax');
    // Same byte count (16 values), wrong shape for a 1×1 conv 4→4.
    const specs = a.weightSpecs.map((s) => (s.name === 'conv_b/kernel' ? { ...s, shape: [2, 2, 2, 2] } : s));
    const f = () => importTfjsLayers({ ...a, weightSpecs: specs }, { fileName: 'tiny.json' });
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/tiny\.json: weight "conv_b\/kernel" has shape \[2, 2, 2, 2\] \(16 values\).*needs \[1, 1, 4, 4\] \(16 values\)/);
  });

  it('truncated weight data → ModelFormatError naming the tensor', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const f = () => importTfjsLayers({ ...a, weightData: a.weightData.slice(0, a.weightData.byteLength - 4) }, { fileName: 'tiny.json' });
    expect(f).toThrow(/tiny\.json: weight "fc\/bias" \(shape \[3\]\) needs bytes \d+\.\.\d+ but the weight data has only \d+ bytes/);
  });

  it('wrong label count → InputError', () => {
    expect(() => importTfjsLayers(tinyFunctional('gap-dense-softmax'), { labels: ['x'] })).toThrow(InputError);
  });

  it('graph models, unknown model classes, cycles → clear errors', () => {
    expect(() => importTfjsLayers({ modelTopology: { node: [] }, weightSpecs: [], weightData: new Uint8Array(0) })).toThrow(
      /graph model/,
    );
    expect(() =>
      importTfjsLayers({ modelTopology: { class_name: 'Bogus', config: {} }, weightSpecs: [], weightData: new Uint8Array(0) }),
    ).toThrow(/"Bogus"/);
  });
});

describe('parseModelJson (model.json + shard files)', () => {
  it('concatenates shards in manifest order', () => {
    const a = tinyFunctional('gap-dense-softmax');
    const bytes = new Uint8Array(a.weightData);
    const cut = 37;
    const json = JSON.stringify({
      format: 'layers-model',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs }],
    });
    const arts = parseModelJson(json, [bytes.slice(0, cut), bytes.slice(cut)], 'model.json');
    expect(importTfjsLayers(arts).nodes).toEqual(importTfjsLayers(a).nodes);
    expect(() => parseModelJson(json, [bytes], 'model.json')).toThrow(/lists 2 shard file\(s\).*but 1 were given/);
    expect(() => parseModelJson('{"modelTopology": 1', [], 'bad.json')).toThrow(/bad\.json: not valid JSON/);
    expect(() => parseModelJson('{"weightsManifest": []}', [], 'bad.json')).toThrow(/no "modelTopology"/);
  });
});
