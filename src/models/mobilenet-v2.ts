// MobileNetV2 (Sandler et al. 2018, https://arxiv.org/abs/1801.04381, Table 2) as a Graph with seeded
// random weights, built exactly like TF-Slim's nets/mobilenet/mobilenet_v2.py and
// keras.applications.MobileNetV2 (which agree for every published α and resolution):
//
//   Conv1            conv 3×3 s2 → make_divisible(32α), ReLU6
//   blocks (t,c,n,s) (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1)
//                    out = make_divisible(c·α); expand 1×1 → make_divisible(in·t) ReLU6 (absent for the
//                    first block, t = 1), depthwise 3×3 stride s (first of each group) ReLU6, project 1×1
//                    linear, residual add when stride 1 and in == out channels
//   Conv_1           conv 1×1 → 1280 for α ≤ 1 (Keras; TF-Slim's finegrain_classification_mode, set by its
//                    mobilenet_v2_050/_035 wrappers; the published 0.75/0.5/0.35 parameter counts only
//                    match with 1280) or make_divisible(1280α) for α > 1, ReLU6
//   global average pool → dense (Logits) → softmax
//
// Batch norm is considered folded: every conv has a bias. Node names follow Keras.

import { InputError } from '../errors.js';
import type { Activation, Conv2DNode, DepthwiseConv2DNode, Graph, Node, PaddingMode } from '../graph/ir.js';
import { convOutSize, padFor2d } from '../graph/shapes.js';
import { mulberry32 } from './random.js';

export { mulberry32 }; // the weights' generator, part of this module's contract (test/models)

/** The width multipliers of the published MobileNetV2 checkpoints. */
export const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] as const;

/** Table 2 of the paper: expansion t, output channels c, repeats n, first stride s. */
export const MOBILENET_V2_BLOCKS: ReadonlyArray<readonly [t: number, c: number, n: number, s: number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  /** Width multiplier, one of MOBILENET_V2_ALPHAS. Default 1. */
  alpha?: number;
  /** Square input size, a multiple of 8 in [32, 512]. Default 224. */
  resolution?: number;
  /** Expansion factor t of every block but the first (which always has t = 1). Default 6. */
  expansion?: number;
  /** Number of output classes. Default 1001 (TF-Slim: background + 1000 ImageNet classes). */
  classes?: number;
  /** How stride-2 convolutions are padded. Default 'same'. */
  paddingMode?: PaddingMode;
  /** PRNG seed of the random weights. Default 1. */
  seed?: number;
  /** Class labels; default `class_0` … `class_{classes−1}`. */
  labels?: string[];
}

/**
 * The standard `_make_divisible` of TF-Slim / Keras / torchvision: round v to the nearest multiple of
 * `divisor` (halves up), at least `minValue` (default divisor), and never more than 10% below v.
 */
