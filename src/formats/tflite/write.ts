// Graph IR → TFLite (.tflite FlatBuffer, schema version 3, file identifier "TFL3"), the inverse of
// ./import.ts: one subgraph, one input, one output; the labels as TFLite's classifiers carry them (a zip
// with labels.txt appended after the FlatBuffer, named as the output's TENSOR_AXIS_LABELS, or
// TENSOR_VALUE_LABELS for a segmentation model, by the TFLite Support metadata "TFLITE_METADATA").
//
// Layouts (IR → TFLite):
//   conv2d            HWIO [kh,kw,cin,cout] → OHWI [cout,kh,kw,cin]; per-channel quantization along dimension 0
//   depthwise_conv2d  [kh,kw,C] → [1,kh,kw,C] (depth_multiplier 1); per-channel along dimension 3
//   dense             [K,N] → [N,K] (FULLY_CONNECTED's layout); per-channel along dimension 0
//   biases            float32, or int32 with scale inputScale·weightScale[c] (as float32) and zero point 0
// Ops: explicit pads become SAME or VALID when that is exact, else a PAD before a VALID convolution;
// global_avg_pool becomes MEAN (rounding 'mean') or AVERAGE_POOL_2D (rounding 'avgpool', followed by a
// RESHAPE when the IR output is [1,C]), the rounding defaulting as in ../../graph/ir.ts; a dense with
// per-channel integer weights becomes RESHAPE → 1×1 CONV_2D → RESHAPE (see WriteTfliteOptions.perChannelDense);
// fused activations NONE / RELU / RELU6. Tensors are named after the IR values, so importing the file gives the
// same value names; constants are named "<node>/weights", "/bias", "/paddings", "/axes", "/size",
// "/shape" (prefixed "mobilenet_v2/" for a MobileNetV2 whose value names do not say so, because the importer
// recognises the architecture by its tensor names, as TensorFlow's scopes give them).
//
// Operator codes carry both builtin_code and deprecated_builtin_code (min(code, 127), 127 being
// PLACEHOLDER_FOR_GREATER_OP_CODES), and op versions after tensorflow/lite/tools/versioning/op_version.cc, as
// the converter's files in ../shared/data show them (CONV_2D 3, DEPTHWISE_CONV_2D 3, ADD / MEAN / SOFTMAX 2
// for int8; DEPTHWISE_CONV_2D 2 with dilation; 1 for float32 and uint8). The runtime accepts any version up
// to the one its kernels register, so these only document what the op needs. Constant data is 16-byte aligned in the file (schema.fbs: Buffer.data force_align 16), so a
// runtime that maps the file can use the weights in place.
//
// The FlatBuffer is built with the `flatbuffers` package's Builder (maintained, the project's tests already
// check its reader against it): its Builder is about 2.5 KB gzipped, this module with it about 5 KB, so it
// belongs in a chunk that only exporting code loads (nothing in src/index.ts imports it).
//
// Importing the file (./import.ts) gives back the same graph, but for the spellings above that take several
// TFLite ops (PAD, the [1,C] AVERAGE_POOL_2D, the per-channel dense), a labelOffset (always 0 or 1: a first
// label "background" reads back as labelOffset 1), meta.paddingMode ('same') and meta.source.

import { Builder } from 'flatbuffers';
import type { DType, Graph, Node, Pad, Quant, QuantWeights, ValueType } from '../../graph/ir.js';
import { inferShapes } from '../../graph/shapes.js';
import { InputError, UnsupportedOpError, preview } from '../../errors.js';
import { Activation, Op, Options, Padding, SCHEMA_VERSION, TFLITE_IDENTIFIER, TensorType } from './schema.js';
import { AssociatedFileType, METADATA_NAME } from './metadata.js';
import { crc32 } from './zip.js';

export interface WriteTfliteOptions {
  /** Model.description (default: meta.source, else the graph name). */
  description?: string;
  /** Name of the labels file in the appended zip (default "labels.txt"). */
  labelsFile?: string;
  /** Write TFLITE_METADATA and the labels zip (default true). Without them the file has no labels. */
  metadata?: boolean;
  /**
   * How a dense node with per-channel integer weights is written: 'conv' (default) as RESHAPE → 1×1 CONV_2D →
   * RESHAPE, which the TFLite runtime's XNNPACK delegate runs with the arithmetic our engine reproduces;
   * 'fully_connected' as a per-channel FULLY_CONNECTED, which that runtime leaves to its builtin kernel.
   * Importing the file back gives the dense node in the first case as reshape, conv2d, reshape.
   */
  perChannelDense?: 'conv' | 'fully_connected';
}

/** Tensor quantization as written: per tensor (one scale) or per channel along `dim`. */
interface QuantOut { scale: ArrayLike<number>; zeroPoint: ArrayLike<number>; dim: number }

interface TensorOut { name: string; shape: number[]; type: number; buffer: number; quant?: QuantOut }

