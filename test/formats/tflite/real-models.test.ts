// The two real TFLite models of ../shared/data (TF1 quantization-aware uint8, converted by the MLIR
// converter): MobileNetV2 1.0_224 with its labels zip, and Mobile DeepLabv3 (PASCAL) with dilated
// depthwise convolutions, an image-pooling branch, RESIZE_BILINEAR, CONCATENATION and ARG_MAX.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Conv2DNode, DepthwiseConv2DNode, Graph } from '../../../src/graph/ir.js';
import { importTfliteWithReport, type TfliteImportReport } from '../../../src/formats/tflite/import.js';
import { importModelBytes } from '../../../src/formats/load-bytes.js';
import { inferShapes } from '../../../src/graph/shapes.js';
import { slimCounts, summarize } from '../../../src/graph/summary.js';
import { readNative } from '../../../src/formats/native/read.js';
import { writeNative } from '../../../src/formats/native/write.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import { sameGraph } from '../../helpers/tflite-builder.js';

const load = (name: string) => new Uint8Array(readFileSync(sharedPath('models', name)));
const oracle = (name: string) => JSON.parse(readFileSync(sharedPath('oracle', `${name}.json`), 'utf8'));
const count = (g: Graph) => {
  const c: Record<string, number> = {};
  for (const n of g.nodes) c[n.op] = (c[n.op] ?? 0) + 1;
  return c;
};
const quantized = (g: Graph) => g.nodes.filter((n): n is Conv2DNode | DepthwiseConv2DNode => (n.op === 'conv2d' || n.op === 'depthwise_conv2d') && n.q !== undefined);

describeShared('mobilenet_v2_1.0_224_quant.tflite', () => {
  const FILE = 'mobilenet_v2_1.0_224_quant.tflite';
  let g: Graph;
  let report: TfliteImportReport;
  const bytes = load(FILE);

  it('imports: 66 operators, uint8 per-tensor everywhere', async () => {
    ({ graph: g, report } = await importTfliteWithReport(bytes, { fileName: FILE }));
    expect(report.opCounts).toEqual({
      'CONV_2D v1': 36, 'DEPTHWISE_CONV_2D v1': 17, 'ADD v1': 10, 'AVERAGE_POOL_2D v1': 1, 'RESHAPE v1': 1, 'SOFTMAX v1': 1,
    });
    expect(count(g)).toEqual({ conv2d: 36, depthwise_conv2d: 17, add: 10, global_avg_pool: 1, reshape: 1, softmax: 1 });
    expect(report.deadOperators).toEqual([]);
    expect(report.perChannelTensors).toEqual([]);
    expect(report.warnings).toEqual([]);
    const q = quantized(g);
    expect(q.length).toBe(53);
    for (const n of q) {
      expect(n.q!.dtype).toBe('uint8');
      expect(n.q!.scale.length).toBe(1);
      expect(n.weights.length + n.bias.length).toBe(0);
    }
  });

  it('labels from the appended zip: 1001 lines, line 0 background (labelOffset 1), class 285 Egyptian cat (= labels/imagenet_labels.txt)', () => {
    expect(report.labelsSource).toBe('zip:imagenet_labels.txt');
    expect(report.metadataEntries).toEqual(['min_runtime_version', 'TFLITE_METADATA']);
    expect(g.meta.labels.length).toBe(1000);
    expect(g.meta.labelOffset).toBe(1);
    expect(g.meta.labels[285]).toBe('Egyptian cat');
    const file = readFileSync(sharedPath('labels', 'imagenet_labels.txt'), 'utf8').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
    expect(file[0]).toBe('background');
    expect(g.meta.labels).toEqual(file.slice(1));
  });

  it('input uint8 scale 1/128 zero point 128, output uint8 scale 1/256 zero point 0 (as the oracle)', () => {
    const o = oracle('mobilenet_v2_1.0_224_quant');
    expect(g.input).toEqual({ name: o.input.name, shape: o.input.shape, dtype: 'uint8', quant: { scale: 0.0078125, zeroPoint: 128 } });
    expect(g.output).toBe(o.output.name);
    expect(g.values![g.output]).toEqual({ dtype: 'uint8', quant: { scale: 1 / 256, zeroPoint: 0 } });
    expect(o.output.quant.scale[0]).toBe(0.00390625);
    expect(inferShapes(g).get(g.output)).toEqual(o.output.shape);
  });

  it('meta: MobileNetV2 α=1 at 224, probabilities, pooled embedding, the input quantization as preprocessing', () => {
    expect(g.meta).toMatchObject({
      architecture: 'mobilenet_v2', alpha: 1, resolution: 224, paddingMode: 'same', task: 'classify',
      outputIsProbabilities: true, embeddingNode: 'MobilenetV2/Logits/AvgPool',
      preprocess: { scale: [0.0078125, 0.0078125, 0.0078125], offset: [-1, -1, -1], centralCrop: 1 },
    });
    expect(g.nodes.find((n) => n.name === g.meta.embeddingNode)).toMatchObject({ op: 'global_avg_pool', keepDims: true });
  });

  it('counts like the TF-Slim table (300 M MACs, 3.47 M params)', () => {
    expect(summarize(g).macs).toBe(300_775_552);
    expect(slimCounts(g)).toMatchObject({ macsM: 300, paramsM: 3.47 });
  });

  it('round-trips exactly through the native format', () => {
    const bytesN = writeNative(g);
    const back = readNative(bytesN, 'mnv2.safetensors');
    expect(sameGraph(back, g)).toEqual({ same: true });
    expect(Buffer.compare(writeNative(back), bytesN)).toBe(0);
  });

  it('loads through importModelBytes', async () => {
    const g2 = await importModelBytes(bytes, { fileName: FILE });
    expect(sameGraph(g2, g)).toEqual({ same: true });
  });
});

