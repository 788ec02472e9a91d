// Model bytes → Graph, whatever the format (recognized from the bytes, not the name).

import type { Graph, Preprocess } from '../graph/ir.js';
import { InputError, ModelFormatError, UnsupportedOpError } from '../errors.js';
import { hexPrefix, sniffFormat } from './sniff.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import { readNative } from './native/read.js';
import { importTfjsLayers, parseModelJson, shardPaths } from './tfjs-layers/import.js';
import { importTflite } from './tflite/import.js';

export interface ImportBytesOptions {
  /** Used in error messages (and as meta.source for imported models). */
  fileName?: string;
  /**
   * Fetches a weight shard of a TF.js model.json. Receives the path exactly as written in the
   * weights manifest (relative to the model.json); the caller resolves it.
   */
  readShard?: (path: string) => Promise<Uint8Array>;
  /** For imported (non-native) models: class names, preprocessing, graph name. */
  labels?: string[];
  preprocess?: Preprocess;
  name?: string;
}

export async function importModelBytes(bytes: Uint8Array, opts: ImportBytesOptions = {}): Promise<Graph> {
  const file = opts.fileName ?? '<bytes>';
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${file}: model bytes must be a Uint8Array`);
  const format = sniffFormat(bytes);
  switch (format) {
    case 'native':
      return readNative(bytes, file);
    case 'tfjs-layers-json': {
      let json: unknown;
      try {
        const text = new TextDecoder('utf-8').decode(bytes);
        if (jsonTooDeep(text) >= 0) throw new Error(`it nests deeper than ${MAX_JSON_DEPTH}`);
        json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch (e) {
        throw new ModelFormatError(`${file}: looks like a TF.js model.json but is not valid JSON: ${(e as Error).message}`);
      }
      const paths = shardPaths(json, file);
      if (paths.length > 0 && !opts.readShard) {
        throw new InputError(
          `${file}: the model.json references ${paths.length} weight file(s) (${paths.join(', ')}); load it by path or URL, or pass the files' bytes as loadModel(bytes, { weightFiles })`,
        );
      }
      const shards: Uint8Array[] = [];
      for (const p of paths) {
        let s: Uint8Array;
        try {
          s = await opts.readShard!(p);
        } catch (e) {
          throw new ModelFormatError(`${file}: cannot read weight shard "${p}": ${(e as Error).message}`);
        }
        shards.push(s);
      }
      const artifacts = parseModelJson(json, shards, file);
      return importTfjsLayers(artifacts, {
        fileName: file,
        labels: opts.labels,
        preprocess: opts.preprocess,
        name: opts.name,
        source: file,
      });
    }
    case 'tflite':
      return importTflite(bytes, {
        fileName: file,
        ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
        ...(opts.preprocess !== undefined ? { preprocess: opts.preprocess } : {}),
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        source: file,
      });
    case 'onnx':
      throw new UnsupportedOpError(`${file}: looks like an ONNX model; ONNX import is not implemented`);
    default:
      throw new ModelFormatError(
        `${file}: unrecognized model format (${bytes.length} bytes, starting ${hexPrefix(bytes) || '(empty)'}); ` +
          'expected a mobilenet-wasm .safetensors file, a TF.js layers model.json or a TFLite .tflite file',
      );
  }
}