export function makeDivisible(v: number, divisor = 8, minValue: number = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Standard normal samples (Box–Muller) from a uniform PRNG. */
function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function formatAlpha(alpha: number): string {
  return Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
}

// Weight scales. The random net has to behave like a trained, BN-folded one: activations of order 1
// everywhere, ReLU6 neither dead nor saturated, logits spread over a few units. With inputs in [−1,1]:
// - convs followed by ReLU6 use He init, std = sqrt(2 / fan_in), which keeps E[x²] constant;
// - linear projections use std = sqrt(1 / fan_in) (variance preserving without a nonlinearity), scaled
//   by RESIDUAL_GAIN when the block has a residual add so the sum does not grow block after block;
// - the classifier uses std = LOGIT_GAIN · sqrt(1 / K);
// - biases (what folded batch norm leaves) are N(0, BIAS_STD²).
const RESIDUAL_GAIN = 0.5;
const LOGIT_GAIN = 3;
const BIAS_STD = 0.05;

/**
 * Builds MobileNetV2 as a Graph with seeded random weights (mulberry32). The same options always give
 * bit-identical weights.
 */
export function buildMobileNetV2(options: MobileNetV2Options = {}): Graph {
  const {
    alpha = 1,
    resolution = 224,
    expansion = 6,
    classes = 1001,
    paddingMode = 'same',
    seed = 1,
    labels,
  } = options;

  if (!(MOBILENET_V2_ALPHAS as readonly number[]).includes(alpha)) {
    throw new InputError(
      `buildMobileNetV2: alpha must be one of ${MOBILENET_V2_ALPHAS.join(', ')}, got ${String(alpha)}`,
    );
  }
  if (!Number.isInteger(resolution) || resolution % 8 !== 0 || resolution < 32 || resolution > 512) {
    throw new InputError(
      `buildMobileNetV2: resolution must be a multiple of 8 in [32, 512], got ${String(resolution)}`,
    );
  }
  if (typeof expansion !== 'number' || !Number.isFinite(expansion) || expansion <= 0) {
    throw new InputError(`buildMobileNetV2: expansion must be a positive number, got ${String(expansion)}`);
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new InputError(`buildMobileNetV2: classes must be a positive integer, got ${String(classes)}`);
  }
  if (paddingMode !== 'same' && paddingMode !== 'keras' && paddingMode !== 'symmetric') {
    throw new InputError(
      `buildMobileNetV2: paddingMode must be 'same', 'keras' or 'symmetric', got ${String(paddingMode)}`,
    );
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InputError(`buildMobileNetV2: seed must be a finite number, got ${String(seed)}`);
  }
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== classes)) {
    throw new InputError(
      `buildMobileNetV2: labels must be an array of ${classes} strings (one per class), got ${
        Array.isArray(labels) ? `${labels.length}` : String(labels)
      }`,
    );
  }

  const randn = gaussian(mulberry32(seed));
  const normal = (n: number, std: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = randn() * std;
    return a;
  };

  const inputName = 'input_1';
  const nodes: Node[] = [];
  let h = resolution;
  let w = resolution;
  let c = 3;
  let prev = inputName;

  const conv = (
    name: string,
    k: number,
    stride: number,
    cout: number,
    activation: Activation,
    gain = 1,
  ): Conv2DNode => {
    const pad = padFor2d(paddingMode, h, w, [k, k], [stride, stride]);
    const fanIn = k * k * c;
    const std = gain * Math.sqrt((activation === 'none' ? 1 : 2) / fanIn);
    const node: Conv2DNode = {
      op: 'conv2d',
      name,
      inputs: [prev],
      kernel: [k, k],
      stride: [stride, stride],
      pad,
      activation,
      weights: normal(fanIn * cout, std),
      bias: normal(cout, BIAS_STD),
      outChannels: cout,
    };
    nodes.push(node);
    h = convOutSize(h, k, stride, pad.top, pad.bottom);
    w = convOutSize(w, k, stride, pad.left, pad.right);
    c = cout;
    prev = name;
    return node;
  };

  const depthwise = (name: string, stride: number): DepthwiseConv2DNode => {
    const pad = padFor2d(paddingMode, h, w, [3, 3], [stride, stride]);
    const node: DepthwiseConv2DNode = {
      op: 'depthwise_conv2d',
      name,
      inputs: [prev],
      kernel: [3, 3],
      stride: [stride, stride],
      pad,
      activation: 'relu6',
      weights: normal(9 * c, Math.sqrt(2 / 9)),
      bias: normal(c, BIAS_STD),
    };
    nodes.push(node);
    h = convOutSize(h, 3, stride, pad.top, pad.bottom);
    w = convOutSize(w, 3, stride, pad.left, pad.right);
    prev = name;
    return node;
  };

  // Stem.
  conv('Conv1', 3, 2, makeDivisible(32 * alpha), 'relu6');

  // Inverted residual blocks.
  let blockId = 0;
  for (const [t0, c0, n, s] of MOBILENET_V2_BLOCKS) {
    const t = blockId === 0 ? t0 : expansion;
    const outC = makeDivisible(c0 * alpha);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const blockInput = prev;
      const inC = c;
      const prefix = blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
      if (blockId > 0) conv(`${prefix}expand`, 1, 1, makeDivisible(inC * t), 'relu6');
      depthwise(`${prefix}depthwise`, stride);
      const residual = stride === 1 && inC === outC;
      conv(`${prefix}project`, 1, 1, outC, 'none', residual ? RESIDUAL_GAIN : 1);
      if (residual) {
        nodes.push({ op: 'add', name: `${prefix}add`, inputs: [blockInput, prev], activation: 'none' });
        prev = `${prefix}add`;
      }
      blockId++;
    }
  }

  // Head.
  const lastC = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  conv('Conv_1', 1, 1, lastC, 'relu6');
  const poolName = 'global_average_pooling2d';
  nodes.push({ op: 'global_avg_pool', name: poolName, inputs: [prev] });
  nodes.push({
    op: 'dense',
    name: 'Logits',
    inputs: [poolName],
    activation: 'none',
    weights: normal(lastC * classes, LOGIT_GAIN * Math.sqrt(1 / lastC)),
    bias: normal(classes, BIAS_STD),
    units: classes,
  });
  nodes.push({ op: 'softmax', name: 'softmax', inputs: ['Logits'] });

  return {
    name: `mobilenet_v2_${formatAlpha(alpha)}_${resolution}`,
    input: { name: inputName, shape: [1, resolution, resolution, 3] },
    output: 'softmax',
    nodes,
    meta: {
      architecture: 'mobilenet_v2',
      alpha,
      resolution,
      paddingMode,
      labels: labels ? [...labels] : Array.from({ length: classes }, (_, i) => `class_${i}`),
      preprocess: { scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], centralCrop: 1 },
      source: `random weights (mulberry32 seed ${seed}${expansion !== 6 ? `, expansion ${expansion}` : ''})`,
      embeddingNode: poolName,
      outputIsProbabilities: true,
    },
  };
}
