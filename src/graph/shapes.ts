// Shape inference and structural validation of a Graph, plus the padding rules of the three PaddingModes.
//
// inferShapes is the one place that checks a graph fits together before any kernel runs: every node's
// inputs exist and come earlier, kernels/strides/dilations/pads give an output of at least 1×1, weight
// and bias arrays (float, or the integer `q` weights of a quantized node) have the lengths their shapes
// imply, add operands agree, dense and softmax see [1,N] tensors, concat inputs agree in H and W,
// reshapes keep the element count, and every value's dtype / quantization (Graph.values, the graph
// input) is what its producer and consumers need.
// Every failure is a ShapeError (or UnsupportedOpError for an op/activation the engine does not know)
// whose message names the op, the node, the tensor and what was expected.

import { InputError, ShapeError, UnsupportedOpError } from '../errors.js';
import type { DType, Graph, Node, Pad, PaddingMode, Quant, ValueType } from './ir.js';

/** Shapes of every value in the graph: the input and each node's output, in graph order. */
export type ShapeMap = Map<string, number[]>;

const ACTIVATIONS = new Set(['none', 'relu', 'relu6']);

const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;
const where = (node: { op: string; name: string }): string => `${node.op} "${node.name}"`;

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Padding [before, after] along one spatial dimension for a convolution of kernel `k` and stride
 * `stride` over `inSize` pixels, in the given mode:
 *
 * - 'same'      TF/TFLite SAME: out = ceil(in/s), total = max((out−1)·s + k − in, 0),
 *               before = floor(total/2), after = total − before (the extra pixel goes after).
 * - 'keras'     keras.applications.MobileNetV2: stride 1 uses padding='same' (as above); stride > 1 uses
 *               ZeroPadding2D(correct_pad(x, k)) + 'valid', i.e. before = k//2 − (1 − in mod 2),
 *               after = k//2 ((0,1) for an even size and (1,1) for an odd size when k = 3), clamped at 0.
 *               For odd k and stride 2 this coincides with 'same' for every input size (even in:
 *               SAME total = k−2 → (k//2−1, k//2); odd in: total = k−1 → (k//2, k//2)), so a Keras
 *               MobileNetV2 and a TF-Slim one pad identically; the modes differ only for even kernels
 *               or strides > 2.
 * - 'symmetric' PyTorch/torchvision padding=k//2: (k//2, k//2) whatever the size and stride. For an even
 *               size and stride 2 this gives the same output size as 'same' but pads 1 pixel before
 *               instead of after, which shifts the sampling grid by one pixel.
 */
export function padFor(mode: PaddingMode, inSize: number, k: number, stride: number): [number, number] {
  if (!isPosInt(inSize)) throw new InputError(`padFor: input size must be a positive integer, got ${inSize}`);
  if (!isPosInt(k)) throw new InputError(`padFor: kernel size must be a positive integer, got ${k}`);
  if (!isPosInt(stride)) throw new InputError(`padFor: stride must be a positive integer, got ${stride}`);
  switch (mode) {
    case 'same': {
      const out = Math.ceil(inSize / stride);
      const total = Math.max((out - 1) * stride + k - inSize, 0);
      const before = Math.floor(total / 2);
      return [before, total - before];
    }
    case 'keras': {
      if (stride === 1) return padFor('same', inSize, k, 1);
      const half = Math.floor(k / 2);
      const adjust = 1 - (inSize % 2);
      return [Math.max(half - adjust, 0), half];
    }
    case 'symmetric': {
      const half = Math.floor(k / 2);
      return [half, half];
    }
    default:
      throw new InputError(`padFor: unknown padding mode "${String(mode)}" (expected 'same', 'keras' or 'symmetric')`);
  }
}

/** Explicit 2-D pad for a k×k (or kh×kw) kernel over an H×W input. */
export function padFor2d(
  mode: PaddingMode,
  inH: number,
  inW: number,
  kernel: [number, number],
  stride: [number, number],
): Pad {
  const [top, bottom] = padFor(mode, inH, kernel[0], stride[0]);
  const [left, right] = padFor(mode, inW, kernel[1], stride[1]);
  return { top, left, bottom, right };
}

/**
 * floor((in + before + after − dilation·(k − 1) − 1)/stride) + 1: the output size of a padded 'valid'
 * window (dilation 1: floor((in + before + after − k)/stride) + 1).
 */
export function convOutSize(inSize: number, k: number, stride: number, before: number, after: number, dilation = 1): number {
  return Math.floor((inSize + before + after - dilation * (k - 1) - 1) / stride) + 1;
}

function checkWindow(
  node: Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' }>,
  inShape: number[],
): [number, number] {
  const w = where(node);
  const { kernel, stride, pad } = node;
  const dilation = node.dilation ?? [1, 1];
  if (!Array.isArray(dilation) || dilation.length !== 2 || !isPosInt(dilation[0]) || !isPosInt(dilation[1])) {
    throw new ShapeError(`${w}: dilation must be two positive integers [dh, dw], got ${JSON.stringify(node.dilation)}`);
  }
  if (!Array.isArray(kernel) || kernel.length !== 2 || !isPosInt(kernel[0]) || !isPosInt(kernel[1])) {
    throw new ShapeError(`${w}: kernel must be two positive integers [kh, kw], got ${JSON.stringify(kernel)}`);
  }
  if (!Array.isArray(stride) || stride.length !== 2 || !isPosInt(stride[0]) || !isPosInt(stride[1])) {
    throw new ShapeError(`${w}: stride must be two positive integers [sh, sw], got ${JSON.stringify(stride)}`);
  }
  if (
    pad == null ||
    !isNonNegInt(pad.top) ||
    !isNonNegInt(pad.left) ||
    !isNonNegInt(pad.bottom) ||
    !isNonNegInt(pad.right)
  ) {
    throw new ShapeError(
      `${w}: pad must have non-negative integer top/left/bottom/right, got ${JSON.stringify(pad)}`,
    );
  }
  const [, h, wd] = inShape;
  const outH = convOutSize(h!, kernel[0], stride[0], pad.top, pad.bottom, dilation[0]);
  const outW = convOutSize(wd!, kernel[1], stride[1], pad.left, pad.right, dilation[1]);
  if (outH < 1 || outW < 1) {
    const dil = dilation[0] !== 1 || dilation[1] !== 1 ? ` dilation ${dilation[0]}×${dilation[1]}` : '';
    throw new ShapeError(
      `${w}: a ${kernel[0]}×${kernel[1]} kernel with stride ${stride[0]}×${stride[1]}${dil} and pad ` +
        `(top ${pad.top}, bottom ${pad.bottom}, left ${pad.left}, right ${pad.right}) does not fit input ` +
        `"${node.inputs[0]}" of shape ${fmt(inShape)}: output would be ${outH}×${outW}, expected at least 1×1`,
    );
  }
  return [outH, outW];
}

/**
 * Checks that node[what] is a Float32Array of `expected` values. `formula` explains the number:
 * 'a·b·c' (printed as "expected a·b·c = n") or a parenthesised note (printed as "expected n (note)").
 */
function checkArray(node: Node, what: 'weights' | 'bias', expected: number, formula: string): void {
  const arr = (node as unknown as Record<string, unknown>)[what];
  const verb = what === 'weights' ? 'have' : 'has';
  const exp = formula.startsWith('(') ? `${expected} ${formula}` : `${formula} = ${expected}`;
  if (!(arr instanceof Float32Array)) {
    const got = arr == null ? String(arr) : ((arr as object).constructor?.name ?? typeof arr);
    throw new ShapeError(`${where(node)}: ${what} must be a Float32Array of ${exp} values, got ${got}`);
  }
  if (arr.length !== expected) {
    throw new ShapeError(`${where(node)}: ${what} ${verb} ${arr.length} values, expected ${exp}`);
  }
}

const DTYPES = new Set<DType>(['float32', 'uint8', 'int8', 'int32', 'int64']);
const QRANGE: Record<'uint8' | 'int8', [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

/**
 * Checks the weights of a conv2d / depthwise_conv2d / dense: the float arrays (checkArray) or, for a
 * quantized node, `q` (integer weights of `expected` values, 1 or `channels` scales and zero points,
 * `channels` int32 biases) with empty float arrays.
 */
function checkWeights(
  node: Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' | 'dense' }>,
  expected: number,
  formula: string,
  channels: number,
  biasNote: string,
): void {
  const q = node.q;
  if (q === undefined) {
    checkArray(node, 'weights', expected, formula);
    checkArray(node, 'bias', channels, biasNote);
    return;
  }
  const w = where(node);
  const exp = formula.startsWith('(') ? `${expected} ${formula}` : `${formula} = ${expected}`;
  if (q === null || typeof q !== 'object') throw new ShapeError(`${w}: q must be an object, got ${String(q)}`);
  for (const k of ['weights', 'bias'] as const) {
    const a = node[k] as unknown;
    if (!(a instanceof Float32Array) || a.length !== 0) {
      throw new ShapeError(`${w}: a quantized node (with q) must have an empty Float32Array as ${k}`);
    }
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'int8') {
    throw new UnsupportedOpError(`${w}: quantized weights of dtype "${String(q.dtype)}" are not supported (expected uint8 or int8)`);
  }
  const Ctor = q.dtype === 'uint8' ? Uint8Array : Int8Array;
  if (!(q.data instanceof Ctor)) {
    const got = q.data == null ? String(q.data) : ((q.data as object).constructor?.name ?? typeof q.data);
    throw new ShapeError(`${w}: q.data must be a ${Ctor.name} of ${exp} values (q.dtype ${q.dtype}), got ${got}`);
  }
  if (q.data.length !== expected) throw new ShapeError(`${w}: q.data has ${q.data.length} values, expected ${exp}`);
  if (!(q.scale instanceof Float32Array) || (q.scale.length !== 1 && q.scale.length !== channels)) {
    const got = q.scale instanceof Float32Array ? `${q.scale.length} values` : String((q.scale as object | undefined)?.constructor?.name ?? q.scale);
    throw new ShapeError(`${w}: q.scale must be a Float32Array of 1 (per tensor) or ${channels} (per channel) values, got ${got}`);
  }
  if (!(q.zeroPoint instanceof Int32Array) || q.zeroPoint.length !== q.scale.length) {
    const got = q.zeroPoint instanceof Int32Array ? `${q.zeroPoint.length} values` : String((q.zeroPoint as object | undefined)?.constructor?.name ?? q.zeroPoint);
    throw new ShapeError(`${w}: q.zeroPoint must be an Int32Array of ${q.scale.length} values (one per scale), got ${got}`);
  }
  const [lo, hi] = QRANGE[q.dtype];
  for (let c = 0; c < q.scale.length; c++) {
    if (!(Number.isFinite(q.scale[c]) && q.scale[c]! >= 0)) throw new ShapeError(`${w}: q.scale[${c}] = ${q.scale[c]} is not a finite non-negative number`);
    if (q.zeroPoint[c]! < lo || q.zeroPoint[c]! > hi) throw new ShapeError(`${w}: q.zeroPoint[${c}] = ${q.zeroPoint[c]} is outside the ${q.dtype} range [${lo}, ${hi}]`);
  }
  if (!(q.bias instanceof Int32Array) || q.bias.length !== channels) {
    const got = q.bias instanceof Int32Array ? `${q.bias.length} values` : String((q.bias as object | undefined)?.constructor?.name ?? q.bias);
    throw new ShapeError(`${w}: q.bias must be an Int32Array of ${channels} ${biasNote} values, got ${got}`);
  }
}

/** Validates a ValueType (dtype known, quantization present exactly for uint8 / int8 and sane). */
function checkValueType(vt: unknown, ctx: string): ValueType {
  if (vt === null || typeof vt !== 'object') throw new ShapeError(`${ctx}: value type must be {dtype, quant?}, got ${String(vt)}`);
  const { dtype, quant } = vt as { dtype?: unknown; quant?: unknown };
  if (typeof dtype !== 'string' || !DTYPES.has(dtype as DType)) {
    throw new UnsupportedOpError(`${ctx}: dtype ${JSON.stringify(dtype)} is not supported (expected float32, uint8, int8, int32 or int64)`);
  }
  if (dtype === 'uint8' || dtype === 'int8') {
    if (quant === null || typeof quant !== 'object') throw new ShapeError(`${ctx}: a ${dtype} value needs quant {scale, zeroPoint}`);
    const { scale, zeroPoint } = quant as Partial<Quant>;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
      throw new ShapeError(`${ctx}: quant.scale must be a finite positive number, got ${String(scale)}`);
    }
    const [lo, hi] = QRANGE[dtype];
    if (typeof zeroPoint !== 'number' || !Number.isInteger(zeroPoint) || zeroPoint < lo || zeroPoint > hi) {
      throw new ShapeError(`${ctx}: quant.zeroPoint must be an integer in [${lo}, ${hi}] for ${dtype}, got ${String(zeroPoint)}`);
    }
    return { dtype, quant: { scale, zeroPoint } };
  }
  if (quant !== undefined) throw new ShapeError(`${ctx}: a ${dtype} value cannot have quant`);
  return { dtype: dtype as DType };
}

const fmtType = (t: ValueType): string => (t.quant ? `${t.dtype} (scale ${t.quant.scale}, zero point ${t.quant.zeroPoint})` : t.dtype);

function expectInputs(node: Node, count: number): void {
  if (!Array.isArray(node.inputs) || node.inputs.length !== count) {
    const got = Array.isArray(node.inputs) ? node.inputs.length : 'no inputs array';
    throw new ShapeError(`${where(node)}: expected ${count} input${count === 1 ? '' : 's'}, got ${got}`);
  }
}

function expectRank4(node: Node, input: string, shape: number[]): void {
  if (shape.length !== 4) {
    throw new ShapeError(`${where(node)}: input "${input}" has shape ${fmt(shape)}, expected rank 4 [1,H,W,C]`);
  }
}

/** [1,K] or [1,1,1,K] → K; anything else → undefined. */
function vectorLength(shape: number[]): number | undefined {
  if (shape.length === 2 && shape[0] === 1) return shape[1];
  if (shape.length === 4 && shape[0] === 1 && shape[1] === 1 && shape[2] === 1) return shape[3];
  return undefined;
}

/**
 * Infers the shape of every value (the graph input and every node output) and validates the whole
 * graph, dtypes included. Returns the shapes in graph order. Throws ShapeError on any inconsistency
 * and UnsupportedOpError for an unknown op, activation or dtype.
 */
export function inferShapes(graph: Graph): ShapeMap {
  const shapes: ShapeMap = new Map();
  const inShape = graph.input?.shape;
  const inName = graph.input?.name;
  if (typeof inName !== 'string' || inName === '') {
    throw new ShapeError(`graph "${graph.name}": input must have a non-empty name`);
  }
  if (
    !Array.isArray(inShape) ||
    inShape.length !== 4 ||
    inShape[0] !== 1 ||
    !inShape.every((d) => isPosInt(d))
  ) {
    throw new ShapeError(
      `graph "${graph.name}": input "${inName}" has shape ${Array.isArray(inShape) ? fmt(inShape) : String(inShape)}, ` +
        `expected [1,H,W,C] with positive integer H, W, C`,
    );
  }
  shapes.set(inName, [...inShape]);

  // dtypes: Graph.values (absent = float32) and the input's own dtype / quant, which must agree.
  const values = graph.values ?? {};
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ShapeError(`graph "${graph.name}": values must be an object mapping value names to {dtype, quant?}`);
  }
  const types = new Map<string, ValueType>();
  for (const [k, vt] of Object.entries(values)) types.set(k, checkValueType(vt, `graph "${graph.name}": values["${k}"]`));
  {
    const { dtype, quant } = graph.input;
    const ctx = `graph "${graph.name}": input "${inName}"`;
    const own = dtype !== undefined || quant !== undefined
      ? checkValueType({ dtype: dtype ?? 'float32', ...(quant !== undefined ? { quant } : {}) }, ctx)
      : undefined;
    const listed = types.get(inName);
    if (own && listed && fmtType(own) !== fmtType(listed)) {
      throw new ShapeError(`${ctx}: input.dtype/quant say ${fmtType(own)} but values["${inName}"] says ${fmtType(listed)}`);
    }
    const t = own ?? listed ?? { dtype: 'float32' };
    if (t.dtype !== 'float32' && t.dtype !== 'uint8' && t.dtype !== 'int8') {
      throw new UnsupportedOpError(`${ctx}: dtype ${t.dtype} is not supported for the graph input (float32, uint8 or int8)`);
    }
    types.set(inName, t);
  }
  const typeOf = (name: string): ValueType => types.get(name) ?? { dtype: 'float32' };
  const NUMERIC = new Set<DType>(['float32', 'uint8', 'int8']);

  const lookup = (node: Node, input: string): number[] => {
    const s = shapes.get(input);
    if (s === undefined) {
      const later = graph.nodes.some((n) => n.name === input);
      throw new ShapeError(
        later
          ? `${where(node)}: input "${input}" is produced by a later node; nodes must be topologically ordered`
          : `${where(node)}: input "${input}" does not exist (expected the graph input "${inName}" or an earlier node)`,
      );
    }
    return s;
  };

  for (const node of graph.nodes) {
    if (typeof node.name !== 'string' || node.name === '') {
      throw new ShapeError(`${node.op} node: name must be a non-empty string`);
    }
    if (shapes.has(node.name)) {
      throw new ShapeError(`${where(node)}: duplicate value name "${node.name}" (names must be unique, including the graph input)`);
    }
    if ('activation' in node && !ACTIVATIONS.has(node.activation)) {
      throw new UnsupportedOpError(
        `${where(node)}: activation "${String(node.activation)}" is not supported (expected none, relu or relu6)`,
      );
    }
    const w = where(node);
    const outT = typeOf(node.name);
    /** Input k's type must be one of `allowed`; returns it. */
    const inType = (k: number, allowed: Set<DType> | DType[]): ValueType => {
      const t = typeOf(node.inputs[k]!);
      const ok = Array.isArray(allowed) ? allowed.includes(t.dtype) : allowed.has(t.dtype);
      if (!ok) {
        throw new ShapeError(`${w}: input "${node.inputs[k]}" is ${t.dtype}, expected ${[...allowed].join(' or ')}`);
      }
      return t;
    };
    /** The output must have the dtype `dtype` (quantized: with its own quant in Graph.values). */
    const outIs = (dtype: DType | DType[], why: string) => {
      const list = Array.isArray(dtype) ? dtype : [dtype];
      if (!list.includes(outT.dtype)) {
        throw new ShapeError(`${w}: output is ${outT.dtype} (Graph.values), expected ${list.join(' or ')} (${why})`);
      }
    };
    let out: number[];
    switch (node.op) {
      case 'conv2d': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        if (!isPosInt(node.outChannels)) {
          throw new ShapeError(`${where(node)}: outChannels must be a positive integer, got ${node.outChannels}`);
        }
        const [outH, outW] = checkWindow(node, x);
        const [kh, kw] = node.kernel;
        const cin = x[3]!;
        const cout = node.outChannels;
        checkWeights(node, kh * kw * cin * cout, `${kh}·${kw}·${cin}·${cout}`, cout, '(outChannels)');
        out = [1, outH, outW, cout];
        break;
      }
      case 'depthwise_conv2d': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        const [outH, outW] = checkWindow(node, x);
        const [kh, kw] = node.kernel;
        const c = x[3]!;
        checkWeights(node, kh * kw * c, `${kh}·${kw}·${c}`, c, '(input channels)');
        out = [1, outH, outW, c];
        break;
      }
      case 'add': {
        expectInputs(node, 2);
        const a = lookup(node, node.inputs[0]!);
        const b = lookup(node, node.inputs[1]!);
        if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
          throw new ShapeError(
            `${where(node)}: operands must have equal shapes, got "${node.inputs[0]}" ${fmt(a)} and "${node.inputs[1]}" ${fmt(b)}`,
          );
        }
        out = [...a];
        break;
      }
      case 'global_avg_pool': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        if (node.keepDims !== undefined && typeof node.keepDims !== 'boolean') {
          throw new ShapeError(`${w}: keepDims must be a boolean, got ${JSON.stringify(node.keepDims)}`);
        }
        if (node.rounding !== undefined && node.rounding !== 'avgpool' && node.rounding !== 'mean') {
          throw new ShapeError(`${w}: rounding must be 'avgpool' or 'mean', got ${JSON.stringify(node.rounding)}`);
        }
        out = node.keepDims ? [1, 1, 1, x[3]!] : [1, x[3]!];
        break;
      }
      case 'dense': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        const k = vectorLength(x);
        if (k === undefined) {
          throw new ShapeError(
            `${where(node)}: input "${node.inputs[0]}" has shape ${fmt(x)}, expected [1,K] (or [1,1,1,K])`,
          );
        }
        if (!isPosInt(node.units)) {
          throw new ShapeError(`${where(node)}: units must be a positive integer, got ${node.units}`);
        }
        checkWeights(node, k * node.units, `${k}·${node.units}`, node.units, '(units)');
        out = [1, node.units];
        break;
      }
      case 'softmax': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        if (x.length !== 2 || x[0] !== 1) {
          throw new ShapeError(`${where(node)}: input "${node.inputs[0]}" has shape ${fmt(x)}, expected [1,N]`);
        }
        if (node.beta !== undefined && !(typeof node.beta === 'number' && Number.isFinite(node.beta))) {
          throw new ShapeError(`${w}: beta must be a finite number, got ${String(node.beta)}`);
        }
        out = [...x];
        break;
      }
      case 'quantize':
      case 'dequantize': {
        expectInputs(node, 1);
        out = [...lookup(node, node.inputs[0]!)];
        break;
      }
      case 'pad': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        const p = node.pad;
        if (p == null || !isNonNegInt(p.top) || !isNonNegInt(p.left) || !isNonNegInt(p.bottom) || !isNonNegInt(p.right)) {
          throw new ShapeError(`${w}: pad must have non-negative integer top/left/bottom/right, got ${JSON.stringify(p)}`);
        }
        out = [1, x[1]! + p.top + p.bottom, x[2]! + p.left + p.right, x[3]!];
        break;
      }
      case 'concat': {
        if (!Array.isArray(node.inputs) || node.inputs.length < 1) {
          throw new ShapeError(`${w}: expected at least 1 input, got ${Array.isArray(node.inputs) ? 0 : 'no inputs array'}`);
        }
        if (node.axis !== 3) throw new UnsupportedOpError(`${w}: concatenation along axis ${String(node.axis)} is not supported (only 3, channels)`);
        const xs = node.inputs.map((i) => {
          const s = lookup(node, i);
          expectRank4(node, i, s);
          return s;
        });
        const [, h, wd] = xs[0]!;
        for (const [k, s] of xs.entries()) {
          if (s[1] !== h || s[2] !== wd) {
            throw new ShapeError(
              `${w}: input "${node.inputs[k]}" has shape ${fmt(s)} but "${node.inputs[0]}" has ${fmt(xs[0]!)}; H and W must agree`,
            );
          }
        }
        out = [1, h!, wd!, xs.reduce((sum, s) => sum + s[3]!, 0)];
        break;
      }
      case 'resize_bilinear': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        const { size } = node;
        if (!Array.isArray(size) || size.length !== 2 || !isPosInt(size[0]) || !isPosInt(size[1])) {
          throw new ShapeError(`${w}: size must be two positive integers [h, w], got ${JSON.stringify(size)}`);
        }
        if (typeof node.alignCorners !== 'boolean' || typeof node.halfPixelCenters !== 'boolean') {
          throw new ShapeError(`${w}: alignCorners and halfPixelCenters must be booleans`);
        }
        if (node.alignCorners && node.halfPixelCenters) {
          throw new ShapeError(`${w}: alignCorners and halfPixelCenters cannot both be true`);
        }
        out = [1, size[0], size[1], x[3]!];
        break;
      }
      case 'argmax': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        expectRank4(node, node.inputs[0]!, x);
        if (node.axis !== 3) throw new UnsupportedOpError(`${w}: argmax along axis ${String(node.axis)} is not supported (only 3, channels)`);
        if (node.outputType !== 'int32' && node.outputType !== 'int64') {
          throw new UnsupportedOpError(`${w}: outputType "${String(node.outputType)}" is not supported (int32 or int64)`);
        }
        out = [1, x[1]!, x[2]!];
        break;
      }
      case 'reshape': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        const { shape } = node;
        if (!Array.isArray(shape) || shape.length < 1 || shape.length > 8 || !shape.every((d) => isPosInt(d))) {
          throw new ShapeError(`${w}: shape must be 1 to 8 positive integers, got ${JSON.stringify(shape)}`);
        }
        const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
        if (n(shape) !== n(x)) {
          throw new ShapeError(`${w}: cannot reshape "${node.inputs[0]}" ${fmt(x)} (${n(x)} elements) to ${fmt(shape)} (${n(shape)} elements)`);
        }
        out = [...shape];
        break;
      }
      default: {
        const n = node as { op?: unknown; name?: unknown };
        throw new UnsupportedOpError(`node "${String(n.name)}": op "${String(n.op)}" is not supported`);
      }
    }

    // dtypes
    switch (node.op) {
      case 'conv2d':
      case 'depthwise_conv2d':
      case 'dense': {
        if (node.q) {
          inType(0, [node.q.dtype]);
          outIs(node.q.dtype, `quantized ${node.q.dtype} weights`);
        } else {
          inType(0, ['float32']);
          outIs('float32', 'float weights');
        }
        break;
      }
      case 'add': {
        const a = inType(0, NUMERIC);
        inType(1, [a.dtype]);
        outIs(a.dtype, 'the operands\' dtype');
        break;
      }
      case 'concat': {
        const a = inType(0, NUMERIC);
        for (let k = 1; k < node.inputs.length; k++) inType(k, [a.dtype]);
        outIs(a.dtype, 'the inputs\' dtype');
        break;
      }
      case 'global_avg_pool':
      case 'softmax':
      case 'pad':
      case 'resize_bilinear':
      case 'reshape': {
        const a = inType(0, NUMERIC);
        outIs(a.dtype, 'the input\'s dtype');
        break;
      }
      case 'quantize':
        inType(0, NUMERIC);
        outIs(['uint8', 'int8'], 'quantize produces a quantized value');
        break;
      case 'dequantize':
        inType(0, ['uint8', 'int8']);
        outIs('float32', 'dequantize produces float32');
        break;
      case 'argmax':
        inType(0, NUMERIC);
        outIs(node.outputType, 'the node\'s outputType');
        break;
    }
    shapes.set(node.name, out);
  }

  for (const k of types.keys()) {
    if (!shapes.has(k)) throw new ShapeError(`graph "${graph.name}": values["${k}"] names no value of the graph (neither the input nor a node)`);
  }
  if (!graph.nodes.some((n) => n.name === graph.output)) {
    throw new ShapeError(`graph "${graph.name}": output "${graph.output}" is not produced by any node`);
  }
  return shapes;
}
