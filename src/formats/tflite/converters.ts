// TFLite operator → IR nodes: one converter per builtin operator, and one table row per converter.
//
// A converter reads its operator through the OpContext (./context.ts): `act(k)` for a computed input,
// `constant(k, what)` for a weight / shape / axis input, `options(Options.X)` for the builtin options,
// `customOptions()` for a custom operator's option bytes, `outType(k)` / `outName(k)` for output tensor k.
// It returns the nodes it adds, in graph order, each declared with `out(node, shape, type, k)` (the node
// computes output tensor k) or `inner(node, shape, type)` (a node of the importer's own in between).
// It may return no node at all when it folds the operator into a constant (DEQUANTIZE of weights).
// Every check that fails throws through the context: `bad()` for a corrupt file (ModelFormatError with a
// byte offset), `unsupported()` for a valid model this engine cannot run (UnsupportedOpError); both name
// the operator. An operator without a row is an UnsupportedOpError naming it (see ./import.ts).

import type { Node, Pad } from '../../graph/ir.js';
import { OpContext, fmt, halfToFloat, prod } from './context.js';
import { ACTIVATION_NAMES, Activation, Op, Options, Padding, TensorType, opName, tensorTypeName, type TfliteOperator } from './schema.js';

/** Converts one TFLite operator into the IR nodes that compute it. */
export type TfliteConverter = (op: TfliteOperator, ctx: OpContext) => Node[];

/** A builtin operator by its schema name (schema.ts `Op`; a new operator gets its code there first). */
export type TfliteOp = Exclude<keyof typeof Op, 'CUSTOM' | 'PLACEHOLDER_FOR_GREATER_OP_CODES'>;

