// What the three weighted ops (conv2d, depthwise_conv2d, dense) share: their dtype rule, their weight and
// bias counts, and how post-training quantization gives them int8 per-channel weights.
import type { Node } from '../graph/ir.js';
import { InputError } from '../errors.js';
import type { NodeOf, QuantizeContext, ShapeContext } from './types.js';

type Weighted = NodeOf<'conv2d' | 'depthwise_conv2d' | 'dense'>;

/** Integer weights: the input and output have the weights' dtype; float weights: float32 in and out. */
export function weightedTypes(n: Weighted, c: ShapeContext): void {
  if (n.q) {
    c.inType(0, [n.q.dtype]);
    c.outIs(n.q.dtype, `quantized ${n.q.dtype} weights`);
  } else {
    c.inType(0, ['float32']);
    c.outIs('float32', 'float weights');
  }
}

/** Number of weights (float, or the integer q.data of a quantized node) and biases of a node. */
export function weightCount(n: Weighted): { weights: number; bias: number } {
  return n.q ? { weights: n.q.data.length, bias: n.q.bias.length } : { weights: n.weights.length, bias: n.bias.length };
}

/** Per-channel int8 weights, the input's int8 scale in the bias, the output quantized from its (activation-bounded) range. */
export function quantizeWeighted(n: Weighted, channels: number, c: QuantizeContext, depthwise = false): void {
  if (n.q) throw new InputError(`${c.where} already has integer weights`);
  const q = c.weights(n, channels, c.quantOf(c.inputs[0]).scale, depthwise);
  c.emit({ ...n, inputs: c.inputs, weights: new Float32Array(0), bias: new Float32Array(0), q } as Node);
  c.setQ(n.name, c.bounded(n.name, n.activation));
}
