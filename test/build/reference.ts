// Node-side reference for the cross-platform tests (test/deno, test/browser): the pixels of
// ../shared/data/images/cat.png as sharp decodes them, and what the BUILT bundle dist/index.js says about
// them in Node. Deno and Chromium must agree: top-1 identical, every score within SCORE_TOLERANCE.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { ROOT, hasShared, sharedPath } from '../helpers/shared.js';

export const SCORE_TOLERANCE = 1e-4;
export const TOP_K = 5;

export interface Classification { index: number; label: string; score: number }
export interface RawImage { data: Uint8Array; width: number; height: number; channels: 3 | 4 }
interface BuiltModel {
  info: { isa: string };
  classify(img: RawImage, opts?: { topK?: number }): Promise<Classification[]>;
  dispose(): void | Promise<void>;
}
export interface BuiltEngine { loadModel(src: string, opts?: Record<string, unknown>): Promise<BuiltModel> }

export const DIST = path.join(ROOT, 'dist');
export const distBuilt = existsSync(path.join(DIST, 'index.js')) && existsSync(path.join(DIST, 'wasm/mobilenet-simd.wasm'))
  && existsSync(path.join(ROOT, 'models/nsfw.safetensors'));
export const CAT_PNG = hasShared ? sharedPath('images', 'cat.png') : null;

/** dist/index.js as Node imports it (no vitest transform of the bundle's import.meta.url matters: it is a file URL). */
export async function builtEngine(): Promise<BuiltEngine> {
  if (!distBuilt) throw new Error('dist/ or models/nsfw.safetensors is missing: run `npm run build` first');
  return (await import(/* @vite-ignore */ pathToFileURL(path.join(DIST, 'index.js')).href)) as BuiltEngine;
}

/** RGBA pixels of cat.png (sharp), or a synthetic gradient when ../shared/data is absent. */
export async function referenceImage(): Promise<{ image: RawImage; source: string }> {
  if (CAT_PNG) {
    const { data, info } = await sharp(CAT_PNG).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 4 }, source: 'cat.png' };
  }
  return { image: syntheticImage(), source: 'synthetic gradient' };
}

/** A 160×120 RGBA gradient; test/browser/page/page.js, test/deno/classify_test.ts and the app builds make the same. */
export function syntheticImage(): RawImage {
  const width = 160;
  const height = 120;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 7) & 255, 255], i * 4);
  }
  return { data, width, height, channels: 4 };
}

/** syntheticImage() as JavaScript source, for pages built in the tests. */
export const SYNTHETIC_IMAGE_JS = `function syntheticImage() {
  const width = 160, height = 120, data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width, y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 7) & 255, 255], i * 4);
  }
  return { data, width, height, channels: 4 };
}`;

/** Top-k of `image` in Node through dist/index.js, with the model's default (auto) isa. */
export async function classifyInNode(image: RawImage, opts: Record<string, unknown> = {}): Promise<{ isa: string; top: Classification[] }> {
  const { loadModel } = await builtEngine();
  const model = await loadModel('default', opts);
  try {
    return { isa: model.info.isa, top: await model.classify(image, { topK: TOP_K }) };
  } finally {
    await model.dispose();
  }
}

/** Why `got` differs from `expected` (top-1 or a score off by more than SCORE_TOLERANCE), or null. */
export function mismatch(got: Classification[], expected: Classification[]): string | null {
  if (got.length !== expected.length) return `${got.length} results, expected ${expected.length}`;
  if (got[0].index !== expected[0].index) return `top-1 ${got[0].label} (${got[0].score}) vs ${expected[0].label} (${expected[0].score}) in Node`;
  for (const e of expected) {
    const g = got.find((c) => c.index === e.index);
    if (!g) return `${e.label} missing from the top ${expected.length}`;
    if (Math.abs(g.score - e.score) > SCORE_TOLERANCE) return `${e.label}: ${g.score} vs ${e.score} in Node (|Δ| > ${SCORE_TOLERANCE})`;
  }
  return null;
}
