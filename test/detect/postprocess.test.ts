// TFLite_Detection_PostProcess (src/detect/postprocess.ts) against the plain reference (test/helpers/reference-detect.ts)
// on hand-built anchors and encodings: IoU edge cases, score ties, fewer candidates than max_detections, a
// background column or none, several classes per box, both NMS modes, random cases; and option checks.
import { describe, expect, it } from 'vitest';
import { detectionPostProcess, iou, decodeBoxes, dequantizeU8, checkDetectionOptions, type DetectionPostProcessOptions } from '../../src/detect/postprocess.js';
import { refIou, refPostProcess, type RefOptions } from '../helpers/reference-detect.js';
import { mulberry32 } from '../helpers/random.js';

const base: DetectionPostProcessOptions = {
  maxDetections: 10, maxClassesPerDetection: 1, detectionsPerClass: 100, scoreThreshold: 0.1, iouThreshold: 0.5,
  numClasses: 3, useRegularNms: false, scales: { y: 10, x: 10, h: 5, w: 5 },
};

/** Runs the op on nested arrays and returns its first `count` rows as detections. */
function run(enc: number[][], scores: number[][], anchors: number[][], o: DetectionPostProcessOptions) {
  const out = detectionPostProcess(Float32Array.from(enc.flat()), enc[0].length, Float32Array.from(scores.flat()), scores[0].length,
    Float32Array.from(anchors.flat()), anchors.length, o);
  const rows = o.useRegularNms ? out.count : out.count * o.maxClassesPerDetection;
  const dets = Array.from({ length: rows }, (_, r) => ({ box: [...out.boxes.subarray(4 * r, 4 * r + 4)], cls: out.classes[r], score: out.scores[r] }));
  return { out, dets };
}

function expectSame(enc: number[][], scores: number[][], anchors: number[][], o: DetectionPostProcessOptions) {
  const { out, dets } = run(enc, scores, anchors, o);
  const want = refPostProcess(enc, scores, anchors, o as RefOptions);
  expect(dets).toEqual(want.map((d) => ({ box: d.box, cls: d.cls, score: Math.fround(d.score) })));
  // Rows past the detections are zero.
  const used = dets.length;
  expect([...out.scores.subarray(used)].every((v) => v === 0)).toBe(true);
  expect([...out.boxes.subarray(4 * used)].every((v) => v === 0)).toBe(true);
  return { out, dets };
}

/** An anchor grid: n anchors of size 0.2 along the diagonal, encodings of zeros (boxes = anchors). */
const anchorsAt = (centres: number[][], size = 0.2) => centres.map(([y, x]) => [y, x, size, size]);
const zeros = (n: number) => Array.from({ length: n }, () => [0, 0, 0, 0]);

