// The float32 twin of a quantized graph: every integer weight replaced by the real value it stands for
// (real = scale·(q − zeroPoint), per tensor or per output channel), every int32 bias by bias·inputScale·scale[c],
// quantized activations by float32 ones, and QUANTIZE / DEQUANTIZE nodes (which only change the encoding) removed.
// The arithmetic is then plain float32: the twin computes what the quantized network approximates, without
// its rounding and without the clamping that the activations' quantization ranges imply — except where that
// clamping is the network's activation: a conv / depthwise / dense / add with no fused activation whose output
// range starts at exactly 0 (zero point at the type's minimum) is a ReLU the converter folded into the range
// (quantization-aware SSD detectors have 41 such layers, range [0, 6]; unclamped, their float twin diverges
// to 1e12 by the box predictors). It becomes relu6 when the range ends at 6 or below, relu above. Preprocessing
// is unchanged: meta.preprocess already gives the input's real values (see ModelMeta.preprocess).
import { graphOutputs, type Graph, type Node, type QuantWeights, type ValueType } from './ir.js';
import { inferShapes } from './shapes.js';
import { InputError } from '../errors.js';

/** True when the graph has a quantized value or integer weights (a float32 graph is its own twin). */
export function isQuantized(graph: Graph): boolean {
  if (graph.input.quant || (graph.input.dtype !== undefined && graph.input.dtype !== 'float32')) return true;
  if (Object.values(graph.values ?? {}).some((v) => v.quant !== undefined)) return true;
  return graph.nodes.some((n) => 'q' in n && n.q !== undefined);
}

/** The float32 twin of `graph` (a new graph; `graph` is not modified). A float32 graph is returned as is. */
export function dequantizeGraph(graph: Graph): Graph {
  if (!isQuantized(graph)) return graph;
  const values = graph.values ?? {};
  const valueOf = (name: string): ValueType | undefined => (name === graph.input.name
    ? (graph.input.dtype ? { dtype: graph.input.dtype, quant: graph.input.quant } : undefined)
    : values[name]);
  // QUANTIZE / DEQUANTIZE only re-encode their input: in float32 each is its input.
  const alias = new Map<string, string>();
  const resolve = (name: string): string => alias.get(name) ?? name;
  const nodes: Node[] = [];
  for (let n of graph.nodes) {
    const inputs = n.inputs.map(resolve);
    if (n.op === 'quantize' || n.op === 'dequantize') {
      alias.set(n.name, inputs[0]);
      continue;
    }
    const act = impliedActivation(n, valueOf(n.name));
    if (act) {
      const withAct = { ...n, activation: act } as Node;
      if (!((n.op === 'conv2d' || n.op === 'depthwise_conv2d' || n.op === 'dense') && n.q)) {
        nodes.push({ ...withAct, inputs } as Node);
        continue;
      }
      n = withAct;
    }
    if ((n.op === 'conv2d' || n.op === 'depthwise_conv2d' || n.op === 'dense') && n.q) {
      const inQuant = valueOf(n.inputs[0])?.quant;
      if (!inQuant) throw new InputError(`dequantize: node "${n.name}" has integer weights but its input "${n.inputs[0]}" has no quantization`);
      const channels = n.op === 'conv2d' ? n.outChannels : n.op === 'dense' ? n.units : n.q.bias.length;
      const { weights, bias } = realWeights(n.q, channels, inQuant.scale, n.name);
      const { q: _q, ...rest } = n;
      nodes.push({ ...rest, inputs, weights, bias } as Node);
      continue;
    }
    nodes.push({ ...n, inputs } as Node);
  }
  // Integer values that are not quantized activations (ARG_MAX's int32 / int64 output) keep their type.
  const kept: Record<string, ValueType> = {};
  for (const n of nodes) {
    const v = values[n.name];
    if (v && v.quant === undefined && v.dtype !== 'float32') kept[n.name] = { dtype: v.dtype };
  }
  const embedding = graph.meta.embeddingNode !== undefined ? resolve(graph.meta.embeddingNode) : undefined;
  const out: Graph = {
    name: `${graph.name}-float32`,
    input: { name: graph.input.name, shape: [...graph.input.shape] },
    output: resolve(graph.output),
    ...(graph.outputs ? { outputs: graphOutputs(graph).map(resolve) } : {}),
    nodes,
    ...(Object.keys(kept).length > 0 ? { values: kept } : {}),
    meta: {
      ...graph.meta,
      labels: [...graph.meta.labels],
      ...(embedding !== undefined && embedding !== graph.input.name ? { embeddingNode: embedding } : {}),
      source: `${graph.meta.source ?? graph.name} → float32 by dequantizing its weights`,
    },
  };
  inferShapes(out); // the twin must be a well-formed graph
  return out;
}

/** The activation a node's output range stands for (see the top of this file), or undefined. */
function impliedActivation(n: Node, v: ValueType | undefined): 'relu' | 'relu6' | undefined {
  if (!('activation' in n) || n.activation !== 'none' || !v?.quant) return undefined;
  const qmin = v.dtype === 'int8' ? -128 : v.dtype === 'uint8' ? 0 : undefined;
  if (qmin === undefined || v.quant.zeroPoint !== qmin) return undefined;
  const top = v.quant.scale * 255;
  return top <= 6 * (1 + 1e-3) ? 'relu6' : 'relu';
}

/** Real weights (same layout; the output channel is the fastest-varying index) and real biases. */
function realWeights(q: QuantWeights, channels: number, inputScale: number, name: string): { weights: Float32Array; bias: Float32Array } {
  const perChannel = q.scale.length > 1;
  if (perChannel && q.scale.length !== channels) {
    throw new InputError(`dequantize: node "${name}" has ${q.scale.length} weight scales for ${channels} output channels`);
  }
  if (q.data.length % channels !== 0 || q.bias.length !== channels) {
    throw new InputError(`dequantize: node "${name}" has ${q.data.length} weights and ${q.bias.length} biases for ${channels} output channels`);
  }
  const weights = new Float32Array(q.data.length);
  for (let i = 0; i < weights.length; i++) {
    const c = perChannel ? i % channels : 0;
    weights[i] = q.scale[c] * (q.data[i] - q.zeroPoint[c]);
  }
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) bias[c] = q.bias[c] * inputScale * q.scale[perChannel ? c : 0];
  return { weights, bias };
}
