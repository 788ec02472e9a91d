// Separately downloaded parts of the engine (src/detect/index.ts) hook in here when imported: their module URL,
// so a worker started later imports them too before it loads a model (src/workers/client.ts, engine-api.ts), and
// what Model calls of theirs. Only bundled (.js) modules are recorded: a worker cannot import a TypeScript source.
import type { Detection, DetectOptions } from './model-api.js';

const urls = new Set<string>();

export function registerExtension(url: string): void {
  if (/\.m?js$/.test(new URL(url).pathname)) urls.add(url);
}

export function extensionUrls(): string[] {
  return [...urls];
}

/** A detector's four real outputs and the image size → detect()'s answer (src/detect/results.ts). */
export type DetectionDecoder = (
  out: { boxes: Float32Array; classes: Float32Array; scores: Float32Array; count: number; width: number; height: number; labels: readonly string[] },
  opts: DetectOptions,
) => Detection[];

/** Set by the detection entry. */
export const late: { detections?: DetectionDecoder; checkDetect?: (opts: DetectOptions) => void } = {};