/** One field of an options table: [field number, kind, value]. */
type Field = [number, 'i8' | 'i32' | 'f32', number] | [number, 'bool', boolean] | [number, 'i32[]', number[]];
interface OptionsOut { type: number; fields: Field[] }

interface OperatorOut { code: number; version: number; inputs: number[]; outputs: number[]; options?: OptionsOut }

const TYPE_OF: Record<DType, number> = {
  float32: TensorType.FLOAT32, uint8: TensorType.UINT8, int8: TensorType.INT8, int32: TensorType.INT32, int64: TensorType.INT64,
};
const ACT: Record<string, number> = { none: Activation.NONE, relu: Activation.RELU, relu6: Activation.RELU6 };
/** BuiltinOperator PLACEHOLDER_FOR_GREATER_OP_CODES: deprecated_builtin_code of codes ≥ 127. */
const PLACEHOLDER = 127;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a typed array in little-endian order (a view when the platform is little-endian). */
function leBytes(a: Float32Array | Int32Array | Uint8Array | Int8Array): Uint8Array {
  if (a instanceof Uint8Array || a instanceof Int8Array || LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) dv.setFloat32(4 * i, a[i]!, true);
    else dv.setInt32(4 * i, a[i]!, true);
  }
  return out;
}

/** [rows][cols] → [cols][rows]. */
function transpose<A extends Float32Array | Uint8Array | Int8Array>(src: A, rows: number, cols: number): A {
  const out = new (src.constructor as new (n: number) => A)(src.length);
  for (let r = 0, s = 0; r < rows; r++) for (let c = 0, d = r; c < cols; c++, s++, d += rows) out[d] = src[s]!;
  return out;
}

