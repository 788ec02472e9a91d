// TFLite import of models built in the test (test/helpers/tflite-builder.ts): every supported
// operator, float32 / TF1 uint8 per-tensor / TF2 int8 per-channel with QUANTIZE–DEQUANTIZE edges,
// checked against what the file says (shapes, quantization, weight layouts, pads, dilation).
import { describe, expect, it } from 'vitest';
import type { Conv2DNode, DenseNode, DepthwiseConv2DNode, Graph, Node } from '../../../src/graph/ir.js';
import { InputError, ModelFormatError, UnsupportedOpError } from '../../../src/errors.js';
import { importTflite, importTfliteWithReport, samePadding } from '../../../src/formats/tflite/import.js';
import { importModelBytes } from '../../../src/formats/load-bytes.js';
import { sniffFormat } from '../../../src/formats/sniff.js';
import { inferShapes } from '../../../src/graph/shapes.js';
import { summarize } from '../../../src/graph/summary.js';
import { AssociatedFileType } from '../../../src/formats/tflite/metadata.js';
import { inflateRaw } from '../../../src/formats/tflite/zip.js';
import { deflateRawSync } from 'node:zlib';
import {
  TfliteBuilder,
  addOptions,
  argMaxOptions,
  concatOptions,
  convOptions,
  depthwiseOptions,
  fullyConnectedOptions,
  metadataBuffer,
  poolOptions,
  reducerOptions,
  reshapeOptions,
  resizeBilinearOptions,
  seq,
  seqF32,
  softmaxOptions,
  squeezeOptions,
  withZip,
} from '../../helpers/tflite-builder.js';

const FILE = 'built.tflite';
const node = <T extends Node>(g: Graph, name: string) => {
  const n = g.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n as T;
};

/** TFLite OHWI [o][y][x][i] index. */
const ohwi = (o: number, y: number, x: number, i: number, kh: number, kw: number, cin: number) => ((o * kh + y) * kw + x) * cin + i;
/** IR HWIO [y][x][i][o] index. */
const hwio = (y: number, x: number, i: number, o: number, kw: number, cin: number, cout: number) => ((y * kw + x) * cin + i) * cout + o;

// ---------------------------------------------------------------------------------------------
// float32

function floatModel(style: 'both' | 'deprecated' = 'both') {
  const b = new TfliteBuilder({ codeStyle: style });
  const x = b.input('image', [1, 9, 9, 3], 'FLOAT32');
  const w1 = seqF32(4 * 3 * 3 * 3, 1);
  const c1 = b.tensor('conv1', [1, 5, 5, 4], 'FLOAT32');
  b.op('CONV_2D', [x, b.constant('conv1/w', [4, 3, 3, 3], 'FLOAT32', w1), b.constant('conv1/b', [4], 'FLOAT32', [0.1, 0.2, 0.3, 0.4])], [c1],
    convOptions({ stride: 2, activation: 'RELU6' }));
  const wd = seqF32(3 * 3 * 4, 2);
  const d1 = b.tensor('dw1', [1, 5, 5, 4], 'FLOAT32');
  b.op('DEPTHWISE_CONV_2D', [c1, b.constant('dw1/w', [1, 3, 3, 4], 'FLOAT32', wd), b.constant('dw1/b', [4], 'FLOAT32', [0, 0, 0, 1])], [d1],
    depthwiseOptions({ dilation: 2, activation: 'RELU' }), 2);
  const s = b.tensor('sum', [1, 5, 5, 4], 'FLOAT32');
  b.op('ADD', [c1, d1], [s], addOptions());
  const v = b.tensor('valid', [1, 3, 3, 4], 'FLOAT32');
  b.op('CONV_2D', [s, b.constant('valid/w', [4, 3, 3, 4], 'FLOAT32', seqF32(144, 3)), -1], [v], convOptions({ padding: 'VALID' }));
  const m = b.tensor('mean', [1, 4], 'FLOAT32');
  b.op('MEAN', [v, b.constant('axes', [2], 'INT32', [1, 2])], [m], reducerOptions(false));
  const wf = seqF32(5 * 4, 4);
  const f = b.tensor('logits', [1, 5], 'FLOAT32');
  b.op('FULLY_CONNECTED', [m, b.constant('fc/w', [5, 4], 'FLOAT32', wf), b.constant('fc/b', [5], 'FLOAT32', [1, 2, 3, 4, 5])], [f],
    fullyConnectedOptions());
  const p = b.tensor('probs', [1, 5], 'FLOAT32');
  b.op('SOFTMAX', [f], [p], softmaxOptions(1));
  b.output(p);
  return { bytes: b.finish(), w1, wd, wf };
}

