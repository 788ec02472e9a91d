// mobilenet-wasm/teach: teaching a model the user's own classes on the device. A separate entry point so that
// pages that only classify do not download it (import { Learner } from 'mobilenet-wasm/teach').
export { Learner, augmented, type LearnerOptions, type TaughtModel, type TrainOptions, type AddImageOptions } from './learner.js';
export { KnnClassifier, type KnnPrediction } from './knn.js';
export { trainHead, predictHead, headLogits, stratifiedSplit, type HeadOptions, type TrainedHead, type EpochReport, type DenseLayer } from './head.js';
export { taughtGraph, backboneUpToEmbedding, backboneLogits, backboneLogitsFn, type GraphHead, type TaughtGraphOptions } from './graph.js';
export { writeTflite, type WriteTfliteOptions } from '../formats/tflite/write.js';
export { quantizeTaught } from './quantize.js';
export { dequantizeGraph } from '../graph/dequantize.js';
