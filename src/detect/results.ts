// A detector's four raw outputs (TFLite_Detection_PostProcess: boxes as ymin, xmin, ymax, xmax normalized to the
// input; classes; scores; count) → the Detection list detect() returns: thresholded, best first, boxes clipped to
// the image and scaled to its pixels (the input was the whole image stretched, so normalized = image fraction).
import { InputError } from '../errors.js';
import type { Box, Detection, DetectOptions } from '../model-api.js';

export interface RawDetections {
  boxes: Float32Array; classes: Float32Array; scores: Float32Array; count: number;
  width: number; height: number; labels: readonly string[];
}

/** detect()'s options checked, with their defaults. */
export function checkDetectOptions(opts: DetectOptions): Required<Omit<DetectOptions, 'iouThreshold'>> & { iouThreshold?: number } {
  const inUnit = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
  const { scoreThreshold = 0.5, maxResults = Infinity, iouThreshold } = opts ?? {};
  if (!inUnit(scoreThreshold)) throw new InputError(`detect(): scoreThreshold must be a number in 0..1, got ${String(scoreThreshold)}`);
  if (maxResults !== Infinity && !(Number.isInteger(maxResults) && maxResults >= 1)) throw new InputError(`detect(): maxResults must be a positive integer, got ${String(maxResults)}`);
  if (iouThreshold !== undefined && !inUnit(iouThreshold)) throw new InputError(`detect(): iouThreshold must be a number in 0..1, got ${String(iouThreshold)}`);
  return { scoreThreshold, maxResults, ...(iouThreshold !== undefined ? { iouThreshold } : {}) };
}

const clip = (v: number) => Math.min(1, Math.max(0, v));

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

export function toDetections(r: RawDetections, opts: DetectOptions): Detection[] {
  const o = checkDetectOptions(opts);
  const n = Math.min(Math.max(0, Math.floor(r.count)), r.scores.length);
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => r.scores[i]! >= o.scoreThreshold);
  order.sort((a, b) => r.scores[b]! - r.scores[a]! || a - b);
  const out: Detection[] = [];
  for (const i of order) {
    if (out.length >= o.maxResults) break;
    const [y0, x0, y1, x1] = [0, 1, 2, 3].map((k) => clip(r.boxes[4 * i + k]!));
    const normalized = { x: x0!, y: y0!, width: Math.max(0, x1! - x0!), height: Math.max(0, y1! - y0!) };
    const index = r.classes[i]!;
    if (o.iouThreshold !== undefined && out.some((d) => d.index === index && overlap(d.normalized, normalized) > o.iouThreshold!)) continue;
    out.push({
      label: r.labels[index] ?? String(index), index, score: r.scores[i]!, normalized,
      box: { x: normalized.x * r.width, y: normalized.y * r.height, width: normalized.width * r.width, height: normalized.height * r.height },
    });
  }
  return out;
}
