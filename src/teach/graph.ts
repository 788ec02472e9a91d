// A taught model's graph: the backbone up to its embedding (the pooled features), then the trained head
// (dense layers and a softmax) over the user's labels. An ordinary Graph: it loads, runs, quantizes and exports
// like any other model.
import type { Graph, Node, ValueType } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { InputError } from '../errors.js';
import type { TrainedHead } from './head.js';

/** The backbone's nodes that its embedding depends on, in their order (the classifier head is dropped). */
export function backboneUpToEmbedding(backbone: Graph): { nodes: Node[]; embedding: string } {
  const embedding = backbone.meta.embeddingNode;
  if (!embedding) throw new InputError(`model "${backbone.name}" records no embedding node; it cannot be taught new classes`);
  const byName = new Map(backbone.nodes.map((n) => [n.name, n]));
  if (!byName.has(embedding)) throw new InputError(`model "${backbone.name}": embedding node "${embedding}" is not in the graph`);
  const needed = new Set<string>();
  const stack = [embedding];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name) || name === backbone.input.name) continue;
    needed.add(name);
    stack.push(...byName.get(name)!.inputs);
  }
  return { nodes: backbone.nodes.filter((n) => needed.has(n.name)), embedding };
}

/** The backbone's logits: the input of its final softmax (or its output when that is not probabilities). */
export function backboneLogits(backbone: Graph): string {
  const last = backbone.nodes.find((n) => n.name === backbone.output);
  if (last?.op === 'softmax') return last.inputs[0];
  if (backbone.meta.outputIsProbabilities || last?.op === 'argmax') throw new InputError(`model "${backbone.name}": its output is not logits nor a softmax of them; its classes cannot be kept`);
  return backbone.output;
}

export interface TaughtGraphOptions {
  name?: string;
  /**
   * Keep the backbone's own classes: one softmax over its logits and the head's (the backbone's labels first, the
   * new ones after). The head's logits should be on the backbone's scale (Learner shifts them; see TrainOptions).
   */
  keepClasses?: boolean;
}

/** A head the graph can carry: dense layers (a softmax after the last unless it gives probabilities already). */
export type GraphHead = Pick<TrainedHead, 'layers' | 'classes'> & { probabilities?: boolean };