/** TF/TFLite SAME padding for one dimension: [before, after] (same as import.ts samePadding). */
function samePad(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const eff = (k - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * The graph as a .tflite file: the FlatBuffer, then (with labels and `metadata` not false) a zip holding
 * the labels file. Throws InputError / UnsupportedOpError / ShapeError naming the node when the graph
 * cannot be written (malformed, or a labelOffset above 1, which a labels file cannot carry).
 */
export function writeTflite(graph: Graph, options: WriteTfliteOptions = {}): Uint8Array {
  const shapes = inferShapes(graph); // validates the graph; shapes of every value
  const values = graph.values ?? {};
  const typeOf = (name: string): ValueType => {
    if (name === graph.input.name) return graph.input.dtype && graph.input.dtype !== 'float32' ? { dtype: graph.input.dtype, quant: graph.input.quant } : { dtype: 'float32' };
    return values[name] ?? { dtype: 'float32' };
  };
  const shapeOf = (name: string): number[] => {
    const s = shapes.get(name);
    if (!s) throw new InputError(`writeTflite: graph "${graph.name}": value "${name}" has no shape`);
    return s;
  };

  const tensors: TensorOut[] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)]; // buffer 0: the empty buffer of every computed tensor
  const operators: OperatorOut[] = [];
  const tensorOf = new Map<string, number>();
  const names = new Set<string>();
  const uniqueName = (base: string): string => {
    let n = base;
    for (let k = 1; names.has(n); k++) n = `${base}_${k}`;
    names.add(n);
    return n;
  };
  for (const n of [graph.input.name, ...graph.nodes.map((x) => x.name)]) names.add(n);
  const quantOf = (vt: ValueType, what: string): QuantOut | undefined => {
    if (vt.dtype !== 'uint8' && vt.dtype !== 'int8') return undefined;
    if (!vt.quant) throw new InputError(`writeTflite: graph "${graph.name}": ${vt.dtype} value "${what}" has no quantization`);
    return { scale: [vt.quant.scale], zeroPoint: [vt.quant.zeroPoint], dim: 0 };
  };
  /** A computed tensor (no data). */
  const activation = (name: string, shape: number[], vt: ValueType): number => {
    const type = TYPE_OF[vt.dtype];
    if (type === undefined) throw new UnsupportedOpError(`writeTflite: value "${name}" has dtype ${vt.dtype}`);
    const q = quantOf(vt, name);
    tensors.push({ name, shape: [...shape], type, buffer: 0, ...(q ? { quant: q } : {}) });
    return tensors.length - 1;
  };
  /** The tensor of an IR value (the input or a node output). */
  const valueTensor = (name: string): number => {
    let t = tensorOf.get(name);
    if (t === undefined) {
      t = activation(name, shapeOf(name), typeOf(name));
      tensorOf.set(name, t);
    }
    return t;
  };
  const isMobileNet = graph.meta.architecture === 'mobilenet_v2' && ![...names].some((n) => /mobilenet[_-]?v2/i.test(n));
  const constName = (node: string, what: string) => uniqueName(`${isMobileNet ? 'mobilenet_v2/' : ''}${node}/${what}`);
  const constant = (name: string, shape: number[], type: number, data: Float32Array | Int32Array | Uint8Array | Int8Array, quant?: QuantOut): number => {
    buffers.push(leBytes(data));
    tensors.push({ name, shape, type, buffer: buffers.length - 1, ...(quant ? { quant } : {}) });
    return tensors.length - 1;
  };
  const ints = (node: string, what: string, v: number[], shape = [v.length]) => constant(constName(node, what), shape, TensorType.INT32, Int32Array.from(v));
  const op = (code: number, version: number, inputs: number[], outputs: number[], opts?: OptionsOut) => {
    operators.push({ code, version, inputs, outputs, ...(opts ? { options: opts } : {}) });
  };

  valueTensor(graph.input.name);
  for (const node of graph.nodes) writeNode(node);

  function writeNode(n: Node): void {
    const ctx = `writeTflite: node "${n.name}" (${n.op})`;
    const x = n.inputs[0]!;
    const xt = typeOf(x);
    const int8 = xt.dtype === 'int8';
    const out = () => valueTensor(n.name);
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const dw = n.op === 'depthwise_conv2d';
        const [, H, W, C] = shapeOf(x) as [number, number, number, number];
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.stride;
        const [dh, dw_] = n.dilation ?? [1, 1];
        const cout = dw ? C : n.outChannels;
        // Padding: SAME or VALID when exact, else an explicit PAD and VALID.
        const [st, sb] = samePad(H, kh, sh, dh);
        const [sl, sr] = samePad(W, kw, sw, dw_);
        const p = n.pad;
        let padding: number;
        let xin = valueTensor(x);
        if (p.top === st && p.bottom === sb && p.left === sl && p.right === sr) padding = Padding.SAME;
        else if (!p.top && !p.bottom && !p.left && !p.right) padding = Padding.VALID;
        else {
          xin = explicitPad(n.name, x, p);
          padding = Padding.VALID;
        }
        // Weights in TFLite's layout, and their quantization.
        let w: number;
        let b: number;
        const wshape = dw ? [1, kh, kw, C] : [cout, kh, kw, C];
        if (n.q) {
          const q = n.q;
          const inQ = xt.quant;
          if (!inQ || xt.dtype !== q.dtype) throw new InputError(`${ctx}: ${q.dtype} weights need a ${q.dtype} quantized input, but "${x}" is ${xt.dtype}`);
          const data = dw ? q.data : transpose(q.data, kh * kw * C, cout);
          w = constant(constName(n.name, 'weights'), wshape, TYPE_OF[q.dtype], data, weightQuant(q, dw ? 3 : 0));
          b = constant(constName(n.name, 'bias'), [cout], TensorType.INT32, q.bias, biasQuant(inQ, q.scale));
        } else {
          if (xt.dtype !== 'float32') throw new InputError(`${ctx}: float weights with a ${xt.dtype} input`);
          w = constant(constName(n.name, 'weights'), wshape, TensorType.FLOAT32, dw ? n.weights : transpose(n.weights, kh * kw * C, cout));
          b = constant(constName(n.name, 'bias'), [cout], TensorType.FLOAT32, n.bias);
        }
        const act = ACT[n.activation]!;
        const dilated = dh !== 1 || dw_ !== 1;
        if (dw) {
          // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 activation, 5 dilation_w, 6 dilation_h
          op(Op.DEPTHWISE_CONV_2D, int8 ? 3 : dilated ? 2 : 1, [xin, w, b], [out()], {
            type: Options.DepthwiseConv2DOptions,
            fields: [[0, 'i8', padding], [1, 'i32', sw], [2, 'i32', sh], [3, 'i32', 1], [4, 'i8', act], [5, 'i32', dw_], [6, 'i32', dh]],
          });
        } else {
          // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4 dilation_w, 5 dilation_h
          op(Op.CONV_2D, int8 ? 3 : 1, [xin, w, b], [out()], {
            type: Options.Conv2DOptions,
            fields: [[0, 'i8', padding], [1, 'i32', sw], [2, 'i32', sh], [3, 'i8', act], [4, 'i32', dw_], [5, 'i32', dh]],
          });
        }
        return;
      }
      case 'dense': {
        const K = shapeOf(x).reduce((a, d) => a * d, 1);
        const N = n.units;
        let w: number;
        let b: number;
        if (n.q) {
          const q = n.q;
          const inQ = xt.quant;
          if (!inQ || xt.dtype !== q.dtype) throw new InputError(`${ctx}: ${q.dtype} weights need a ${q.dtype} quantized input, but "${x}" is ${xt.dtype}`);
          if (q.scale.length > 1 && options.perChannelDense !== 'fully_connected') {
            // Per-channel FULLY_CONNECTED is not taken by the TFLite runtime's XNNPACK delegate: it would run on
            // TFLite's builtin kernel, whose requantization differs from XNNPACK's. A 1×1 CONV_2D on [1,1,1,K]
            // is the same product and is delegated (weights [N,1,1,K]: the same bytes as FULLY_CONNECTED's [N,K]).
            const vt = typeOf(n.name);
            const xin = activation(uniqueName(`${n.name}/conv_input`), [1, 1, 1, K], xt);
            reshapeTo(n.name, valueTensor(x), [1, 1, 1, K], xin);
            const y = activation(uniqueName(`${n.name}/conv`), [1, 1, 1, N], vt);
            w = constant(constName(n.name, 'weights'), [N, 1, 1, K], TYPE_OF[q.dtype], transpose(q.data, K, N), weightQuant(q, 0));
            b = constant(constName(n.name, 'bias'), [N], TensorType.INT32, q.bias, biasQuant(inQ, q.scale));
            op(Op.CONV_2D, int8 ? 3 : 1, [xin, w, b], [y], {
              type: Options.Conv2DOptions,
              fields: [[0, 'i8', Padding.VALID], [1, 'i32', 1], [2, 'i32', 1], [3, 'i8', ACT[n.activation]!], [4, 'i32', 1], [5, 'i32', 1]],
            });
            reshapeTo(n.name, y, [1, N], out());
            return;
          }
          w = constant(constName(n.name, 'weights'), [N, K], TYPE_OF[q.dtype], transpose(q.data, K, N), weightQuant(q, 0));
          b = constant(constName(n.name, 'bias'), [N], TensorType.INT32, q.bias, biasQuant(inQ, q.scale));
        } else {
          if (xt.dtype !== 'float32') throw new InputError(`${ctx}: float weights with a ${xt.dtype} input`);
          w = constant(constName(n.name, 'weights'), [N, K], TensorType.FLOAT32, transpose(n.weights, K, N));
          b = constant(constName(n.name, 'bias'), [N], TensorType.FLOAT32, n.bias);
        }
        // FullyConnectedOptions: 0 activation, 1 weights_format, 2 keep_num_dims
        op(Op.FULLY_CONNECTED, int8 ? 4 : 1, [valueTensor(x), w, b], [out()], {
          type: Options.FullyConnectedOptions, fields: [[0, 'i8', ACT[n.activation]!]],
        });
        return;
      }
      case 'add':
        op(Op.ADD, int8 ? 2 : 1, [valueTensor(n.inputs[0]!), valueTensor(n.inputs[1]!)], [out()], {
          type: Options.AddOptions, fields: [[0, 'i8', ACT[n.activation]!]],
        });
        return;
      case 'global_avg_pool': {
        const [, H, W, C] = shapeOf(x) as [number, number, number, number];
        const rounding = n.rounding ?? (n.keepDims ? 'avgpool' : 'mean');
        if (rounding === 'mean') {
          // ReducerOptions: 0 keep_dims
          op(Op.MEAN, int8 ? 2 : 1, [valueTensor(x), ints(n.name, 'axes', [1, 2])], [out()], {
            type: Options.ReducerOptions, fields: [[0, 'bool', !!n.keepDims]],
          });
          return;
        }
        // AVERAGE_POOL_2D over the whole plane (its [1,1,1,C] output reshaped when the IR wants [1,C]).
        const pooled = n.keepDims ? out() : activation(uniqueName(`${n.name}/avgpool`), [1, 1, 1, C], typeOf(n.name));
        // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation
        op(Op.AVERAGE_POOL_2D, int8 ? 2 : 1, [valueTensor(x)], [pooled], {
          type: Options.Pool2DOptions, fields: [[0, 'i8', Padding.VALID], [1, 'i32', 1], [2, 'i32', 1], [3, 'i32', W], [4, 'i32', H], [5, 'i8', Activation.NONE]],
        });
        if (!n.keepDims) reshapeTo(n.name, pooled, [1, C], out());
        return;
      }
      case 'softmax':
        // SoftmaxOptions: 0 beta
        op(Op.SOFTMAX, int8 ? 2 : 1, [valueTensor(x)], [out()], { type: Options.SoftmaxOptions, fields: [[0, 'f32', n.beta ?? 1]] });
        return;
      case 'quantize':
        op(Op.QUANTIZE, 1, [valueTensor(x)], [out()]);
        return;
      case 'dequantize':
        op(Op.DEQUANTIZE, int8 ? 2 : 1, [valueTensor(x)], [out()]);
        return;
      case 'pad': {
        const p = n.pad;
        op(Op.PAD, int8 ? 2 : 1, [valueTensor(x), ints(n.name, 'paddings', [0, 0, p.top, p.bottom, p.left, p.right, 0, 0], [4, 2])], [out()]);
        return;
      }
      case 'concat':
        // ConcatenationOptions: 0 axis, 1 activation
        op(Op.CONCATENATION, int8 ? 2 : 1, n.inputs.map(valueTensor), [out()], {
          type: Options.ConcatenationOptions, fields: [[0, 'i32', 3], [1, 'i8', Activation.NONE]],
        });
        return;
      case 'resize_bilinear':
        // ResizeBilinearOptions: 2 align_corners, 3 half_pixel_centers
        op(Op.RESIZE_BILINEAR, n.halfPixelCenters ? 3 : int8 ? 2 : 1, [valueTensor(x), ints(n.name, 'size', [...n.size])], [out()], {
          type: Options.ResizeBilinearOptions, fields: [[2, 'bool', n.alignCorners], [3, 'bool', n.halfPixelCenters]],
        });
        return;
      case 'argmax':
        // ArgMaxOptions: 0 output_type
        op(Op.ARG_MAX, int8 ? 2 : 1, [valueTensor(x), ints(n.name, 'axes', [3])], [out()], {
          type: Options.ArgMaxOptions, fields: [[0, 'i8', n.outputType === 'int64' ? TensorType.INT64 : TensorType.INT32]],
        });
        return;
      case 'reshape':
        reshapeTo(n.name, valueTensor(x), n.shape, out());
        return;
      default:
        throw new UnsupportedOpError(`writeTflite: node "${(n as Node).name}" has op "${(n as Node).op}", which the writer does not know`);
    }
  }

  /** RESHAPE of tensor `src` to `shape`, into tensor `dst` (its constants named after node `name`). */
  function reshapeTo(name: string, src: number, shape: number[], dst: number): void {
    // ReshapeOptions: 0 new_shape (also given as the second input, as the converter writes it)
    op(Op.RESHAPE, 1, [src, ints(name, 'shape', shape)], [dst], { type: Options.ReshapeOptions, fields: [[0, 'i32[]', shape]] });
  }

  /** A PAD of value `x` before node `name`: its output tensor "<name>/pad". */
  function explicitPad(name: string, x: string, p: Pad): number {
    const [, H, W, C] = shapeOf(x) as [number, number, number, number];
    const xt = typeOf(x);
    const t = activation(uniqueName(`${name}/pad`), [1, H + p.top + p.bottom, W + p.left + p.right, C], xt);
    op(Op.PAD, xt.dtype === 'int8' ? 2 : 1, [valueTensor(x), ints(name, 'paddings', [0, 0, p.top, p.bottom, p.left, p.right, 0, 0], [4, 2])], [t]);
    return t;
  }

  const outputTensor = tensorOf.get(graph.output);
  if (outputTensor === undefined || graph.output === graph.input.name) {
    throw new InputError(`writeTflite: graph "${graph.name}": output "${graph.output}" is not computed by any node`);
  }

  // Labels and metadata.
  const withMeta = options.metadata !== false;
  const labelOffset = graph.meta.labelOffset ?? 0;
  const labels = graph.meta.labels ?? [];
  let labelLines: string[] | undefined;
  if (withMeta && labels.length > 0) {
    if (labelOffset !== 0 && labelOffset !== 1) {
      throw new InputError(`writeTflite: graph "${graph.name}" has labelOffset ${labelOffset}; a TFLite labels file carries only 0 or 1 (a "background" first line)`);
    }
    for (const l of labels) {
      if (typeof l !== 'string' || /[\r\n]/.test(l)) throw new InputError(`writeTflite: graph "${graph.name}": label ${preview(l)} cannot be a line of a labels file`);
    }
    labelLines = labelOffset === 1 ? ['background', ...labels] : [...labels];
  }
  const labelsFile = options.labelsFile ?? 'labels.txt';
  if (!/^[\w.-]+$/.test(labelsFile)) throw new InputError(`writeTflite: labelsFile ${preview(labelsFile)} must be a plain file name`);
  const metadataBuffer = withMeta ? buffers.push(writeMetadata(graph, labelLines ? labelsFile : undefined)) - 1 : -1;

  // ---- the FlatBuffer
  const dataBytes = buffers.reduce((s, d) => s + d.length + 32, 0);
  const fb = new Builder(Math.min(dataBytes + 65536 + 256 * (tensors.length + operators.length), 0x40000000));
  const int32Vector = (v: ArrayLike<number>) => {
    fb.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) fb.addInt32(v[i]!);
    return fb.endVector();
  };
  const offsetVector = (v: number[]) => {
    fb.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) fb.addOffset(v[i]!);
    return fb.endVector();
  };
  // Buffers: the data first, each 16-byte aligned (prep: the vector's first byte lands on a multiple of 16).
  const bufferOffsets = buffers.map((d) => {
    let data = 0;
    if (d.length > 0) {
      fb.prep(16, d.length);
      data = fb.createByteVector(d);
    }
    fb.startObject(1);
    if (data) fb.addFieldOffset(0, data, 0);
    return fb.endObject();
  });
  // Tensors.
  const tensorOffsets = tensors.map((t) => {
    const name = fb.createString(t.name);
    const shape = int32Vector(t.shape);
    let quant = 0;
    if (t.quant) {
      const scale = (() => {
        fb.startVector(4, t.quant.scale.length, 4);
        for (let i = t.quant.scale.length - 1; i >= 0; i--) fb.addFloat32(t.quant.scale[i]!);
        return fb.endVector();
      })();
      fb.startVector(8, t.quant.zeroPoint.length, 8);
      for (let i = t.quant.zeroPoint.length - 1; i >= 0; i--) fb.addInt64(BigInt(t.quant.zeroPoint[i]!));
      const zp = fb.endVector();
      // QuantizationParameters: 0 min, 1 max, 2 scale, 3 zero_point, 4/5 details, 6 quantized_dimension
      fb.startObject(7);
      fb.addFieldOffset(2, scale, 0);
      fb.addFieldOffset(3, zp, 0);
      fb.addFieldInt32(6, t.quant.dim, 0);
      quant = fb.endObject();
    }
    // Tensor: 0 shape, 1 type, 2 buffer, 3 name, 4 quantization
    fb.startObject(5);
    fb.addFieldOffset(0, shape, 0);
    fb.addFieldInt8(1, t.type, null); // FLOAT32 is 0: written anyway, for readers that expect it
    fb.addFieldInt32(2, t.buffer, 0);
    fb.addFieldOffset(3, name, 0);
    if (quant) fb.addFieldOffset(4, quant, 0);
    return fb.endObject();
  });
  // Operator codes, in order of first use.
  const codes: { code: number; version: number }[] = [];
  const codeIndex = new Map<string, number>();
  for (const o of operators) {
    const key = `${o.code}/${o.version}`;
    if (!codeIndex.has(key)) {
      codeIndex.set(key, codes.length);
      codes.push({ code: o.code, version: o.version });
    }
  }
  const codeOffsets = codes.map(({ code, version }) => {
    // OperatorCode: 0 deprecated_builtin_code (byte), 1 custom_code, 2 version, 3 builtin_code
    fb.startObject(4);
    fb.addFieldInt8(0, Math.min(code, PLACEHOLDER), null);
    fb.addFieldInt32(2, version, null);
    fb.addFieldInt32(3, code, null);
    return fb.endObject();
  });
  const operatorOffsets = operators.map((o) => {
    const inputs = int32Vector(o.inputs);
    const outputs = int32Vector(o.outputs);
    let opts = 0;
    if (o.options) {
      const vecs = o.options.fields.map((f) => (f[1] === 'i32[]' ? int32Vector(f[2]) : 0));
      const nf = Math.max(...o.options.fields.map((f) => f[0])) + 1;
      fb.startObject(nf);
      o.options.fields.forEach((f, i) => {
        if (f[1] === 'i8') fb.addFieldInt8(f[0], f[2], null);
        else if (f[1] === 'bool') fb.addFieldInt8(f[0], f[2] ? 1 : 0, null);
        else if (f[1] === 'i32') fb.addFieldInt32(f[0], f[2], null);
        else if (f[1] === 'f32') fb.addFieldFloat32(f[0], f[2], null);
        else fb.addFieldOffset(f[0], vecs[i]!, 0);
      });
      opts = fb.endObject();
    }
    // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
    fb.startObject(5);
    fb.addFieldInt32(0, codeIndex.get(`${o.code}/${o.version}`)!, null);
    fb.addFieldOffset(1, inputs, 0);
    fb.addFieldOffset(2, outputs, 0);
    if (o.options) {
      fb.addFieldInt8(3, o.options.type, 0);
      fb.addFieldOffset(4, opts, 0);
    }
    return fb.endObject();
  });
  const sgTensors = offsetVector(tensorOffsets);
  const sgInputs = int32Vector([tensorOf.get(graph.input.name)!]);
  const sgOutputs = int32Vector([outputTensor]);
  const sgOperators = offsetVector(operatorOffsets);
  const sgName = fb.createString(graph.name);
  // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
  fb.startObject(5);
  fb.addFieldOffset(0, sgTensors, 0);
  fb.addFieldOffset(1, sgInputs, 0);
  fb.addFieldOffset(2, sgOutputs, 0);
  fb.addFieldOffset(3, sgOperators, 0);
  fb.addFieldOffset(4, sgName, 0);
  const subgraph = fb.endObject();

  const modelCodes = offsetVector(codeOffsets);
  const modelSubgraphs = offsetVector([subgraph]);
  const description = fb.createString(options.description ?? graph.meta.source ?? graph.name);
  const modelBuffers = offsetVector(bufferOffsets);
  let modelMetadata = 0;
  if (metadataBuffer >= 0) {
    const mdName = fb.createString(METADATA_NAME);
    // Metadata: 0 name, 1 buffer
    fb.startObject(2);
    fb.addFieldOffset(0, mdName, 0);
    fb.addFieldInt32(1, metadataBuffer, null);
    modelMetadata = offsetVector([fb.endObject()]);
  }
  // Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers, 5 metadata_buffer, 6 metadata
  fb.startObject(7);
  fb.addFieldInt32(0, SCHEMA_VERSION, null);
  fb.addFieldOffset(1, modelCodes, 0);
  fb.addFieldOffset(2, modelSubgraphs, 0);
  fb.addFieldOffset(3, description, 0);
  fb.addFieldOffset(4, modelBuffers, 0);
  if (modelMetadata) fb.addFieldOffset(6, modelMetadata, 0);
  fb.finish(fb.endObject(), TFLITE_IDENTIFIER);
  const flat = fb.asUint8Array();

  if (!labelLines) return flat.slice();
  return appendZip(flat, [{ name: labelsFile, data: new TextEncoder().encode(`${labelLines.join('\n')}\n`) }]);
}