describe('float32 model', () => {
  it('imports conv (OHWI → HWIO), dilated depthwise, add, MEAN, FULLY_CONNECTED ([N,K] → [K,N]), softmax', async () => {
    const { bytes, w1, wd, wf } = floatModel();
    expect(sniffFormat(bytes)).toBe('tflite');
    const g = await importTflite(bytes, { fileName: FILE });
    expect(g.nodes.map((n) => `${n.op}:${n.name}`)).toEqual([
      'conv2d:conv1', 'depthwise_conv2d:dw1', 'add:sum', 'conv2d:valid', 'global_avg_pool:mean', 'dense:logits', 'softmax:probs',
    ]);
    expect(g.input).toEqual({ name: 'image', shape: [1, 9, 9, 3] });
    expect(g.values).toBeUndefined();
    expect(g.output).toBe('probs');

    const c1 = node<Conv2DNode>(g, 'conv1');
    expect(c1).toMatchObject({ kernel: [3, 3], stride: [2, 2], activation: 'relu6', outChannels: 4, pad: { top: 1, bottom: 1, left: 1, right: 1 } });
    expect(c1.dilation).toBeUndefined();
    expect(c1.q).toBeUndefined();
    for (let o = 0; o < 4; o++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++)
          for (let i = 0; i < 3; i++) expect(c1.weights[hwio(y, x, i, o, 3, 3, 4)]).toBe(w1[ohwi(o, y, x, i, 3, 3, 3)]);
    expect([...c1.bias]).toEqual([...Float32Array.from([0.1, 0.2, 0.3, 0.4])]);

    const d1 = node<DepthwiseConv2DNode>(g, 'dw1');
    // SAME with dilation 2: effective kernel 5 on 5 → total 4 → (2, 2)
    expect(d1).toMatchObject({ kernel: [3, 3], stride: [1, 1], dilation: [2, 2], activation: 'relu', pad: { top: 2, bottom: 2, left: 2, right: 2 } });
    expect([...d1.weights]).toEqual([...wd]); // [1,kh,kw,C] is already [kh,kw,C]

    expect(node<Conv2DNode>(g, 'valid').pad).toEqual({ top: 0, left: 0, bottom: 0, right: 0 });
    expect([...node<Conv2DNode>(g, 'valid').bias]).toEqual([0, 0, 0, 0]); // bias −1 (absent) → zeros
    expect(node(g, 'mean')).toMatchObject({ op: 'global_avg_pool', keepDims: false });

    const fc = node<DenseNode>(g, 'logits');
    expect(fc.units).toBe(5);
    for (let n = 0; n < 5; n++) for (let k = 0; k < 4; k++) expect(fc.weights[k * 5 + n]).toBe(wf[n * 4 + k]);
    expect(node(g, 'probs')).toEqual({ op: 'softmax', name: 'probs', inputs: ['logits'] });

    const shapes = inferShapes(g);
    expect(shapes.get('conv1')).toEqual([1, 5, 5, 4]);
    expect(shapes.get('valid')).toEqual([1, 3, 3, 4]);
    expect(g.meta).toMatchObject({
      architecture: 'tflite', paddingMode: 'same', task: 'classify', outputIsProbabilities: true, embeddingNode: 'mean',
      labels: ['class_0', 'class_1', 'class_2', 'class_3', 'class_4'], source: FILE,
      preprocess: { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 },
    });
    expect(g.name).toBe('built');
    // MACs: 5·5·9·3·4 + 5·5·9·4 + 3·3·9·4·4 + 4·5
    expect(summarize(g).macs).toBe(5 * 5 * 9 * 3 * 4 + 5 * 5 * 9 * 4 + 3 * 3 * 9 * 4 * 4 + 4 * 5);
    // the same from a view at an odd offset of a larger buffer (a pooled Node Buffer)
    const shifted = Buffer.concat([Buffer.alloc(3, 0xee), Buffer.from(bytes)]).subarray(3);
    expect(shifted.byteOffset % 4).not.toBe(0);
    expect(await importTflite(shifted, { fileName: FILE })).toEqual(g);
  });

  it('reads operator codes the TF1 way (deprecated_builtin_code only) and the TF ≥ 2.4 way identically', async () => {
    const a = await importTfliteWithReport(floatModel('deprecated').bytes, { fileName: FILE });
    const b = await importTfliteWithReport(floatModel('both').bytes, { fileName: FILE });
    expect(a.graph).toEqual(b.graph);
    expect(a.report.operatorCodes.map((c) => [c.name, c.builtinCode, c.deprecatedCode])).toContainEqual(['CONV_2D', 0, 3]);
    expect(b.report.operatorCodes.map((c) => [c.name, c.builtinCode, c.deprecatedCode])).toContainEqual(['CONV_2D', 3, 3]);
    expect(b.report.opCounts).toEqual({
      'CONV_2D v1': 2, 'DEPTHWISE_CONV_2D v2': 1, 'ADD v1': 1, 'MEAN v1': 1, 'FULLY_CONNECTED v1': 1, 'SOFTMAX v1': 1,
    });
  });

  it('goes through importModelBytes (sniffed from the bytes) with labels and preprocess options', async () => {
    const { bytes } = floatModel();
    const pre = { scale: [1, 1, 1] as [number, number, number], offset: [0, 0, 0] as [number, number, number], centralCrop: 0.875 };
    const g = await importModelBytes(bytes, { fileName: 'x/m.bin', labels: ['a', 'b', 'c', 'd', 'e'], preprocess: pre, name: 'N' });
    expect(g.meta.labels).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(g.meta.preprocess).toEqual(pre);
    expect(g.name).toBe('N');
    await expect(importModelBytes(bytes, { fileName: 'm', labels: ['a'] })).rejects.toThrow(InputError);
    await expect(importModelBytes(bytes, { fileName: 'm', labels: ['a'] })).rejects.toThrow('m: 1 labels given but the model has 5 classes');
  });

  it('SAME padding follows the TF formula with dilation', () => {
    expect(samePadding(224, 3, 2, 1)).toEqual([0, 1]);
    expect(samePadding(225, 3, 2, 1)).toEqual([1, 1]);
    expect(samePadding(33, 3, 1, 2)).toEqual([2, 2]);
    expect(samePadding(33, 3, 1, 4)).toEqual([4, 4]);
    expect(samePadding(8, 3, 2, 2)).toEqual([1, 2]); // eff 5: out 4, total 6+5−8 = 3
    expect(samePadding(7, 1, 2, 3)).toEqual([0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Other ops (float)

describe('pooling, reshape, squeeze, pad, concat, resize, argmax, fully connected layouts', () => {
  it('global AVERAGE_POOL_2D (keepDims), RESHAPE, SOFTMAX beta; a non-global pool is unsupported', async () => {
    const build = (filter: [number, number], stride = 1) => {
      const b = new TfliteBuilder();
      const x = b.input('x', [1, 4, 6, 8], 'FLOAT32');
      const p = b.tensor('pool', [1, 1, 1, 8], 'FLOAT32');
      b.op('AVERAGE_POOL_2D', [x], [p], poolOptions({ filter, stride, padding: 'VALID' }));
      const r = b.tensor('flat', [1, 8], 'FLOAT32');
      b.op('RESHAPE', [p, b.constant('shape', [2], 'INT32', [1, 8])], [r], reshapeOptions([1, 8]));
      const s = b.tensor('soft', [1, 8], 'FLOAT32');
      b.op('SOFTMAX', [r], [s], softmaxOptions(0.5));
      b.output(s);
      return b.finish();
    };
    const g = await importTflite(build([4, 6], 2), { fileName: FILE });
    expect(g.nodes).toEqual([
      { op: 'global_avg_pool', name: 'pool', inputs: ['x'], keepDims: true },
      { op: 'reshape', name: 'flat', inputs: ['pool'], shape: [1, 8] },
      { op: 'softmax', name: 'soft', inputs: ['flat'], beta: 0.5 },
    ]);
    expect(g.meta.embeddingNode).toBe('pool');
    expect(g.meta.outputIsProbabilities).toBe(true);
    const err = await importTflite(build([2, 2]), { fileName: FILE }).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err.message).toMatch(/built\.tflite: operator #0 AVERAGE_POOL_2D \(code 1, version 1\): a 2×2 window .* not a global average pool/);
  });

  it('PAD (H/W), CONCATENATION (axis 3 and −1), RESIZE_BILINEAR (both flag sets), ARG_MAX int32 → task segment', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 4, 4, 2], 'FLOAT32');
    const p = b.tensor('padded', [1, 7, 5, 2], 'FLOAT32');
    b.op('PAD', [x, b.constant('paddings', [4, 2], 'INT32', [0, 0, 1, 2, 0, 1, 0, 0])], [p]);
    const q = b.tensor('padded2', [1, 7, 5, 2], 'FLOAT32');
    b.op('PAD', [x, b.constant('paddings64', [4, 2], 'INT64', [0, 0, 1, 2, 0, 1, 0, 0])], [q]);
    const c = b.tensor('cat', [1, 7, 5, 4], 'FLOAT32');
    b.op('CONCATENATION', [p, q], [c], concatOptions(-1));
    const c2 = b.tensor('cat2', [1, 7, 5, 6], 'FLOAT32');
    b.op('CONCATENATION', [c, p], [c2], concatOptions(3));
    const r = b.tensor('up', [1, 14, 10, 6], 'FLOAT32');
    b.op('RESIZE_BILINEAR', [c2, b.constant('size', [2], 'INT32', [14, 10])], [r], resizeBilinearOptions({ alignCorners: true }), 1);
    const r2 = b.tensor('up2', [1, 20, 20, 6], 'FLOAT32');
    b.op('RESIZE_BILINEAR', [r, b.constant('size2', [2], 'INT32', [20, 20])], [r2], resizeBilinearOptions({ halfPixelCenters: true }), 3);
    const a = b.tensor('classes', [1, 20, 20], 'INT32');
    b.op('ARG_MAX', [r2, b.constant('axis', [], 'INT32', [3])], [a], argMaxOptions('INT32'));
    b.output(a);
    const g = await importTflite(b.finish(), { fileName: FILE });
    expect(g.nodes).toEqual([
      { op: 'pad', name: 'padded', inputs: ['x'], pad: { top: 1, bottom: 2, left: 0, right: 1 } },
      { op: 'pad', name: 'padded2', inputs: ['x'], pad: { top: 1, bottom: 2, left: 0, right: 1 } },
      { op: 'concat', name: 'cat', inputs: ['padded', 'padded2'], axis: 3 },
      { op: 'concat', name: 'cat2', inputs: ['cat', 'padded'], axis: 3 },
      { op: 'resize_bilinear', name: 'up', inputs: ['cat2'], size: [14, 10], alignCorners: true, halfPixelCenters: false },
      { op: 'resize_bilinear', name: 'up2', inputs: ['up'], size: [20, 20], alignCorners: false, halfPixelCenters: true },
      { op: 'argmax', name: 'classes', inputs: ['up2'], axis: 3, outputType: 'int32' },
    ]);
    expect(g.values).toEqual({ classes: { dtype: 'int32' } });
    expect(inferShapes(g).get('classes')).toEqual([1, 20, 20]);
    expect(g.meta).toMatchObject({ task: 'segment', outputIsProbabilities: false, labels: Array.from({ length: 6 }, (_, i) => `class_${i}`) });
    expect(g.meta.embeddingNode).toBeUndefined();
  });

  it('ARG_MAX int64 with an int64 axis constant of −1', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 3, 3, 5], 'FLOAT32');
    const a = b.tensor('am', [1, 3, 3], 'INT64');
    b.op('ARG_MAX', [x, b.constant('axis', [1], 'INT64', [-1])], [a], argMaxOptions('INT64'));
    b.output(a);
    const g = await importTflite(b.finish(), { fileName: FILE });
    expect(g.nodes[0]).toEqual({ op: 'argmax', name: 'am', inputs: ['x'], axis: 3, outputType: 'int64' });
    expect(g.values).toEqual({ am: { dtype: 'int64' } });
  });

  it('SQUEEZE → reshape; FULLY_CONNECTED on [1,1,1,K] with keep_num_dims → dense + reshape; on [1,H,W,C] → flatten + dense', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 2, 2, 3], 'FLOAT32');
    const fw = seqF32(6 * 12, 9);
    const f1 = b.tensor('fc1', [1, 6], 'FLOAT32');
    b.op('FULLY_CONNECTED', [x, b.constant('fc1/w', [6, 12], 'FLOAT32', fw)], [f1], fullyConnectedOptions({ activation: 'RELU' }));
    const r = b.tensor('r', [1, 1, 1, 6], 'FLOAT32');
    b.op('RESHAPE', [f1], [r], reshapeOptions([1, 1, 1, 6]));
    const f2 = b.tensor('fc2', [1, 1, 1, 2], 'FLOAT32');
    b.op('FULLY_CONNECTED', [r, b.constant('fc2/w', [2, 6], 'FLOAT32', seqF32(12, 10)), b.constant('fc2/b', [2], 'FLOAT32', [1, -1])], [f2],
      fullyConnectedOptions({ keepNumDims: true }), 5);
    const s = b.tensor('sq', [1, 2], 'FLOAT32');
    b.op('SQUEEZE', [f2], [s], squeezeOptions([1, 2]));
    b.output(s);
    const g = await importTflite(b.finish(), { fileName: FILE });
    expect(g.nodes.map((n) => [n.op, n.name, n.inputs])).toEqual([
      ['reshape', 'fc1/flatten', ['x']],
      ['dense', 'fc1', ['fc1/flatten']],
      ['reshape', 'r', ['fc1']],
      ['dense', 'fc2/fc', ['r']],
      ['reshape', 'fc2', ['fc2/fc']],
      ['reshape', 'sq', ['fc2']],
    ]);
    expect(node(g, 'fc1/flatten')).toMatchObject({ shape: [1, 12] });
    expect(node(g, 'fc2')).toMatchObject({ shape: [1, 1, 1, 2] });
    expect(node(g, 'sq')).toMatchObject({ shape: [1, 2] });
    const fc1 = node<DenseNode>(g, 'fc1');
    expect(fc1.activation).toBe('relu');
    for (let n = 0; n < 6; n++) for (let k = 0; k < 12; k++) expect(fc1.weights[k * 6 + n]).toBe(fw[n * 12 + k]);
    expect(inferShapes(g).get('sq')).toEqual([1, 2]);
  });

  it('folds DEQUANTIZE of float16 and int8 constants into float weights; dequantizes hybrid int8 weights', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 3, 3, 2], 'FLOAT32');
    // float16 [2,1,1,2]: 1, −2, 0.5, 65504
    const half = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]);
    const w16 = b.constant('w16', [2, 1, 1, 2], 'FLOAT16', half);
    const w32 = b.tensor('w32', [2, 1, 1, 2], 'FLOAT32');
    b.op('DEQUANTIZE', [w16], [w32]);
    const c = b.tensor('c', [1, 3, 3, 2], 'FLOAT32');
    b.op('CONV_2D', [x, w32, -1], [c], convOptions());
    // int8 constant, per-channel along dim 0, through DEQUANTIZE
    const w8 = b.constant('w8', [2, 1, 1, 2], 'INT8', [10, -10, 20, 127], { scale: [0.5, 0.25], zeroPoint: [0, 0], quantizedDimension: 0 });
    const w8f = b.tensor('w8f', [2, 1, 1, 2], 'FLOAT32');
    b.op('DEQUANTIZE', [w8], [w8f]);
    const c2 = b.tensor('c2', [1, 3, 3, 2], 'FLOAT32');
    b.op('CONV_2D', [c, w8f, -1], [c2], convOptions());
    // hybrid: int8 weights consumed directly by a float conv
    const wh = b.constant('wh', [2, 1, 1, 2], 'INT8', [1, 2, 3, 4], { scale: [0.1, 1], zeroPoint: [0, 0], quantizedDimension: 0 });
    const c3 = b.tensor('c3', [1, 3, 3, 2], 'FLOAT32');
    b.op('CONV_2D', [c2, wh, b.constant('bh', [2], 'FLOAT32', [0, 0])], [c3], convOptions(), 2);
    b.output(c3);
    const { graph: g, report } = await importTfliteWithReport(b.finish(), { fileName: FILE });
    expect(g.nodes.map((n) => n.name)).toEqual(['c', 'c2', 'c3']);
    // OHWI [o][0][0][i] → HWIO [0][0][i][o]
    expect([...node<Conv2DNode>(g, 'c').weights]).toEqual([1, 0.5, -2, 65504]);
    expect([...node<Conv2DNode>(g, 'c2').weights]).toEqual([5, 5, -5, 31.75]);
    expect([...node<Conv2DNode>(g, 'c3').weights].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.1, 3, 0.2, 4]);
    expect(report.foldedDequantize).toEqual([0, 2]);
    expect(report.dequantizedWeights).toEqual(['wh']);
    expect(report.opCounts).toEqual({ 'CONV_2D v1': 2, 'CONV_2D v2': 1 });
  });

  it('de-duplicates tensor names and names unnamed tensors; ignores operators that do not feed the output', async () => {
    const b = new TfliteBuilder();
    const x = b.input('t', [1, 2, 2, 1], 'FLOAT32');
    const a = b.tensor('t', [1, 2, 2, 1], 'FLOAT32');
    b.op('ADD', [x, x], [a], addOptions('RELU'));
    const c = b.tensor('', [1, 2, 2, 1], 'FLOAT32');
    b.op('ADD', [a, a], [c], addOptions());
    const dead = b.tensor('dead', [1, 2, 2, 1], 'FLOAT32');
    b.op('LOGISTIC', [c], [dead]);
    const d = b.tensor('t', [1, 2, 2, 1], 'FLOAT32');
    b.op('ADD', [c, x], [d], addOptions('RELU6'));
    b.output(d);
    const { graph: g, report } = await importTfliteWithReport(b.finish(), { fileName: FILE });
    expect(g.input.name).toBe('t');
    expect(g.nodes.map((n) => [n.name, n.inputs])).toEqual([
      ['t_1', ['t', 't']],
      ['tensor_2', ['t_1', 't_1']],
      ['t_2', ['tensor_2', 't']],
    ]);
    expect(g.output).toBe('t_2');
    expect(report.deadOperators).toEqual([2]);
  });
});

