// The state of one TF.js layers import and the helpers every layer converter uses (./layers.ts).
//
// KerasImport holds what spans the whole topology: the Keras tensor (Val) each layer produced so far,
// the IR nodes, the graph input, how many layers read each layer's output (fusion needs exactly one),
// the weights, and the report. LayerContext wraps it for one layer: its config, its input Vals, the
// fusion helpers, and `set(val)`, which records the Keras tensor the layer produces.
//
// How a converter hands back nodes: it returns the IR nodes it adds, in graph order (none when the
// layer folds into its producer or is an identity), and records the layer's output with `set(val)`;
// the driver appends the nodes (checking their names) and counts them in report.ops. A layer's value
// is a graph output when the topology lists the layer among its output layers.

import type { Activation, Graph, Node, OpName, Pad, Preprocess } from '../../graph/ir.js';
import { ModelFormatError, UnsupportedOpError, preview } from '../../errors.js';
import { fmtShape, type WeightStore } from './weights.js';

/** One Keras layer of the topology. */
export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, any>;
  /** Names of the input layers (single call: node 0, tensor 0). */
  inputs: string[];
}

/** A Keras tensor as the builder sees it. */
export interface Val {
  /** IR value name: the graph input or an IR node. */
  ir: string;
  /** Keras shape without the batch dimension. */
  shape: number[];
  /** True when the IR value is [1, C] (after a global pool), whatever the Keras rank. */
  flat: boolean;
  /** Zero padding not applied yet (ZeroPadding2D waiting for its convolution). */
  pad?: Pad;
  /** The IR node whose output this tensor is, when layers may still be fused into it. */
  node?: Node;
  /** The Keras layer that produced the tensor (for messages). */
  layer: string;
}

export interface ImportOptions {
  /** Used in every error message. */
  fileName?: string;
  /** Class names, one per output unit. Default: class_0 … class_{N−1}. */
  labels?: string[];
  /** Default: Keras MobileNetV2 preprocess_input (x/127.5 − 1) for MobileNetV2, else x/255. */
  preprocess?: Preprocess;
  /** Graph name. Default: the Keras model name. */
  name?: string;
  /** Free-form provenance recorded in meta.source. Default: the file name. */
  source?: string;
  /** Input height = width when the InputLayer leaves them unspecified (null). */
  resolution?: number;
}

/** What the importer did, for tests and for the CLI's verbose output. */
export interface ImportReport {
  /** Number of Keras layers in the topology. */
  layers: number;
  /** BatchNormalization layers folded into the named conv/dense: "bn_Conv1 → Conv1". */
  foldedBatchNorms: string[];
  /** Activation / ReLU layers fused into their producer. */
  fusedActivations: string[];
  /** ZeroPadding2D layers turned into explicit conv pads. */
  foldedPads: string[];
  /** Layers that are identities at inference: Dropout, Flatten, Reshape, linear Activation, InputLayer. */
  noOps: string[];
  /** IR node count per op. */
  ops: Partial<Record<OpName, number>>;
}

export { fmtShape };

/** A Keras int-or-pair config value (kernel_size, strides…) as [h, w]. */
export function pairOf(v: unknown, what: string, ctx: string): [number, number] {
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((x) => Number.isSafeInteger(x) && x > 0)) {
    throw new ModelFormatError(`${ctx}: invalid ${what} ${preview(v)}`);
  }
  return [a[0], a[1]];
}

export function activationOf(a: unknown, ctx: string, allowSoftmax: boolean): Activation | 'softmax' {
  if (a === undefined || a === null || a === 'linear') return 'none';
  if (a === 'relu') return 'relu';
  if (a === 'relu6') return 'relu6';
  if (a === 'softmax' && allowSoftmax) return 'softmax';
  throw new UnsupportedOpError(`${ctx}: activation ${preview(a)} is not supported`);
}

export function checkChannelsLast(cfg: Record<string, any>, ctx: string) {
  if (cfg.data_format !== undefined && cfg.data_format !== null && cfg.data_format !== 'channels_last') {
    throw new UnsupportedOpError(`${ctx}: data_format ${preview(cfg.data_format)} (only channels_last)`);
  }
}

