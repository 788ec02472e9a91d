// Per-layer and total multiply-accumulates and parameters of a Graph, plus the counting convention of the
// TF-Slim MobileNetV2 checkpoint table.

import type { Graph, OpName } from './ir.js';
import { inferShapes } from './shapes.js';
import { OPS } from '../ops/index.js';
import type { OpModule } from '../ops/types.js';

export interface LayerSummary {
  name: string;
  op: OpName;
  /** Shape of the first input (both inputs of an add have this shape). */
  inputShape: number[];
  outputShape: number[];
  /** Multiply-accumulates of the layer's kernel; see `summarize`. */
  macs: number;
  /** Weights + biases stored in the node. */
  params: number;
}

export interface GraphSummary {
  layers: LayerSummary[];
  /** Sum of the layers' MACs. */
  macs: number;
  /** Sum of the layers' params (weights + biases). */
  params: number;
}

/**
 * Per-layer shapes, MACs and parameters (validates the graph through inferShapes); each op's module counts its
 * own (src/ops/*.ts `cost`, `slimParams`).
 *
 * MACs count the multiply-accumulates of the weight kernels only:
 *   conv2d           outH·outW·kh·kw·cin·cout
 *   depthwise_conv2d outH·outW·kh·kw·c
 *   dense            K·N
 *   every other op (add, global_avg_pool, softmax, quantize, dequantize, pad, concat,
 *   resize_bilinear, argmax, reshape): 0
 * Quantized nodes count the same (their kernels do the same multiply-accumulates, in integers), and
 * their params are q.data.length + q.bias.length. Dilation does not change the count (the window
 * has kh·kw taps whatever its spread).
 * Bias additions, activations, residual adds, pooling and softmax are not counted (they are O(size of
 * the activation), negligible next to the kernels: ~0.3M of 300M for MobileNetV2 1.0_224).
 * MACs include the zero padding the kernel window covers (what the kernels execute).
 *
 * Params = weights.length + bias.length (or q.data.length + q.bias.length) of every conv2d,
 * depthwise_conv2d and dense node. In a graph with
 * batch norm folded, the conv biases are the folded batch norm.
 */
export function summarize(graph: Graph): GraphSummary {
  const shapes = inferShapes(graph);
  const layers: LayerSummary[] = [];
  let macs = 0;
  let params = 0;
  for (const node of graph.nodes) {
    const inputShape = shapes.get(node.inputs[0]!)!;
    const outputShape = shapes.get(node.name)!;
    const cost = (OPS[node.op] as OpModule).cost?.(node, inputShape, outputShape);
    const m = cost?.macs ?? 0;
    const p = cost?.params ?? 0;
    layers.push({ name: node.name, op: node.op, inputShape: [...inputShape], outputShape: [...outputShape], macs: m, params: p });
    macs += m;
    params += p;
  }
  return { layers, macs, params };
}

export interface SlimCounts {
  /** Kernel MACs of every conv, depthwise conv and dense (= summarize(graph).macs). */
  macs: number;
  /** Weights of every conv, depthwise conv and dense, plus the biases of dense layers only. */
  params: number;
  /** The "MACs (M)" column: floor(macs / 10⁶). */
  macsM: number;
  /** The "Parameters (M)" column: floor(params / 10⁴) / 100. */
  paramsM: number;
}

/**
 * The counts as the TF-Slim MobileNetV2 checkpoint table prints them
 * (tensorflow/models research/slim/nets/mobilenet/README.md, "Mobilenet V2 Imagenet Checkpoints":
 * 22 rows, 1001 classes, e.g. mobilenet_v2_1.0_224 = 300 MACs (M) / 3.47 Parameters (M)).
 *
 * Convention, worked out by reproducing all 22 rows (see test/models/mobilenet-v2.test.ts):
 * - MACs = the kernel MACs of `summarize` INCLUDING the 1280·1001 classifier, excluding bias adds,
 *   residual adds, pooling and softmax, TRUNCATED to whole millions. Evidence: 1.0_224 counts
 *   300,775,552 (table 300; rounding would say 301), 0.75_192 153.94M → 153, 0.5_192 71.70M → 71,
 *   0.5_128 32.58M → 32, 0.5_96 18.89M → 18, 0.35_192 43.90M → 43, 0.35_160 30.88M → 30,
 *   0.35_96 11.94M → 11: eight rows where rounding would be one too high and truncation is exact.
 *   Without the classifier 1.4_224 would be 580 (table 582) and 1.3_224 507 (table 509); adding the
 *   residual adds and the pooling would make 1.0_224 301.06M → 301.
 * - Params = convolution and classifier weights only: batch norm is not counted (neither γ/β nor,
 *   after folding, the conv biases). Evidence: weights + classifier bias give 3,472,041 for 1.0 (table
 *   3.47) and 6,062,633 for 1.4 (6.06); adding the folded biases (17,056 / 23,968 channels) gives
 *   3,489,097 → 3.49 and 6,086,601 → 6.09, adding BN γ and β
 *   (TF-Slim's trainable variables) 3.506M / 6.111M, neither of which matches. The 1001 classifier
 *   biases are a genuine parameter and are counted, but they do not change any row at 0.01M
 *   precision (and rounding instead of truncating would also match every row of this column).
 * Cross-check of the architecture against Keras: with 1000 classes, summarize().params + 3·17,056
 * (γ, β, moving mean and variance instead of one folded bias per BN channel) = 3,538,984, the
 * "Total params" of keras.applications.MobileNetV2(), whose 34,112 non-trainable params are 2·17,056.
 */
export function slimCounts(graph: Graph): SlimCounts {
  const { macs } = summarize(graph);
  let params = 0;
  for (const node of graph.nodes) params += (OPS[node.op] as OpModule).slimParams?.(node) ?? 0;
  return { macs, params, macsM: Math.floor(macs / 1e6), paramsM: Math.floor(params / 1e4) / 100 };
}
