// The IR additions the TFLite importer relies on, checked by hand-built graphs: shape inference and
// validation of the new ops, dilation, quantized weights (q) and value dtypes (Graph.values), MACs of
// quantized nodes, and the native format round trip of all of it (with the reader staying strict).
import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../../src/graph/ir.js';
import { ModelFormatError, ShapeError, UnsupportedOpError } from '../../../src/errors.js';
import { convOutSize, inferShapes } from '../../../src/graph/shapes.js';
import { slimCounts, summarize } from '../../../src/graph/summary.js';
import { readNative } from '../../../src/formats/native/read.js';
import { writeNative } from '../../../src/formats/native/write.js';
import { importTflite } from '../../../src/formats/tflite/import.js';
import {
  TfliteBuilder,
  addOptions,
  concatOptions,
  convOptions,
  depthwiseOptions,
  fullyConnectedOptions,
  reducerOptions,
  sameGraph,
  seq,
  softmaxOptions,
} from '../../helpers/tflite-builder.js';

const i8 = (n: number, seed: number) => Int8Array.from(seq(n, -127, 127, seed));
const u8 = (n: number, seed: number) => Uint8Array.from(seq(n, 0, 255, seed));
const i32 = (n: number, seed: number) => Int32Array.from(seq(n, -1000, 1000, seed));
const E = () => new Float32Array(0);

/** Every new op and field: uint8 in → int8 body → float out. */
function quantGraph(): Graph {
  return {
    name: 'q',
    input: { name: 'in', shape: [1, 9, 9, 2], dtype: 'uint8', quant: { scale: 0.5, zeroPoint: 128 } },
    output: 'out',
    nodes: [
      { op: 'quantize', name: 'in8', inputs: ['in'] },
      {
        op: 'conv2d', name: 'c', inputs: ['in8'], kernel: [3, 3], stride: [1, 1], dilation: [2, 1],
        pad: { top: 2, bottom: 2, left: 1, right: 1 }, activation: 'relu6', weights: E(), bias: E(), outChannels: 3,
        q: { dtype: 'int8', data: i8(3 * 3 * 2 * 3, 1), scale: Float32Array.from([0.1, 0.2, 0.3]), zeroPoint: new Int32Array(3), bias: i32(3, 2) },
      },
      {
        op: 'depthwise_conv2d', name: 'd', inputs: ['c'], kernel: [3, 3], stride: [2, 2],
        pad: { top: 1, bottom: 1, left: 1, right: 1 }, activation: 'none', weights: E(), bias: E(),
        q: { dtype: 'int8', data: i8(27, 3), scale: Float32Array.from([0.5]), zeroPoint: new Int32Array(1), bias: i32(3, 4) },
      },
      { op: 'pad', name: 'p', inputs: ['d'], pad: { top: 0, bottom: 1, left: 2, right: 0 } },
      { op: 'concat', name: 'cat', inputs: ['p', 'p', 'p'], axis: 3 },
      { op: 'resize_bilinear', name: 'up', inputs: ['cat'], size: [7, 8], alignCorners: false, halfPixelCenters: true },
      { op: 'global_avg_pool', name: 'gap', inputs: ['up'], keepDims: true },
      { op: 'reshape', name: 'flat', inputs: ['gap'], shape: [1, 9] },
      {
        op: 'dense', name: 'fc', inputs: ['flat'], activation: 'none', weights: E(), bias: E(), units: 4,
        q: { dtype: 'int8', data: i8(36, 5), scale: Float32Array.from([0.01, 0.02, 0.03, 0.04]), zeroPoint: new Int32Array(4), bias: i32(4, 6) },
      },
      { op: 'softmax', name: 'sm', inputs: ['fc'], beta: 0.5 },
      { op: 'dequantize', name: 'out', inputs: ['sm'] },
    ],
    values: {
      in: { dtype: 'uint8', quant: { scale: 0.5, zeroPoint: 128 } },
      in8: { dtype: 'int8', quant: { scale: 0.5, zeroPoint: 0 } },
      c: { dtype: 'int8', quant: { scale: 0.25, zeroPoint: -128 } },
      d: { dtype: 'int8', quant: { scale: 0.25, zeroPoint: -3 } },
      p: { dtype: 'int8', quant: { scale: 0.25, zeroPoint: -3 } },
      cat: { dtype: 'int8', quant: { scale: 0.25, zeroPoint: -3 } },
      up: { dtype: 'int8', quant: { scale: 0.25, zeroPoint: -3 } },
      gap: { dtype: 'int8', quant: { scale: 0.2, zeroPoint: 1 } },
      flat: { dtype: 'int8', quant: { scale: 0.2, zeroPoint: 1 } },
      fc: { dtype: 'int8', quant: { scale: 0.125, zeroPoint: 7 } },
      sm: { dtype: 'int8', quant: { scale: 1 / 256, zeroPoint: -128 } },
    },
    meta: {
      architecture: 'test', paddingMode: 'same', labels: ['a', 'b', 'c', 'd'],
      preprocess: { scale: [0.5, 0.5, 0.5], offset: [-64, -64, -64], centralCrop: 1 },
      embeddingNode: 'gap', outputIsProbabilities: true, task: 'classify',
    },
  };
}

