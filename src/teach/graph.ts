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

/** Backbone (to its embedding) + head + softmax, labelled with `labels` (one per head class). */
export function taughtGraph(backbone: Graph, head: TrainedHead, labels: string[], name = `${backbone.name}-taught`): Graph {
  if (labels.length !== head.classes) throw new InputError(`${labels.length} labels for a head with ${head.classes} classes`);
  const { nodes, embedding } = backboneUpToEmbedding(backbone);
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
    const d = unique(i === head.layers.length - 1 ? 'head/logits' : `head/hidden${i}`);
    out.push({ op: 'dense', name: d, inputs: [x], activation: l.relu ? 'relu' : 'none', weights: l.weights, bias: l.bias, units: l.units });
    x = d;
  });
  const probs = unique('head/probabilities');
  out.push({ op: 'softmax', name: probs, inputs: [x] });
  const g: Graph = {
    name,
    input: { ...backbone.input, shape: [...backbone.input.shape] },
    output: probs,
    nodes: out,
    ...(Object.keys(values).length ? { values } : {}),
    meta: {
      ...backbone.meta,
      labels: [...labels],
      labelOffset: undefined,
      task: 'classify',
      embeddingNode: embedding,
      outputIsProbabilities: true,
      source: `${backbone.meta.source ?? backbone.name} + a head taught on the device (${head.layers.length} dense layer${head.layers.length > 1 ? 's' : ''}, ${head.classes} classes)`,
    },
  };
  delete g.meta.labelOffset;
  inferShapes(g);
  return g;
}