describe('TFLite_Detection_PostProcess', () => {
  it('decodes center-size encodings against anchors (the box coder formula)', () => {
    const boxes = decodeBoxes(Float32Array.from([10, -10, 0, 5 * Math.log(2)]), 4, Float32Array.from([0.5, 0.5, 0.2, 0.4]), 1, base.scales);
    // y = 1·0.2 + 0.5 = 0.7, x = −1·0.4 + 0.5 = 0.1, h = 0.2, w = 2·0.4 = 0.8
    [0.6, -0.3, 0.8, 0.5].forEach((v, i) => expect(boxes[i]).toBeCloseTo(v, 6));
  });

  it('IoU: identical, disjoint, touching, nested, zero-area and inverted-area boxes', () => {
    const b = (...v: number[][]) => Float32Array.from(v.flat());
    const cases: [number[], number[], number][] = [
      [[0, 0, 1, 1], [0, 0, 1, 1], 1],
      [[0, 0, 1, 1], [2, 2, 3, 3], 0],
      [[0, 0, 1, 1], [1, 0, 2, 1], 0],
      [[0, 0, 1, 1], [0.25, 0.25, 0.75, 0.75], 0.25],
      [[0, 0, 0, 1], [0, 0, 1, 1], 0],
      [[0, 0, 1, 1], [0, 0.5, 1, 1.5], Math.fround(0.5 / 1.5)],
    ];
    for (const [p, q, want] of cases) {
      expect(iou(b(p, q), 0, 1), `${p} vs ${q}`).toBe(want);
      expect(refIou(p as [number, number, number, number], q as [number, number, number, number])).toBe(want);
    }
  });

  it('suppresses a box overlapping a better one by more than the threshold, keeps one at exactly the threshold', () => {
    // Anchors 0 and 1 overlap with IoU 1/3 (shifted by half a width); 2 is far away.
    const anchors = [[0.5, 0.5, 0.2, 0.2], [0.5, 0.6, 0.2, 0.2], [0.1, 0.1, 0.2, 0.2]];
    const scores = [[0, 0.9, 0, 0], [0, 0.8, 0, 0], [0, 0, 0.7, 0]];
    const a = expectSame(zeros(3), scores, anchors, { ...base, iouThreshold: 0.3 });
    expect(a.dets.map((d) => d.score)).toEqual([0.9, 0.7].map(Math.fround));
    const iou01 = iou(decodeBoxes(new Float32Array(12), 4, Float32Array.from(anchors.flat()), 3, base.scales), 0, 1);
    const b = expectSame(zeros(3), scores, anchors, { ...base, iouThreshold: iou01 });
    expect(b.out.count).toBe(3); // IoU equal to the threshold is not "more than"
  });

  it('equal scores: the lower anchor index first (stable), the first class of equal maxima', () => {
    const anchors = anchorsAt([[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]);
    const scores = [[0, 0.5, 0.5, 0], [0, 0.5, 0, 0.5], [0, 0.6, 0, 0]];
    const { dets } = expectSame(zeros(3), scores, anchors, base);
    expect(dets.map((d) => d.cls)).toEqual([0, 0, 0]);
    // Anchor 2 (0.6) first, then anchors 0 and 1 (0.5 each) in index order.
    [0.8, 0, 0.4].forEach((y, i) => expect(dets[i].box[0]).toBeCloseTo(y, 6));
  });

  it('fewer candidates than max_detections: count is what passed the threshold, the rest zero', () => {
    const anchors = anchorsAt([[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]);
    const scores = [[0, 0.05, 0, 0], [0, 0.3, 0, 0], [0, 0, 0.09, 0.11]];
    const { out } = expectSame(zeros(3), scores, anchors, base);
    expect(out.count).toBe(2);
    expect(out.scores.length).toBe(10);
  });

  it('no background column (scores have exactly num_classes columns)', () => {
    const anchors = anchorsAt([[0.1, 0.1], [0.5, 0.5]]);
    const { dets } = expectSame(zeros(2), [[0.2, 0.9, 0.1], [0.3, 0.1, 0.4]], anchors, base);
    expect(dets.map((d) => d.cls)).toEqual([1, 2]);
  });

  it('several classes per kept box (fast NMS), regular NMS per class', () => {
    const anchors = anchorsAt([[0.1, 0.1], [0.12, 0.12], [0.9, 0.9]]);
    const scores = [[0, 0.9, 0.8, 0.1], [0, 0.2, 0.85, 0.3], [0, 0.4, 0.1, 0.6]];
    const fast = expectSame(zeros(3), scores, anchors, { ...base, maxClassesPerDetection: 2 });
    expect(fast.out.count).toBe(2);
    const reg = expectSame(zeros(3), scores, anchors, { ...base, useRegularNms: true, detectionsPerClass: 2, maxDetections: 4 });
    expect(reg.dets.map((d) => [d.cls, d.score])).toEqual([[0, 0.9], [1, 0.85], [2, 0.6], [0, 0.4]].map(([c, s]) => [c, Math.fround(s)]));
  });

  it('random anchors, encodings and scores: identical to the reference, both NMS modes', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = mulberry32(seed);
      const n = 5 + Math.floor(r() * 60);
      const nc = 1 + Math.floor(r() * 6);
      const bg = r() < 0.5 ? 1 : 0;
      const anchors = Array.from({ length: n }, () => [r(), r(), 0.05 + 0.3 * r(), 0.05 + 0.3 * r()].map(Math.fround));
      const enc = Array.from({ length: n }, () => [r() * 4 - 2, r() * 4 - 2, r() * 2 - 1, r() * 2 - 1].map(Math.fround));
      // Quantized-looking scores (many ties), as a uint8 model gives them.
      const scores = Array.from({ length: n }, () => Array.from({ length: nc + bg }, () => Math.fround(Math.floor(r() * 16) / 16)));
      const o = { ...base, numClasses: nc, maxDetections: 1 + Math.floor(r() * 12), iouThreshold: Math.fround(0.2 + 0.7 * r()), scoreThreshold: Math.fround(r() * 0.3) };
      expectSame(enc, scores, anchors, o);
      expectSame(enc, scores, anchors, { ...o, useRegularNms: true, detectionsPerClass: 1 + Math.floor(r() * 5) });
      expectSame(enc, scores, anchors, { ...o, maxClassesPerDetection: Math.min(nc, 2) });
    }
  });

  it('uint8 dequantization as the kernel does it: (q − zp) · scale in float32', () => {
    expect([...dequantizeU8(Uint8Array.from([0, 128, 255]), 0.1, 128)]).toEqual([-12.8, 0, 12.7].map(Math.fround));
  });

  it('checks its options and its inputs with typed errors', () => {
    expect(() => checkDetectionOptions({ ...base, iouThreshold: 0 }, 'op')).toThrow(/nms_iou_threshold must be in \(0, 1\]/);
    expect(() => checkDetectionOptions({ ...base, maxClassesPerDetection: 0 }, 'op')).toThrow(/max_classes_per_detection/);
    expect(() => checkDetectionOptions({ ...base, scales: { ...base.scales, h: 0 } }, 'op')).toThrow(/h_scale/);
    expect(() => run(zeros(1), [[0.1, 0.2, 0.3, 0.4, 0.5]], anchorsAt([[0.5, 0.5]]), base)).toThrow(/5 columns for num_classes 3/);
    // A negative anchor height decodes to ymin > ymax: TFLite refuses such boxes.
    expect(() => run(zeros(1), [[0, 0.9, 0, 0]], [[0.5, 0.5, -0.2, 0.2]], base)).toThrow(/decoded box 0 has min > max/);
  });
});

