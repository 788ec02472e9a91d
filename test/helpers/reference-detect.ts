// A plain reference for TFLite_Detection_PostProcess, written from the algorithm TFLite documents for it
// (tensorflow/lite/kernels/detection_postprocess.cc comments and the object-detection box coder): decode
// center-size encodings against anchors, then greedy NMS. Deliberately naive (objects, filters, full sorts);
// it rounds to float32 where TFLite stores floats, so the engine's op must match it bit for bit.
const f = Math.fround;

export interface RefOptions {
  maxDetections: number; maxClassesPerDetection: number; detectionsPerClass: number; scoreThreshold: number;
  iouThreshold: number; numClasses: number; useRegularNms: boolean; scales: { y: number; x: number; h: number; w: number };
}
type Box = [number, number, number, number];

export function refDecode(enc: number[][], anchors: number[][], s: RefOptions['scales']): Box[] {
  return enc.map((e, i) => {
    const [ay, ax, ah, aw] = anchors[i];
    const yc = f((e[0] / f(s.y)) * ah + ay);
    const xc = f((e[1] / f(s.x)) * aw + ax);
    const h2 = f(0.5 * Math.exp(e[2] / f(s.h)) * ah);
    const w2 = f(0.5 * Math.exp(e[3] / f(s.w)) * aw);
    return [f(yc - h2), f(xc - w2), f(yc + h2), f(xc + w2)];
  });
}

export function refIou(a: Box, b: Box): number {
  const area = (x: Box) => f(f(x[2] - x[0]) * f(x[3] - x[1]));
  if (area(a) <= 0 || area(b) <= 0) return 0;
  const h = Math.max(f(Math.min(a[2], b[2]) - Math.max(a[0], b[0])), 0);
  const w = Math.max(f(Math.min(a[3], b[3]) - Math.max(a[1], b[1])), 0);
  const inter = f(h * w);
  return f(inter / f(f(area(a) + area(b)) - inter));
}

/** Greedy NMS: indices of kept boxes, best first. */
export function refNms(boxes: Box[], scores: number[], o: RefOptions, limit: number): number[] {
  const cands = scores.map((score, i) => ({ i, score })).filter((c) => c.score >= f(o.scoreThreshold));
  cands.sort((a, b) => b.score - a.score || a.i - b.i);
  const kept: number[] = [];
  for (const c of cands) {
    if (kept.length >= limit) break;
    if (kept.every((k) => !(refIou(boxes[k], boxes[c.i]) > f(o.iouThreshold)))) kept.push(c.i);
  }
  return kept;
}

export interface RefDetection { box: Box; cls: number; score: number }

/** Detections in output order (the op's first `count` rows). */
export function refPostProcess(enc: number[][], scores: number[][], anchors: number[][], o: RefOptions): RefDetection[] {
  const boxes = refDecode(enc, anchors, o.scales);
  const off = scores[0].length - o.numClasses;
  const cls = scores.map((row) => row.slice(off));
  if (!o.useRegularNms) {
    const ranked = cls.map((row) => row.map((score, c) => ({ c, score })).sort((a, b) => b.score - a.score || a.c - b.c));
    const kept = refNms(boxes, ranked.map((r) => r[0].score), o, o.maxDetections);
    const k = Math.min(o.maxClassesPerDetection, o.numClasses);
    return kept.flatMap((i) => ranked[i].slice(0, k).map((r) => ({ box: boxes[i], cls: r.c, score: r.score })));
  }
  const all: (RefDetection & { anchor: number })[] = [];
  for (let c = 0; c < o.numClasses; c++) {
    for (const i of refNms(boxes, cls.map((row) => row[c]), o, o.detectionsPerClass)) all.push({ box: boxes[i], cls: c, score: cls[i][c], anchor: i });
  }
  // Merged class by class, best first; equal scores: the earlier class, then its NMS order.
  return all.map((d, order) => ({ ...d, order })).sort((a, b) => b.score - a.score || a.order - b.order).slice(0, o.maxDetections)
    .map(({ box, cls: c, score }) => ({ box, cls: c, score }));
}
