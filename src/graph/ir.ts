// Graph IR: what importers produce, what the planner consumes, what the native format stores.
// Layout is NHWC, batch 1. Weights are float32 with batch norm already folded in.

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
  pad: Pad;
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
  outChannels: number;
}

/** Depthwise convolution, channel multiplier 1, weights [kh, kw, c], bias [c]. */
export interface DepthwiseConv2DNode extends NodeBase {
  op: 'depthwise_conv2d';
  kernel: [number, number];
  stride: [number, number];
  pad: Pad;
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
}

/** Element-wise sum of two equal-shaped tensors. */
export interface AddNode extends NodeBase {
  op: 'add';
  activation: Activation;
}

/** Mean over H and W: [1,H,W,C] → [1,C]. */
export interface GlobalAvgPoolNode extends NodeBase {
  op: 'global_avg_pool';
}

/** Fully connected: [1,K] → [1,N]; weights [K, N] (Keras layout), bias [N]. */
export interface DenseNode extends NodeBase {
  op: 'dense';
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
  units: number;
}

/** Softmax over the last axis. */
export interface SoftmaxNode extends NodeBase {
  op: 'softmax';
}

export type Node = Conv2DNode | DepthwiseConv2DNode | AddNode | GlobalAvgPoolNode | DenseNode | SoftmaxNode;
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
  labels: string[];
  preprocess: Preprocess;
  /** Free-form provenance: where the weights came from. */
  source?: string;
  /** Index of the node whose output `embed` returns (the pooled features). */
  embeddingNode?: string;
  /** True when the graph ends in a softmax (scores are probabilities). */
  outputIsProbabilities?: boolean;
}

export interface Graph {
  name: string;
  /** The single input value, NHWC float32, batch 1. */
  input: { name: string; shape: [1, number, number, number] };
  /** Name of the node producing the graph output. */
  output: string;
  /** Topologically ordered. */
  nodes: Node[];
  meta: ModelMeta;
}