/** TF/TFLite SAME padding (with dilation) for one dimension: [before, after]. */
export function samePadding(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const eff = (k - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** CONV_2D and DEPTHWISE_CONV_2D: float, quantized (uint8 / int8, per tensor or per channel) or hybrid. */
function convolution(op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity([2, 3]);
  const dw = ctx.code.code === Op.DEPTHWISE_CONV_2D;
  const o = ctx.options(dw ? Options.DepthwiseConv2DOptions : Options.Conv2DOptions);
  if (!o) ctx.bad('has no options');
  // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4 dilation_w, 5 dilation_h
  // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 activation,
  //                         5 dilation_w, 6 dilation_h
  const padding = o!.i8(0, 'padding');
  const sw = o!.i32(1, 'stride_w');
  const sh = o!.i32(2, 'stride_h');
  const activation = ctx.fused(o!.i8(dw ? 4 : 3, 'fused_activation_function'));
  const dW = o!.i32(dw ? 5 : 4, 'dilation_w_factor', 1);
  const dH = o!.i32(dw ? 6 : 5, 'dilation_h_factor', 1);
  if (sw < 1 || sh < 1) ctx.bad(`stride ${sh}×${sw} is invalid`, o!.pos);
  if (dW < 1 || dH < 1) ctx.bad(`dilation ${dH}×${dW} is invalid`, o!.pos);
  if (padding !== Padding.SAME && padding !== Padding.VALID) ctx.bad(`padding ${padding} is invalid`, o!.pos);
  const x = ctx.act(0);
  ctx.rank4(x);
  const [, H, W, C] = x.shape as [number, number, number, number];
  const w = ctx.constant(1, 'filter');
  if (w.shape.length !== 4) ctx.bad(`filter "${w.tensor.name}" has shape ${fmt(w.shape)}, expected rank 4`, w.tensor.pos);
  const [w0, kh, kw, w3] = w.shape as [number, number, number, number];
  if (kh < 1 || kw < 1 || w0 < 1 || w3 < 1) ctx.bad(`filter "${w.tensor.name}" has shape ${fmt(w.shape)}`, w.tensor.pos);
  let cout: number;
  let tr: { rows: number; cols: number } | undefined;
  if (dw) {
    if (w0 !== 1) ctx.bad(`depthwise filter "${w.tensor.name}" has shape ${fmt(w.shape)}, expected [1,kh,kw,C]`, w.tensor.pos);
    if (w3 !== C) ctx.unsupported(`depthwise filter has ${w3} channels for ${C} input channels (only depth multiplier 1 is supported)`);
    cout = C;
    tr = undefined; // [1,kh,kw,C] is already the IR [kh,kw,C]
  } else {
    cout = w0;
    if (w3 !== C) ctx.unsupported(`filter "${w.tensor.name}" ${fmt(w.shape)} has ${w3} input channels but the input has ${C} (grouped convolution is not supported)`);
    // TFLite OHWI [cout][kh·kw·cin] → IR HWIO [kh·kw·cin][cout]
    tr = { rows: cout, cols: kh * kw * C };
  }
  const ww = ctx.weights(x, w, cout, dw ? 3 : 0, tr);
  const b = ctx.biasOf(2, cout, x, ww.q);
  let pad: Pad;
  if (padding === Padding.SAME) {
    const [top, bottom] = samePadding(H, kh, sh, dH);
    const [left, right] = samePadding(W, kw, sw, dW);
    pad = { top, left, bottom, right };
  } else pad = { top: 0, left: 0, bottom: 0, right: 0 };
  const outH = Math.floor((H + pad.top + pad.bottom - dH * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((W + pad.left + pad.right - dW * (kw - 1) - 1) / sw) + 1;
  if (outH < 1 || outW < 1) ctx.bad(`a ${kh}×${kw} filter (dilation ${dH}×${dW}) does not fit the ${H}×${W} input`);
  const ot = ctx.outType();
  if (ww.q) ctx.sameDtype(x.type, ot, 'quantized convolution');
  else if (ot.dtype !== 'float32') ctx.unsupported(`float convolution with a ${ot.dtype} output`);
  const nm = ctx.outName();
  const common = {
    name: nm,
    inputs: [x.name],
    kernel: [kh, kw] as [number, number],
    stride: [sh, sw] as [number, number],
    ...(dH !== 1 || dW !== 1 ? { dilation: [dH, dW] as [number, number] } : {}),
    pad,
    activation,
    weights: ww.f32 ?? new Float32Array(0),
    bias: b.f32 ?? new Float32Array(0),
    ...(ww.q ? { q: { ...ww.q, bias: b.i32! } } : {}),
  };
  const node: Node = dw ? { op: 'depthwise_conv2d', ...common } : { op: 'conv2d', ...common, outChannels: cout };
  return [ctx.out(node, [1, outH, outW, cout], ot)];
}

/**
 * FULLY_CONNECTED → dense, with a reshape to [1,K] in front when the input is not a vector and a reshape
 * behind when the file declares an output shape other than [1,N].
 */
function fullyConnected(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity([2, 3]);
  const nodes: Node[] = [];
  const o = ctx.options(Options.FullyConnectedOptions);
  // FullyConnectedOptions: 0 activation, 1 weights_format, 2 keep_num_dims, 3 asymmetric_quantize_inputs
  const activation = ctx.fused(o ? o.i8(0, 'fused_activation_function') : 0);
  const format = o ? o.i8(1, 'weights_format') : 0;
  if (format !== 0) ctx.unsupported(`weights_format ${format} (shuffled weights) is not supported`);
  const keepNumDims = o ? o.bool(2, 'keep_num_dims') : false;
  let x = ctx.act(0);
  const w = ctx.constant(1, 'weights');
  if (w.shape.length !== 2 || w.shape[0]! < 1 || w.shape[1]! < 1) ctx.bad(`weights "${w.tensor.name}" have shape ${fmt(w.shape)}, expected [N,K]`, w.tensor.pos);
  const [N, K] = w.shape as [number, number];
  const total = prod(x.shape);
  if (total !== K) ctx.unsupported(`input "${x.name}" ${fmt(x.shape)} has ${total} elements; only batch 1 with K = ${K} is supported`);
  const isVec = (s: number[]) => (s.length === 2 && s[0] === 1) || (s.length === 4 && s[0] === 1 && s[1] === 1 && s[2] === 1);
  if (!isVec(x.shape)) {
    const fl = ctx.innerName('/flatten');
    nodes.push(ctx.inner({ op: 'reshape', name: fl, inputs: [x.name], shape: [1, K] }, [1, K], x.type));
    x = { ...x, name: fl, shape: [1, K] };
  }
  // TFLite [N,K] → IR [K,N]
  const ww = ctx.weights(x, w, N, 0, { rows: N, cols: K });
  const b = ctx.biasOf(2, N, x, ww.q);
  const ot = ctx.outType();
  if (ww.q) ctx.sameDtype(x.type, ot, 'quantized fully connected');
  else if (ot.dtype !== 'float32') ctx.unsupported(`float fully connected with a ${ot.dtype} output`);
  const tOut = ctx.output();
  const wantShape = keepNumDims ? [...x.shape.slice(0, -1), N] : [1, N];
  const declared = tOut.shape.length > 0 ? tOut.shape : wantShape;
  const needReshape = !(declared.length === 2 && declared[0] === 1 && declared[1] === N);
  const nm = needReshape ? ctx.innerName('/fc') : ctx.outName();
  const node: Node = {
    op: 'dense',
    name: nm,
    inputs: [x.name],
    activation,
    weights: ww.f32 ?? new Float32Array(0),
    bias: b.f32 ?? new Float32Array(0),
    units: N,
    ...(ww.q ? { q: { ...ww.q, bias: b.i32! } } : {}),
  };
  if (!needReshape) nodes.push(ctx.out(node, [1, N], ot));
  else {
    if (prod(declared) !== N || declared[0] !== 1) ctx.bad(`output shape ${fmt(declared)} does not hold ${N} values`, tOut.pos);
    nodes.push(ctx.inner(node, [1, N], ot));
    nodes.push(ctx.out({ op: 'reshape', name: ctx.outName(), inputs: [nm], shape: [...declared] }, [...declared], ot));
  }
  return nodes;
}

/** ADD of two same-shape tensors (no broadcasting). */
function add(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(2);
  const o = ctx.options(Options.AddOptions);
  const activation = ctx.fused(o ? o.i8(0, 'fused_activation_function') : 0);
  const a = ctx.act(0);
  const b = ctx.act(1);
  if (fmt(a.shape) !== fmt(b.shape)) ctx.unsupported(`operands ${fmt(a.shape)} and ${fmt(b.shape)} differ (broadcasting is not supported)`);
  const ot = ctx.outType();
  ctx.sameDtype(a.type, b.type, 'ADD operands');
  ctx.sameDtype(a.type, ot, 'ADD');
  return [ctx.out({ op: 'add', name: ctx.outName(), inputs: [a.name, b.name], activation }, [...a.shape], ot)];
}

/** AVERAGE_POOL_2D over the whole input → global_avg_pool (keeping the 1×1 spatial dims). */
function averagePool(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(1);
  const o = ctx.options(Options.Pool2DOptions);
  if (!o) ctx.bad('has no options');
  // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation
  const padding = o!.i8(0, 'padding');
  const sw = o!.i32(1, 'stride_w');
  const sh = o!.i32(2, 'stride_h');
  const fw = o!.i32(3, 'filter_width');
  const fh = o!.i32(4, 'filter_height');
  const a = o!.i8(5, 'fused_activation_function');
  if (sw < 1 || sh < 1 || fw < 1 || fh < 1) ctx.bad(`stride ${sh}×${sw} / filter ${fh}×${fw} is invalid`, o!.pos);
  const x = ctx.act(0);
  ctx.rank4(x);
  const [, H, W] = x.shape as [number, number, number, number];
  const outH = padding === Padding.SAME ? Math.ceil(H / sh) : Math.floor((H - fh) / sh) + 1;
  const outW = padding === Padding.SAME ? Math.ceil(W / sw) : Math.floor((W - fw) / sw) + 1;
  if (fh !== H || fw !== W || outH !== 1 || outW !== 1) {
    ctx.unsupported(`a ${fh}×${fw} window with stride ${sh}×${sw} over ${H}×${W} is not a global average pool (only global pooling is supported)`);
  }
  if (a !== Activation.NONE) ctx.unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} on a pool is not supported`);
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'AVERAGE_POOL_2D');
  return [ctx.out({ op: 'global_avg_pool', name: ctx.outName(), inputs: [x.name], keepDims: true }, [1, 1, 1, x.shape[3]!], ot)];
}

/** MEAN over the spatial axes → global_avg_pool (TFLite's MEAN rounding when it keeps the dims). */
function mean(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(2);
  const o = ctx.options(Options.ReducerOptions);
  const keepDims = o ? o.bool(0, 'keep_dims') : false;
  const x = ctx.act(0);
  ctx.rank4(x);
  const axes = ctx.ints(ctx.constant(1, 'axes'), 'axes').map((v) => (v < 0 ? v + 4 : v));
  const set = new Set(axes);
  if (!(set.size === 2 && set.has(1) && set.has(2) && axes.length === 2)) {
    ctx.unsupported(`reduction over axes [${axes.join(',')}] is not supported (only the spatial axes 1 and 2)`);
  }
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'MEAN');
  const C = x.shape[3]!;
  return [
    ctx.out(
      { op: 'global_avg_pool', name: ctx.outName(), inputs: [x.name], keepDims, ...(keepDims ? { rounding: 'mean' as const } : {}) },
      keepDims ? [1, 1, 1, C] : [1, C],
      ot,
    ),
  ];
}

/** RESHAPE and SQUEEZE → reshape to the shape the file declares for the output tensor. */
function reshape(op: TfliteOperator, ctx: OpContext): Node[] {
  const code = ctx.code.code;
  ctx.arity(code === Op.RESHAPE ? [1, 2] : 1);
  const x = ctx.act(0);
  const t = ctx.output();
  const shape = [...t.shape];
  if (shape.some((d) => d < 1)) ctx.unsupported(`output "${t.name}" has a dynamic or empty shape ${fmt(shape)}`);
  if (prod(shape) !== prod(x.shape)) ctx.bad(`output ${fmt(shape)} does not hold the ${prod(x.shape)} elements of ${fmt(x.shape)}`, t.pos);
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, opName(code));
  return [ctx.out({ op: 'reshape', name: ctx.outName(), inputs: [x.name], shape }, shape, ot)];
}

/** SOFTMAX over [1,N]. */
function softmax(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(1);
  const o = ctx.options(Options.SoftmaxOptions);
  const beta = o ? o.f32(0, 'beta') : 1;
  if (!Number.isFinite(beta)) ctx.bad(`beta ${beta} is invalid`, o?.pos ?? ctx.op.pos);
  const x = ctx.act(0);
  if (x.shape.length !== 2 || x.shape[0] !== 1) ctx.unsupported(`softmax over ${fmt(x.shape)} is not supported (only [1,N])`);
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'SOFTMAX');
  return [ctx.out({ op: 'softmax', name: ctx.outName(), inputs: [x.name], ...(beta !== 1 ? { beta } : {}) }, [...x.shape], ot)];
}

/** QUANTIZE: float32 → uint8 / int8, or a requantization between them. */
function quantize(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(1);
  const x = ctx.act(0);
  const ot = ctx.outType();
  if (ot.dtype !== 'uint8' && ot.dtype !== 'int8') ctx.unsupported(`output has type ${ot.dtype}; expected uint8 or int8`);
  if (x.type.dtype !== 'float32' && x.type.dtype !== 'uint8' && x.type.dtype !== 'int8') ctx.unsupported(`input has type ${x.type.dtype}`);
  return [ctx.out({ op: 'quantize', name: ctx.outName(), inputs: [x.name] }, [...x.shape], ot)];
}

/**
 * DEQUANTIZE: of a computed tensor → a dequantize node; of a float16 / int8 / uint8 constant (weights
 * stored small) → folded to a float32 constant now, with no node at all.
 */
function dequantize(op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(1);
  const ti = op.inputs[0]!;
  const ot = ctx.outType();
  if (ot.dtype !== 'float32') ctx.unsupported(`output has type ${ot.dtype}; expected float32`);
  if (ti !== -1 && ctx.isConst(ti)) {
    // Weights stored as float16 / int8 constants: fold to float32 now.
    const c = ctx.constant(0, 'input');
    if (!c.raw) ctx.unsupported('DEQUANTIZE of an already dequantized constant');
    const f = new Float32Array(c.count);
    const dv = new DataView(c.raw!.buffer, c.raw!.byteOffset, c.raw!.byteLength);
    if (c.type === TensorType.FLOAT16) {
      for (let i = 0; i < c.count; i++) f[i] = halfToFloat(dv.getUint16(2 * i, true));
    } else if (c.type === TensorType.INT8 || c.type === TensorType.UINT8) {
      const q = c.tensor.quant;
      if (!q?.scale || q.scale.length === 0) ctx.unsupported(`constant "${c.tensor.name}" has no quantization parameters`);
      const ns = q!.scale!.length;
      const axis = q!.quantizedDimension;
      if (ns > 1 && (axis < 0 || axis >= c.shape.length || c.shape[axis] !== ns)) {
        ctx.bad(`constant "${c.tensor.name}" has ${ns} scales along dimension ${axis} of ${fmt(c.shape)}`, q!.pos);
      }
      const inner = ns > 1 ? prod(c.shape.slice(axis + 1)) : 1;
      for (let i = 0; i < c.count; i++) {
        const ch = ns > 1 ? Math.floor(i / inner) % ns : 0;
        const v = c.type === TensorType.INT8 ? dv.getInt8(i) : dv.getUint8(i);
        f[i] = q!.scale![ch]! * (v - (q!.zeroPoint?.[ch] ?? 0));
      }
    } else ctx.unsupported(`constant input has type ${tensorTypeName(c.type)}`);
    ctx.imp.folded.set(op.outputs[0]!, { tensor: ctx.output(), type: TensorType.FLOAT32, shape: c.shape, count: c.count, f32: f, at: c.at });
    ctx.report.foldedDequantize.push(op.index);
    ctx.uncount();
    return [];
  }
  const x = ctx.act(0);
  if (x.type.dtype !== 'uint8' && x.type.dtype !== 'int8') ctx.unsupported(`input "${x.name}" has type ${x.type.dtype}; expected uint8 or int8`);
  return [ctx.out({ op: 'dequantize', name: ctx.outName(), inputs: [x.name] }, [...x.shape], ot)];
}

/** PAD of H and W by constant paddings. */
function pad(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(2);
  const x = ctx.act(0);
  ctx.rank4(x);
  const p = ctx.constant(1, 'paddings');
  if (fmt(p.shape) !== '[4,2]') ctx.bad(`paddings "${p.tensor.name}" have shape ${fmt(p.shape)}, expected [4,2]`, p.tensor.pos);
  const v = ctx.ints(p, 'paddings');
  if (v.some((d) => d < 0)) ctx.bad(`negative paddings [${v.join(',')}]`, p.at);
  if (v[0] || v[1] || v[6] || v[7]) ctx.unsupported(`padding of the batch or channel dimension [${v.join(',')}] is not supported (only H and W)`);
  const pad: Pad = { top: v[2]!, bottom: v[3]!, left: v[4]!, right: v[5]! };
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'PAD');
  const [, H, W, C] = x.shape as [number, number, number, number];
  return [ctx.out({ op: 'pad', name: ctx.outName(), inputs: [x.name], pad }, [1, H + pad.top + pad.bottom, W + pad.left + pad.right, C], ot)];
}

/** Inputs of one rank, equal but along `axis` (negative: from the end) → the axis in 0..rank−1 and the output shape. */
export function joinShape(ctx: OpContext, shapes: number[][], axis: number, what: string): [number, number[]] {
  const rank = shapes[0]!.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= rank) ctx.bad(`axis ${axis} is outside the rank ${rank} of its inputs`);
  for (const s of shapes) {
    if (s.length !== rank || s.some((d, i) => i !== ax && d !== shapes[0]![i])) ctx.bad(`${what} inputs ${shapes.map(fmt).join(', ')} differ outside axis ${axis}`);
  }
  return [ax, shapes[0]!.map((d, i) => (i === ax ? shapes.reduce((n, s) => n + s[ax]!, 0) : d))];
}

/** CONCATENATION along any axis (uint8 inputs of other quantization are rescaled, as TFLite does). */
function concatenation(op: TfliteOperator, ctx: OpContext): Node[] {
  if (op.inputs.length < 1 || op.outputs.length !== 1) ctx.bad(`has ${op.inputs.length} inputs and ${op.outputs.length} outputs`);
  const o = ctx.options(Options.ConcatenationOptions);
  const axis = o ? o.i32(0, 'axis') : 0;
  const a = o ? o.i8(1, 'fused_activation_function') : 0;
  if (a !== Activation.NONE) ctx.unsupported(`fused activation ${ACTIVATION_NAMES[a] ?? a} on a concatenation is not supported`);
  const xs = op.inputs.map((_, k) => ctx.act(k));
  const [ax, shape] = joinShape(ctx, xs.map((x) => x.shape), axis, 'CONCATENATION');
  const ot = ctx.outType();
  for (const x of xs) ctx.sameDtype(x.type, ot, 'CONCATENATION');
  return [ctx.out({ op: 'concat', name: ctx.outName(), inputs: xs.map((x) => x.name), axis: ax }, shape, ot)];
}

/** RESIZE_BILINEAR to a constant size. */
function resizeBilinear(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(2);
  const o = ctx.options(Options.ResizeBilinearOptions);
  // ResizeBilinearOptions: 0 new_height (deprecated), 1 new_width (deprecated), 2 align_corners, 3 half_pixel_centers
  const alignCorners = o ? o.bool(2, 'align_corners') : false;
  const halfPixelCenters = o ? o.bool(3, 'half_pixel_centers') : false;
  if (alignCorners && halfPixelCenters) ctx.bad('align_corners and half_pixel_centers are both set', o!.pos);
  const x = ctx.act(0);
  ctx.rank4(x);
  const s = ctx.constant(1, 'size');
  const size = ctx.ints(s, 'size');
  if (size.length !== 2 || size.some((d) => d < 1 || d > 1 << 16)) ctx.bad(`size [${size.join(',')}] is invalid`, s.at);
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'RESIZE_BILINEAR');
  return [
    ctx.out(
      { op: 'resize_bilinear', name: ctx.outName(), inputs: [x.name], size: [size[0]!, size[1]!], alignCorners, halfPixelCenters },
      [1, size[0]!, size[1]!, x.shape[3]!],
      ot,
    ),
  ];
}

/** ARG_MAX over the channels → an int32 / int64 [1,H,W] map (segmentation output). */
function argMax(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(2);
  const o = ctx.options(Options.ArgMaxOptions);
  const x = ctx.act(0);
  ctx.rank4(x);
  const ax = ctx.ints(ctx.constant(1, 'axis'), 'axis');
  if (ax.length !== 1 || (ax[0] !== 3 && ax[0] !== -1)) ctx.unsupported(`argmax over axis [${ax.join(',')}] is not supported (only channels: 3 or −1)`);
  const t = ctx.output();
  if (t.type !== TensorType.INT32 && t.type !== TensorType.INT64) ctx.unsupported(`output "${t.name}" has type ${tensorTypeName(t.type)}; expected INT32 or INT64`);
  if (o && o.has(0) && o.i8(0, 'output_type') !== t.type) {
    ctx.bad(`output_type ${tensorTypeName(o.i8(0, 'output_type'))} disagrees with the output tensor type ${tensorTypeName(t.type)}`, o.pos);
  }
  if (x.type.dtype === 'int32' || x.type.dtype === 'int64') ctx.unsupported(`argmax of an ${x.type.dtype} tensor`);
  const outputType = t.type === TensorType.INT32 ? 'int32' : 'int64';
  const [, H, W] = x.shape as [number, number, number, number];
  return [ctx.out({ op: 'argmax', name: ctx.outName(), inputs: [x.name], axis: 3, outputType }, [1, H, W], { dtype: outputType })];
}

/** Builtin operator → its converter. A new builtin operator is one row here (the detection entry adds LOGISTIC and PACK). */
export const TFLITE_CONVERTERS: Partial<Record<TfliteOp, TfliteConverter>> = {
  CONV_2D: convolution,
  DEPTHWISE_CONV_2D: convolution,
  FULLY_CONNECTED: fullyConnected,
  ADD: add,
  AVERAGE_POOL_2D: averagePool,
  MEAN: mean,
  RESHAPE: reshape,
  SQUEEZE: reshape,
  SOFTMAX: softmax,
  QUANTIZE: quantize,
  DEQUANTIZE: dequantize,
  PAD: pad,
  CONCATENATION: concatenation,
  RESIZE_BILINEAR: resizeBilinear,
  ARG_MAX: argMax,
};

/**
 * Custom operator code (operator_codes[i].custom_code, e.g. "TFLite_Detection_PostProcess") → its converter.
 * A converter here reads its options with ctx.customOptions(). Rows are added by separate entries (the
 * detection module, src/detect/index.ts, adds TFLite_Detection_PostProcess) so the classifier bundle stays small.
 */
export const TFLITE_CUSTOM_CONVERTERS: Partial<Record<string, TfliteConverter>> = {};

/** The converter of an operator code, or undefined when the operator is not supported. */
export function converterFor(code: number, customCode: string | undefined): TfliteConverter | undefined {
  if (code === Op.CUSTOM) return customCode !== undefined && Object.hasOwn(TFLITE_CUSTOM_CONVERTERS, customCode) ? TFLITE_CUSTOM_CONVERTERS[customCode] : undefined;
  const name = opName(code);
  return Object.hasOwn(TFLITE_CONVERTERS, name) ? TFLITE_CONVERTERS[name as TfliteOp] : undefined;
}
