// Graph IR: what importers produce, what the planner consumes, what the native format stores.
// Layout is NHWC, batch 1. Float weights have batch norm folded in. Quantized graphs (TFLite uint8 /
// int8, our own post-training quantization) give their values a dtype and affine quantization in
// `Graph.values`, and their conv / depthwise / dense nodes carry `q` (integer weights, int32 bias).

export type Activation = 'none' | 'relu' | 'relu6';

/**
 * How the model pads stride-2 3×3 convolutions (stride 1 is 1 pixel on every side in all three).
 * - 'same':      TF/TFLite SAME: total = max((out−1)·s + k − in, 0), top = floor(total/2).
 * - 'keras':     Keras ZeroPadding2D(correct_pad) + 'valid': top = k//2 − 1 + (in mod 2), bottom = k//2,
 *                i.e. (0,1) for even in, (1,1) for odd in when k = 3. For odd k and stride 2 this is
 *                identical to 'same' at every input size (see padFor in ./shapes.ts).
 * - 'symmetric': torchvision: 1 pixel on every side.
 * Nodes always carry explicit pads; the mode is what the builder used and what the model records.
 */
export type PaddingMode = 'same' | 'keras' | 'symmetric';

/** Explicit zero padding in pixels. */
export interface Pad { top: number; left: number; bottom: number; right: number }

export type DType = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64';

/** Affine quantization of a tensor: real = scale · (q − zeroPoint). */
export interface Quant { scale: number; zeroPoint: number }

/** Element type of a value; float32 when a value is absent from Graph.values. */
export interface ValueType { dtype: DType; quant?: Quant }

/**
 * Integer weights of a quantized conv2d / depthwise_conv2d / dense (then `weights` and `bias` are
 * empty). Same layout as the float weights. Per-tensor (length-1 scale/zeroPoint: TF1 uint8) or per
 * output channel (TF2 int8, symmetric: zeroPoint 0). The bias is int32 with scale
 * inputScale·scale[c] and zero point 0, as TFLite stores it.
 */
export interface QuantWeights {
  dtype: 'uint8' | 'int8';
  data: Uint8Array | Int8Array;
  scale: Float32Array;
  zeroPoint: Int32Array;
  bias: Int32Array;
}

interface NodeBase {
  /** Unique node name (also the name of its output value). */
  name: string;
  /** Names of the input values: the graph input or other nodes' names. */
  inputs: string[];
}

/** Dense convolution, weights HWIO [kh, kw, cin, cout], bias [cout]. */
export interface Conv2DNode extends NodeBase {
  op: 'conv2d';
  kernel: [number, number];
  stride: [number, number];
  /** Dilation (absent = [1, 1]). */
  dilation?: [number, number];
  pad: Pad;
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
  outChannels: number;
  q?: QuantWeights;
}

/** Depthwise convolution, channel multiplier 1, weights [kh, kw, c], bias [c]. */
export interface DepthwiseConv2DNode extends NodeBase {
  op: 'depthwise_conv2d';
  kernel: [number, number];
  stride: [number, number];
  /** Dilation (absent = [1, 1]); DeepLab uses 2 and 4. */
  dilation?: [number, number];
  pad: Pad;
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
  q?: QuantWeights;
}

/** Element-wise sum of two equal-shaped tensors. */
export interface AddNode extends NodeBase {
  op: 'add';
  activation: Activation;
}

/** Mean over H and W: [1,H,W,C] → [1,C] (or [1,1,1,C] with keepDims: TFLite MEAN / AVERAGE_POOL_2D). */
export interface GlobalAvgPoolNode extends NodeBase {
  op: 'global_avg_pool';
  keepDims?: boolean;
  /**
   * Which TFLite op's integer rounding a quantized pool reproduces (no effect on float32): 'avgpool'
   * (AVERAGE_POOL_2D) or 'mean' (MEAN). Absent: 'avgpool' with keepDims, else 'mean'.
   */
  rounding?: 'avgpool' | 'mean';
}

/** Fully connected: [1,K] → [1,N]; weights [K, N] (Keras layout), bias [N]. */
export interface DenseNode extends NodeBase {
  op: 'dense';
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
  units: number;
  q?: QuantWeights;
}

/** Softmax over the last axis: exp(beta·x) normalized (beta absent = 1). */
export interface SoftmaxNode extends NodeBase {
  op: 'softmax';
  beta?: number;
}

/** float32 → quantized, or quantized → quantized with other parameters (requantize). */
export interface QuantizeNode extends NodeBase { op: 'quantize' }

/** quantized → float32. */
export interface DequantizeNode extends NodeBase { op: 'dequantize' }

/** Zero padding of H and W (quantized values pad with their zero point). */
export interface PadNode extends NodeBase { op: 'pad'; pad: Pad }

/**
 * Concatenation along `axis` (0 ≤ axis < rank; inputs of one rank, equal but at `axis`); quantized inputs are
 * rescaled to the output's quantization (uint8; int8 needs equal quantization, as in TFLite).
 */
export interface ConcatNode extends NodeBase { op: 'concat'; axis: number }

