// int8 for a taught model: post-training quantization calibrated on the user's own examples, with the softmax in
// int8 too, so that every op of the exported .tflite is an integer op and the TensorFlow Lite runtime's output
// bytes are ours (a float softmax after a DEQUANTIZE agrees only to float rounding).
import type { Graph } from '../graph/ir.js';
import type { ImageInput } from '../image/preprocess.js';
import { calibrate } from '../quantize/calibrate.js';
import { quantizeGraph } from '../quantize/quantize.js';
import { InputError } from '../errors.js';

export async function quantizeTaught(graph: Graph, images: ImageInput[], opts: { onProgress?(done: number, total: number): void } = {}): Promise<Graph> {
  if (images.length === 0) throw new InputError('quantizeTaught(): needs at least one calibration image');
  // The backbone's and the head's logits have ranges of their own; an int8 concatenation needs one quantization.
  if (graph.nodes.some((n) => n.op === 'concat' && n.name.startsWith('head/all_logits'))) {
    throw new InputError('quantizeTaught(): a model that keeps the backbone\'s classes cannot be quantized (its two logits differ in range); export it as float32');
  }
  const { ranges } = await calibrate(graph, images, { onProgress: (d) => opts.onProgress?.(d, images.length) });
  return quantizeGraph(graph, ranges, { softmax: 'int8', note: `calibrated on ${images.length} of the user's examples` });
}