describe('detectionPostProcessQ (quantized scores, fast NMS without dequantizing every score)', () => {
  it('gives detectionPostProcess\'s bits on the dequantized scores: uint8 and int8, ties, background column or none', async () => {
    const { detectionPostProcessQ } = await import('../../src/detect/postprocess.js');
    for (let seed = 1; seed <= 12; seed++) {
      const r = mulberry32(seed);
      const n = 50 + Math.floor(r() * 80);
      const nc = 3 + Math.floor(r() * 6);
      const cwb = nc + (seed % 2);
      const int8 = seed % 3 === 0;
      // Few distinct bytes: many ties between classes and between anchors.
      const q = int8 ? Int8Array.from({ length: n * cwb }, () => Math.floor(r() * 6) * 20 - 100) : Uint8Array.from({ length: n * cwb }, () => Math.floor(r() * 6) * 40);
      const enc = Float32Array.from({ length: n * 4 }, () => Math.fround(r() * 2 - 1));
      const anchors = Float32Array.from({ length: n * 4 }, (_, i) => Math.fround(i % 4 < 2 ? Math.floor(r() * 4) / 4 : 0.25 + Math.floor(r() * 2) / 4));
      const o = { ...base, numClasses: nc, maxDetections: 1 + Math.floor(r() * 12), scoreThreshold: 0.2, iouThreshold: 0.3 + r() * 0.5 };
      const [scale, zp] = int8 ? [0.01, -100] : [1 / 256, 0];
      const want = detectionPostProcess(enc, 4, dequantizeU8(q, scale, zp), cwb, anchors, n, o);
      const got = detectionPostProcessQ(enc, 4, q, scale, zp, cwb, anchors, n, o);
      expect(got).toEqual(want);
      expect(want.count).toBeGreaterThan(0);
    }
  });
});
