// mobilenet-wasm public API.
export { loadModel, type ModelSource, type LoadModelOptions } from './api.js';
export { createPool, type Pool, type PoolOptions } from './pool.js';
export { WorkerModel, type ModelWorkerOptions, type CallOptions } from './workers/client.js';
export {
  Model, type ModelInfo, type ClassifyOptions, type Classification, type LoadOptions, type SegmentOptions, type Segmentation, type DetectOptions, type Detection, type Box, type OutputInfo,
  type InputTensor, type OutputTensor,
} from './model.js';
export type { QuantScheme } from './plan/registry.js';
export { PASCAL_VOC_LABELS, pascalVocColor } from './models/pascal-voc.js';
export type { ImageInput } from './image/preprocess.js';
export { cosineSimilarity, decodeImage, type ImageSource } from './image/sources.js';
export type { ImageFormat, DecodeImageOptions, DecodedImage } from './image/decode-node.js';
export type { Graph, Node, ModelMeta, PaddingMode, Activation } from './graph/ir.js';
export { buildMobileNetV2 } from './models/mobilenet-v2.js';
export { summarize } from './graph/summary.js';
export { writeNative } from './formats/native/write.js';
export { hasSimd } from './wasm/load.js';
export * from './errors.js';
export { loadGraph } from './api.js';
export { DEFAULT_LIMITS, type Limits } from './plan/limits.js';