/**
 * Weight quantization: per channel along `dim` (the output channels), or per tensor with quantized_dimension 0
 * (XNNPACK's delegate does not take a per-tensor depthwise filter that names dimension 3: the op would fall
 * back to TFLite's builtin kernel and its different arithmetic).
 */
function weightQuant(q: QuantWeights, dim: number): QuantOut {
  return { scale: q.scale, zeroPoint: q.zeroPoint, dim: q.scale.length > 1 ? dim : 0 };
}

/** Bias quantization: scale inputScale·weightScale[c] rounded to float32 (what TFLite checks), zero point 0. */
function biasQuant(inQ: Quant, wScale: Float32Array): QuantOut {
  const scale = Float32Array.from(wScale, (s) => Math.fround(Math.fround(inQ.scale) * s));
  return { scale, zeroPoint: new Int32Array(scale.length), dim: 0 };
}

/**
 * TFLite Support metadata (metadata_schema.fbs, identifier "M001"): the model's name and description, the
 * input as an RGB image with its normalization (mean, std: x = (pixel − mean) / std, from meta.preprocess;
 * left out for a uint8 input, which takes raw pixels), and the output with its labels file.
 */
function writeMetadata(graph: Graph, labelsFile: string | undefined): Uint8Array {
  const fb = new Builder(1024);
  const f32Vector = (v: number[]) => {
    fb.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) fb.addFloat32(v[i]!);
    return fb.endVector();
  };
  const vec = (v: number[]) => {
    fb.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) fb.addOffset(v[i]!);
    return fb.endVector();
  };
  const m = graph.meta;
  const segment = m.task === 'segment';

  // Input: ImageProperties RGB; NormalizationOptions when the input takes real values.
  const inName = fb.createString('image');
  let processUnits = 0;
  const { scale, offset } = m.preprocess;
  if (graph.input.dtype !== 'uint8' && scale.every((s) => Number.isFinite(s) && s !== 0) && offset.every(Number.isFinite)) {
    let std = scale.map((s) => 1 / s);
    let mean = offset.map((o, c) => -o / scale[c]!);
    if (std.every((s) => s === std[0]) && mean.every((v) => v === mean[0])) {
      std = [std[0]!];
      mean = [mean[0]!];
    }
    const meanV = f32Vector(mean);
    const stdV = f32Vector(std);
    // NormalizationOptions: 0 mean, 1 std
    fb.startObject(2);
    fb.addFieldOffset(0, meanV, 0);
    fb.addFieldOffset(1, stdV, 0);
    const norm = fb.endObject();
    // ProcessUnit: 0 options_type (1 = NormalizationOptions), 1 options
    fb.startObject(2);
    fb.addFieldInt8(0, 1, 0);
    fb.addFieldOffset(1, norm, 0);
    processUnits = vec([fb.endObject()]);
  }
  // ImageProperties: 0 color_space (1 = RGB)
  fb.startObject(2);
  fb.addFieldInt8(0, 1, 0);
  const imageProps = fb.endObject();
  // Content: 0 content_properties_type (2 = ImageProperties), 1 content_properties
  fb.startObject(3);
  fb.addFieldInt8(0, 2, 0);
  fb.addFieldOffset(1, imageProps, 0);
  const inContent = fb.endObject();
  // TensorMetadata: 0 name, 1 description, 2 dimension_names, 3 content, 4 process_units, 5 stats, 6 associated_files
  fb.startObject(7);
  fb.addFieldOffset(0, inName, 0);
  fb.addFieldOffset(3, inContent, 0);
  if (processUnits) fb.addFieldOffset(4, processUnits, 0);
  const inMeta = fb.endObject();

  const outName = fb.createString(segment ? 'segmentation_masks' : m.outputIsProbabilities ? 'probability' : 'logits');
  let outFiles = 0;
  if (labelsFile) {
    const fname = fb.createString(labelsFile);
    const fdesc = fb.createString(segment ? 'Labels of the values of the output (one per class index).' : 'Labels for the categories of the output.');
    // AssociatedFile: 0 name, 1 description, 2 type, 3 locale
    fb.startObject(4);
    fb.addFieldOffset(0, fname, 0);
    fb.addFieldOffset(1, fdesc, 0);
    fb.addFieldInt8(2, segment ? AssociatedFileType.TENSOR_VALUE_LABELS : AssociatedFileType.TENSOR_AXIS_LABELS, 0);
    outFiles = vec([fb.endObject()]);
  }
  // FeatureProperties (empty): content of a classifier's scores
  fb.startObject(0);
  const featureProps = fb.endObject();
  fb.startObject(3);
  fb.addFieldInt8(0, 1, 0);
  fb.addFieldOffset(1, featureProps, 0);
  const outContent = fb.endObject();
  fb.startObject(7);
  fb.addFieldOffset(0, outName, 0);
  fb.addFieldOffset(3, outContent, 0);
  if (outFiles) fb.addFieldOffset(6, outFiles, 0);
  const outMeta = fb.endObject();

  const inputs = vec([inMeta]);
  const outputs = vec([outMeta]);
  // SubGraphMetadata: 0 name, 1 description, 2 input_tensor_metadata, 3 output_tensor_metadata
  fb.startObject(4);
  fb.addFieldOffset(2, inputs, 0);
  fb.addFieldOffset(3, outputs, 0);
  const sg = vec([fb.endObject()]);
  const name = fb.createString(graph.name);
  const description = fb.createString(m.source ?? graph.name);
  const minParser = fb.createString('1.0.0');
  // ModelMetadata: 0 name, 1 description, 2 version, 3 subgraph_metadata, 4 author, 5 license, 6 associated_files, 7 min_parser_version
  fb.startObject(8);
  fb.addFieldOffset(0, name, 0);
  fb.addFieldOffset(1, description, 0);
  fb.addFieldOffset(3, sg, 0);
  fb.addFieldOffset(7, minParser, 0);
  fb.finish(fb.endObject(), 'M001');
  return fb.asUint8Array().slice();
}

