// mobilenet-wasm/detect: object detection (SSD detectors ending in TFLite_Detection_PostProcess). Importing this
// entry teaches the engine the post-process: the detection_postprocess op module and its host step, and the TFLite
// converter of the custom operator. It is a separate download so the classifier path does not carry it:
//   import 'mobilenet-wasm/detect';
//   const model = await loadModel('ssd_mobilenet_v2_coco_quant_postprocess.tflite', { labels });
//   const found = await model.detect(image, { scoreThreshold: 0.5 });
// Workers and pools started afterwards load it too (its URL goes with the model: src/extensions.ts).
// It imports what the main and worker entries share, so the bundler keeps the engine in the same chunks as
// without this entry (a module reached from a different set of entries lands in a chunk of its own).
import '../load.js';
import '../workers/comlink.js';
import '../workers/error-transfer.js';
import '../workers/spawn.js';
import { registerOp } from '../ops/index.js';
import { detectionPostprocess, DETECT_STEPS } from '../ops/detection_postprocess.js';
import { logistic as logisticOp, LOGISTIC_STEPS } from '../ops/logistic.js';
import { view } from '../ops/view.js';
import { TFLITE_CONVERTERS, TFLITE_CUSTOM_CONVERTERS } from '../formats/tflite/converters.js';
import { late, registerExtension } from '../extensions.js';
import { detectionPostProcess as convert, logistic, pack } from './tflite.js';
import { checkDetectOptions, toDetections } from './results.js';

registerOp({ detection_postprocess: detectionPostprocess, logistic: logisticOp, view }, { ...DETECT_STEPS, ...LOGISTIC_STEPS });
Object.assign(TFLITE_CONVERTERS, { LOGISTIC: logistic, PACK: pack });
TFLITE_CUSTOM_CONVERTERS.TFLite_Detection_PostProcess = convert;
Object.assign(late, { detections: toDetections, checkDetect: checkDetectOptions });
registerExtension(import.meta.url);

export {
  detectionPostProcess, decodeBoxes, iou, nmsSingleClass, detectionRows, dequantizeU8, checkDetectionOptions,
  type DetectionPostProcessOptions, type DetectionOutputs,
} from './postprocess.js';
/** True once this module has run (detectors can be loaded). */
export const detectionEnabled = true;
