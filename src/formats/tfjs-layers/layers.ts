// Keras layer → IR nodes: one converter per layer class, one table row per class.
//
// A converter reads its layer through the LayerContext (./context.ts): `cfg` (the Keras config),
// `one()` / `ins` (the input tensors), `weights.get(layer, kind, shape)`, the fusion helpers. It records
// the Keras tensor the layer produces with `ctx.set(val)` and returns the IR nodes it adds, in graph
// order: none for a layer that folds into its producer (BatchNormalization, ReLU, ZeroPadding2D) or is
// an identity (Dropout, Flatten…). Errors name the layer (`ctx.where`): ModelFormatError for a broken
// file, UnsupportedOpError for a valid layer this engine cannot run, ShapeError for shapes that do not
// fit. A class without a row is an UnsupportedOpError naming it (see ./import.ts).

import type { Activation, Conv2DNode, DenseNode, DepthwiseConv2DNode, Node, Pad } from '../../graph/ir.js';
import { ModelFormatError, ShapeError, UnsupportedOpError, preview } from '../../errors.js';
import { LayerContext, activationOf, checkChannelsLast, fmtShape, pairOf, samePad, type KerasLayer } from './context.js';

/** Converts one Keras layer into the IR nodes that compute it. */
export type LayerConverter = (layer: KerasLayer, ctx: LayerContext) => Node[];

/** The Keras layer classes the importer maps. */
export type KerasClass =
  | 'InputLayer'
  | 'ZeroPadding2D'
  | 'Conv2D'
  | 'DepthwiseConv2D'
  | 'BatchNormalization'
  | 'ReLU'
  | 'Activation'
  | 'Softmax'
  | 'Add'
  | 'GlobalAveragePooling2D'
  | 'AveragePooling2D'
  | 'Flatten'
  | 'Reshape'
  | 'Dropout'
  | 'SpatialDropout2D'
  | 'GaussianDropout'
  | 'AlphaDropout'
  | 'GaussianNoise'
  | 'Dense';

/** The graph input: [batch, H, W, C] float32 (H and W from the resolution option when the file leaves them open). */
function inputLayer(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where, imp } = ctx;
  if (ctx.ins.length !== 0) throw new ModelFormatError(`${where}: an InputLayer cannot have inputs`);
  const bs = cfg.batch_input_shape ?? cfg.batch_shape;
  if (!Array.isArray(bs) || bs.length !== 4) {
    throw new UnsupportedOpError(`${where}: input shape ${preview(bs)} (only [batch, H, W, C] images)`);
  }
  if (cfg.dtype !== undefined && cfg.dtype !== 'float32' && typeof cfg.dtype === 'string') {
    throw new UnsupportedOpError(`${where}: input dtype ${cfg.dtype} (only float32)`);
  }
  let [, h, w, c] = bs as (number | null)[];
  if (h === null && w === null && imp.opts.resolution) h = w = imp.opts.resolution;
  if (![h, w, c].every((x) => Number.isSafeInteger(x) && (x as number) > 0)) {
    throw new UnsupportedOpError(
      `${where}: input shape ${preview(bs)} is not fully known (pass the resolution option for H and W)`,
    );
  }
  if (imp.input) throw new UnsupportedOpError(`${where}: a second input layer`);
  imp.input = { name: layer.name, shape: [1, h as number, w as number, c as number] };
  ctx.set({ ir: layer.name, shape: [h as number, w as number, c as number], flat: false, layer: layer.name });
  ctx.report.noOps.push(layer.name);
  return [];
}

/** ZeroPadding2D: no node; the padding waits in the Val for the convolution that consumes it. */
function zeroPadding(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where } = ctx;
  const v = ctx.one();
  const [h, w, c] = ctx.spatial(v);
  checkChannelsLast(cfg, where);
  const p = cfg.padding ?? 1;
  let t: number, b: number, l: number, r: number;
  const ok = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (ok(p)) t = b = l = r = p;
  else if (Array.isArray(p) && p.length === 2 && ok(p[0]) && ok(p[1])) [t, b, l, r] = [p[0], p[0], p[1], p[1]];
  else if (
    Array.isArray(p) &&
    p.length === 2 &&
    Array.isArray(p[0]) &&
    Array.isArray(p[1]) &&
    [...p[0], ...p[1]].length === 4 &&
    [...p[0], ...p[1]].every(ok)
  )
    [[t, b], [l, r]] = p;
  else throw new ModelFormatError(`${where}: invalid padding ${preview(p)}`);
  const prev = v.pad ?? { top: 0, left: 0, bottom: 0, right: 0 };
  ctx.imp.sawZeroPadding = true;
  ctx.set({
    ir: v.ir,
    shape: [h + t + b, w + l + r, c],
    flat: false,
    pad: { top: prev.top + t, left: prev.left + l, bottom: prev.bottom + b, right: prev.right + r },
    layer: layer.name,
  });
  return [];
}