/** float input → dilated conv (uint8 weights) → argmax int64, a 'segment' graph. */
function segGraph(): Graph {
  return {
    name: 'seg',
    input: { name: 'x', shape: [1, 8, 8, 3], dtype: 'uint8', quant: { scale: 1 / 128, zeroPoint: 128 } },
    output: 'am',
    nodes: [
      {
        op: 'conv2d', name: 'c', inputs: ['x'], kernel: [3, 3], stride: [1, 1], dilation: [4, 4],
        pad: { top: 4, bottom: 4, left: 4, right: 4 }, activation: 'relu', weights: E(), bias: E(), outChannels: 5,
        q: { dtype: 'uint8', data: u8(135, 8), scale: Float32Array.from([0.02]), zeroPoint: Int32Array.from([120]), bias: i32(5, 9) },
      },
      { op: 'argmax', name: 'am', inputs: ['c'], axis: 3, outputType: 'int64' },
    ],
    values: { c: { dtype: 'uint8', quant: { scale: 0.1, zeroPoint: 0 } }, am: { dtype: 'int64' } },
    meta: {
      architecture: 'seg', paddingMode: 'same', labels: ['0', '1', '2', '3', '4'],
      preprocess: { scale: [1 / 128, 1 / 128, 1 / 128], offset: [-1, -1, -1], centralCrop: 1 }, task: 'segment',
    },
  };
}

