// writeTflite (src/formats/tflite/write.ts): Graph IR → .tflite.
// 1. Round trip: writeTflite → importTflite gives the same graph (weights bit-equal) for float32 graphs (the
//    builder's MobileNetV2, the built-in nsfw model, the default model's float32 twin) and quantized ones (TF1
//    uint8 MobileNetV2 and DeepLab as imported, our int8 PTQ output); where the writer must spell an IR node
//    with several TFLite ops (a per-channel dense, an AVERAGE_POOL_2D into [1,C], an explicit pad), the graph
//    read back computes byte-identical outputs in our engine.
// 2. The TensorFlow Lite runtime (bench/peers/tflite.ts: tfjs-tflite's wasm build, XNNPACK delegate) loads every
//    written file; its output bytes equal our engine's for the quantized graphs on the oracle's real images,
//    and agree within 1e-5 for the float32 ones.
// 3. Re-exporting the shipped default .tflite gives a file that runtime runs with the original's outputs.
// Tests on real models and images need ../shared/data (and the peer @tensorflow/tfjs-tflite) and skip without.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../../src/graph/ir.js';
import { writeTflite } from '../../../src/formats/tflite/write.js';
import { importTflite, importTfliteWithReport } from '../../../src/formats/tflite/import.js';
import { parseTflite, TENSOR_TYPE_SIZE } from '../../../src/formats/tflite/schema.js';
import { AssociatedFileType, parseMetadata } from '../../../src/formats/tflite/metadata.js';
import { readZip, readZipEntry } from '../../../src/formats/tflite/zip.js';
import { readNative } from '../../../src/formats/native/read.js';
import { buildMobileNetV2 } from '../../../src/models/mobilenet-v2.js';
import { dequantizeGraph } from '../../../src/graph/dequantize.js';
import { Calibrator } from '../../../src/quantize/calibrate.js';
import { quantizeGraph } from '../../../src/quantize/quantize.js';
import { Model } from '../../../src/model.js';
import { loadModel } from '../../../src/api.js';
import { InputError } from '../../../src/errors.js';
import { graphSkeleton } from '../../helpers/tflite-builder.js';
import { describeShared, ROOT, sharedPath } from '../../helpers/shared.js';
import { mulberry32 } from '../../helpers/random.js';
import { findTflitePackage, loadTflitePeer, type TflitePeer } from '../../../bench/peers/tflite.js';

/** The graph with the IR's documented defaults spelled out (absent = default), so that equal means equal. */
function canonical(g: Graph): Graph {
  const nodes = g.nodes.map((n): Node => {
    switch (n.op) {
      case 'global_avg_pool': return { ...n, keepDims: !!n.keepDims, rounding: n.rounding ?? (n.keepDims ? 'avgpool' : 'mean') };
      case 'softmax': return { ...n, beta: n.beta ?? 1 };
      case 'conv2d': case 'depthwise_conv2d': return { ...n, dilation: n.dilation ?? [1, 1] };
      default: return n;
    }
  });
  const meta = { ...g.meta, task: g.meta.task ?? 'classify', labelOffset: g.meta.labelOffset ?? 0 };
  // The file carries no paddingMode (explicit pads) nor where the graph came from.
  delete (meta as { source?: string }).source;
  meta.paddingMode = 'same';
  return { ...g, nodes, values: g.values ?? {}, meta };
}

/** Same structure, same meta, bit-identical typed arrays of the same types; `why` says where they differ. */
function expectSameGraph(got: Graph, want: Graph): void {
  const a = graphSkeleton(canonical(got));
  const b = graphSkeleton(canonical(want));
  expect(a.json).toEqual(b.json);
  expect(a.arrays.length).toBe(b.arrays.length);
  for (let i = 0; i < a.arrays.length; i++) {
    const p = a.arrays[i]!, q = b.arrays[i]!;
    expect(p.constructor, `array #${i}`).toBe(q.constructor);
    const pb = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    const qb = Buffer.from(q.buffer, q.byteOffset, q.byteLength);
    expect(pb.equals(qb), `array #${i} (${p.constructor.name}[${(p as Uint8Array).length}]) is not bit-identical`).toBe(true);
  }
}

const roundTrip = async (g: Graph, opts = {}) => importTflite(writeTflite(g, opts), { fileName: `${g.name}.tflite`, name: g.name });