/** Bilinear resize of H and W to `size` (TFLite RESIZE_BILINEAR semantics). */
export interface ResizeBilinearNode extends NodeBase {
  op: 'resize_bilinear';
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Index of the maximum along channels: [1,H,W,C] → [1,H,W] (ties: lowest index). */
export interface ArgmaxNode extends NodeBase { op: 'argmax'; axis: 3; outputType: 'int32' | 'int64' }

/** Same elements, new shape (RESHAPE, SQUEEZE, Flatten). */
export interface ReshapeNode extends NodeBase { op: 'reshape'; shape: number[] }

/**
 * Elements [begin, begin + numel(shape)) of the input's flat buffer, as `shape`: an alias like reshape, at an
 * offset (one output of a node that computes several, packed: the detection post-process).
 */
export interface ViewNode extends NodeBase { op: 'view'; begin: number; shape: number[] }

/** 1 / (1 + exp(−x)) element-wise (TFLite LOGISTIC); uint8 / int8 through a 256-entry table as TFLite builds it. */
export interface LogisticNode extends NodeBase { op: 'logistic' }

/**
 * TFLite_Detection_PostProcess (src/detect/postprocess.ts): box encodings [1,N,≥4] and class scores [1,N,C]
 * (float32 or quantized) against `anchors` [N,4] (y, x, h, w; real values) → one packed float32 output of
 * rows·4 boxes, rows classes, rows scores and the count (rows = detectionRows(options)); `view` nodes expose the four.
 */
export interface DetectionPostProcessNode extends NodeBase {
  op: 'detection_postprocess';
  options: DetectionOptions;
  anchors: Float32Array;
}

/** The custom op's options (its flexbuffer map, TFLite's names in comments). */
export interface DetectionOptions {
  maxDetections: number; // max_detections
  maxClassesPerDetection: number; // max_classes_per_detection
  detectionsPerClass: number; // detections_per_class
  scoreThreshold: number; // nms_score_threshold
  iouThreshold: number; // nms_iou_threshold
  numClasses: number; // num_classes
  useRegularNms: boolean; // use_regular_nms
  scales: { y: number; x: number; h: number; w: number }; // y_scale, x_scale, h_scale, w_scale
}

export type Node =
  | Conv2DNode | DepthwiseConv2DNode | AddNode | GlobalAvgPoolNode | DenseNode | SoftmaxNode
  | QuantizeNode | DequantizeNode | PadNode | ConcatNode | ResizeBilinearNode | ArgmaxNode | ReshapeNode
  | ViewNode | LogisticNode | DetectionPostProcessNode;
export type OpName = Node['op'];

/** How `classify` turns pixels into the input tensor: x = pixel·scale[c] + offset[c]. */
export interface Preprocess {
  /** Per channel (RGB) multipliers applied to 0..255 pixel values. */
  scale: [number, number, number];
  offset: [number, number, number];
  /** Central fraction kept before resizing (1 = no crop). */
  centralCrop: number;
}

export interface ModelMeta {
  /** e.g. 'mobilenet_v2' */
  architecture: string;
  /** Width multiplier and input resolution when the architecture is MobileNetV2. */
  alpha?: number;
  resolution?: number;
  paddingMode: PaddingMode;
  /** Class names: labels[i] names output i + labelOffset. */
  labels: string[];
  /**
   * Outputs before this index are not classes (absent = 0). TFLite's ImageNet classifiers have 1001 outputs,
   * output 0 being "background": their labelOffset is 1, so the 1000 labels keep ImageNet's class ids.
   */
  labelOffset?: number;
  /**
   * Pixels → the REAL values of the input (x = pixel·scale + offset); a quantized input then
   * quantizes x with its own (scale, zeroPoint). TFLite models with a uint8 input take raw pixels, so
   * the importer records real = s·(pixel − z): scale [s,s,s], offset [−s·z]×3, which quantizes back to
   * the pixel (see src/formats/tflite/import.ts).
   */
  preprocess: Preprocess;
  /** Free-form provenance: where the weights came from. */
  source?: string;
  /** Index of the node whose output `embed` returns (the pooled features). */
  embeddingNode?: string;
  /** True when the graph ends in a softmax (scores are probabilities). */
  outputIsProbabilities?: boolean;
  /**
   * What the output means (absent = 'classify'): 'classify' = one score per class ([1,N]);
   * 'segment' = a class index per pixel (the output is an argmax over channels, [1,H,W]);
   * 'detect' = boxes, classes, scores and count (the graph ends in detection_postprocess; four outputs).
   */
  task?: 'classify' | 'segment' | 'detect';
}

export interface Graph {
  name: string;
  /** The single input value, NHWC, batch 1 (float32 unless `dtype` says otherwise). */
  input: { name: string; shape: [1, number, number, number]; dtype?: DType; quant?: Quant };
  /** Name of the node producing the graph output (the first one when there are several). */
  output: string;
  /** Every graph output in order, when there are several (outputs[0] = output); absent: [output]. */
  outputs?: string[];
  /** Topologically ordered. */
  nodes: Node[];
  /** dtype and quantization of values that are not float32 (node outputs by node name, and the input). */
  values?: Record<string, ValueType>;
  meta: ModelMeta;
}

/** The graph's outputs in order (one or more). */
export function graphOutputs(g: Pick<Graph, 'output' | 'outputs'>): string[] {
  return g.outputs && g.outputs.length > 0 ? g.outputs : [g.output];
}
