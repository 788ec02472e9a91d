// Shape inference and structural validation of a Graph, plus the padding rules of the three PaddingModes.
//
// inferShapes is the one place that checks a graph fits together before any kernel runs: every node's
// inputs exist and come earlier, kernels/strides/pads give an output of at least 1×1, weight and bias
// arrays have the lengths their shapes imply, add operands agree, dense and softmax see [1,N] tensors.
// Every failure is a ShapeError (or UnsupportedOpError for an op/activation the engine does not know)
// whose message names the op, the node, the tensor and what was expected.

import { InputError, ShapeError, UnsupportedOpError } from '../errors.js';
import type { Graph, Node, Pad, PaddingMode } from './ir.js';

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

/** floor((in + before + after − k)/stride) + 1: the output size of a padded 'valid' window. */
export function convOutSize(inSize: number, k: number, stride: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - k) / stride) + 1;
}

function checkWindow(
  node: Extract<Node, { op: 'conv2d' | 'depthwise_conv2d' }>,
  inShape: number[],
): [number, number] {
  const w = where(node);
  const { kernel, stride, pad } = node;
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
  const outH = convOutSize(h!, kernel[0], stride[0], pad.top, pad.bottom);
  const outW = convOutSize(wd!, kernel[1], stride[1], pad.left, pad.right);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${w}: a ${kernel[0]}×${kernel[1]} kernel with stride ${stride[0]}×${stride[1]} and pad ` +
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
 * graph. Returns the shapes in graph order. Throws ShapeError on any inconsistency and
 * UnsupportedOpError for an unknown op or activation.
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
        checkArray(node, 'weights', kh * kw * cin * cout, `${kh}·${kw}·${cin}·${cout}`);
        checkArray(node, 'bias', cout, '(outChannels)');
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
        checkArray(node, 'weights', kh * kw * c, `${kh}·${kw}·${c}`);
        checkArray(node, 'bias', c, '(input channels)');
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
        out = [1, x[3]!];
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
        checkArray(node, 'weights', k * node.units, `${k}·${node.units}`);
        checkArray(node, 'bias', node.units, '(units)');
        out = [1, node.units];
        break;
      }
      case 'softmax': {
        expectInputs(node, 1);
        const x = lookup(node, node.inputs[0]!);
        if (x.length !== 2 || x[0] !== 1) {
          throw new ShapeError(`${where(node)}: input "${node.inputs[0]}" has shape ${fmt(x)}, expected [1,N]`);
        }
        out = [...x];
        break;
      }
      default: {
        const n = node as { op?: unknown; name?: unknown };
        throw new UnsupportedOpError(`node "${String(n.name)}": op "${String(n.op)}" is not supported`);
      }
    }
    shapes.set(node.name, out);
  }

  if (!graph.nodes.some((n) => n.name === graph.output)) {
    throw new ShapeError(`graph "${graph.name}": output "${graph.output}" is not produced by any node`);
  }
  return shapes;
}