// ---------------------------------------------------------------------------------------------
// TF1 uint8 (quantization-aware training): per-tensor asymmetric everything

function uint8Model(opts: { labels?: 'zip+metadata' | 'zip' | 'none'; method?: 'store' | 'deflate' } = {}) {
  const b = new TfliteBuilder({ codeStyle: 'deprecated' });
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
  const x = b.input('input', [1, 8, 8, 3], 'UINT8', q(0.0078125, 128));
  const w1 = seq(6 * 3 * 3 * 3, 0, 255, 5);
  const c1 = b.tensor('MobilenetV2/Conv/Relu6', [1, 4, 4, 6], 'UINT8', q(0.0235294, 0));
  b.op('CONV_2D', [x, b.constant('Conv/weights', [6, 3, 3, 3], 'UINT8', w1, q(0.02, 117)),
    b.constant('Conv/bias', [6], 'INT32', [-100, 0, 100, 200, 300, 400], q(0.0078125 * 0.02, 0))], [c1], convOptions({ stride: 2, activation: 'RELU6' }));
  const wd = seq(3 * 3 * 6, 0, 255, 6);
  const d1 = b.tensor('dw', [1, 4, 4, 6], 'UINT8', q(0.0235294, 0));
  b.op('DEPTHWISE_CONV_2D', [c1, b.constant('dw/weights', [1, 3, 3, 6], 'UINT8', wd, q(0.05, 130)),
    b.constant('dw/bias', [6], 'INT32', [1, 2, 3, 4, 5, 6], q(0.0235294 * 0.05, 0))], [d1], depthwiseOptions({ activation: 'RELU6' }));
  const s = b.tensor('add', [1, 4, 4, 6], 'UINT8', q(0.04, 3));
  b.op('ADD', [c1, d1], [s], addOptions());
  const p = b.tensor('MobilenetV2/Logits/AvgPool', [1, 1, 1, 6], 'UINT8', q(0.04, 3));
  b.op('AVERAGE_POOL_2D', [s], [p], poolOptions({ filter: [4, 4], stride: 2, padding: 'VALID' }));
  const l = b.tensor('logits', [1, 1, 1, 4], 'UINT8', q(0.1, 90));
  b.op('CONV_2D', [p, b.constant('Logits/weights', [4, 1, 1, 6], 'UINT8', seq(24, 0, 255, 7), q(0.01, 128)),
    b.constant('Logits/bias', [4], 'INT32', [0, 1, 2, 3], q(0.04 * 0.01, 0))], [l], convOptions());
  const r = b.tensor('reshape', [1, 4], 'UINT8', q(0.1, 90));
  b.op('RESHAPE', [l, b.constant('shape', [2], 'INT32', [1, 4])], [r], reshapeOptions([1, 4]));
  const sm = b.tensor('MobilenetV2/Predictions/Softmax', [1, 4], 'UINT8', q(1 / 256, 0));
  b.op('SOFTMAX', [r], [sm], softmaxOptions(1));
  b.output(sm);
  const labels = new TextEncoder().encode('background\ncat\ndog\nEgyptian cat\n');
  if (opts.labels === 'zip+metadata') {
    b.addMetadata('TFLITE_METADATA', metadataBuffer({ mean: [127.5], std: [127.5], outputFiles: [['labels.txt', AssociatedFileType.TENSOR_AXIS_LABELS]] }));
  }
  const model = b.finish();
  const bytes = opts.labels && opts.labels !== 'none' ? withZip(model, [{ name: 'labels.txt', data: labels, method: opts.method ?? 'store' }]) : model;
  return { bytes, model, w1, wd };
}

