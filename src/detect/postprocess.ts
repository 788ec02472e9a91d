// TFLite_Detection_PostProcess, the last op of TensorFlow's SSD detectors: decode each anchor's box encoding
// into corners, then non-maximum suppression, fast (class-agnostic: each anchor competes with its best class)
// or regular (per class). Written to give the TFLite runtime's output bits: every value is rounded to float32
// where its kernel (tensorflow/lite/kernels/detection_postprocess.cc) stores or computes a float, and where
// it computes in double (the box decoding) we do too, in the same order. JavaScript's double arithmetic is
// IEEE-754 like the C++'s; Math.exp and the C library's exp may differ in the last bit of a double, which the
// rounding to float32 hides except in rare ties.
//
// Ties: candidates are sorted by score with a STABLE sort (equal scores keep anchor order), as TFLite's
// DecreasingArgSort does; an anchor's best class is the first of equal maxima (ArgMaxVector). Where TFLite uses
// std::partial_sort (several classes per anchor, and merging per-class results in regular NMS), equal scores
// keep index order here; the C++ library may order them otherwise.
import { EngineError, InputError } from '../errors.js';

export interface DetectionPostProcessOptions {
  /** Boxes kept after NMS (TFLite max_detections). */
  maxDetections: number;
  /** Fast NMS: classes reported per kept box (max_classes_per_detection). */
  maxClassesPerDetection: number;
  /** Regular NMS: boxes kept per class before merging (detections_per_class; TFLite's default 100). */
  detectionsPerClass: number;
  /** Candidates scoring below this are dropped first (nms_score_threshold). */
  scoreThreshold: number;
  /** A box overlapping a kept one by more than this IoU is suppressed (nms_iou_threshold, in (0, 1]). */
  iouThreshold: number;
  /** Classes without the background (num_classes); the scores may carry one more, background, column first. */
  numClasses: number;
  /** true: per-class (regular) NMS; false: fast, class-agnostic NMS. */
  useRegularNms: boolean;
  /** The box coder's scales (y_scale, x_scale, h_scale, w_scale). */
  scales: { y: number; x: number; h: number; w: number };
}

/** The op's four outputs, as TFLite lays them out (float32; classes are class indices without the background). */
export interface DetectionOutputs {
  /** [n, 4] (ymin, xmin, ymax, xmax), normalized to the input, n = maxDetections · maxClassesPerDetection (fast) or maxDetections (regular). */
  boxes: Float32Array;
  classes: Float32Array;
  scores: Float32Array;
  /** The number of detections written (the rest of the arrays is zero). */
  count: number;
}

const f = Math.fround;

/** How many rows the outputs have: fast NMS writes maxClassesPerDetection rows per kept box. */
export function detectionRows(o: Pick<DetectionPostProcessOptions, 'maxDetections' | 'maxClassesPerDetection' | 'useRegularNms'>): number {
  return o.useRegularNms ? o.maxDetections : o.maxDetections * o.maxClassesPerDetection;
}

/** Checks the options as TFLite's Prepare/Eval do, with a typed error naming the option. */
export function checkDetectionOptions(o: DetectionPostProcessOptions, where: string): void {
  const int = (v: number, name: string, min: number) => {
    if (!Number.isInteger(v) || v < min || v > 1 << 20) throw new InputError(`${where}: ${name} must be an integer in ${min}..${1 << 20}, got ${v}`);
  };
  int(o.maxDetections, 'max_detections', 0);
  int(o.maxClassesPerDetection, 'max_classes_per_detection', 1);
  int(o.detectionsPerClass, 'detections_per_class', 0); // 0 in TF's own exports (only regular NMS reads it)
  int(o.numClasses, 'num_classes', 1);
  if (!(o.iouThreshold > 0 && o.iouThreshold <= 1)) throw new InputError(`${where}: nms_iou_threshold must be in (0, 1], got ${o.iouThreshold}`);
  if (!Number.isFinite(o.scoreThreshold)) throw new InputError(`${where}: nms_score_threshold must be a number, got ${o.scoreThreshold}`);
  for (const k of ['y', 'x', 'h', 'w'] as const) {
    if (!(Number.isFinite(o.scales[k]) && o.scales[k] !== 0)) throw new InputError(`${where}: ${k}_scale must be a non-zero number, got ${o.scales[k]}`);
  }
}

/**
 * Decodes center-size encodings (y, x, h, w, … per anchor, `encLen` values each) against anchors (y, x, h, w)
 * into corners (ymin, xmin, ymax, xmax), float32, as TFLite's DecodeCenterSizeBoxes.
 */