/** Conv2D and DepthwiseConv2D, absorbing a pending ZeroPadding2D into their pads. */
function convolution(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where, weights } = ctx;
  const v = ctx.one();
  const [ph, pw, cin] = ctx.spatial(v);
  checkChannelsLast(cfg, where);
  const depthwise = layer.className === 'DepthwiseConv2D';
  const kernel = pairOf(cfg.kernel_size, 'kernel_size', where);
  const stride = pairOf(cfg.strides ?? 1, 'strides', where);
  const dil = pairOf(cfg.dilation_rate ?? 1, 'dilation_rate', where);
  if (dil[0] !== 1 || dil[1] !== 1) {
    throw new UnsupportedOpError(`${where}: dilation_rate ${fmtShape(dil)} is not supported (only 1)`);
  }
  if ((cfg.groups ?? 1) !== 1) throw new UnsupportedOpError(`${where}: groups=${cfg.groups} (only 1)`);
  if (depthwise && (cfg.depth_multiplier ?? 1) !== 1) {
    throw new UnsupportedOpError(`${where}: depth_multiplier=${cfg.depth_multiplier} (only 1)`);
  }
  const act = activationOf(cfg.activation, where, false) as Activation;
  const useBias = cfg.use_bias ?? true;
  const pre = v.pad ?? { top: 0, left: 0, bottom: 0, right: 0 };
  let pad: Pad;
  if (cfg.padding === 'same') {
    const [t, b] = samePad(ph, kernel[0], stride[0]);
    const [l, r] = samePad(pw, kernel[1], stride[1]);
    pad = { top: pre.top + t, left: pre.left + l, bottom: pre.bottom + b, right: pre.right + r };
  } else if (cfg.padding === 'valid' || cfg.padding === undefined) {
    pad = { top: pre.top, left: pre.left, bottom: pre.bottom, right: pre.right };
  } else {
    throw new UnsupportedOpError(`${where}: padding ${preview(cfg.padding)} (only same, valid)`);
  }
  const h = ph - pre.top - pre.bottom;
  const w = pw - pre.left - pre.right;
  const oh = Math.floor((h + pad.top + pad.bottom - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((w + pad.left + pad.right - kernel[1]) / stride[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${where}: a ${kernel.join('×')} kernel does not fit the ${ph}×${pw} (padded) input`);
  }
  let node: Conv2DNode | DepthwiseConv2DNode;
  if (depthwise) {
    const wts = weights.get(layer.name, 'depthwise_kernel', [kernel[0], kernel[1], cin, 1]);
    const bias = useBias ? weights.get(layer.name, 'bias', [cin]) : new Float32Array(cin);
    node = {
      op: 'depthwise_conv2d', name: layer.name, inputs: [v.ir], kernel, stride, pad, activation: act,
      weights: wts, bias,
    };
    ctx.set({ ir: layer.name, shape: [oh, ow, cin], flat: false, node, layer: layer.name });
  } else {
    const filters = cfg.filters;
    if (!Number.isSafeInteger(filters) || filters <= 0) throw new ModelFormatError(`${where}: invalid filters ${filters}`);
    const wts = weights.get(layer.name, 'kernel', [kernel[0], kernel[1], cin, filters]);
    const bias = useBias ? weights.get(layer.name, 'bias', [filters]) : new Float32Array(filters);
    node = {
      op: 'conv2d', name: layer.name, inputs: [v.ir], kernel, stride, pad, activation: act,
      weights: wts, bias, outChannels: filters,
    };
    ctx.set({ ir: layer.name, shape: [oh, ow, filters], flat: false, node, layer: layer.name });
  }
  if (v.pad) ctx.report.foldedPads.push(`${v.layer} → ${layer.name}`);
  return [node];
}

/** BatchNormalization: folded into the conv / depthwise conv / dense before it (no node). */
function batchNormalization(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where, weights } = ctx;
  const v = ctx.one();
  ctx.noPad(v);
  const axis = cfg.axis ?? -1;
  const axisOk = axis === -1 || axis === v.shape.length || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === v.shape.length));
  if (!axisOk) throw new UnsupportedOpError(`${where}: axis ${preview(axis)} (only the channel axis)`);
  const n = ctx.fusable(v);
  if (!n || (n.op !== 'conv2d' && n.op !== 'depthwise_conv2d' && n.op !== 'dense') || n.activation !== 'none') {
    throw new UnsupportedOpError(
      `${where}: batch norm must directly follow a single-use conv, depthwise conv or dense without activation`,
    );
  }
  const c = v.shape[v.shape.length - 1];
  const eps = typeof cfg.epsilon === 'number' ? cfg.epsilon : 1e-3;
  const gamma = (cfg.scale ?? true) ? weights.get(layer.name, 'gamma', [c]) : undefined;
  const beta = (cfg.center ?? true) ? weights.get(layer.name, 'beta', [c]) : undefined;
  const mean = weights.get(layer.name, 'moving_mean', [c]);
  const variance = weights.get(layer.name, 'moving_variance', [c]);
  // Fold in float64, round once: scale = γ/√(σ²+ε); w' = w·scale; b' = (b − μ)·scale + β.
  const scale = new Float64Array(c);
  for (let i = 0; i < c; i++) scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
  const w = new Float32Array(n.weights.length);
  for (let i = 0; i < w.length; i++) w[i] = n.weights[i] * scale[i % c];
  const b = new Float32Array(c);
  for (let i = 0; i < c; i++) b[i] = (n.bias[i] - mean[i]) * scale[i] + (beta ? beta[i] : 0);
  n.weights = w;
  n.bias = b;
  ctx.report.foldedBatchNorms.push(`${layer.name} → ${n.name}`);
  ctx.set({ ...v, layer: layer.name, node: n });
  return [];
}

/** ReLU (max_value none or 6): fused into its producer. */
function relu(_layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where } = ctx;
  const max = cfg.max_value;
  if ((cfg.negative_slope ?? 0) !== 0) throw new UnsupportedOpError(`${where}: negative_slope=${cfg.negative_slope} (only 0)`);
  if ((cfg.threshold ?? 0) !== 0) throw new UnsupportedOpError(`${where}: threshold=${cfg.threshold} (only 0)`);
  if (max === null || max === undefined) return ctx.fuseActivation('relu');
  if (max === 6) return ctx.fuseActivation('relu6');
  throw new UnsupportedOpError(`${where}: max_value=${max} (only none or 6)`);
}

/** Activation: linear is an identity, softmax a node, relu / relu6 fuse into the producer. */
function activation(layer: KerasLayer, ctx: LayerContext): Node[] {
  const a = activationOf(ctx.cfg.activation, ctx.where, true);
  if (a === 'none') {
    ctx.set(ctx.alias(ctx.one(), layer.name));
    ctx.report.noOps.push(layer.name);
    return [];
  }
  if (a === 'softmax') return ctx.softmax();
  return ctx.fuseActivation(a);
}

/** Softmax over the last axis. */
function softmax(_layer: KerasLayer, ctx: LayerContext): Node[] {
  const axis = ctx.cfg.axis ?? -1;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    const v = ctx.one();
    if (axis !== v.shape.length) throw new UnsupportedOpError(`${ctx.where}: axis ${preview(axis)} (only the last axis)`);
  }
  return ctx.softmax();
}

/** Add of two same-shape tensors. */
function add(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { ins, where } = ctx;
  if (ins.length !== 2) throw new UnsupportedOpError(`${where}: ${ins.length} inputs (only 2)`);
  ins.forEach((v) => ctx.noPad(v));
  const [a, b] = ins;
  if (a.flat !== b.flat || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${where}: inputs "${a.layer}" ${fmtShape(a.shape)} and "${b.layer}" ${fmtShape(b.shape)} differ`);
  }
  const node: Node = { op: 'add', name: layer.name, inputs: [a.ir, b.ir], activation: 'none' };
  ctx.set({ ir: layer.name, shape: a.shape, flat: a.flat, node, layer: layer.name });
  return [node];
}

/** GlobalAveragePooling2D: the embedding. */
function globalAveragePooling(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where } = ctx;
  const v = ctx.one();
  ctx.noPad(v);
  const [, , c] = ctx.spatial(v);
  checkChannelsLast(cfg, where);
  ctx.imp.embeddingNode = layer.name;
  ctx.set({ ir: layer.name, shape: cfg.keepdims ? [1, 1, c] : [c], flat: true, layer: layer.name });
  return [{ op: 'global_avg_pool', name: layer.name, inputs: [v.ir] }];
}