/**
 * `head` followed by a zip archive of `files` (stored, not compressed), its offsets counted from the start of
 * the whole file as Python's zipfile writes them when the TFLite Support populator appends to a model.
 */
function appendZip(head: Uint8Array, files: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const entries = files.map((f) => ({ ...f, nameBytes: enc.encode(f.name), crc: crc32(f.data) }));
  const localSize = entries.reduce((s, e) => s + 30 + e.nameBytes.length + e.data.length, 0);
  const centralSize = entries.reduce((s, e) => s + 46 + e.nameBytes.length, 0);
  const out = new Uint8Array(head.length + localSize + centralSize + 22);
  out.set(head);
  const dv = new DataView(out.buffer);
  const DOS_DATE = (1 << 5) | 1; // 1980-01-01, 00:00: no clock in the file, so the output is reproducible
  let p = head.length;
  const local: number[] = [];
  for (const e of entries) {
    local.push(p);
    dv.setUint32(p, 0x04034b50, true);
    dv.setUint16(p + 4, 20, true); // version needed: 2.0
    dv.setUint16(p + 6, 0, true); // flags
    dv.setUint16(p + 8, 0, true); // stored
    dv.setUint16(p + 10, 0, true);
    dv.setUint16(p + 12, DOS_DATE, true);
    dv.setUint32(p + 14, e.crc, true);
    dv.setUint32(p + 18, e.data.length, true);
    dv.setUint32(p + 22, e.data.length, true);
    dv.setUint16(p + 26, e.nameBytes.length, true);
    dv.setUint16(p + 28, 0, true);
    out.set(e.nameBytes, p + 30);
    out.set(e.data, p + 30 + e.nameBytes.length);
    p += 30 + e.nameBytes.length + e.data.length;
  }
  const cd = p;
  entries.forEach((e, k) => {
    dv.setUint32(p, 0x02014b50, true);
    dv.setUint16(p + 4, 20, true); // made by: MS-DOS attributes, 2.0
    dv.setUint16(p + 6, 20, true);
    dv.setUint16(p + 8, 0, true);
    dv.setUint16(p + 10, 0, true);
    dv.setUint16(p + 12, 0, true);
    dv.setUint16(p + 14, DOS_DATE, true);
    dv.setUint32(p + 16, e.crc, true);
    dv.setUint32(p + 20, e.data.length, true);
    dv.setUint32(p + 24, e.data.length, true);
    dv.setUint16(p + 28, e.nameBytes.length, true);
    // extra, comment, disk, internal and external attributes: 0
    dv.setUint32(p + 42, local[k]!, true);
    out.set(e.nameBytes, p + 46);
    p += 46 + e.nameBytes.length;
  });
  dv.setUint32(p, 0x06054b50, true);
  dv.setUint16(p + 8, entries.length, true);
  dv.setUint16(p + 10, entries.length, true);
  dv.setUint32(p + 12, p - cd, true);
  dv.setUint32(p + 16, cd, true);
  return out;
}
