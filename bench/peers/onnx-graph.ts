// Converts our float Graph (NHWC, batch norm folded, explicit pads) into an ONNX model (NCHW, opset 13)
// for the ONNX Runtime Web peer (./ort.ts). The model is what a PyTorch/tf2onnx export of a folded
// MobileNetV2 looks like after ORT's own optimizer: Conv (group = C for depthwise) with explicit `pads`
// (so every padding mode, asymmetric TF/Keras 'same' included, is exact) followed by Clip(0, 6) or Relu,
// Add, GlobalAveragePool + Flatten, Gemm, Softmax. ORT fuses Conv+Clip / Conv+Relu / Conv+Add itself
// at graphOptimizationLevel 'all'.
//
// Layout: the ONNX input is NCHW float32 [1, C, H, W] (ortInputNchw converts). Spatial values stay
// NCHW inside; [1, N] vectors are the same in both layouts. A 4-D graph output is transposed back to
// NHWC (unless H = W = 1, where both orders coincide), so the ONNX output has our element order.
// Supported ops: conv2d, depthwise_conv2d, add, global_avg_pool, dense, softmax, and a reshape that squeezes
// [1,1,1,C] to [1,C], all float32; anything else (quantized graphs, pad, concat, resize, argmax, other reshapes) throws.
import type { Activation, Graph, Node, Pad } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { encodeOnnxModel, ONNX_DTYPE, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

export const ONNX_OPSET = 13;

const f32 = (name: string, dims: number[], data: Float32Array | number[]): OnnxTensor =>
  ({ name, dtype: ONNX_DTYPE.FLOAT, dims, data: data instanceof Float32Array ? data : Float32Array.from(data) });

/** HWIO [kh, kw, cin, cout] → OIHW [cout, cin, kh, kw]. */
export function hwioToOihw(w: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const o = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) {
    const src = ((y * kw + x) * cin + i) * cout;
    for (let c = 0; c < cout; c++) o[((c * cin + i) * kh + y) * kw + x] = w[src + c];
  }
  return o;
}

/** Depthwise [kh, kw, c] → [c, 1, kh, kw]. */
export function hwcToC1hw(w: Float32Array, kh: number, kw: number, c: number): Float32Array {
  const o = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let ch = 0; ch < c; ch++) o[(ch * kh + y) * kw + x] = w[(y * kw + x) * c + ch];
  return o;
}

/** NHWC [1, H, W, C] → NCHW [1, C, H, W] (into `out` when given). */
export function nhwcToNchw(x: Float32Array, h: number, w: number, c: number, out = new Float32Array(h * w * c)): Float32Array {
  if (x.length !== h * w * c) throw new Error(`nhwcToNchw: ${x.length} values for [1,${h},${w},${c}]`);
  const hw = h * w;
  for (let p = 0; p < hw; p++) {
    const src = p * c;
    for (let ch = 0; ch < c; ch++) out[ch * hw + p] = x[src + ch];
  }
  return out;
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputName: string;
  /** NCHW [1, C, H, W]. */
  inputShape: [1, number, number, number];
  outputName: string;
  /** In our (NHWC) element order. */
  outputShape: number[];
  /** ONNX node count by op type. */
  ops: Record<string, number>;
}

/** The ONNX model bytes of a float Graph (see toOnnxModel for names and shapes). */
export function toOnnx(graph: Graph): Uint8Array {
  return toOnnxModel(graph).bytes;
}

