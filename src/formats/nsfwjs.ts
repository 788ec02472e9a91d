// Node only: reads the TF.js layers model that ships inside the nsfwjs npm package.
//
// nsfwjs does not ship model.json + .bin shards; it ships browserify UMD bundles:
//   dist/models/<model>/model.min.js           → module.exports = { modelTopology, weightsManifest }
//   dist/models/<model>/group1-shardXofN.min.js → module.exports = "<base64 of the binary shard>"
// dist/models/package.json says {"type": "commonjs"}, so require() evaluates them as CommonJS.

import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelFormatError, preview } from '../errors.js';
import type { WeightSpec } from './tfjs-layers/import.js';

export interface NsfwjsArtifacts {
  modelTopology: object;
  weightSpecs: WeightSpec[];
  /** All shards concatenated in manifest order. */
  weightData: ArrayBuffer;
}

/** The nsfwjs package's dist/ directory, as resolved from this module (or from `fromDir`). */
export function nsfwjsDistDir(fromDir?: string): string {
  // Resolve from the given directory, else from this module, else from the working directory
  // (a bundled copy of this module may live outside the project).
  const bases = fromDir ? [path.join(path.resolve(fromDir), 'noop.js')] : [import.meta.url, path.join(process.cwd(), 'noop.js')];
  let last: unknown;
  for (const base of bases) {
    try {
      // The exports map hides package.json and dist/models; the CommonJS entry is dist/cjs/index.js.
      return path.resolve(path.dirname(createRequire(base).resolve('nsfwjs')), '..');
    } catch (e) {
      last = e;
    }
  }
  throw new ModelFormatError(`cannot find the nsfwjs package: ${(last as Error).message}`);
}

/** The model directory of one nsfwjs model ('mobilenet_v2', 'mobilenet_v2_mid', 'inception_v3'). */
export function nsfwjsModelDir(model = 'mobilenet_v2', fromDir?: string): string {
  return path.join(nsfwjsDistDir(fromDir), 'models', model);
}

/** Version of the installed nsfwjs package. */
export function nsfwjsVersion(fromDir?: string): string {
  const req = createRequire(import.meta.url);
  const pkg = req(path.join(nsfwjsDistDir(fromDir), '..', 'package.json')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** nsfwjs's class names in output order (dist/cjs/nsfw_classes.js: {0: 'Drawing', …}). */
export function loadNsfwjsLabels(fromDir?: string): string[] {
  const req = createRequire(import.meta.url);
  const file = path.join(nsfwjsDistDir(fromDir), 'cjs', 'nsfw_classes.js');
  const mod = req(file) as { NSFW_CLASSES?: Record<string, unknown> };
  const classes = mod.NSFW_CLASSES;
  if (!classes || typeof classes !== 'object') throw new ModelFormatError(`${file}: no NSFW_CLASSES export`);
  const n = Object.keys(classes).length;
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = classes[i];
    if (typeof l !== 'string') throw new ModelFormatError(`${file}: NSFW_CLASSES[${i}] is not a string`);
    labels.push(l);
  }
  return labels;
}

/**
 * Reads `<dir>/model.min.js` and the shard bundles its manifest names (`<path>.min.js`), and
 * returns the artifacts tfjs would load: topology, weight specs in manifest order, and the
 * shards' bytes concatenated in manifest order.
 */
export function loadNsfwjsArtifacts(dir: string): NsfwjsArtifacts {
  const abs = path.resolve(dir);
  const req = createRequire(path.join(abs, 'noop.js'));
  const modelFile = path.join(abs, 'model.min.js');
  let model: unknown;
  try {
    model = req(modelFile);
  } catch (e) {
    throw new ModelFormatError(`${modelFile}: cannot evaluate the nsfwjs model bundle: ${(e as Error).message}`);
  }
  const m = model as { modelTopology?: unknown; weightsManifest?: unknown };
  if (!m || typeof m.modelTopology !== 'object' || m.modelTopology === null || !Array.isArray(m.weightsManifest)) {
    throw new ModelFormatError(`${modelFile}: the bundle does not export { modelTopology, weightsManifest }`);
  }
  const weightSpecs: WeightSpec[] = [];
  const shards: Uint8Array[] = [];
  for (const [g, group] of (m.weightsManifest as { paths?: unknown; weights?: unknown }[]).entries()) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(`${modelFile}: weightsManifest[${g}] must have "paths" and "weights" arrays`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\')) {
        throw new ModelFormatError(`${modelFile}: unexpected shard path ${preview(p)}`);
      }
      const shardFile = path.join(abs, `${p}.min.js`);
      let b64: unknown;
      try {
        b64 = req(shardFile);
      } catch (e) {
        throw new ModelFormatError(`${shardFile}: cannot evaluate the nsfwjs shard bundle: ${(e as Error).message}`);
      }
      if (typeof b64 !== 'string') throw new ModelFormatError(`${shardFile}: the bundle does not export a base64 string`);
      const buf = Buffer.from(b64, 'base64');
      shards.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    }
    weightSpecs.push(...(group.weights as WeightSpec[]));
  }
  const total = shards.reduce((a, s) => a + s.byteLength, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    data.set(s, off);
    off += s.byteLength;
  }
  return { modelTopology: m.modelTopology as object, weightSpecs, weightData: data.buffer };
}
