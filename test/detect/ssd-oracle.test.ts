// SSD MobileNetV2 (COCO, uint8, ends in TFLite_Detection_PostProcess) against the TFLite runtime's outputs in
// ../shared/data/oracle/detect: for the four oracle images, run()'s boxes, classes, scores and count are the
// runtime's float32 bits, on the SIMD and scalar kernels and on 1 and 2 threads; detect() on kite_and_cold.jpg
// names what the oracle names; a worker and a pool answer as in process; the native format keeps the detector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../../src/detect/index.js';
import { loadModel, createPool, type Model, type Detection } from '../../src/index.js';
import { importTflite } from '../../src/formats/tflite/import.js';
import { writeNative } from '../../src/formats/native/write.js';
import { readNative } from '../../src/formats/native/read.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { workerBundle, type WorkerBundle } from '../worker/bundle.js';

const MODEL = 'ssd_mobilenet_v2_coco_quant_postprocess';
const IMAGES = ['kite_and_cold', 'pets', 'cat', 'grace_hopper'];
const OUTS = ['boxes', 'classes', 'scores', 'count'];
const bytesOf = (t: ArrayBufferView) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

describeShared('SSD MobileNetV2 detector vs the TFLite runtime', () => {
  const file = new Uint8Array(readFileSync(sharedPath('models', `${MODEL}.tflite`)));
  const labels = readFileSync(sharedPath('labels', 'coco_labels.txt'), 'utf8').trimEnd().split('\n');
  const input = (img: string) => new Uint8Array(readFileSync(sharedPath('oracle', 'detect', 'inputs', `${img}.300x300.rgb.u8.bin`)));
  const oracle = (img: string, out: string) => new Uint8Array(readFileSync(sharedPath('oracle', 'detect', MODEL, `${img}.${out}.f32.bin`)));
  const kite = sharedPath('images', 'kite_and_cold.jpg');

  /** Every output of every oracle image, byte for byte. */
  async function expectOracle(m: { runAll(x: Uint8Array): Promise<ArrayBufferView[]> }) {
    for (const img of IMAGES) {
      const outs = await m.runAll(input(img));
      expect(outs.length).toBe(4);
      OUTS.forEach((o, k) => expect(bytesOf(outs[k]!), `${img} ${o}`).toEqual(oracle(img, o)));
    }
  }

  for (const [isa, threads] of [['simd', 1], ['simd', 2], ['scalar', 1]] as const) {
    it(`run() gives the runtime's bits for all four images (${isa}, ${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const m = await loadModel(file, { isa, threads }) as Model;
      try {
        expect(m.info.isa).toBe(isa);
        expect(m.info.threads).toBe(threads);
        await expectOracle(m);
      } finally {
        m.dispose();
      }
    }, 120_000);
  }

  let model: Model;
  let here: Detection[];
  beforeAll(async () => {
    model = await loadModel(file, { labels }) as Model;
    here = await model.detect(kite, { scoreThreshold: 0.5 });
  }, 60_000);
  afterAll(() => model?.dispose());

  it('describes its four outputs and its task', () => {
    expect(model.info.task).toBe('detect');
    expect(model.info.outputs).toEqual([
      { name: 'TFLite_Detection_PostProcess', shape: [1, 20, 4], dtype: 'float32' },
      { name: 'TFLite_Detection_PostProcess:1', shape: [1, 20], dtype: 'float32' },
      { name: 'TFLite_Detection_PostProcess:2', shape: [1, 20], dtype: 'float32' },
      { name: 'TFLite_Detection_PostProcess:3', shape: [1], dtype: 'float32' },
    ]);
    expect(model.info.outputShape).toEqual([1, 20, 4]);
    expect(model.info.labels[37]).toBe('kite');
  });

  it('run() on a several-output model returns the array runAll() returns', async () => {
    const x = input('pets');
    const a = await model.run(x) as unknown as Float32Array[];
    const b = await model.runAll(x);
    expect(Array.isArray(a)).toBe(true);
    expect(a.map((t) => [...bytesOf(t)])).toEqual(b.map((t) => [...bytesOf(t)]));
  });

  it('detect() on kite_and_cold.jpg finds the kites and persons the runtime finds, boxes in image pixels', async () => {
    const want = JSON.parse(readFileSync(sharedPath('oracle', 'detect', MODEL, 'kite_and_cold.json'), 'utf8')) as { detections: { label: string; score: number }[] };
    const theirs = want.detections.filter((d) => d.score >= 0.5).map((d) => d.label);
    expect(here.map((d) => d.label).sort()).toEqual(theirs.sort());
    expect(new Set(here.map((d) => d.label))).toEqual(new Set(['kite', 'person']));
    for (let i = 1; i < here.length; i++) expect(here[i]!.score).toBeLessThanOrEqual(here[i - 1]!.score);
    for (const d of here) {
      expect(d.label).toBe(labels[d.index]);
      expect(d.box.x).toBeCloseTo(d.normalized.x * 1352, 6);
      expect(d.box.height).toBeCloseTo(d.normalized.height * 900, 6);
      expect(d.box.x + d.box.width).toBeLessThanOrEqual(1352 + 1e-9);
    }
    expect(await model.detect(kite, { scoreThreshold: 0.5, maxResults: 2 })).toEqual(here.slice(0, 2));
    const fewer = await model.detect(kite, { scoreThreshold: 0.5, iouThreshold: 0.01 });
    expect(fewer.length).toBeLessThanOrEqual(here.length);
    await expect(model.detect(kite, { scoreThreshold: 2 })).rejects.toThrow(/scoreThreshold must be a number in 0\.\.1/);
    await expect(model.detect(kite, { maxResults: 0 })).rejects.toThrow(/maxResults must be a positive integer/);
  }, 60_000);

  // The float32 twin (precision: 'float32'): this model's ReLU6s live only in its activation ranges, which the
  // twin turns back into relu6 (src/graph/dequantize.ts); without that its scores were all 1.0.
  it("precision 'float32': the twin finds the same objects, boxes within 2 % of the image", async () => {
    const twin = await loadModel(file.slice(), { labels, precision: 'float32' });
    try {
      const found = await twin.detect(kite, { scoreThreshold: 0.5 });
      console.log(`float32 twin: ${found.map((d) => `${d.label} ${d.score.toFixed(3)}`).join(', ')}`);
      expect(found.map((d) => d.label).sort()).toEqual(here.map((d) => d.label).sort());
      for (const d of found) {
        const best = Math.min(...here.filter((h) => h.label === d.label).map((h) => Math.max(
          Math.abs(h.normalized.x - d.normalized.x), Math.abs(h.normalized.y - d.normalized.y),
          Math.abs(h.normalized.width - d.normalized.width), Math.abs(h.normalized.height - d.normalized.height))));
        expect(best, d.label).toBeLessThan(0.02);
        expect(Math.abs(d.score - here.find((h) => h.label === d.label)!.score)).toBeLessThan(0.5);
      }
    } finally {
      twin.dispose();
    }
  }, 60_000);

  it('classify() and segment() refuse a detector; detect() refuses a classifier', async () => {
    await expect(model.classify(kite)).rejects.toThrow(/is a detection model; use detect\(\)/);
    await expect(model.segment(kite)).rejects.toThrow(/not a segmentation model/);
    const cls = await loadModel(new Uint8Array(readFileSync(sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite'))).slice()).catch(() => null);
    if (cls) {
      await expect(cls.detect(kite)).rejects.toThrow(/is not a detector/);
      cls.dispose();
    }
  });

  it('the native format keeps the detector: same bits after writeNative → readNative', async () => {
    const g = await importTflite(file, { labels });
    const back = readNative(writeNative(g));
    expect(back.outputs).toEqual(g.outputs);
    expect(back.meta.task).toBe('detect');
    const m = await loadModel(back) as Model;
    try {
      await expectOracle(m);
    } finally {
      m.dispose();
    }
  }, 120_000);

  describe('in a worker and in a pool', () => {
    let bundle: WorkerBundle;
    beforeAll(async () => { bundle = await workerBundle(); });
    afterAll(() => bundle?.cleanup());

    it('a worker model: runAll() bits and detect() as in process', async () => {
      const w = await loadModel(file.slice(), { labels, worker: { url: bundle.url } });
      try {
        expect(w.info.task).toBe('detect');
        await expectOracle(w);
        expect(await w.detect(kite, { scoreThreshold: 0.5 })).toEqual(here);
      } finally {
        await w.dispose();
      }
    }, 120_000);

    it('a pool of 2: detect() as in process', async () => {
      const p = createPool({ model: file.slice(), size: 2, loadOptions: { labels }, worker: { url: bundle.url } });
      try {
        const got = await Promise.all([p.detect(kite, { scoreThreshold: 0.5 }), p.detect(kite, { scoreThreshold: 0.5 })]);
        for (const g of got) expect(g).toEqual(here);
        const outs = await p.runAll(input('cat'));
        OUTS.forEach((o, k) => expect(bytesOf(outs[k]!), o).toEqual(oracle('cat', o)));
      } finally {
        await p.close();
      }
    }, 120_000);
  });
});
