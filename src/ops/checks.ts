// Checks the op modules' shape inference shares (src/ops/*.ts `shape`): windows of convolutions, weight arrays,
// input counts and ranks. Every failure is a ShapeError (UnsupportedOpError for an unsupported weight dtype)
// whose message names the op, the node, the tensor and what was expected.
import { ShapeError, UnsupportedOpError, preview } from '../errors.js';
import type { DType, Node } from '../graph/ir.js';

export const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;
export const where = (node: { op: string; name: string }): string => `${node.op} "${node.name}"`;

export const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
export const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Output size of a window of `k` taps, `dilation` apart, over `inSize` pixels padded by `before` and `after`. */
export function convOutSize(inSize: number, k: number, stride: number, before: number, after: number, dilation = 1): number {
  return Math.floor((inSize + before + after - dilation * (k - 1) - 1) / stride) + 1;
}

export function checkWindow(
  node: Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' }>,
  inShape: number[],
): [number, number] {
  const w = where(node);
  const { kernel, stride, pad } = node;
  const dilation = node.dilation ?? [1, 1];
  if (!Array.isArray(dilation) || dilation.length !== 2 || !isPosInt(dilation[0]) || !isPosInt(dilation[1])) {
    throw new ShapeError(`${w}: dilation must be two positive integers [dh, dw], got ${preview(node.dilation)}`);
  }
  if (!Array.isArray(kernel) || kernel.length !== 2 || !isPosInt(kernel[0]) || !isPosInt(kernel[1])) {
    throw new ShapeError(`${w}: kernel must be two positive integers [kh, kw], got ${preview(kernel)}`);
  }
  if (!Array.isArray(stride) || stride.length !== 2 || !isPosInt(stride[0]) || !isPosInt(stride[1])) {
    throw new ShapeError(`${w}: stride must be two positive integers [sh, sw], got ${preview(stride)}`);
  }
  if (
    pad == null ||
    !isNonNegInt(pad.top) ||
    !isNonNegInt(pad.left) ||
    !isNonNegInt(pad.bottom) ||
    !isNonNegInt(pad.right)
  ) {
    throw new ShapeError(
      `${w}: pad must have non-negative integer top/left/bottom/right, got ${preview(pad)}`,
    );
  }
  // Real pads are narrower than the window (SAME padding); a hostile file's pad of 50000 would make a huge map
  // of padding alone. Allowed: up to the window's extent, or 16.
  const eh = Math.max(16, dilation[0] * (kernel[0] - 1) + 1);
  const ew = Math.max(16, dilation[1] * (kernel[1] - 1) + 1);
  if (Math.max(pad.top, pad.bottom) > eh || Math.max(pad.left, pad.right) > ew) {
    throw new ShapeError(`${w}: pad ${preview(pad)} is wider than ${eh}×${ew} (the window, or 16)`);
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

export const QRANGE: Record<'uint8' | 'int8', [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

/**
 * Checks the weights of a conv2d / depthwise_conv2d / dense: the float arrays (checkArray) or, for a
 * quantized node, `q` (integer weights of `expected` values, 1 or `channels` scales and zero points,
 * `channels` int32 biases) with empty float arrays.
 */
export function checkWeights(
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


export function expectInputs(node: Node, count: number): void {
  if (!Array.isArray(node.inputs) || node.inputs.length !== count) {
    const got = Array.isArray(node.inputs) ? node.inputs.length : 'no inputs array';
    throw new ShapeError(`${where(node)}: expected ${count} input${count === 1 ? '' : 's'}, got ${got}`);
  }
}

export function expectRank4(node: Node, input: string, shape: number[]): void {
  if (shape.length !== 4) {
    throw new ShapeError(`${where(node)}: input "${input}" has shape ${fmt(shape)}, expected rank 4 [1,H,W,C]`);
  }
}

/** [1,K] or [1,1,1,K] → K; anything else → undefined. */
export function vectorLength(shape: number[]): number | undefined {
  if (shape.length === 2 && shape[0] === 1) return shape[1];
  if (shape.length === 4 && shape[0] === 1 && shape[1] === 1 && shape[2] === 1) return shape[3];
  return undefined;
}

/**
 * Infers the shape of every value (the graph input and every node output) and validates the whole
 * graph, dtypes included. Returns the shapes in graph order. Throws ShapeError on any inconsistency
 * and UnsupportedOpError for an unknown op, activation or dtype.

/** Numeric dtypes an op may compute on (int32 / int64 are argmax outputs only). */
export const NUMERIC: ReadonlySet<DType> = new Set<DType>(['float32', 'uint8', 'int8']);

/** A positive safe integer (the native writer's rule for kernel sizes, channels and units). */
export const isSafePosInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