/** The real-valued input tensor classify() would make of RGB pixels: pixel·scale[c] + offset[c] in float32. */
function realInput(g: Graph, px: Uint8Array): Float32Array {
  const { scale, offset } = g.meta.preprocess;
  return Float32Array.from(px, (v, i) => v * scale[i % 3]! + offset[i % 3]!);
}
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
function randomPixels(n: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** An int8 PTQ graph of `g`, calibrated on `images` (RGB pixels of the input size). */
async function ptq(g: Graph, images: Uint8Array[], softmax: 'int8' | 'float'): Promise<Graph> {
  const [, H, W] = g.input.shape;
  const cal = await Calibrator.create(g);
  try {
    for (const data of images) cal.observeImage({ data, width: W, height: H });
    return quantizeGraph(g, cal.ranges(), { softmax });
  } finally {
    cal.dispose();
  }
}

describe('writeTflite: the file', () => {
  const g = buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 5, labels: ['a', 'b', 'c', 'd', 'e'] });
  const bytes = writeTflite(g);
  const model = parseTflite(bytes, 'x.tflite');

  it('is a schema-3 "TFL3" FlatBuffer with one subgraph, and both builtin_code fields set', () => {
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe('TFL3');
    expect(model.version).toBe(3);
    expect(model.subgraphs.length).toBe(1);
    const names = model.operatorCodes.map((c) => [c.deprecatedCode, c.builtinCode, c.version]);
    expect(names).toEqual([[3, 3, 1], [4, 4, 1], [0, 0, 1], [40, 40, 1], [9, 9, 1], [25, 25, 1]]); // CONV_2D DEPTHWISE ADD MEAN FC SOFTMAX
    expect(model.buffers[0]!.data.length).toBe(0);
  });

  it('stores constants 16-byte aligned, of the size their tensors need, in TFLite layouts', () => {
    const sg = model.subgraphs[0]!;
    for (const t of sg.tensors) {
      const b = model.buffers[t.buffer]!;
      if (t.buffer === 0) continue;
      expect(b.at % 16, t.name).toBe(0);
      expect(b.data.length, t.name).toBe(t.shape.reduce((a, d) => a * d, 1) * TENSOR_TYPE_SIZE[t.type]!);
    }
    const conv1 = sg.tensors.find((t) => t.name === 'mobilenet_v2/Conv1/weights')!;
    expect(conv1.shape).toEqual([16, 3, 3, 3]); // OHWI
    const dw = sg.tensors.find((t) => t.name === 'mobilenet_v2/expanded_conv_depthwise/weights')!;
    expect(dw.shape).toEqual([1, 3, 3, 16]);
    const fc = sg.tensors.find((t) => t.name === 'mobilenet_v2/Logits/weights')!;
    expect(fc.shape).toEqual([5, 1280]);
    // OHWI[o][h][w][i] = HWIO[h][w][i][o]
    const src = (g.nodes[0] as { weights: Float32Array }).weights;
    const f = new Float32Array(model.buffers[conv1.buffer]!.data.slice().buffer);
    for (const [o, h, w, i] of [[0, 0, 0, 0], [15, 2, 1, 2], [7, 1, 2, 0]] as const) expect(f[((o * 3 + h) * 3 + w) * 3 + i]).toBe(src[((h * 3 + w) * 3 + i) * 16 + o]);
  });

  it('carries the labels in an appended zip that TFLITE_METADATA names as the output\'s TENSOR_AXIS_LABELS', async () => {
    const zip = readZip(bytes, 'x.tflite', model.extent)!;
    expect(zip.entries.map((e) => e.name)).toEqual(['labels.txt']);
    expect(new TextDecoder().decode(await readZipEntry(bytes, zip.entries[0]!, 'x'))).toBe('a\nb\nc\nd\ne\n');
    expect(model.metadata.map((m) => m.name)).toEqual(['TFLITE_METADATA']);
    const b = model.buffers[model.metadata[0]!.buffer]!;
    const md = parseMetadata(b.data, 'x', b.at);
    expect(md.outputs[0]!.associatedFiles).toEqual([{ name: 'labels.txt', type: AssociatedFileType.TENSOR_AXIS_LABELS }]);
    expect(md.inputs[0]).toMatchObject({ name: 'image', mean: [127.5], std: [127.5] });
  });

  it('a labelOffset of 1 is a "background" first line; without metadata there is no zip', async () => {
    const back = await importTfliteWithReport(writeTflite({ ...g, meta: { ...g.meta, labels: ['a', 'b', 'c', 'd'], labelOffset: 1 } }));
    expect(back.report.labelsSource).toBe('zip:labels.txt');
    expect(back.graph.meta).toMatchObject({ labels: ['a', 'b', 'c', 'd'], labelOffset: 1 });
    const bare = writeTflite(g, { metadata: false });
    expect(readZip(bare, 'x', parseTflite(bare, 'x').extent)).toBeUndefined();
    expect(parseTflite(bare, 'x').metadata).toEqual([]);
  });

  it('is reproducible: the same graph gives the same bytes', () => {
    expect(Buffer.from(writeTflite(g)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rejects what a .tflite labels file cannot carry, with typed errors', () => {
    expect(() => writeTflite({ ...g, meta: { ...g.meta, labels: ['a', 'b', 'c'], labelOffset: 2 } })).toThrow(InputError);
    expect(() => writeTflite({ ...g, meta: { ...g.meta, labels: ['a', 'b\nc', 'd', 'e', 'f'] } })).toThrow(/cannot be a line/);
    expect(() => writeTflite(g, { labelsFile: '../x.txt' })).toThrow(/plain file name/);
    expect(() => writeTflite({ ...g, output: 'nope' })).toThrow();
  });
});

describe('writeTflite → importTflite round trip (no shared data)', () => {
  it('float32 MobileNetV2 from the builder: the same graph, weights bit-equal', async () => {
    const g = buildMobileNetV2({ alpha: 0.5, resolution: 128, classes: 10 });
    expectSameGraph(await roundTrip(g), g);
  });

  it('explicit pads that are not SAME ("symmetric" stride 2) become PAD + VALID, computing the same', async () => {
    const g = buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 4, paddingMode: 'symmetric' });
    const bytes = writeTflite(g);
    const { graph: back, report } = await importTfliteWithReport(bytes);
    expect(report.opCounts['PAD v1']).toBe(5); // Conv1 and the four stride-2 depthwise convolutions
    expect(back.nodes.filter((n) => n.op === 'pad').length).toBe(5);
    // Float32: the PAD then the convolution sum in another order than the padded convolution; same to rounding.
    const x = realInput(g, randomPixels(96 * 96 * 3, 3));
    const [a, b] = await Promise.all([Model.create(g, 'builder'), Model.create(back, 'tflite')]);
    const [ya, yb] = [await a.run(x), await b.run(x)];
    for (let i = 0; i < ya.length; i++) expect(Math.abs(ya[i]! - yb[i]!)).toBeLessThanOrEqual(1e-6);
    a.dispose(); b.dispose();
  });

  it('int8 PTQ output (per-channel weights, QUANTIZE / DEQUANTIZE, int8 softmax): same values and weights; a per-channel dense as RESHAPE → CONV_2D → RESHAPE', async () => {
    const g = buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 7 });
    const q = await ptq(g, [1, 2, 3, 4].map((s) => randomPixels(96 * 96 * 3, s)), 'int8');
    const bytes = writeTflite(q);
    const { graph: back, report } = await importTfliteWithReport(bytes);
    expect(report.warnings).toEqual([]);
    expect(report.perChannelTensors.length).toBe(q.nodes.filter((n) => 'q' in n && n.q).length);
    expect(report.opCounts).toMatchObject({ 'QUANTIZE v1': 1, 'CONV_2D v3': 36, 'DEPTHWISE_CONV_2D v3': 17, 'ADD v2': 10, 'AVERAGE_POOL_2D v2': 1, 'SOFTMAX v2': 1, 'DEQUANTIZE v2': 1 });
    // Every node of q is in the graph read back, with its weights and quantization (the dense as a 1×1 conv).
    const byName = new Map(back.nodes.map((n) => [n.name, n]));
    for (const n of q.nodes) {
      const m = n.op === 'dense' ? byName.get(`${n.name}/conv`) : byName.get(n.name);
      expect(m, n.name).toBeDefined();
      if ('q' in n && n.q) {
        const mq = (m as { q: typeof n.q }).q;
        expect(Buffer.from(bytesOf(mq.data)).equals(Buffer.from(bytesOf(n.q.data))), n.name).toBe(true);
        expect([mq.scale, mq.zeroPoint, mq.bias]).toEqual([n.q.scale, n.q.zeroPoint, n.q.bias]);
      }
      expect(back.values?.[m!.name] ?? back.values?.[n.name]).toEqual(q.values![n.name]);
    }
    // … and it computes the same bytes in our engine.
    const [a, b] = await Promise.all([Model.create(q, 'builder'), Model.create(back, 'tflite')]);
    for (const s of [7, 8]) {
      const x = realInput(g, randomPixels(96 * 96 * 3, s));
      expect(bytesOf(await b.run(x))).toEqual(bytesOf(await a.run(x)));
    }
    a.dispose(); b.dispose();
    // As a per-channel FULLY_CONNECTED on request: then the graph comes back as it was, but for the pool
    // (AVERAGE_POOL_2D into [1,C] needs a RESHAPE after it).
    const fc = await importTfliteWithReport(writeTflite(q, { perChannelDense: 'fully_connected' }));
    expect(fc.report.opCounts['FULLY_CONNECTED v4']).toBe(1);
    const pool = q.nodes.find((n) => n.op === 'global_avg_pool')!;
    const expected = { ...q, nodes: q.nodes.flatMap((n): Node[] => (n === pool
      ? [{ ...pool, name: `${pool.name}/avgpool`, keepDims: true }, { op: 'reshape', name: pool.name, inputs: [`${pool.name}/avgpool`], shape: [1, 1280] }]
      : [n])), values: { ...q.values, [`${pool.name}/avgpool`]: q.values![pool.name]! }, meta: { ...q.meta, embeddingNode: `${pool.name}/avgpool` } };
    expectSameGraph(fc.graph, expected);
  });
});