describe('uint8 per-tensor model (TF1 quantization-aware training)', () => {
  it('imports integer weights in IR layout with their quantization, and every value\'s dtype/quant', async () => {
    const { bytes, w1, wd } = uint8Model();
    const g = await importTflite(bytes, { fileName: FILE });
    expect(g.input).toEqual({ name: 'input', shape: [1, 8, 8, 3], dtype: 'uint8', quant: { scale: 0.0078125, zeroPoint: 128 } });
    const f32 = (v: number) => Math.fround(v);
    expect(g.values).toEqual({
      input: { dtype: 'uint8', quant: { scale: 0.0078125, zeroPoint: 128 } },
      'MobilenetV2/Conv/Relu6': { dtype: 'uint8', quant: { scale: f32(0.0235294), zeroPoint: 0 } },
      dw: { dtype: 'uint8', quant: { scale: f32(0.0235294), zeroPoint: 0 } },
      add: { dtype: 'uint8', quant: { scale: f32(0.04), zeroPoint: 3 } },
      'MobilenetV2/Logits/AvgPool': { dtype: 'uint8', quant: { scale: f32(0.04), zeroPoint: 3 } },
      logits: { dtype: 'uint8', quant: { scale: f32(0.1), zeroPoint: 90 } },
      reshape: { dtype: 'uint8', quant: { scale: f32(0.1), zeroPoint: 90 } },
      'MobilenetV2/Predictions/Softmax': { dtype: 'uint8', quant: { scale: 1 / 256, zeroPoint: 0 } },
    });
    const c1 = node<Conv2DNode>(g, 'MobilenetV2/Conv/Relu6');
    expect(c1.weights).toEqual(new Float32Array(0));
    expect(c1.bias).toEqual(new Float32Array(0));
    expect(c1.q!.dtype).toBe('uint8');
    expect(c1.q!.data).toBeInstanceOf(Uint8Array);
    expect([...c1.q!.scale]).toEqual([f32(0.02)]);
    expect([...c1.q!.zeroPoint]).toEqual([117]);
    expect([...c1.q!.bias]).toEqual([-100, 0, 100, 200, 300, 400]);
    for (let o = 0; o < 6; o++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++)
          for (let i = 0; i < 3; i++) expect(c1.q!.data[hwio(y, x, i, o, 3, 3, 6)]).toBe(w1[ohwi(o, y, x, i, 3, 3, 3)]);
    expect(c1.pad).toEqual({ top: 0, bottom: 1, left: 0, right: 1 }); // SAME, 8 → 4 with stride 2
    const d1 = node<DepthwiseConv2DNode>(g, 'dw');
    expect([...d1.q!.data]).toEqual(wd);
    expect([...d1.q!.zeroPoint]).toEqual([130]);
    expect(node(g, 'MobilenetV2/Logits/AvgPool')).toMatchObject({ op: 'global_avg_pool', keepDims: true });
    // preprocess: the uint8 input takes raw pixels: real = s·(pixel − z)
    expect(g.meta.preprocess).toEqual({ scale: [0.0078125, 0.0078125, 0.0078125], offset: [-1, -1, -1], centralCrop: 1 });
    expect(g.meta).toMatchObject({ architecture: 'mobilenet_v2', resolution: 8, task: 'classify', outputIsProbabilities: true, embeddingNode: 'MobilenetV2/Logits/AvgPool' });
    expect(g.meta.alpha).toBeUndefined(); // not a real MobileNetV2 head
    const s = summarize(g);
    expect(s.macs).toBe(4 * 4 * 9 * 3 * 6 + 4 * 4 * 9 * 6 + 6 * 4);
    expect(s.params).toBe(162 + 6 + 54 + 6 + 24 + 4);
  });

  it('reads the labels from the appended zip named by TFLITE_METADATA (stored or deflated)', async () => {
    for (const method of ['store', 'deflate'] as const) {
      const { graph, report } = await importTfliteWithReport(uint8Model({ labels: 'zip+metadata', method }).bytes, { fileName: FILE });
      // A leading "background" output is not a class: labels start after it (labelOffset 1).
      expect(graph.meta.labels).toEqual(['cat', 'dog', 'Egyptian cat']);
      expect(graph.meta.labelOffset).toBe(1);
      expect(report.labelsSource).toBe('zip:labels.txt');
      expect(report.zipEntries).toEqual(['labels.txt']);
      expect(report.metadata?.inputs[0]).toMatchObject({ mean: [127.5], std: [127.5] });
      // uint8 input: the quantization decides, not the metadata normalization
      expect(report.preprocessSource).toBe('input-quantization');
    }
  });

  it('inflates with DecompressionStream as well as zlib (the non-Node path)', async () => {
    const text = new TextEncoder().encode('background\ncat\n'.repeat(50));
    const packed = new Uint8Array(deflateRawSync(text));
    expect(await inflateRaw(packed, text.length, true)).toEqual(text);
    expect(await inflateRaw(packed, text.length, false)).toEqual(text);
    await expect(inflateRaw(packed, 10, true)).rejects.toThrow(/more than the declared 10 bytes/);
    await expect(inflateRaw(packed, 10, false)).rejects.toThrow();
  });

  it('finds a labels .txt in a zip without metadata; warns and falls back when the count is wrong', async () => {
    const { graph } = await importTfliteWithReport(uint8Model({ labels: 'zip' }).bytes, { fileName: FILE });
    expect(graph.meta.labels[2]).toBe('Egyptian cat');
    expect(graph.meta.labelOffset).toBe(1);
    const { model } = uint8Model();
    const wrong = withZip(model, [{ name: 'labels.txt', data: new TextEncoder().encode('a\r\nb\r\n') }]);
    const r = await importTfliteWithReport(wrong, { fileName: FILE });
    expect(r.graph.meta.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3']);
    expect(r.graph.meta.labelOffset).toBeUndefined();
    expect(r.report.warnings[0]).toMatch(/labels file "labels.txt" has 2 lines but the model has 4 classes/);
  });

  it('a metadata-declared associated file that is missing is a ModelFormatError (truncated file)', async () => {
    const { bytes } = uint8Model({ labels: 'zip+metadata' });
    const cut = bytes.subarray(0, bytes.length - 10);
    const err = await importTflite(cut, { fileName: FILE }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/lists the associated file "labels.txt" but no zip archive follows.*\(at byte \d+\)$/);
  });
});

// ---------------------------------------------------------------------------------------------
// TF2 int8 post-training quantization: per-channel symmetric weights, QUANTIZE/DEQUANTIZE edges

function int8Model(io: 'uint8' | 'float32') {
  const b = new TfliteBuilder();
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
  const x = io === 'uint8' ? b.input('in', [1, 6, 6, 2], 'UINT8', q(0.5, 128)) : b.input('in', [1, 6, 6, 2], 'FLOAT32');
  const xq = b.tensor('in_int8', [1, 6, 6, 2], 'INT8', q(0.5, 0));
  b.op('QUANTIZE', [x], [xq], undefined, io === 'uint8' ? 2 : 1);
  const cw = seq(3 * 3 * 3 * 2, -127, 127, 11);
  const wScale = [0.01, 0.02, 0.03];
  const c = b.tensor('conv', [1, 3, 3, 3], 'INT8', q(0.1, -128));
  b.op('CONV_2D', [xq, b.constant('conv/w', [3, 3, 3, 2], 'INT8', cw, { scale: wScale, zeroPoint: [0, 0, 0], quantizedDimension: 0 }),
    b.constant('conv/b', [3], 'INT32', [5, -5, 7], { scale: wScale.map((s) => s * 0.5), zeroPoint: [0, 0, 0] })], [c],
    convOptions({ stride: 2, activation: 'RELU' }), 3);
  const dw = b.tensor('dw', [1, 3, 3, 3], 'INT8', q(0.1, -128));
  b.op('DEPTHWISE_CONV_2D', [c, b.constant('dw/w', [1, 3, 3, 3], 'INT8', seq(27, -127, 127, 12), { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], quantizedDimension: 3 }),
    b.constant('dw/b', [3], 'INT32', [0, 0, 0], { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0] })], [dw], depthwiseOptions({ dilation: [2, 1] }), 3);
  const pd = b.tensor('pad', [1, 5, 5, 3], 'INT8', q(0.1, -128));
  b.op('PAD', [dw, b.constant('paddings', [4, 2], 'INT32', [0, 0, 1, 1, 1, 1, 0, 0])], [pd], undefined, 2);
  const m = b.tensor('mean', [1, 3], 'INT8', q(0.05, -100));
  b.op('MEAN', [pd, b.constant('axes', [2], 'INT32', [2, 1])], [m], reducerOptions(false), 2);
  const fw = seq(4 * 3, -127, 127, 13);
  const f = b.tensor('fc', [1, 4], 'INT8', q(0.2, 10));
  b.op('FULLY_CONNECTED', [m, b.constant('fc/w', [4, 3], 'INT8', fw, { scale: [0.004], zeroPoint: [0] }),
    b.constant('fc/b', [4], 'INT32', [1, 2, 3, 4], { scale: [0.0002], zeroPoint: [0] })], [f], fullyConnectedOptions(), 4);
  const sm = b.tensor('softmax', [1, 4], 'INT8', q(1 / 256, -128));
  b.op('SOFTMAX', [f], [sm], softmaxOptions(1), 2);
  if (io === 'uint8') {
    const out = b.tensor('out', [1, 4], 'UINT8', q(1 / 256, 0));
    b.op('QUANTIZE', [sm], [out], undefined, 2);
    b.output(out);
  } else {
    const out = b.tensor('out', [1, 4], 'FLOAT32');
    b.op('DEQUANTIZE', [sm], [out], undefined, 2);
    b.output(out);
  }
  return { bytes: b.finish(), cw, fw };
}