/** Backbone (to its embedding) + head + softmax, labelled with `labels` (one per head class). */
export function taughtGraph(backbone: Graph, head: GraphHead, labels: string[], opts: string | TaughtGraphOptions = {}): Graph {
  const o = typeof opts === 'string' ? { name: opts } : opts;
  const name = o.name ?? `${backbone.name}-taught`;
  if (labels.length !== head.classes) throw new InputError(`${labels.length} labels for a head with ${head.classes} classes`);
  const { nodes: embNodes, embedding } = backboneUpToEmbedding(backbone);
  const logitsOf = o.keepClasses ? backboneLogits(backbone) : undefined;
  // With the backbone's classes kept, every node up to its logits stays (the embedding is among them).
  const nodes = logitsOf ? backbone.nodes.slice(0, backbone.nodes.findIndex((n) => n.name === logitsOf) + 1) : embNodes;
  const shapes = inferShapes(backbone);
  const embShape = shapes.get(embedding);
  const features = embShape ? embShape[embShape.length - 1] : undefined;
  if (features !== head.layers[0].inputs) {
    throw new InputError(`the head takes ${head.layers[0].inputs} features but "${embedding}" of model "${backbone.name}" gives ${features}`);
  }
  const taken = new Set([backbone.input.name, ...nodes.map((n) => n.name)]);
  const unique = (base: string) => {
    let n = base;
    for (let i = 1; taken.has(n); i++) n = `${base}_${i}`;
    taken.add(n);
    return n;
  };
  const out: Node[] = [...nodes];
  const values: Record<string, ValueType> = {};
  for (const n of nodes) if (backbone.values?.[n.name]) values[n.name] = backbone.values[n.name];
  let x = embedding;
  // A quantized backbone's pooled features are integers: the float head reads their real values.
  if (backbone.values?.[embedding]?.quant) {
    const dq = unique('head/dequantize');
    out.push({ op: 'dequantize', name: dq, inputs: [x] });
    x = dq;
  }
  if (embShape && embShape.length !== 2) {
    const flat = unique('head/flatten');
    out.push({ op: 'reshape', name: flat, inputs: [x], shape: [1, features] });
    x = flat;
  }
  head.layers.forEach((l, i) => {
    const d = unique(i === head.layers.length - 1 ? (head.probabilities ? 'head/probabilities' : 'head/logits') : `head/hidden${i}`);
    out.push({ op: 'dense', name: d, inputs: [x], activation: l.relu ? 'relu' : 'none', weights: l.weights, bias: l.bias, units: l.units });
    x = d;
    if (l.softmax) {
      const sm = unique(`head/softmax${i}`);
      out.push({ op: 'softmax', name: sm, inputs: [x] });
      x = sm;
    }
  });
  if (head.probabilities && o.keepClasses) throw new InputError('the backbone\'s classes can be kept beside a trained head only (its logits)');
  let outLabels = [...labels];
  let labelOffset: number | undefined;
  if (logitsOf) {
    // softmax(concat(backbone logits, head logits)): concat works on [1,1,1,C] values.
    const n0 = shapes.get(logitsOf)!.reduce((a, d) => a * d, 1);
    let z = logitsOf;
    if (backbone.values?.[z]?.quant) {
      const dq = unique('head/backbone_logits_dequantize');
      out.push({ op: 'dequantize', name: dq, inputs: [z] });
      z = dq;
    }
    const a = unique('head/backbone_logits_4d');
    const b = unique('head/logits_4d');
    const cat = unique('head/all_logits');
    const flat = unique('head/all_logits_flat');
    out.push({ op: 'reshape', name: a, inputs: [z], shape: [1, 1, 1, n0] }, { op: 'reshape', name: b, inputs: [x], shape: [1, 1, 1, head.classes] },
      { op: 'concat', name: cat, inputs: [a, b], axis: 3 }, { op: 'reshape', name: flat, inputs: [cat], shape: [1, n0 + head.classes] });
    x = flat;
    labelOffset = backbone.meta.labelOffset ?? 0;
    if (backbone.meta.labels.length + labelOffset !== n0) throw new InputError(`model "${backbone.name}" has ${n0} logits but ${backbone.meta.labels.length} labels (offset ${labelOffset}); its classes cannot be kept`);
    outLabels = [...backbone.meta.labels, ...labels];
  }
  let probs = x;
  if (!head.probabilities) out.push({ op: 'softmax', name: (probs = unique('head/probabilities')), inputs: [x] });
  const g: Graph = {
    name,
    input: { ...backbone.input, shape: [...backbone.input.shape] },
    output: probs,
    nodes: out,
    ...(Object.keys(values).length ? { values } : {}),
    meta: {
      ...backbone.meta,
      labels: outLabels,
      labelOffset,
      task: 'classify',
      embeddingNode: embedding,
      outputIsProbabilities: true,
      source: `${backbone.meta.source ?? backbone.name} + a ${head.probabilities ? 'k-NN' : 'trained'} head taught on the device (${head.layers.length} dense layer${head.layers.length > 1 ? 's' : ''}, ${head.classes} classes${logitsOf ? ', beside its own' : ''})`,
    },
  };
  if (!labelOffset) delete g.meta.labelOffset;
  inferShapes(g);
  return g;
}

/**
 * The backbone's logits as a function of its embedding, in double precision on its float32 twin's weights: the
 * layers between the two (dense, 1×1 conv2d on one pixel, reshape, (de)quantize). Learner uses it to put a head
 * kept beside the backbone's classes on the same scale.
 */
export function backboneLogitsFn(backbone: Graph): (embedding: ArrayLike<number>) => Float64Array {
  const logits = backboneLogits(backbone);
  const byName = new Map(backbone.nodes.map((n) => [n.name, n]));
  const chain: Node[] = [];
  for (let name = logits; name !== backbone.meta.embeddingNode;) {
    const n = byName.get(name);
    if (!n) throw new InputError(`model "${backbone.name}": its logits do not follow from its embedding`);
    chain.unshift(n);
    name = n.inputs[0];
  }
  for (const n of chain) {
    const ok = n.op === 'reshape' || n.op === 'dequantize' || n.op === 'quantize' || n.op === 'dense' || (n.op === 'conv2d' && n.kernel[0] === 1 && n.kernel[1] === 1);
    if (!ok) throw new InputError(`model "${backbone.name}": a ${n.op} between its embedding and its logits; its classes cannot be kept`);
  }
  return (embedding) => {
    let a = Float64Array.from(embedding);
    for (const n of chain) {
      if (n.op !== 'dense' && n.op !== 'conv2d') continue;
      const units = n.op === 'dense' ? n.units : n.outChannels;
      const z = Float64Array.from(n.bias);
      for (let i = 0; i < a.length; i++) for (let o = 0; o < units; o++) z[o] += a[i] * n.weights[i * units + o];
      a = n.activation === 'relu' ? z.map((v) => Math.max(0, v)) : n.activation === 'relu6' ? z.map((v) => Math.min(6, Math.max(0, v))) : z;
    }
    return a;
  };
}

