// Shape inference and structural validation of a Graph, plus the padding rules of the three PaddingModes.
//
// inferShapes is the one place that checks a graph fits together before any kernel runs: every node's
// inputs exist and come earlier, names are unique, activations known; each op's module (src/ops/, `shape`
// and `types`) then checks its own node: kernels/strides/dilations/pads give an output of at least 1×1, weight
// and bias arrays (float, or the integer `q` weights of a quantized node) have the lengths their shapes
// imply, add operands agree, dense and softmax see [1,N] tensors, concat inputs agree in H and W,
// reshapes keep the element count, and every value's dtype / quantization (Graph.values, the graph
// input) is what its producer and consumers need.
// Every failure is a ShapeError (or UnsupportedOpError for an op/activation the engine does not know)
// whose message names the op, the node, the tensor and what was expected.

import { InputError, ShapeError, UnsupportedOpError, preview } from '../errors.js';
import type { DType, Graph, Node, Pad, PaddingMode, Quant, ValueType } from './ir.js';
import { graphOutputs } from './ir.js';
import { opModule } from '../ops/index.js';
import { fmt, isPosInt, QRANGE, where } from '../ops/checks.js';
import type { ShapeContext } from '../ops/types.js';

export { convOutSize } from '../ops/checks.js';

/** Shapes of every value in the graph: the input and each node's output, in graph order. */
export type ShapeMap = Map<string, number[]>;

const ACTIVATIONS = new Set(['none', 'relu', 'relu6']);

const DTYPES = new Set<DType>(['float32', 'uint8', 'int8', 'int32', 'int64']);

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
/** Validates a ValueType (dtype known, quantization present exactly for uint8 / int8 and sane). */
function checkValueType(vt: unknown, ctx: string): ValueType {
  if (vt === null || typeof vt !== 'object') throw new ShapeError(`${ctx}: value type must be {dtype, quant?}, got ${String(vt)}`);
  const { dtype, quant } = vt as { dtype?: unknown; quant?: unknown };
  if (typeof dtype !== 'string' || !DTYPES.has(dtype as DType)) {
    throw new UnsupportedOpError(`${ctx}: dtype ${preview(dtype)} is not supported (expected float32, uint8, int8, int32 or int64)`);
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
    const inType = (k: number, allowed: ReadonlySet<DType> | DType[]): ValueType => {
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
    const m = opModule(node.op);
    if (m === undefined) {
      const n = node as { op?: unknown; name?: unknown };
      throw new UnsupportedOpError(`node "${String(n.name)}": op "${String(n.op)}" is not supported`);
    }
    const c: ShapeContext = { where: w, lookup: (input) => lookup(node, input), inType, outIs };
    const out = m.shape(node, c);
    m.types(node, c);
    shapes.set(node.name, out);
  }

  for (const k of types.keys()) {
    if (!shapes.has(k)) throw new ShapeError(`graph "${graph.name}": values["${k}"] names no value of the graph (neither the input nor a node)`);
  }
  const outs = graphOutputs(graph);
  for (const o of outs) {
    if (!graph.nodes.some((n) => n.name === o)) throw new ShapeError(`graph "${graph.name}": output "${o}" is not produced by any node`);
  }
  if (outs[0] !== graph.output || new Set(outs).size < outs.length) throw new ShapeError(`graph "${graph.name}": outputs must be distinct, the first being output`);
  return shapes;
}
