// The in-process load: a model source (a built-in name, a path, a URL, bytes, or a Graph) resolved to bytes,
// imported to a Graph (src/formats/load-bytes.ts: the format is recognized from the bytes) and compiled into
// a Model. Both the public loadModel (src/api.ts) and the worker's engine API (src/workers/engine-api.ts)
// call loadInProcess, so neither imports the other.
import type { Graph } from './graph/ir.js';
import { Model } from './model.js';
import type { LoadOptions } from './model-api.js';
import { builtinModelFile, builtinModelUrl, isBuiltinModel, type BuiltinModel } from './assets.js';
import { readFileBytes, readUrlBytes } from './io.js';
import { isNode, markPhase } from './platform.js';
import { prefetchKernels } from './exec/runtime.js';
import { importModelBytes } from './formats/load-bytes.js';
import { sniffFormat } from './formats/sniff.js';
import { InputError, EngineError } from './errors.js';

/**
 * A built-in model's name ('default': ImageNet MobileNetV2; 'nsfw': the nsfwjs classifier; see assets.ts),
 * a file path (Node), a URL, model bytes, or a Graph built in code (e.g. buildMobileNetV2).
 */
export type ModelSource = BuiltinModel | string | URL | ArrayBuffer | ArrayBufferView | Graph;

const URL_LIKE = /^(https?|file|blob|data):/i;

/** Loads a model on this thread: resolves the source, imports it, compiles it. */
export async function loadInProcess(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  markPhase('load');
  // The kernel binary downloads and compiles on the engine's threads while this one reads and plans the model.
  prefetchKernels(options.isa, options.threads);
  if (isGraph(source)) return Model.create(source, 'builder', options);
  const { bytes, fileName, readShard } = await resolveSource(source);
  markPhase('read');
  const graph = await importModelBytes(bytes, { fileName, readShard: readShard ?? (options.weightFiles && shardReader(options.weightFiles, fileName)) });
  markPhase('import');
  return Model.create(graph, sniffFormat(bytes), options);
}

/**
 * The Graph of a model source, imported but not compiled (what loadModel runs): to inspect a model, convert it,
 * or build another on it (teaching new classes: src/teach/).
 */
export async function loadGraph(source: ModelSource, options: Pick<LoadOptions, 'weightFiles'> = {}): Promise<Graph> {
  if (isGraph(source)) return source;
  const { bytes, fileName, readShard } = await resolveSource(source);
  return importModelBytes(bytes, { fileName, readShard: readShard ?? (options.weightFiles && shardReader(options.weightFiles, fileName)) });
}

/** readShard over weight files given as bytes: by the manifest's path, else by its last segment (the file name). */
function shardReader(files: Record<string, ArrayBuffer | ArrayBufferView>, fileName: string): (path: string) => Promise<Uint8Array> {
  return async (p) => {
    const f = Object.hasOwn(files, p) ? files[p] : files[p.split('/').pop() ?? p];
    if (f === undefined) {
      throw new InputError(`${fileName}: weight file "${p}" is not among the weightFiles given (${Object.keys(files).join(', ') || 'none'})`);
    }
    if (f instanceof ArrayBuffer) return new Uint8Array(f);
    if (ArrayBuffer.isView(f)) return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
    throw new InputError(`${fileName}: weightFiles["${p}"] must be an ArrayBuffer or a typed array`);
  };
}

function isGraph(s: ModelSource): s is Graph {
  return typeof s === 'object' && s !== null && Array.isArray((s as Graph).nodes) && typeof (s as Graph).input === 'object';
}

interface Resolved { bytes: Uint8Array; fileName: string; readShard?: (path: string) => Promise<Uint8Array> }

async function resolveSource(source: Exclude<ModelSource, Graph>): Promise<Resolved> {
  if (isBuiltinModel(source)) {
    const url = builtinModelUrl(source);
    const fileName = builtinModelFile(source);
    try {
      return { bytes: await readUrlBytes(url), fileName };
    } catch (e) {
      const how = source === 'nsfw' ? ' (it is built by `npm install` / `npm run build` from the nsfwjs package)' : '';
      throw new EngineError(`cannot read the built-in model "${source}" (${fileName}) at ${url.href}${how}: ${(e as Error).message}`);
    }
  }
  if (source instanceof URL || (typeof source === 'string' && URL_LIKE.test(source))) {
    const url = source instanceof URL ? source : new URL(source);
    let bytes: Uint8Array;
    try {
      bytes = await readUrlBytes(url);
    } catch (e) {
      throw new InputError(`cannot read model from ${url.href}: ${(e as Error).message}`);
    }
    return { bytes, fileName: url.href, readShard: (p) => readUrlBytes(new URL(p, url)) };
  }
  if (typeof source === 'string') {
    if (!isNode) throw new InputError(`loadModel("${source}"): file paths work only in Node; pass a URL or the bytes`);
    const path = await import('node:path');
    const dir = path.dirname(source);
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(source);
    } catch (e) {
      throw new InputError(`cannot read model file "${source}": ${(e as Error).message}`);
    }
    return { bytes, fileName: source, readShard: (p) => readFileBytes(path.resolve(dir, p)) };
  }
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), fileName: '<ArrayBuffer>' };
  if (ArrayBuffer.isView(source)) return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), fileName: '<bytes>' };
  throw new InputError(`loadModel(): unsupported source ${Object.prototype.toString.call(source)}; expected 'default', 'nsfw', a path, a URL, bytes or a Graph`);
}