// ---- real models, real images, the TFLite runtime
const pkg = findTflitePackage();
if (!pkg) console.warn('[skip] @tensorflow/tfjs-tflite not found: writeTflite\'s TFLite runtime tests are skipped');
const CASES = ['cat', 'grace_hopper', 'hot_dog', 'dog_segmentation'];

describeShared('writeTflite with real models, checked by the TFLite runtime', () => {
  const pixels = CASES.map((c) => new Uint8Array(readFileSync(sharedPath('oracle', 'inputs', `${c}.224x224.rgb.u8.bin`))));
  const DEFAULT = path.join(ROOT, 'models/mobilenet_v2_1.0_224_quant.tflite');
  let def: Graph;
  const report: string[] = [];
  beforeAll(async () => {
    def = await importTflite(new Uint8Array(readFileSync(DEFAULT)), { fileName: DEFAULT });
  });
  afterAll(() => console.log(`[writeTflite]\n  ${report.join('\n  ')}`));

  /**
   * Loads `bytes` in the TFLite runtime and `g` in our engine, runs both on the oracle images (input: raw pixels
   * for a uint8 input, else their real values) and returns per image the two output byte arrays.
   */
  async function both(g: Graph, bytes: Uint8Array, inputs = pixels): Promise<{ ours: Uint8Array; theirs: Uint8Array; nodes: Record<string, number> }[]> {
    const peer: TflitePeer = await loadTflitePeer(bytes);
    const model = await Model.create(g, 'builder');
    try {
      const out = [];
      for (const px of inputs) {
        const x = g.input.dtype === 'uint8' ? px : realInput(g, px);
        out.push({ ours: bytesOf(await model.run(x)).slice(), theirs: peer.runSync(bytesOf(x)), nodes: peer.info.nodes });
      }
      return out;
    } finally {
      peer.dispose();
      model.dispose();
    }
  }
  const maxAbs = (a: Uint8Array, b: Uint8Array) => {
    const x = new Float32Array(a.slice().buffer), y = new Float32Array(b.slice().buffer);
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
    return m;
  };
  const expectBytes = async (label: string, g: Graph, bytes = writeTflite(g)) => {
    const runs = await both(g, bytes);
    runs.forEach((r, i) => expect(Buffer.from(r.theirs).equals(Buffer.from(r.ours)), `${label}: ${CASES[i]}`).toBe(true));
    report.push(`${label}: ${bytes.length} bytes; TFLite runtime output bytes identical to ours on ${runs.length} images (${runs[0]!.ours.length} bytes each); runtime nodes ${JSON.stringify(runs[0]!.nodes)}`);
  };
  const expectClose = async (label: string, g: Graph, tol: number) => {
    const bytes = writeTflite(g);
    const runs = await both(g, bytes);
    const worst = Math.max(...runs.map((r) => maxAbs(r.ours, r.theirs)));
    report.push(`${label}: ${bytes.length} bytes; max |TFLite − ours| ${worst.toExponential(2)} over ${runs.length} images; runtime nodes ${JSON.stringify(runs[0]!.nodes)}`);
    expect(worst).toBeLessThanOrEqual(tol);
  };

  it('the default uint8 model round-trips to the same graph', async () => {
    expectSameGraph(await roundTrip(def), def);
  });

  it('its float32 twin, the nsfw model and the builder\'s MobileNetV2 round-trip to the same graph', async () => {
    expectSameGraph(await roundTrip(dequantizeGraph(def)), dequantizeGraph(def));
    const nsfw = readNative(readFileSync(path.join(ROOT, 'models/nsfw.safetensors')), 'nsfw');
    expectSameGraph(await roundTrip(nsfw), nsfw);
    const b = buildMobileNetV2();
    expectSameGraph(await roundTrip(b), b);
  });

  it('DeepLabv3 (uint8, dilated depthwise, RESIZE_BILINEAR, CONCATENATION, requantizing QUANTIZE, int64 ARG_MAX) round-trips', async () => {
    const d = await importTflite(new Uint8Array(readFileSync(sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite'))), { fileName: 'deeplab.tflite' });
    const back = await importTfliteWithReport(writeTflite(d));
    expect(back.report.opCounts).toMatchObject({ 'DEPTHWISE_CONV_2D v2': 3, 'RESIZE_BILINEAR v1': 3, 'CONCATENATION v1': 1, 'ARG_MAX v1': 1, 'QUANTIZE v1': 1 });
    expectSameGraph(back.graph, d);
  });

  it.skipIf(!pkg)('re-exported default model: the TFLite runtime gives the original file\'s output bytes, and ours', async () => {
    const original = await loadTflitePeer(new Uint8Array(readFileSync(DEFAULT)));
    const bytes = writeTflite(def);
    const again = await loadTflitePeer(bytes);
    try {
      expect(again.info.nodes).toEqual(original.info.nodes); // the same XNNPACK partitions
      for (const px of pixels) expect(Buffer.from(again.runSync(px)).equals(Buffer.from(original.runSync(px)))).toBe(true);
    } finally {
      original.dispose();
      again.dispose();
    }
    await expectBytes('default uint8, re-exported', def, bytes);
  });

  it.skipIf(!pkg)('DeepLabv3 re-exported: the 513×513 class map is the TFLite runtime\'s, pixel for pixel', async () => {
    const original = new Uint8Array(readFileSync(sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite')));
    const d = await importTflite(original, { fileName: 'deeplab.tflite' });
    // The runtime's web API cannot hand out an int64 tensor (its output reads as 0 bytes): the class map is
    // compared as ARG_MAX with output_type INT32, the rest of the file unchanged.
    const argmax = d.nodes.at(-1)!;
    expect(argmax.op).toBe('argmax');
    const d32: Graph = { ...d, nodes: [...d.nodes.slice(0, -1), { ...argmax, outputType: 'int32' } as Node], values: { ...d.values, [argmax.name]: { dtype: 'int32' } } };
    const bytes = writeTflite(d32);
    const px = new Uint8Array(readFileSync(sharedPath('oracle', 'inputs', 'dog_segmentation.513x513.rgb.u8.bin')));
    const [r] = await both(d32, bytes, [px]);
    expect(r!.ours.length).toBe(513 * 513 * 4);
    expect(Buffer.from(r!.theirs).equals(Buffer.from(r!.ours))).toBe(true);
    const peer = await loadTflitePeer(original);
    try {
      expect(r!.nodes).toEqual(peer.info.nodes); // the same XNNPACK partitions as the original file
    } finally {
      peer.dispose();
    }
    report.push(`deeplab uint8, re-exported with an int32 ARG_MAX: ${bytes.length} bytes; the 513×513 class map is identical; runtime nodes ${JSON.stringify(r!.nodes)}`);
  }, 60_000);

  it.skipIf(!pkg)('float32 graphs: the TFLite runtime agrees with our engine within 1e-5', async () => {
    await expectClose('default float32 twin', dequantizeGraph(def), 1e-5);
    await expectClose('builder MobileNetV2 1.0/224 (random weights)', buildMobileNetV2(), 1e-5);
    await expectClose('nsfw', readNative(readFileSync(path.join(ROOT, 'models/nsfw.safetensors')), 'nsfw'), 1e-5);
    await expectClose('builder MobileNetV2 1.0/224, "symmetric" pads (PAD ops)', buildMobileNetV2({ paddingMode: 'symmetric' }), 1e-5);
  }, 120_000);

  it.skipIf(!pkg)('int8 PTQ of the default model\'s float32 twin: output bytes identical to ours', async () => {
    const f32 = dequantizeGraph(def);
    const q8 = await ptq(f32, pixels, 'int8');
    expectSameGraph(await roundTrip(q8), q8);
    await expectBytes('PTQ int8 of the default twin, int8 softmax', q8);
    // Float softmax after a DEQUANTIZE: the int8 logits are byte-identical; the float softmax on top is
    // XNNPACK's f32 softmax, which agrees with ours to float rounding (not bit for bit).
    const qf = await ptq(f32, pixels, 'float');
    expectSameGraph(await roundTrip(qf), qf);
    const logits = qf.nodes.find((n) => n.op === 'dequantize')!.inputs[0]!;
    const cut = qf.nodes.findIndex((n) => n.name === logits);
    const head: Graph = { ...qf, nodes: qf.nodes.slice(0, cut + 1), output: logits, meta: { ...qf.meta, labels: [] } };
    head.values = Object.fromEntries(Object.entries(qf.values!).filter(([k]) => head.nodes.some((n) => n.name === k)));
    await expectBytes('PTQ int8 of the default twin, float softmax: its int8 logits', head);
    await expectClose('PTQ int8 of the default twin, float softmax', qf, 1e-6);
  }, 120_000);

  it.skipIf(!pkg)('int8 PTQ of the builder\'s MobileNetV2 with a per-channel dense head: output bytes identical to ours', async () => {
    // The builder's own inputs x = pixel·2/255 − 1: with a 2/255 input scale most pixels land on a rounding tie
    // of the input QUANTIZE, where TFLite's reference kernel (half away from zero) and XNNPACK's convert, which
    // the runtime delegates it to (x·(1/scale) in float32, half to even), differ: the fp32 scheme's quantize
    // kernel is XNNPACK's, so the bytes are identical (they were not, 6–28 of 4004, with the reference one).
    const b = buildMobileNetV2();
    await expectBytes('PTQ int8 of the builder MobileNetV2 (pixel·2/255 − 1 inputs), per-channel dense head, int8 softmax', await ptq(b, pixels, 'int8'));
    b.meta.preprocess = { scale: [1 / 128, 1 / 128, 1 / 128], offset: [-1, -1, -1], centralCrop: 1 };
    await expectBytes('PTQ int8 of the builder MobileNetV2 (pixel/128 − 1 inputs), per-channel dense head, int8 softmax', await ptq(b, pixels, 'int8'));
    // With "symmetric" pads: int8 PAD ops (padding with the zero point) before VALID convolutions.
    const s = buildMobileNetV2({ paddingMode: 'symmetric' });
    s.meta.preprocess = b.meta.preprocess;
    await expectBytes('PTQ int8 of the builder MobileNetV2, "symmetric" pads (int8 PAD ops)', await ptq(s, pixels, 'int8'));
  }, 120_000);

  it.skipIf(!pkg)('int8 PTQ of the nsfw model (a trained Keras MobileNetV2 with a three-layer dense head): output bytes identical to ours', async () => {
    const nsfw = readNative(readFileSync(path.join(ROOT, 'models/nsfw.safetensors')), 'nsfw');
    const q8 = await ptq(nsfw, pixels, 'int8');
    await expectBytes('PTQ int8 of nsfw, int8 softmax', q8);
    // Loaded back by our own loadModel from the bytes: the same classification.
    const back = await loadModel(writeTflite(q8));
    const same = await Model.create(q8, 'builder');
    try {
      const img = { data: pixels[0]!, width: 224, height: 224 };
      expect(await back.classify(img, { topK: 5 })).toEqual(await same.classify(img, { topK: 5 }));
      expect(back.info.labels).toEqual(nsfw.meta.labels);
    } finally {
      back.dispose();
      same.dispose();
    }
  }, 120_000);
});