describe('int8 per-channel model (TF2 post-training quantization)', () => {
  it('uint8 input/output with QUANTIZE at both edges', async () => {
    const { bytes, cw, fw } = int8Model('uint8');
    const { graph: g, report } = await importTfliteWithReport(bytes, { fileName: FILE });
    expect(g.nodes.map((n) => `${n.op}:${n.name}`)).toEqual([
      'quantize:in_int8', 'conv2d:conv', 'depthwise_conv2d:dw', 'pad:pad', 'global_avg_pool:mean', 'dense:fc', 'softmax:softmax', 'quantize:out',
    ]);
    expect(g.input).toEqual({ name: 'in', shape: [1, 6, 6, 2], dtype: 'uint8', quant: { scale: 0.5, zeroPoint: 128 } });
    expect(g.values!.in_int8).toEqual({ dtype: 'int8', quant: { scale: 0.5, zeroPoint: 0 } });
    expect(g.values!.out).toEqual({ dtype: 'uint8', quant: { scale: 1 / 256, zeroPoint: 0 } });
    expect(g.values!.softmax).toEqual({ dtype: 'int8', quant: { scale: 1 / 256, zeroPoint: -128 } });
    const conv = node<Conv2DNode>(g, 'conv');
    expect(conv.q!.dtype).toBe('int8');
    expect(conv.q!.data).toBeInstanceOf(Int8Array);
    expect([...conv.q!.scale]).toEqual([0.01, 0.02, 0.03].map(Math.fround));
    expect([...conv.q!.zeroPoint]).toEqual([0, 0, 0]);
    expect([...conv.q!.bias]).toEqual([5, -5, 7]);
    for (let o = 0; o < 3; o++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++)
          for (let i = 0; i < 2; i++) expect(conv.q!.data[hwio(y, x, i, o, 3, 2, 3)]).toBe(cw[ohwi(o, y, x, i, 3, 3, 2)]);
    const dw = node<DepthwiseConv2DNode>(g, 'dw');
    expect(dw.dilation).toEqual([2, 1]);
    expect(dw.pad).toEqual({ top: 2, bottom: 2, left: 1, right: 1 });
    expect([...dw.q!.scale]).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    const fc = node<DenseNode>(g, 'fc');
    expect([...fc.q!.scale]).toEqual([Math.fround(0.004)]);
    for (let n = 0; n < 4; n++) for (let k = 0; k < 3; k++) expect(fc.q!.data[k * 4 + n]).toBe(fw[n * 3 + k]);
    expect(report.perChannelTensors).toEqual(['conv/w', 'dw/w']);
    expect(report.warnings).toEqual([]);
    expect(g.meta).toMatchObject({ outputIsProbabilities: true, task: 'classify', embeddingNode: 'mean' });
    expect(g.meta.preprocess).toEqual({ scale: [0.5, 0.5, 0.5], offset: [-64, -64, -64], centralCrop: 1 });
    expect(report.opCounts).toMatchObject({ 'QUANTIZE v2': 2, 'CONV_2D v3': 1, 'DEPTHWISE_CONV_2D v3': 1, 'FULLY_CONNECTED v4': 1 });
  });

  it('float input/output with QUANTIZE in and DEQUANTIZE out', async () => {
    const g = await importTflite(int8Model('float32').bytes, { fileName: FILE });
    expect(g.input).toEqual({ name: 'in', shape: [1, 6, 6, 2] });
    expect(g.values!.in).toBeUndefined();
    expect(node(g, 'out')).toEqual({ op: 'dequantize', name: 'out', inputs: ['softmax'] });
    expect(g.values!.out).toBeUndefined();
    expect(g.meta.outputIsProbabilities).toBe(true);
  });

  it('an int8 input gets the metadata normalization, or q = pixel − 128', async () => {
    const build = (meta: boolean) => {
      const b = new TfliteBuilder();
      const x = b.input('in', [1, 2, 2, 3], 'INT8', { scale: [0.25], zeroPoint: [-1] });
      const y = b.tensor('y', [1, 2, 2, 3], 'INT8', { scale: [0.25], zeroPoint: [-1] });
      b.op('ADD', [x, x], [y], addOptions());
      b.output(y);
      if (meta) b.addMetadata('TFLITE_METADATA', metadataBuffer({ mean: [100, 110, 120], std: [50, 60, 70] }));
      return b.finish();
    };
    expect((await importTflite(build(false), { fileName: FILE })).meta.preprocess).toEqual({
      scale: [0.25, 0.25, 0.25], offset: [-31.75, -31.75, -31.75], centralCrop: 1,
    });
    const p = (await importTflite(build(true), { fileName: FILE })).meta.preprocess;
    expect(p.scale.map((v) => v.toFixed(6))).toEqual([1 / 50, 1 / 60, 1 / 70].map((v) => v.toFixed(6)));
    expect(p.offset.map((v) => v.toFixed(6))).toEqual([-2, -110 / 60, -120 / 70].map((v) => v.toFixed(6)));
  });
});