export function decodeBoxes(enc: Float32Array, encLen: number, anchors: Float32Array, n: number, s: DetectionPostProcessOptions['scales']): Float32Array {
  const out = new Float32Array(n * 4);
  const sy = f(s.y), sx = f(s.x), sh = f(s.h), sw = f(s.w);
  for (let i = 0; i < n; i++) {
    const e = i * encLen;
    const a = i * 4;
    const ay = anchors[a], ax = anchors[a + 1], ah = anchors[a + 2], aw = anchors[a + 3];
    const yc = f((enc[e] / sy) * ah + ay);
    const xc = f((enc[e + 1] / sx) * aw + ax);
    const hh = f(0.5 * Math.exp(enc[e + 2] / sh) * ah);
    const hw = f(0.5 * Math.exp(enc[e + 3] / sw) * aw);
    out[a] = yc - hh;
    out[a + 1] = xc - hw;
    out[a + 2] = yc + hh;
    out[a + 3] = xc + hw;
  }
  return out;
}

/** Intersection over union of decoded boxes i and j, in float32 as TFLite's ComputeIntersectionOverUnion. */
export function iou(boxes: Float32Array, i: number, j: number): number {
  const a = i * 4, b = j * 4;
  const areaI = f(f(boxes[a + 2] - boxes[a]) * f(boxes[a + 3] - boxes[a + 1]));
  const areaJ = f(f(boxes[b + 2] - boxes[b]) * f(boxes[b + 3] - boxes[b + 1]));
  if (areaI <= 0 || areaJ <= 0) return 0;
  const ymin = Math.max(boxes[a], boxes[b]);
  const xmin = Math.max(boxes[a + 1], boxes[b + 1]);
  const ymax = Math.min(boxes[a + 2], boxes[b + 2]);
  const xmax = Math.min(boxes[a + 3], boxes[b + 3]);
  const inter = f(Math.max(f(ymax - ymin), 0) * Math.max(f(xmax - xmin), 0));
  return f(inter / f(f(areaI + areaJ) - inter));
}

/** Indices of `values` sorted by decreasing value, equal values in index order. */
function decreasingStable(values: ArrayLike<number>, idx: number[]): number[] {
  return idx.sort((i, j) => (values[j] > values[i] ? 1 : values[j] < values[i] ? -1 : i - j));
}

/**
 * Greedy NMS over one score per box (TFLite's NonMaxSuppressionSingleClassHelper): candidates at or above the
 * score threshold, best first; each kept box suppresses later ones overlapping it by more than the IoU threshold.
 */
export function nmsSingleClass(boxes: Float32Array, scores: ArrayLike<number>, n: number, o: DetectionPostProcessOptions, maxKept: number): number[] {
  for (let i = 0; i < n; i++) {
    if (boxes[4 * i] > boxes[4 * i + 2] || boxes[4 * i + 1] > boxes[4 * i + 3]) {
      throw new EngineError(`TFLite_Detection_PostProcess: decoded box ${i} has min > max (${[...boxes.subarray(4 * i, 4 * i + 4)].join(', ')}); the anchors or encodings are invalid`);
    }
  }
  const thr = f(o.scoreThreshold);
  const iouThr = f(o.iouThreshold);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= thr) kept.push(i);
  const order = decreasingStable(kept.map((i) => scores[i]), kept.map((_, k) => k)).map((k) => kept[k]);
  const outSize = Math.min(order.length, maxKept);
  const active = new Uint8Array(order.length).fill(1);
  let activeCount = order.length;
  const selected: number[] = [];
  for (let i = 0; i < order.length; i++) {
    if (activeCount === 0 || selected.length >= outSize) break;
    if (!active[i]) continue;
    selected.push(order[i]);
    active[i] = 0;
    activeCount--;
    for (let j = i + 1; j < order.length; j++) {
      if (active[j] && iou(boxes, order[i], order[j]) > iouThr) {
        active[j] = 0;
        activeCount--;
      }
    }
  }
  return selected;
}

/**
 * The whole op on real values: encodings [n, encLen], scores [n, classesWithBackground] (a background column
 * first when there is one more column than numClasses), anchors [n, 4].
 */
export function detectionPostProcess(
  enc: Float32Array, encLen: number, scores: Float32Array, classesWithBackground: number, anchors: Float32Array, n: number,
  o: DetectionPostProcessOptions,
): DetectionOutputs {
  const labelOffset = classesWithBackground - o.numClasses;
  if (labelOffset < 0 || labelOffset > 1) {
    throw new InputError(`TFLite_Detection_PostProcess: the scores have ${classesWithBackground} columns for num_classes ${o.numClasses} (expected ${o.numClasses} or ${o.numClasses + 1})`);
  }
  if (encLen < 4) throw new InputError(`TFLite_Detection_PostProcess: box encodings have ${encLen} values per anchor, at least 4 needed`);
  const boxes = decodeBoxes(enc, encLen, anchors, n, o.scales);
  return o.useRegularNms ? regular(boxes, scores, classesWithBackground, labelOffset, n, o) : fast(boxes, scores, classesWithBackground, labelOffset, n, o);
}