/** AveragePooling2D over the whole input: a global pool. */
function averagePooling(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where } = ctx;
  const v = ctx.one();
  ctx.noPad(v);
  const [h, w, c] = ctx.spatial(v);
  checkChannelsLast(cfg, where);
  const pool = pairOf(cfg.pool_size ?? 2, 'pool_size', where);
  const stride = pairOf(cfg.strides ?? pool, 'strides', where);
  const padding = cfg.padding ?? 'valid';
  // Whole-input pooling: one output pixel covering every input pixel, no padding involved.
  const whole = pool[0] === h && pool[1] === w && (padding === 'valid' || (stride[0] >= h && stride[1] >= w && padding === 'same'));
  if (!whole) {
    throw new UnsupportedOpError(
      `${where}: only pooling over the whole ${h}×${w} input is supported (pool ${pool.join('×')}, strides ${stride.join('×')}, padding ${padding})`,
    );
  }
  ctx.imp.embeddingNode = layer.name;
  ctx.set({ ir: layer.name, shape: [1, 1, c], flat: true, layer: layer.name });
  return [{ op: 'global_avg_pool', name: layer.name, inputs: [v.ir] }];
}

/** Flatten of a pooled tensor: an identity. */
function flatten(layer: KerasLayer, ctx: LayerContext): Node[] {
  const v = ctx.one();
  ctx.noPad(v);
  if (!v.flat) {
    throw new UnsupportedOpError(`${ctx.where}: only flattening a pooled [1, 1, C] tensor is supported, got ${fmtShape(v.shape)}`);
  }
  const c = v.shape.reduce((x, y) => x * y, 1);
  ctx.set(ctx.alias(v, layer.name, [c]));
  ctx.report.noOps.push(layer.name);
  return [];
}

