// Converts our folded Graph into a TensorFlow.js GraphModel, in the form tfjs-converter emits for a
// frozen, optimized MobileNetV2: batch norm folded, _FusedConv2D / FusedDepthwiseConv2dNative with
// BiasAdd (+Relu6), _FusedMatMul for dense layers. This is tfjs at its fastest, the fair peer.
import type { Graph, Node, Pad } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ilist = (a: number[]) => ({ list: { i: a.map(String) } });
const shapeOf = (dims: number[]) => ({ dim: dims.map((d) => ({ size: String(d) })) });

function samePad(inSize: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export interface TfjsGraphArtifacts {
  modelTopology: object; weightSpecs: { name: string; shape: number[]; dtype: string }[]; weightData: ArrayBuffer; format: 'graph-model';
}

export function toTfjsGraph(graph: Graph): TfjsGraphArtifacts {
  const shapes = inferShapes(graph);
  const nodes: object[] = [];
  const specs: TfjsGraphArtifacts['weightSpecs'] = [];
  const chunks: Uint8Array[] = [];
  const F = { type: 'DT_FLOAT' };
  const addConst = (name: string, dims: number[], data: Float32Array | Int32Array, dtype: 'float32' | 'int32' = 'float32') => {
    const tfd = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: tfd, tensorShape: shapeOf(dims) } }, dtype: { type: tfd } } });
    specs.push({ name, shape: dims, dtype });
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  };
  nodes.push({ name: graph.input.name, op: 'Placeholder', attr: { dtype: F, shape: { shape: shapeOf(graph.input.shape) } } });
  const fused = (act: string) => ({ list: { s: (act === 'relu6' ? ['BiasAdd', 'Relu6'] : act === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd']).map(b64) } });

  // Explicit pads become SAME when they match it, else an explicit Pad node + VALID.
  const padded = (n: Node & { pad: Pad; kernel: [number, number]; stride: [number, number] }): [string, string] => {
    const [, h, w] = shapes.get(n.inputs[0])!;
    const [st, sb] = samePad(h, n.kernel[0], n.stride[0]);
    const [sl, sr] = samePad(w, n.kernel[1], n.stride[1]);
    const p = n.pad;
    if (p.top === st && p.bottom === sb && p.left === sl && p.right === sr) return [n.inputs[0], 'SAME'];
    if (p.top + p.bottom + p.left + p.right === 0) return [n.inputs[0], 'VALID'];
    const pn = `${n.name}/pad`;
    addConst(`${pn}/paddings`, [4, 2], Int32Array.from([0, 0, p.top, p.bottom, p.left, p.right, 0, 0]), 'int32');
    nodes.push({ name: pn, op: 'Pad', input: [n.inputs[0], `${pn}/paddings`], attr: { T: F, Tpaddings: { type: 'DT_INT32' } } });
    return [pn, 'VALID'];
  };

  for (const n of graph.nodes) {
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const dw = n.op === 'depthwise_conv2d';
        const [, , , cin] = shapes.get(n.inputs[0])!;
        const [x, padding] = padded(n);
        const dims = dw ? [n.kernel[0], n.kernel[1], cin, 1] : [n.kernel[0], n.kernel[1], cin, n.outChannels];
        addConst(`${n.name}/w`, dims, n.weights);
        addConst(`${n.name}/b`, [n.bias.length], n.bias);
        nodes.push({
          name: n.name, op: dw ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', input: [x, `${n.name}/w`, `${n.name}/b`],
          attr: {
            T: F, strides: ilist([1, n.stride[0], n.stride[1], 1]), padding: { s: b64(padding) }, data_format: { s: b64('NHWC') },
            dilations: ilist([1, 1, 1, 1]), explicit_paddings: { list: {} }, num_args: { i: '1' }, epsilon: { f: 0 }, fused_ops: fused(n.activation),
          },
        });
        break;
      }
      case 'add':
        if (n.activation !== 'none') throw new Error(`add "${n.name}" with activation is not exported`);
        nodes.push({ name: n.name, op: 'AddV2', input: n.inputs, attr: { T: F } });
        break;
      case 'global_avg_pool':
        addConst(`${n.name}/axes`, [2], Int32Array.from([1, 2]), 'int32');
        nodes.push({ name: n.name, op: 'Mean', input: [n.inputs[0], `${n.name}/axes`], attr: { T: F, Tidx: { type: 'DT_INT32' }, keep_dims: { b: !!n.keepDims } } });
        break;
      case 'reshape': // NHWC in both engines: a reshape is the same in tfjs
        addConst(`${n.name}/shape`, [n.shape.length], Int32Array.from(n.shape), 'int32');
        nodes.push({ name: n.name, op: 'Reshape', input: [n.inputs[0], `${n.name}/shape`], attr: { T: F, Tshape: { type: 'DT_INT32' } } });
        break;
      case 'dense': {
        const k = n.weights.length / n.units;
        addConst(`${n.name}/w`, [k, n.units], n.weights);
        addConst(`${n.name}/b`, [n.units], n.bias);
        nodes.push({
          name: n.name, op: '_FusedMatMul', input: [n.inputs[0], `${n.name}/w`, `${n.name}/b`],
          attr: { T: F, transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: '1' }, epsilon: { f: 0 }, fused_ops: fused(n.activation) },
        });
        break;
      }
      case 'softmax':
        if (n.beta !== undefined && n.beta !== 1) throw new Error(`softmax "${n.name}" with beta ${n.beta} is not exported`);
        nodes.push({ name: n.name, op: 'Softmax', input: n.inputs, attr: { T: F } });
        break;
      default:
        // A skipped node would leave its consumers reading a tensor that does not exist.
        throw new Error(`toTfjsGraph: op "${n.op}" (node "${n.name}") is not exported`);
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { data.set(c, o); o += c.length; }
  return { modelTopology: { node: nodes, library: {}, versions: { producer: 1 } }, weightSpecs: specs, weightData: data.buffer, format: 'graph-model' };
}
