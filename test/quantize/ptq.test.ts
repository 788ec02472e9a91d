// Post-training quantization of the built-in 'nsfw' model (nsfwjs MobileNetV2, 5 classes), evaluated on held-out images:
// calibrated on one seed range of augmented photos and synthetic drawings, evaluated on the unmodified photos
// plus another, disjoint seed range (test/helpers/ptq-data.ts). The int8 model must agree with the float32 one
// on the top-1 class of at least 95 % of the images. scripts/ptq-eval.ts prints the same figures on a larger
// set, with latency and the ablations.
import { beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readNative } from '../../src/formats/native/read.js';
import { writeNative } from '../../src/formats/native/write.js';
import { loadModel } from '../../src/api.js';
import type { Model } from '../../src/model.js';
import type { Graph } from '../../src/graph/ir.js';
import { Calibrator } from '../../src/quantize/calibrate.js';
import { quantizeGraph } from '../../src/quantize/quantize.js';
import { CALIBRATION_SEED_BASE, EVAL_SEED_BASE, imageSet, loadPhotos, type RawImage } from '../helpers/ptq-data.js';
import { describeShared, ROOT, sharedPath } from '../helpers/shared.js';

const CALIBRATION = 32;
const EVALUATION = 120;

const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
  return b;
};

describeShared('post-training int8 quantization of the built-in nsfw model', () => {
  let graph: Graph;
  let cal: Calibrator;
  let evalSet: RawImage[];
  let photos: RawImage[];
  let f32: Model;
  let int8: Model;
  let bytes: Uint8Array;

  beforeAll(async () => {
    graph = readNative(readFileSync(path.join(ROOT, 'models/nsfw.safetensors')), 'nsfw');
    photos = await loadPhotos(sharedPath('images'));
    cal = await Calibrator.create(graph);
    for (const img of await imageSet(photos, CALIBRATION_SEED_BASE, CALIBRATION)) cal.observeImage(img);
    bytes = writeNative(quantizeGraph(graph, cal.ranges(), { note: `calibrated on ${CALIBRATION} images` }));
    evalSet = [...photos, ...(await imageSet(photos, EVAL_SEED_BASE, EVALUATION))];
    f32 = await loadModel(graph);
    int8 = await loadModel(bytes);
  });

  it('is a quarter of the size and reads back', () => {
    expect(bytes.length).toBeLessThan(readFileSync(path.join(ROOT, 'models/nsfw.safetensors')).length * 0.3);
    const back = readNative(bytes, 'int8');
    expect(Buffer.from(writeNative(back)).equals(Buffer.from(bytes))).toBe(true);
    expect(int8.info.name).toBe('nsfwjs-mobilenet-v2-int8');
    expect(int8.info.labels).toEqual(graph.meta.labels);
  });

  it(`agrees with float32 on the top-1 class of ≥ 95 % of ${EVALUATION} + photos held-out images`, async () => {
    let agree = 0, sumAbs = 0;
    const misses: string[] = [];
    for (const img of evalSet) {
      const x = cal.inputTensor(img);
      const p = await f32.run(x);
      const q = await int8.run(x);
      if (argmax(p) === argmax(q)) agree++;
      else misses.push(`${img.label}: ${Array.from(p, (v) => v.toFixed(3))} vs ${Array.from(q, (v) => v.toFixed(3))}`);
      for (let i = 0; i < p.length; i++) sumAbs += Math.abs(p[i] - q[i]);
    }
    const n = evalSet.length;
    const meanAbs = sumAbs / (n * graph.meta.labels.length);
    console.log(`[ptq] int8 vs float32 on ${n} held-out images: top-1 agreement ${(100 * agree / n).toFixed(1)} %, mean |Δp| ${meanAbs.toFixed(4)}`);
    expect(agree / n, `disagreements:\n${misses.join('\n')}`).toBeGreaterThanOrEqual(0.95);
    expect(meanAbs).toBeLessThan(0.02);
  });

  it('classifies the unmodified photos like float32, through classify()', async () => {
    for (const img of photos) {
      const [a] = await f32.classify(img, { topK: 1 });
      const [b] = await int8.classify(img, { topK: 1 });
      expect(b.label, img.label).toBe(a.label);
      expect(Math.abs(b.score - a.score), img.label).toBeLessThan(0.05);
    }
  });
});