/** TF SAME padding for one spatial dimension. */
export function samePad(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Import-wide state: one per topology. */
export class KerasImport {
  readonly nodes: Node[] = [];
  /** Keras layer name → the tensor it produces. */
  readonly vals = new Map<string, Val>();
  input: Graph['input'] | undefined;
  sawZeroPadding = false;
  /** The last global pool: the embedding. */
  embeddingNode: string | undefined;
  private readonly nodeNames = new Set<string>();

  constructor(
    readonly file: string,
    readonly opts: ImportOptions,
    readonly weights: WeightStore,
    /** How many layers read each layer's output (+1 for the model output). */
    readonly consumers: Map<string, number>,
    readonly report: ImportReport,
  ) {}

  /** Appends a node, refusing a name the graph already has. */
  addNode(n: Node): void {
    if (this.nodeNames.has(n.name) || (this.input && this.input.name === n.name)) {
      throw new ModelFormatError(`${this.file}: two graph values are named "${n.name}"`);
    }
    this.nodeNames.add(n.name);
    this.nodes.push(n);
    this.report.ops[n.op] = (this.report.ops[n.op] ?? 0) + 1;
  }
}

/** One layer being converted. */
export class LayerContext {
  /** `model.json: layer "Conv1" (Conv2D)`: the prefix of every message about this layer. */
  readonly where: string;
  readonly cfg: Record<string, any>;
  /** The tensors the layer reads, in inbound order. */
  readonly ins: Val[];

  constructor(
    readonly imp: KerasImport,
    readonly layer: KerasLayer,
  ) {
    this.where = `${imp.file}: layer "${layer.name}" (${layer.className})`;
    this.cfg = layer.config;
    this.ins = layer.inputs.map((n) => imp.vals.get(n)!);
  }

  get report(): ImportReport {
    return this.imp.report;
  }
  get weights(): WeightStore {
    return this.imp.weights;
  }

  /** Records the Keras tensor this layer produces. */
  set(v: Val): void {
    this.imp.vals.set(this.layer.name, v);
  }

  /** The single input. */
  one(): Val {
    if (this.ins.length !== 1) throw new ModelFormatError(`${this.where}: expected 1 input, got ${this.ins.length}`);
    return this.ins[0];
  }

  /** [H, W, C] of an image tensor. */
  spatial(v: Val): [number, number, number] {
    if (v.flat || v.shape.length !== 3) {
      throw new UnsupportedOpError(`${this.where}: needs an H×W×C input, got ${fmtShape(v.shape)} from "${v.layer}"`);
    }
    return v.shape as [number, number, number];
  }

  /** Refuses an input whose ZeroPadding2D is still pending (only convolutions absorb it). */
  noPad(v: Val): void {
    if (v.pad) {
      throw new UnsupportedOpError(`${this.where}: input comes from ZeroPadding2D "${v.layer}", which only convolutions may consume`);
    }
  }

  /** The node a layer may fuse into: the input's producer, when nothing else reads the input. */
  fusable(v: Val): Node | undefined {
    return v.node && !v.pad && this.imp.consumers.get(v.layer) === 1 ? v.node : undefined;
  }

  /** An alias of `v` (identity layer): fusion stays possible only through a single-consumer chain. */
  alias(v: Val, layer: string, shape = v.shape): Val {
    return { ...v, shape, layer, node: this.imp.consumers.get(v.layer) === 1 ? v.node : undefined };
  }

  /** Fuses a ReLU / ReLU6 into the producer of the single input (no node of its own). */
  fuseActivation(act: Activation): Node[] {
    const v = this.one();
    this.noPad(v);
    const n = this.fusable(v);
    if (!n || !('activation' in n) || n.activation !== 'none') {
      throw new UnsupportedOpError(
        `${this.where}: a standalone ${act} is not supported; it must directly follow a single-use conv, depthwise conv, dense or add`,
      );
    }
    n.activation = act;
    this.report.fusedActivations.push(`${this.layer.name} → ${n.name}`);
    this.set({ ...v, layer: this.layer.name, node: n });
    return [];
  }

  /** A softmax node over the flat single input. */
  softmax(): Node[] {
    const v = this.one();
    this.noPad(v);
    if (!v.flat) throw new UnsupportedOpError(`${this.where}: softmax over a spatial tensor ${fmtShape(v.shape)} is not supported`);
    const name = this.layer.name;
    this.set({ ir: name, shape: v.shape, flat: true, layer: this.layer.name });
    return [{ op: 'softmax', name, inputs: [v.ir] }];
  }
}