function shapeError(g: Graph, re: RegExp | string, cls: typeof ShapeError | typeof UnsupportedOpError = ShapeError): void {
  let err: unknown;
  try {
    inferShapes(g);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(re);
}
const edit = (f: () => Graph, name: string, change: (n: Record<string, any>) => void): Graph => {
  const g = f();
  change(g.nodes.find((n) => n.name === name) as unknown as Record<string, any>);
  return g;
};

describe('inferShapes: new ops, dilation, quantized weights, dtypes', () => {
  it('infers every value', () => {
    expect([...inferShapes(quantGraph()).entries()]).toEqual([
      ['in', [1, 9, 9, 2]],
      ['in8', [1, 9, 9, 2]],
      ['c', [1, 9, 9, 3]], // H (dilation 2): floor((9 + 4 − 2·2 − 1)/1) + 1 = 9; W: floor((9 + 2 − 2 − 1)/1) + 1 = 9
      ['d', [1, 5, 5, 3]],
      ['p', [1, 6, 7, 3]],
      ['cat', [1, 6, 7, 9]],
      ['up', [1, 7, 8, 9]],
      ['gap', [1, 1, 1, 9]],
      ['flat', [1, 9]],
      ['fc', [1, 4]],
      ['sm', [1, 4]],
      ['out', [1, 4]],
    ]);
    expect(inferShapes(segGraph()).get('am')).toEqual([1, 8, 8]);
  });

  it('output size with dilation: floor((in + pads − d·(k−1) − 1)/s) + 1', () => {
    expect(convOutSize(33, 3, 1, 2, 2, 2)).toBe(33);
    expect(convOutSize(9, 3, 1, 0, 0, 4)).toBe(1);
    expect(convOutSize(9, 3, 1, 0, 0, 5)).toBe(-1);
    expect(convOutSize(8, 3, 2, 0, 1)).toBe(4); // dilation defaults to 1
    const g = edit(segGraph, 'c', (n) => {
      n.dilation = [5, 5];
      n.pad = { top: 0, bottom: 0, left: 0, right: 0 };
    });
    shapeError(g, 'conv2d "c": a 3×3 kernel with stride 1×1 dilation 5×5 and pad (top 0, bottom 0, left 0, right 0) does not fit');
    shapeError(edit(segGraph, 'c', (n) => (n.dilation = [0, 1])), /conv2d "c": dilation must be two positive integers/);
  });

  it('validates q: types, lengths, per-tensor or per-channel scales, zero point ranges, int32 bias', () => {
    shapeError(edit(quantGraph, 'c', (n) => (n.q.data = u8(54, 1))), 'conv2d "c": q.data must be a Int8Array of 3·3·2·3 = 54 values (q.dtype int8), got Uint8Array');
    shapeError(edit(quantGraph, 'c', (n) => (n.q.data = i8(53, 1))), 'conv2d "c": q.data has 53 values, expected 3·3·2·3 = 54');
    shapeError(edit(quantGraph, 'c', (n) => (n.q.scale = new Float32Array(2))), /q\.scale must be a Float32Array of 1 \(per tensor\) or 3 \(per channel\) values, got 2 values/);
    shapeError(edit(quantGraph, 'c', (n) => (n.q.zeroPoint = new Int32Array(1))), /q\.zeroPoint must be an Int32Array of 3 values/);
    shapeError(edit(segGraph, 'c', (n) => (n.q.zeroPoint = Int32Array.from([256]))), /q\.zeroPoint\[0\] = 256 is outside the uint8 range \[0, 255\]/);
    shapeError(edit(quantGraph, 'fc', (n) => (n.q.bias = new Int32Array(3))), /dense "fc": q\.bias must be an Int32Array of 4 \(units\) values, got 3 values/);
    shapeError(edit(quantGraph, 'd', (n) => (n.q.scale = Float32Array.from([NaN]))), /q\.scale\[0\] = NaN/);
    shapeError(edit(quantGraph, 'd', (n) => (n.weights = new Float32Array(27))), /a quantized node \(with q\) must have an empty Float32Array as weights/);
    shapeError(edit(quantGraph, 'd', (n) => (n.q.dtype = 'int4')), /quantized weights of dtype "int4" are not supported/, UnsupportedOpError);
  });

  it('checks dtypes against Graph.values and the input', () => {
    shapeError(edit(quantGraph, 'in8', (n) => (n.op = 'dequantize')), /dequantize "in8": output is int8 \(Graph.values\), expected float32/);
    const noQuant = quantGraph();
    noQuant.values!.c = { dtype: 'int8' };
    shapeError(noQuant, /values\["c"\]: a int8 value needs quant/);
    const float = quantGraph();
    delete float.values!.in8;
    shapeError(float, /quantize "in8": output is float32 \(Graph.values\), expected uint8 or int8/);
    const mixed = quantGraph();
    mixed.nodes[1] = { ...(mixed.nodes[1] as any), inputs: ['in'] };
    shapeError(mixed, 'conv2d "c": input "in" is uint8, expected int8');
    const disagree = quantGraph();
    disagree.values!.in = { dtype: 'uint8', quant: { scale: 0.5, zeroPoint: 127 } };
    shapeError(disagree, /input "in": input.dtype\/quant say uint8 \(scale 0.5, zero point 128\) but values\["in"\] says uint8 \(scale 0.5, zero point 127\)/);
    const stray = quantGraph();
    stray.values!.nope = { dtype: 'int32' };
    shapeError(stray, /values\["nope"\] names no value of the graph/);
    const am = segGraph();
    am.values!.am = { dtype: 'int32' };
    shapeError(am, /argmax "am": output is int32 \(Graph.values\), expected int64 \(the node's outputType\)/);
    const zp = quantGraph();
    zp.values!.c = { dtype: 'int8', quant: { scale: 0.25, zeroPoint: 200 } };
    shapeError(zp, /quant\.zeroPoint must be an integer in \[-128, 127\] for int8, got 200/);
    const dt = quantGraph();
    dt.values!.c = { dtype: 'float16' as any };
    shapeError(dt, /dtype "float16" is not supported/, UnsupportedOpError);
    const cat = quantGraph();
    cat.values!.p = { dtype: 'uint8', quant: { scale: 0.25, zeroPoint: 3 } };
    shapeError(cat, /pad "p": output is uint8 \(Graph.values\), expected int8/);
  });

  it('validates the new ops\' attributes', () => {
    shapeError(edit(quantGraph, 'cat', (n) => (n.inputs = ['p', 'd'])), /concat "cat": input "d" has shape \[1,5,5,3\] but "p" has \[1,6,7,3\]; all but axis 3 must agree/);
    shapeError(edit(quantGraph, 'cat', (n) => (n.axis = 4)), /concat "cat": axis 4 is outside 0..3/);
    shapeError(edit(quantGraph, 'flat', (n) => (n.shape = [1, 8])), 'reshape "flat": cannot reshape "gap" [1,1,1,9] (9 elements) to [1,8] (8 elements)');
    shapeError(edit(quantGraph, 'up', (n) => (n.size = [0, 8])), /resize_bilinear "up": size must be two positive integers/);
    shapeError(edit(quantGraph, 'up', (n) => (n.alignCorners = true)), /alignCorners and halfPixelCenters cannot both be true/);
    shapeError(edit(quantGraph, 'p', (n) => (n.pad = { top: -1, bottom: 0, left: 0, right: 0 })), /pad "p": pad must have non-negative integer/);
    shapeError(edit(quantGraph, 'sm', (n) => (n.beta = Infinity)), /softmax "sm": beta must be a finite number/);
    shapeError(edit(quantGraph, 'gap', (n) => (n.keepDims = 1)), /keepDims must be a boolean/);
    shapeError(edit(segGraph, 'am', (n) => (n.axis = 2)), /argmax along axis 2 is not supported/, UnsupportedOpError);
    shapeError(edit(quantGraph, 'cat', (n) => (n.inputs = [])), /concat "cat": expected at least 1 input/);
  });

  it('summarize counts quantized nodes like float ones', () => {
    const s = summarize(quantGraph());
    const by = Object.fromEntries(s.layers.map((l) => [l.name, l]));
    expect(by.c!.macs).toBe(9 * 9 * 3 * 3 * 2 * 3);
    expect(by.c!.params).toBe(54 + 3);
    expect(by.d!.macs).toBe(5 * 5 * 9 * 3);
    expect(by.fc!.macs).toBe(36);
    expect(by.fc!.params).toBe(40);
    for (const k of ['in8', 'p', 'cat', 'up', 'gap', 'flat', 'sm', 'out']) expect(by[k]!.macs).toBe(0);
    expect(s.macs).toBe(4374 + 675 + 36);
    expect(slimCounts(quantGraph()).params).toBe(54 + 27 + 36 + 4);
  });
});

describe('native format with quantized graphs', () => {
  const FILE = 'q.safetensors';
  const header = (bytes: Uint8Array) => {
    const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  };
  const reencode = (bytes: Uint8Array, change: (h: any) => void) => {
    const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const h = header(bytes);
    change(h);
    const enc = new TextEncoder().encode(JSON.stringify(h));
    const len = Math.ceil((8 + enc.length) / 64) * 64 - 8;
    const out = new Uint8Array(8 + len + bytes.length - 8 - n);
    new DataView(out.buffer).setUint32(0, len, true);
    out.fill(0x20, 8, 8 + len);
    out.set(enc, 8);
    out.set(bytes.subarray(8 + n), 8 + len);
    return out;
  };
  const graphEdit = (bytes: Uint8Array, change: (g: any) => void) =>
    reencode(bytes, (h) => {
      const g = JSON.parse(h.__metadata__.graph);
      change(g);
      h.__metadata__.graph = JSON.stringify(g);
    });
  const formatError = (bytes: Uint8Array, re: RegExp) => {
    let err: unknown;
    try {
      readNative(bytes, FILE);
    } catch (e) {
      err = e;
    }
    expect(err, 'expected a ModelFormatError').toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toMatch(/^q\.safetensors: .*\(at byte \d+\)$/);
  };

  it('round-trips every op, q, dilation, values, input dtype and task exactly', () => {
    for (const g of [quantGraph(), segGraph()]) {
      const bytes = writeNative(g);
      const back = readNative(bytes, FILE);
      expect(back).toEqual(g);
      expect(sameGraph(back, g)).toEqual({ same: true });
      expect(Buffer.compare(writeNative(back), bytes)).toBe(0);
      // from a Node Buffer at an odd offset: fresh arrays, not views of the file
      const shifted = Buffer.concat([Buffer.alloc(1), Buffer.from(bytes)]).subarray(1);
      const again = readNative(shifted, FILE);
      expect(again).toEqual(g);
      for (const n of again.nodes) if ('q' in n && n.q) expect(n.q.data.byteOffset + n.q.bias.byteOffset).toBe(0);
    }
  });

  it('stores q as U8 / I8 weights, F32 scales, I32 zero points and bias; format_version stays "1"', () => {
    const h = header(writeNative(quantGraph()));
    expect(h.__metadata__.format_version).toBe('1');
    expect(h['c/weights']).toMatchObject({ dtype: 'I8', shape: [3, 3, 2, 3] });
    expect(h['c/weights_scale']).toMatchObject({ dtype: 'F32', shape: [3] });
    expect(h['c/weights_zero_point']).toMatchObject({ dtype: 'I32', shape: [3] });
    expect(h['c/bias']).toMatchObject({ dtype: 'I32', shape: [3] });
    expect(h['d/weights_scale']).toMatchObject({ shape: [1] });
    const g = JSON.parse(h.__metadata__.graph);
    expect(g.input).toEqual({ name: 'in', shape: [1, 9, 9, 2], dtype: 'uint8', quant: { scale: 0.5, zeroPoint: 128 } });
    expect(g.nodes[1]).toMatchObject({ dilation: [2, 1], q: { dtype: 'int8', weights: 'c/weights', scale: 'c/weights_scale', zeroPoint: 'c/weights_zero_point', bias: 'c/bias' } });
    expect(g.nodes[1].weights).toBeUndefined();
    expect(g.values.fc).toEqual({ dtype: 'int8', quant: { scale: 0.125, zeroPoint: 7 } });
    expect(JSON.parse(h.__metadata__.meta).task).toBe('classify');
    const u = header(writeNative(segGraph()));
    expect(u['c/weights']).toMatchObject({ dtype: 'U8', shape: [3, 3, 3, 5] });
  });

  it('the reader stays strict about the new keys', () => {
    const bytes = writeNative(quantGraph());
    formatError(reencode(bytes, (h) => (h['c/weights'].dtype = 'U8')), /tensor "c\/weights" has dtype U8; node "c" needs I8 q\.weights/);
    formatError(graphEdit(bytes, (g) => (g.nodes[1].q.dtype = 'int4')), /node "c": q\.dtype "int4" must be "uint8" or "int8"/);
    formatError(graphEdit(bytes, (g) => (g.nodes[1].q.scale = 'nope')), /node "c" references tensor "nope", which is not in the file/);
    formatError(graphEdit(bytes, (g) => (g.nodes[1].weights = 'c/weights')), /a quantized node \(with "q"\) has no "weights" \/ "bias"/);
    formatError(graphEdit(bytes, (g) => (g.values.nope = { dtype: 'int8' })), /graph\.values\["nope"\] names no value of the graph/);
    formatError(graphEdit(bytes, (g) => (g.values.c = { dtype: 'float16' })), /graph\.values\["c"\]: unknown dtype "float16"/);
    formatError(graphEdit(bytes, (g) => (g.values.c.quant.scale = -1)), /graph\.values\["c"\]: quant .* must be \{scale > 0/);
    formatError(graphEdit(bytes, (g) => (g.values.c.quant.zeroPoint = 1000)), /stored graph is inconsistent: .*quant\.zeroPoint must be an integer in \[-128, 127\]/);
    formatError(graphEdit(bytes, (g) => (g.nodes[4].axis = -1)), /node "cat": invalid axis -1/);
    formatError(graphEdit(bytes, (g) => (g.nodes[5].alignCorners = 'yes')), /node "up": alignCorners must be a boolean/);
    formatError(graphEdit(bytes, (g) => (g.nodes[7].shape = [1, 0])), /node "flat": invalid shape \[1,0\]/);
    formatError(graphEdit(bytes, (g) => (g.nodes[1].dilation = [2])), /node "c": invalid dilation \[2\]/);
    formatError(graphEdit(bytes, (g) => (g.input.dtype = 'int8')), /stored graph is inconsistent/);
    formatError(reencode(bytes, (h) => {
      const m = JSON.parse(h.__metadata__.meta);
      m.task = 'track';
      h.__metadata__.meta = JSON.stringify(m);
    }), /meta\.task "track" is invalid/);
    const seg = writeNative(segGraph());
    formatError(graphEdit(seg, (g) => (g.nodes[1].outputType = 'int16')), /node "am": invalid outputType "int16"/);
  });

  it('round-trips graphs imported from TFLite', async () => {
    const b = new TfliteBuilder();
    const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
    const x = b.input('x', [1, 6, 6, 3], 'INT8', q(0.5, -1));
    const c = b.tensor('c', [1, 6, 6, 4], 'INT8', q(0.25, -128));
    b.op('CONV_2D', [x, b.constant('w', [4, 3, 3, 3], 'INT8', seq(108, -127, 127, 3), { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0] }),
      b.constant('b', [4], 'INT32', [1, 2, 3, 4])], [c], convOptions({ dilation: 2, activation: 'RELU' }), 3);
    const d = b.tensor('d', [1, 6, 6, 4], 'INT8', q(0.25, -128));
    b.op('DEPTHWISE_CONV_2D', [c, b.constant('dw', [1, 3, 3, 4], 'INT8', seq(36, -127, 127, 4), { scale: [0.1, 0.2, 0.3, 0.4], zeroPoint: [0, 0, 0, 0], quantizedDimension: 3 }),
      b.constant('db', [4], 'INT32', [0, 0, 0, 0])], [d], depthwiseOptions(), 3);
    const s = b.tensor('s', [1, 6, 6, 4], 'INT8', q(0.3, -100));
    b.op('ADD', [c, d], [s], addOptions('RELU6'));
    const cat = b.tensor('cat', [1, 6, 6, 8], 'INT8', q(0.3, -100));
    b.op('CONCATENATION', [s, s], [cat], concatOptions(3));
    const m = b.tensor('m', [1, 8], 'INT8', q(0.3, -100));
    b.op('MEAN', [cat, b.constant('axes', [2], 'INT32', [1, 2])], [m], reducerOptions(false));
    const f = b.tensor('f', [1, 3], 'INT8', q(0.2, 0));
    b.op('FULLY_CONNECTED', [m, b.constant('fw', [3, 8], 'INT8', seq(24, -127, 127, 5), { scale: [0.01], zeroPoint: [0] })], [f], fullyConnectedOptions());
    const o = b.tensor('o', [1, 3], 'INT8', q(1 / 256, -128));
    b.op('SOFTMAX', [f], [o], softmaxOptions());
    b.output(o);
    const g = await importTflite(b.finish(), { fileName: 'm.tflite' });
    const bytes = writeNative(g);
    const back = readNative(bytes, FILE);
    expect(back).toEqual(g);
    expect(Buffer.compare(writeNative(back), bytes)).toBe(0);
  });
});

describe('node helper types', () => {
  it('every op name of the IR is covered by the native format', async () => {
    const { OPS } = await import('../../../src/formats/native/format.js');
    const ops: Node['op'][] = [
      'conv2d', 'depthwise_conv2d', 'add', 'global_avg_pool', 'dense', 'softmax', 'quantize', 'dequantize', 'pad', 'concat',
      'resize_bilinear', 'argmax', 'reshape',
    ]; // + view, logistic, detection_postprocess once mobilenet-wasm/detect is imported (test/detect/ops.test.ts)
    expect([...OPS].sort()).toEqual([...ops].sort());
  });
});