// ---------------------------------------------------------------------------------------------
// Unsupported features

describe('unsupported operators and attributes', () => {
  const oneOp = (op: string | number, version = 1, extra?: (b: TfliteBuilder, x: number) => number[], options?: Parameters<TfliteBuilder['op']>[3]) => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 4, 4, 2], 'FLOAT32');
    const y0 = b.tensor('y0', [1, 4, 4, 2], 'FLOAT32');
    b.op('ADD', [x, x], [y0], addOptions());
    const y = b.tensor('y', [1, 4, 4, 2], 'FLOAT32');
    b.op(op, extra ? extra(b, y0) : [y0], [y], options, version);
    b.output(y);
    return b.finish();
  };
  const rejects = async (bytes: Uint8Array, re: RegExp | string) => {
    const err = await importTflite(bytes, { fileName: FILE }).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err.message).toMatch(re);
  };

  it('names the operator, its code, version and index', async () => {
    await rejects(oneOp('TANH', 2), 'built.tflite: operator #1 TANH (code 28, version 2): operator TANH is not supported');
    await rejects(oneOp('CONV_3D', 1), 'built.tflite: operator #1 CONV_3D (code 132, version 1): operator CONV_3D is not supported');
    await rejects(oneOp('MAX_POOL_2D'), /operator #1 MAX_POOL_2D \(code 17, version 1\)/);
    await rejects(oneOp(205), /operator #1 code 205 \(code 205, version 1\)/);
  });

  it('rejects attributes outside what the engine implements', async () => {
    await rejects(oneOp('ADD', 1, (_b, x) => [x, x], addOptions('TANH')), /fused activation TANH is not supported/);
    await rejects(oneOp('PAD', 1, (b, x) => [x, b.constant('p', [4, 2], 'INT32', [0, 0, 0, 0, 0, 0, 1, 1])]), /padding of the batch or channel/);
    await rejects(oneOp('MEAN', 1, (b, x) => [x, b.constant('a', [1], 'INT32', [1])], reducerOptions(true)), /reduction over axes \[1\]/);
    await rejects(oneOp('DEPTHWISE_CONV_2D', 1, (b, x) => [x, b.constant('w', [1, 3, 3, 4], 'FLOAT32', new Float32Array(36))], depthwiseOptions({ depthMultiplier: 2 })),
      /only depth multiplier 1/);
    await rejects(oneOp('ADD', 1, (b, x) => [x, b.constant('c', [1, 4, 4, 2], 'FLOAT32', new Float32Array(32))]), /is a constant/);
    await rejects(oneOp('ARG_MAX', 1, (b, x) => [x, b.constant('a', [], 'INT32', [1])], argMaxOptions('INT32')), /argmax over axis \[1\]/);
    await rejects(oneOp('FULLY_CONNECTED', 1, (b, x) => [x, b.constant('w', [2, 32], 'FLOAT32', new Float32Array(64))], fullyConnectedOptions({ weightsFormat: 1 })),
      /weights_format 1 \(shuffled weights\) is not supported/);
  });

  it('int8 weights must be symmetric; activations per tensor; no int16 activations', async () => {
    const build = (wzp: number, actScales = [0.5], actType: 'INT8' | 'INT16' = 'INT8') => {
      const b = new TfliteBuilder();
      const x = b.input('x', [1, 2, 2, 2], actType, { scale: actScales, zeroPoint: actScales.map(() => 0) });
      const y = b.tensor('y', [1, 2, 2, 2], 'INT8', { scale: [0.5], zeroPoint: [0] });
      b.op('CONV_2D', [x, b.constant('w', [2, 1, 1, 2], 'INT8', [1, 2, 3, 4], { scale: [0.1, 0.1], zeroPoint: [wzp, 0] })], [y], convOptions(), 3);
      b.output(y);
      return b.finish();
    };
    expect((await importTflite(build(0), { fileName: FILE })).nodes[0]!.op).toBe('conv2d');
    await rejects(build(3), /int8 weights "w" have zero point 3; int8 weights must be symmetric/);
    await rejects(build(0, [0.5, 0.25]), /activation tensor "x" is quantized per channel \(2 scales\)/);
    await rejects(build(0, [0.5], 'INT16'), /tensor 0 "x" has type INT16, which is not supported/);
  });

  it('rejects multi-input models and non-image inputs', async () => {
    const b = new TfliteBuilder();
    const x = b.input('x', [1, 4], 'FLOAT32');
    const y = b.tensor('y', [1, 4], 'FLOAT32');
    b.op('SOFTMAX', [x], [y], softmaxOptions());
    b.output(y);
    await rejects(b.finish(), /input tensor 0 "x" has shape \[1,4\]; expected an NHWC image/);
  });
});