export function toOnnxModel(graph: Graph): OnnxExport {
  const shapes = inferShapes(graph); // validates the graph; NHWC shapes of every value
  const inDtype = graph.input.dtype ?? graph.values?.[graph.input.name]?.dtype ?? 'float32';
  if (inDtype !== 'float32') throw new Error(`toOnnx: graph "${graph.name}" has a ${inDtype} input; only float graphs are exported`);
  for (const [k, v] of Object.entries(graph.values ?? {})) {
    if (v.dtype !== 'float32') throw new Error(`toOnnx: value "${k}" is ${v.dtype}; only float graphs are exported`);
  }

  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const ops: Record<string, number> = {};
  const add = (n: OnnxNode) => { nodes.push(n); ops[n.op] = (ops[n.op] ?? 0) + 1; };
  let clipConsts = false;

  /** Emits `op` writing `name` (pre-activation when there is one) and the activation; returns nothing. */
  const withActivation = (name: string, act: Activation, emit: (out: string) => void) => {
    if (act === 'none') { emit(name); return; }
    const pre = `${name}/pre_${act}`;
    emit(pre);
    if (act === 'relu') add({ op: 'Relu', name: `${name}/relu`, inputs: [pre], outputs: [name] });
    else if (act === 'relu6') {
      if (!clipConsts) { inits.push(f32('clip/min', [], [0]), f32('clip/max', [], [6])); clipConsts = true; }
      add({ op: 'Clip', name: `${name}/relu6`, inputs: [pre, 'clip/min', 'clip/max'], outputs: [name] });
    } else throw new Error(`toOnnx: activation ${String(act)}`);
  };

  /** Name of a value as a [1, K] matrix (a [1,1,1,K] value is flattened first). */
  const flat = new Map<string, string>();
  const asMatrix = (v: string): string => {
    if (shapes.get(v)!.length === 2) return v;
    let f = flat.get(v);
    if (!f) {
      f = `${v}/flatten`;
      add({ op: 'Flatten', name: f, inputs: [v], outputs: [f], attrs: { axis: 1 } });
      flat.set(v, f);
    }
    return f;
  };

  const convAttrs = (n: { kernel: [number, number]; stride: [number, number]; dilation?: [number, number]; pad: Pad }, group: number) => ({
    kernel_shape: [n.kernel[0], n.kernel[1]],
    strides: [n.stride[0], n.stride[1]],
    dilations: [n.dilation?.[0] ?? 1, n.dilation?.[1] ?? 1],
    pads: [n.pad.top, n.pad.left, n.pad.bottom, n.pad.right], // [x1_begin, x2_begin, x1_end, x2_end]
    group,
  });

  for (const n of graph.nodes as Node[]) {
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        if (n.q) throw new Error(`toOnnx: ${n.op} "${n.name}" is quantized`);
        const cin = shapes.get(n.inputs[0])![3];
        const [kh, kw] = n.kernel;
        const dw = n.op === 'depthwise_conv2d';
        const cout = dw ? cin : n.outChannels;
        const W = dw ? hwcToC1hw(n.weights, kh, kw, cin) : hwioToOihw(n.weights, kh, kw, cin, cout);
        inits.push(f32(`${n.name}/W`, [cout, dw ? 1 : cin, kh, kw], W), f32(`${n.name}/B`, [cout], n.bias));
        withActivation(n.name, n.activation, (out) => add({
          op: 'Conv', name: n.name, inputs: [n.inputs[0], `${n.name}/W`, `${n.name}/B`], outputs: [out], attrs: convAttrs(n, dw ? cin : 1),
        }));
        break;
      }
      case 'add':
        withActivation(n.name, n.activation, (out) => add({ op: 'Add', name: n.name, inputs: [n.inputs[0], n.inputs[1]], outputs: [out] }));
        break;
      case 'global_avg_pool':
        if (n.keepDims) add({ op: 'GlobalAveragePool', name: n.name, inputs: [n.inputs[0]], outputs: [n.name] }); // [1,C,1,1] ≡ [1,1,1,C]
        else {
          add({ op: 'GlobalAveragePool', name: n.name, inputs: [n.inputs[0]], outputs: [`${n.name}/4d`] });
          add({ op: 'Flatten', name: `${n.name}/flatten`, inputs: [`${n.name}/4d`], outputs: [n.name], attrs: { axis: 1 } });
        }
        break;
      case 'dense': {
        if (n.q) throw new Error(`toOnnx: dense "${n.name}" is quantized`);
        const k = n.weights.length / n.units;
        inits.push(f32(`${n.name}/W`, [k, n.units], n.weights), f32(`${n.name}/B`, [n.units], n.bias)); // Keras [K, N] = Gemm B
        withActivation(n.name, n.activation, (out) => add({
          op: 'Gemm', name: n.name, inputs: [asMatrix(n.inputs[0]), `${n.name}/W`, `${n.name}/B`], outputs: [out],
        }));
        break;
      }
      case 'softmax': {
        let x = n.inputs[0];
        if (n.beta !== undefined && n.beta !== 1) {
          inits.push(f32(`${n.name}/beta`, [], [n.beta]));
          add({ op: 'Mul', name: `${n.name}/scale`, inputs: [x, `${n.name}/beta`], outputs: [`${n.name}/scaled`] });
          x = `${n.name}/scaled`;
        }
        add({ op: 'Softmax', name: n.name, inputs: [x], outputs: [n.name], attrs: { axis: -1 } });
        break;
      }
      case 'reshape': {
        // Values are NCHW here, NHWC in the graph: a reshape means the same only when no spatial axis is
        // reordered, i.e. its input has H·W = 1 (or is 2-D) and its output is 2-D (a squeeze to [1, C]).
        const inShape = shapes.get(n.inputs[0])!;
        const spatial = inShape.length === 4 ? inShape[1] * inShape[2] : 1;
        if (spatial !== 1 || n.shape.length !== 2) {
          throw new Error(`toOnnx: reshape "${n.name}" [${inShape}] → [${n.shape}] depends on the layout; only [1,1,1,C] or [1,C] → [1,C] is exported`);
        }
        inits.push({ name: `${n.name}/shape`, dtype: ONNX_DTYPE.INT64, dims: [2], data: BigInt64Array.from(n.shape.map(BigInt)) });
        add({ op: 'Reshape', name: n.name, inputs: [n.inputs[0], `${n.name}/shape`], outputs: [n.name] });
        break;
      }
      default:
        throw new Error(`toOnnx: op "${n.op}" (node "${n.name}") is not exported; supported: conv2d, depthwise_conv2d, add, global_avg_pool, dense, softmax, reshape (squeeze to [1, C])`);
    }
  }

  const [, h, w, c] = graph.input.shape;
  const outShape = shapes.get(graph.output);
  if (!outShape) throw new Error(`toOnnx: output "${graph.output}" is not a value of the graph`);
  let outName = graph.output;
  if (outShape.length === 4 && outShape[1] * outShape[2] > 1) {
    outName = `${graph.output}/nhwc`;
    add({ op: 'Transpose', name: outName, inputs: [graph.output], outputs: [outName], attrs: { perm: [0, 2, 3, 1] } });
  }
  const outDims = outShape.length === 4 && outShape[1] * outShape[2] > 1 ? outShape : outShape.length === 4 ? [1, outShape[3], 1, 1] : outShape;

  const bytes = encodeOnnxModel({
    name: graph.name || 'graph',
    nodes,
    initializers: inits,
    inputs: [{ name: graph.input.name, dtype: ONNX_DTYPE.FLOAT, dims: [1, c, h, w] }],
    outputs: [{ name: outName, dtype: ONNX_DTYPE.FLOAT, dims: outDims }],
  }, [{ version: ONNX_OPSET }]);
  return { bytes, inputName: graph.input.name, inputShape: [1, c, h, w], outputName: outName, outputShape: outShape, ops };
}