function fast(boxes: Float32Array, scores: Float32Array, cwb: number, off: number, n: number, o: DetectionPostProcessOptions): DetectionOutputs {
  const nc = o.numClasses;
  const k = Math.min(o.maxClassesPerDetection, nc);
  const rows = detectionRows(o);
  const out: DetectionOutputs = { boxes: new Float32Array(rows * 4), classes: new Float32Array(rows), scores: new Float32Array(rows), count: 0 };
  const maxScores = new Float32Array(n);
  const topClasses = new Int32Array(n * k);
  for (let row = 0; row < n; row++) {
    const base = row * cwb + off;
    if (k === 1) {
      let best = 0;
      for (let c = 1; c < nc; c++) if (scores[base + c] > scores[base + best]) best = c;
      topClasses[row] = best;
    } else {
      const order = decreasingStable(scores.subarray(base, base + nc), Array.from({ length: nc }, (_, c) => c));
      for (let c = 0; c < k; c++) topClasses[row * k + c] = order[c];
    }
    maxScores[row] = scores[base + topClasses[row * k]];
  }
  const selected = nmsSingleClass(boxes, maxScores, n, o, o.maxDetections);
  selected.forEach((anchor, i) => {
    for (let c = 0; c < k; c++) {
      const r = o.maxClassesPerDetection * i + c;
      const cls = topClasses[anchor * k + c];
      out.boxes.set(boxes.subarray(anchor * 4, anchor * 4 + 4), r * 4);
      out.classes[r] = cls;
      out.scores[r] = scores[anchor * cwb + off + cls];
    }
  });
  out.count = selected.length;
  return out;
}

function regular(boxes: Float32Array, scores: Float32Array, cwb: number, off: number, n: number, o: DetectionPostProcessOptions): DetectionOutputs {
  const rows = o.maxDetections;
  const out: DetectionOutputs = { boxes: new Float32Array(rows * 4), classes: new Float32Array(rows), scores: new Float32Array(rows), count: 0 };
  // The best maxDetections (anchor, class) pairs so far, best first; each class's NMS result is merged in.
  let best: { anchor: number; cls: number; score: number }[] = [];
  const classScores = new Float32Array(n);
  for (let c = 0; c < o.numClasses; c++) {
    for (let row = 0; row < n; row++) classScores[row] = scores[row * cwb + c + off];
    const selected = nmsSingleClass(boxes, classScores, n, o, o.detectionsPerClass);
    const merged = [...best, ...selected.map((anchor) => ({ anchor, cls: c, score: classScores[anchor] }))];
    best = decreasingStable(merged.map((m) => m.score), merged.map((_, i) => i)).slice(0, Math.min(merged.length, o.maxDetections)).map((i) => merged[i]);
  }
  best.forEach((d, i) => {
    out.boxes.set(boxes.subarray(d.anchor * 4, d.anchor * 4 + 4), i * 4);
    out.classes[i] = d.cls;
    out.scores[i] = d.score;
  });
  out.count = best.length;
  return out;
}

/**
 * Fast NMS with one class per box on quantized scores, without dequantizing every score: (q − zp)·scale is
 * strictly increasing in q for scale > 0 (distinct bytes give distinct float32 values), so each anchor's first
 * maximum byte is its first maximum real score, and only that one is dequantized. The result is the one
 * detectionPostProcess gives on the dequantized scores, bit for bit. Falls back to it otherwise.
 */
export function detectionPostProcessQ(
  enc: Float32Array, encLen: number, q: Uint8Array | Int8Array, scale: number, zeroPoint: number, classesWithBackground: number,
  anchors: Float32Array, n: number, o: DetectionPostProcessOptions,
): DetectionOutputs {
  const off = classesWithBackground - o.numClasses;
  if (o.useRegularNms || o.maxClassesPerDetection !== 1 || !(scale > 0) || off < 0 || off > 1 || encLen < 4) {
    return detectionPostProcess(enc, encLen, dequantizeU8(q, scale, zeroPoint), classesWithBackground, anchors, n, o);
  }
  const s = f(scale);
  const boxes = decodeBoxes(enc, encLen, anchors, n, o.scales);
  const best = new Int32Array(n);
  const maxScores = new Float32Array(n);
  for (let row = 0; row < n; row++) {
    const base = row * classesWithBackground + off;
    let b = 0;
    let m = q[base];
    for (let c = 1; c < o.numClasses; c++) if (q[base + c] > m) { m = q[base + c]; b = c; }
    best[row] = b;
    maxScores[row] = f(f(m - zeroPoint) * s);
  }
  const rows = detectionRows(o);
  const out: DetectionOutputs = { boxes: new Float32Array(rows * 4), classes: new Float32Array(rows), scores: new Float32Array(rows), count: 0 };
  const selected = nmsSingleClass(boxes, maxScores, n, o, o.maxDetections);
  selected.forEach((anchor, i) => {
    out.boxes.set(boxes.subarray(anchor * 4, anchor * 4 + 4), i * 4);
    out.classes[i] = best[anchor];
    out.scores[i] = maxScores[anchor];
  });
  out.count = selected.length;
  return out;
}

/** Real values of uint8 encodings / anchors / scores as TFLite's kernel computes them: (float(q) − zp) · scale in float32. */
export function dequantizeU8(q: Uint8Array | Int8Array, scale: number, zeroPoint: number): Float32Array {
  const s = f(scale);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = f(f(q[i] - zeroPoint) * s);
  return out;
}
