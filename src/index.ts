// mobilenet-wasm public API.
export { loadModel, type ModelSource, type LoadModelOptions } from './api.js';
export { createPool, type Pool, type PoolOptions } from './pool.js';
export { WorkerModel, type ModelWorkerOptions, type CallOptions } from './workers/client.js';
export {
  Model, type ModelInfo, type ClassifyOptions, type Classification, type LoadOptions, type SegmentOptions, type Segmentation,
  type InputTensor, type OutputTensor,
} from './model.js';
export type { QuantScheme } from './plan/registry.js';
export { PASCAL_VOC_LABELS, pascalVocColor } from './models/pascal-voc.js';
export type { ImageInput } from './image/preprocess.js';
export type { ImageSource, ImageFormat, DecodeImageOptions, DecodedImage } from './image/decode-node.js';
import type { ImageSource, DecodeImageOptions, DecodedImage } from './image/decode-node.js';
import { isNode } from './io.js';
import { InputError } from './errors.js';
import { NODE_ONLY_DECODE } from './image/node-only.js';

/**
 * Decodes an image file (a path) or encoded bytes to RGB pixels for classify() / embed() / segment(), in Node:
 * JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP and SVG, told apart by their bytes (src/image/decode-node.ts). The
 * decoder is loaded on the first call, so browsers, where it cannot run, never download it.
 */
export async function decodeImage(source: ImageSource, options?: DecodeImageOptions): Promise<DecodedImage> {
  if (!isNode) throw new InputError(NODE_ONLY_DECODE);
  return (await import('./image/decode-node.js')).decodeImage(source, options);
}
export type { Graph, Node, ModelMeta, PaddingMode, Activation } from './graph/ir.js';
export { buildMobileNetV2 } from './models/mobilenet-v2.js';
export { summarize } from './graph/summary.js';
export { writeNative } from './formats/native/write.js';
export { hasSimd } from './wasm/load.js';
export * from './errors.js';