/** Reshape of a pooled tensor to [..., 1, C]: an identity. */
function reshape(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where } = ctx;
  const v = ctx.one();
  ctx.noPad(v);
  const c = v.shape.reduce((x, y) => x * y, 1);
  const target = cfg.target_shape;
  if (!Array.isArray(target) || target.length === 0) throw new ModelFormatError(`${where}: invalid target_shape`);
  const resolved = target.map((d: number) => (d === -1 ? c / target.filter((x: number) => x !== -1).reduce((x: number, y: number) => x * y, 1) : d));
  const ok = v.flat && resolved.slice(0, -1).every((d: number) => d === 1) && resolved[resolved.length - 1] === c;
  if (!ok) {
    throw new UnsupportedOpError(
      `${where}: only reshaping a pooled tensor to [..., 1, C] is supported (${fmtShape(v.shape)} → ${preview(target)})`,
    );
  }
  ctx.set(ctx.alias(v, layer.name, resolved));
  ctx.report.noOps.push(layer.name);
  return [];
}

/** Dropout and noise layers: identities at inference. */
function identity(layer: KerasLayer, ctx: LayerContext): Node[] {
  const v = ctx.one();
  ctx.set(ctx.alias(v, layer.name));
  ctx.report.noOps.push(layer.name);
  return [];
}

/** Dense on a flat tensor; a softmax activation becomes a node of its own ("<name>/softmax"). */
function dense(layer: KerasLayer, ctx: LayerContext): Node[] {
  const { cfg, where, weights } = ctx;
  const v = ctx.one();
  ctx.noPad(v);
  if (!v.flat) {
    throw new UnsupportedOpError(`${where}: dense on an H×W×C tensor ${fmtShape(v.shape)} is not supported (pool first)`);
  }
  const k = v.shape[v.shape.length - 1];
  const units = cfg.units;
  if (!Number.isSafeInteger(units) || units <= 0) throw new ModelFormatError(`${where}: invalid units ${units}`);
  const act = activationOf(cfg.activation, where, true);
  const wts = weights.get(layer.name, 'kernel', [k, units]);
  const bias = (cfg.use_bias ?? true) ? weights.get(layer.name, 'bias', [units]) : new Float32Array(units);
  const node: DenseNode = {
    op: 'dense', name: layer.name, inputs: [v.ir], activation: act === 'softmax' ? 'none' : act,
    weights: wts, bias, units,
  };
  const shape = [...v.shape.slice(0, -1), units];
  if (act === 'softmax') {
    const sm = `${layer.name}/softmax`;
    ctx.set({ ir: sm, shape, flat: true, layer: layer.name });
    return [node, { op: 'softmax', name: sm, inputs: [layer.name] }];
  }
  ctx.set({ ir: layer.name, shape, flat: true, node, layer: layer.name });
  return [node];
}

/** Keras layer class → its converter. A new layer class is one row here. */
export const LAYER_CONVERTERS: Readonly<Record<KerasClass, LayerConverter>> = {
  InputLayer: inputLayer,
  ZeroPadding2D: zeroPadding,
  Conv2D: convolution,
  DepthwiseConv2D: convolution,
  BatchNormalization: batchNormalization,
  ReLU: relu,
  Activation: activation,
  Softmax: softmax,
  Add: add,
  GlobalAveragePooling2D: globalAveragePooling,
  AveragePooling2D: averagePooling,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  GaussianNoise: identity,
  Dense: dense,
};

/** The converter of a layer class, or undefined when the class is not supported. */
export function layerConverterFor(className: string): LayerConverter | undefined {
  return Object.hasOwn(LAYER_CONVERTERS, className) ? LAYER_CONVERTERS[className as KerasClass] : undefined;
}