describeShared('deeplabv3_mnv2_dm05_pascal_quant.tflite', () => {
  const FILE = 'deeplabv3_mnv2_dm05_pascal_quant.tflite';
  let g: Graph;
  let report: TfliteImportReport;

  it('imports: 72 operators incl. dilated depthwise, average pool branch, resize, concat, argmax', async () => {
    ({ graph: g, report } = await importTfliteWithReport(load(FILE), { fileName: FILE }));
    expect(report.opCounts).toEqual({
      'CONV_2D v1': 38, 'DEPTHWISE_CONV_2D v2': 17, 'ADD v1': 10, 'AVERAGE_POOL_2D v1': 1, 'RESIZE_BILINEAR v1': 3,
      'QUANTIZE v1': 1, 'CONCATENATION v1': 1, 'ARG_MAX v1': 1,
    });
    expect(count(g)).toEqual({
      conv2d: 38, depthwise_conv2d: 17, add: 10, global_avg_pool: 1, resize_bilinear: 3, quantize: 1, concat: 1, argmax: 1,
    });
    expect(report.labelsSource).toBe('default');
    expect(report.zipEntries).toEqual([]);
  });

  it('dilated depthwise convolutions (rate 2, output stride 16) with SAME pads of 2', () => {
    const dil = g.nodes.filter((n): n is DepthwiseConv2DNode => n.op === 'depthwise_conv2d' && n.dilation !== undefined);
    expect(dil.map((n) => n.name.split(';')[0])).toEqual([
      'MobilenetV2/expanded_conv_14/depthwise/Relu6', 'MobilenetV2/expanded_conv_15/depthwise/Relu6', 'MobilenetV2/expanded_conv_16/depthwise/Relu6',
    ]);
    for (const n of dil) {
      expect(n.dilation).toEqual([2, 2]);
      expect(n.pad).toEqual({ top: 2, left: 2, bottom: 2, right: 2 });
    }
  });

  it('image pooling: global average pool, 1×1 conv, align-corners resize to 33×33, requantize, concat', () => {
    const shapes = inferShapes(g);
    const pool = g.nodes.find((n) => n.op === 'global_avg_pool')!;
    expect(pool).toMatchObject({ name: 'AvgPool2D/AvgPool', keepDims: true });
    expect(shapes.get(pool.inputs[0]!)).toEqual([1, 33, 33, 160]);
    const resizes = g.nodes.filter((n) => n.op === 'resize_bilinear');
    expect(resizes.map((n) => [n.name, n.size, n.alignCorners, n.halfPixelCenters])).toEqual([
      ['ResizeBilinear', [33, 33], true, false],
      ['ResizeBilinear_1', [33, 33], true, false],
      ['ResizeBilinear_2', [513, 513], true, false],
    ]);
    const cat = g.nodes.find((n) => n.op === 'concat')!;
    expect(cat.inputs[0]).toBe('ResizeBilinear1');
    expect(g.nodes.find((n) => n.name === 'ResizeBilinear1')).toMatchObject({ op: 'quantize', inputs: ['ResizeBilinear'] });
    expect(g.values!.ResizeBilinear).toEqual({ dtype: 'uint8', quant: { scale: Math.fround(0.012298396788537502), zeroPoint: 0 } });
    expect(g.values!.ResizeBilinear1).toEqual(g.values!.concat);
    expect(shapes.get('concat')).toEqual([1, 33, 33, 512]);
  });

  it('ARG_MAX with an int64 output: task segment, 21 classes, [1,513,513]', () => {
    const o = oracle('deeplabv3_mnv2_dm05_pascal_quant');
    expect(g.output).toBe('ArgMax');
    expect(g.nodes[g.nodes.length - 1]).toEqual({ op: 'argmax', name: 'ArgMax', inputs: ['ResizeBilinear_2'], axis: 3, outputType: 'int64' });
    expect(g.values!.ArgMax).toEqual({ dtype: 'int64' });
    expect(inferShapes(g).get('ArgMax')).toEqual(o.output.shape);
    expect(g.input).toEqual({ name: o.input.name, shape: o.input.shape, dtype: 'uint8', quant: { scale: 0.0078125, zeroPoint: 128 } });
    expect(g.meta).toMatchObject({ architecture: 'tflite', task: 'segment', outputIsProbabilities: false });
    expect(g.meta.labels).toEqual(Array.from({ length: 21 }, (_, i) => `class_${i}`));
    expect(o.classes.length).toBe(21);
  });

  it('takes the PASCAL class names as labels', async () => {
    const o = oracle('deeplabv3_mnv2_dm05_pascal_quant');
    const g2 = (await importTfliteWithReport(load(FILE), { fileName: FILE, labels: o.classes })).graph;
    expect(g2.meta.labels[12]).toBe('dog');
  });

  it('round-trips exactly through the native format', () => {
    const bytesN = writeNative(g);
    const back = readNative(bytesN, 'deeplab.safetensors');
    expect(sameGraph(back, g)).toEqual({ same: true });
    expect(Buffer.compare(writeNative(back), bytesN)).toBe(0);
  });
});

describe('shared data', () => {
  it('is optional', () => {
    expect(typeof describeShared).toBe('function');
  });
});
