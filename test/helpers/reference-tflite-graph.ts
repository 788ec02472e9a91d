// The TFLite arithmetic of every node of a quantized graph, composed from the per-op ports in ./reference-q.ts
// (natural weight layouts, no packing, no fusion, no wasm), in either requantization scheme:
//   'fp32'      TFLite with its default XNNPACK delegate: float32 conv requantization, XNNPACK's multiply-shift ADD
//               (TFLite's ADD when XNNPACK rejects the scales) and int8 → int8 QUANTIZE of one type (convert);
//   'gemmlowp'  TFLite's builtin kernels: MultiplyByQuantizedMultiplier everywhere.
// Every other op is TFLite's own kernel in both (pooling / MEAN by the node's rounding, float-LUT softmax, uint8
// float RESIZE_BILINEAR and int8 fixed-point RESIZE_BILINEAR, CONCATENATION with rescale, PAD, ARG_MAX,
// AffineQuantize, Dequantize). Values are returned by name as plain numbers (Int32Array for integer tensors,
// Float32Array for float32 ones), so tests compare them with the engine's typed arrays element by element.
import type { Graph, Quant } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';
import {
  activationRange, addParams, convRequant, convScalesFp32, dtypeRange, quantizeMultiplier, requantizeParams, softmaxTable,
  type QDType,
} from '../../src/plan/requant.js';
import {
  addMulShiftRef, addQRef, argmaxRef, avgPoolQRef, concatSliceRef, convQRef, dequantizeRef, quantizeXnnRef, meanFloatRef, meanI8_4dRef,
  meanSameRef, meanU8_4dRef, padRef, quantizeRef, requantizeRef, requantizeXnnRef, resizeBilinearI8Ref, resizeBilinearU8Ref,
  softmaxLutRef,
} from './reference-q.js';

export type Scheme = 'fp32' | 'gemmlowp';

/** XNNPACK's float32 scales, or nothing where XNNPACK refuses them (TFLite's delegate leaves the node to TFLite). */
function xnnScales(inScale: number, wScale: ArrayLike<number>, outScale: number, channels: number): { fp32Scale?: Float32Array } {
  try {
    return { fp32Scale: convScalesFp32(inScale, wScale, outScale, channels).scale };
  } catch {
    return {};
  }
}

/** Runs every node of `graph` on `input` (the raw integers of a quantized input, or floats); values by name. */
export function runTfliteReference(graph: Graph, input: ArrayLike<number>, scheme: Scheme = 'fp32'): Map<string, Int32Array | Float32Array> {
  const shapes = inferShapes(graph);
  const type = (v: string) => graph.values?.[v] ?? (v === graph.input.name && graph.input.dtype
    ? { dtype: graph.input.dtype, quant: graph.input.quant } : { dtype: 'float32' as const });
  const quant = (v: string): Quant & { dtype: QDType } => {
    const t = type(v);
    if (!t.quant) throw new Error(`reference: "${v}" is not quantized`);
    return { ...t.quant, dtype: t.dtype as QDType };
  };
  const vals = new Map<string, Int32Array | Float32Array>();
  vals.set(graph.input.name, type(graph.input.name).dtype === 'float32' ? Float32Array.from(input) : Int32Array.from(input));
  const get = (v: string) => vals.get(v)!;
  for (const n of graph.nodes) {
    const x = get(n.inputs[0]);
    const inShape = shapes.get(n.inputs[0])!;
    const outShape = shapes.get(n.name)!;
    let out: Int32Array | Float32Array;
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d':
      case 'dense': {
        const a = quant(n.inputs[0]);
        const o = quant(n.name);
        const q = n.q!;
        const dense = n.op === 'dense';
        const outC = dense ? n.units : outShape[3];
        const [qmin, qmax] = activationRange(n.activation, o, o.dtype);
        const mode = o.dtype === 'uint8' || (dense && q.scale.length === 1) ? 'float-product' : 'double';
        const rq = convRequant(a.scale, q.scale, o.scale, outC, o.dtype, mode);
        const geom = dense
          ? { inH: 1, inW: 1, inC: x.length, kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0, outH: 1, outW: 1, depthwise: false }
          : {
            inH: inShape[1], inW: inShape[2], inC: inShape[3], kh: n.kernel[0], kw: n.kernel[1], stride: n.stride[0],
            dilation: n.dilation?.[0] ?? 1, padTop: n.pad.top, padLeft: n.pad.left, outH: outShape[1], outW: outShape[2],
            depthwise: n.op === 'depthwise_conv2d',
          };
        out = convQRef({
          ...geom, outC, inZp: a.zeroPoint, wZp: q.zeroPoint, bias: q.bias, mult: rq.mult, shift: rq.shift,
          outZp: o.zeroPoint, qmin, qmax, ...(scheme === 'fp32' ? xnnScales(a.scale, q.scale, o.scale, outC) : {}),
        }, x, q.data);
        break;
      }
      case 'add': {
        const [qa, qb, o] = [quant(n.inputs[0]), quant(n.inputs[1]), quant(n.name)];
        const f = Math.fround;
        const ratioOk = [qa, qb].every((q) => { const r = f(f(q.scale) / f(o.scale)); return r >= 2 ** -10 && r < 256; });
        if (scheme === 'fp32' && ratioOk) {
          const [qmin, qmax] = activationRange(n.activation, o, o.dtype);
          out = addMulShiftRef(x, get(n.inputs[1]), qa.scale, qa.zeroPoint, qb.scale, qb.zeroPoint, o.scale, o.zeroPoint, qmin, qmax);
        } else {
          const p = addParams(qa, qb, o, n.activation, o.dtype);
          out = addQRef({
            aZp: p.aZeroPoint, bZp: p.bZeroPoint, outZp: p.outZeroPoint, leftShift: p.leftShift, aMult: p.aMult, aShift: p.aShift,
            bMult: p.bMult, bShift: p.bShift, outMult: p.outMult, outShift: p.outShift, qmin: p.qmin, qmax: p.qmax,
          }, x, get(n.inputs[1]));
        }
        break;
      }
      case 'global_avg_pool': {
        const [, h, w, c] = inShape;
        const a = quant(n.inputs[0]);
        const o = quant(n.name);
        const signed = o.dtype === 'int8';
        const same = a.zeroPoint === o.zeroPoint && Math.fround(a.scale) === Math.fround(o.scale);
        if ((n.rounding ?? (n.keepDims ? 'avgpool' : 'mean')) === 'avgpool') {
          const [lo, hi] = dtypeRange(o.dtype);
          out = avgPoolQRef(h * w, c, x, signed, lo, hi);
        } else if (n.keepDims) {
          if (signed) {
            const [mult, shift] = quantizeMultiplier(Math.fround(a.scale) / Math.fround(o.scale));
            out = meanI8_4dRef(h * w, c, x, a.zeroPoint, o.zeroPoint, mult, shift);
          } else out = meanU8_4dRef(h * w, c, x, a.zeroPoint, a.scale, o.zeroPoint, o.scale, quantizeMultiplier);
        } else out = same ? meanSameRef(h * w, c, x) : meanFloatRef(h * w, c, x, a.zeroPoint, a.scale, o.zeroPoint, o.scale, signed);
        break;
      }
      case 'softmax': {
        const a = quant(n.inputs[0]);
        const o = quant(n.name);
        out = softmaxLutRef(x, softmaxTable(a.scale, n.beta ?? 1), o.scale, o.zeroPoint, o.dtype === 'int8');
        break;
      }
      case 'quantize': {
        const o = quant(n.name);
        const [lo, hi] = dtypeRange(o.dtype);
        if (x instanceof Float32Array) {
          // The delegate's convert under fp32 (XNNPACK), reference_ops::AffineQuantize under gemmlowp.
          out = (scheme === 'fp32' ? quantizeXnnRef : quantizeRef)(x, o.scale, o.zeroPoint, lo, hi);
          break;
        }
        const a = quant(n.inputs[0]);
        const r = Math.fround(Math.fround(a.scale) / Math.fround(o.scale));
        if (scheme === 'fp32' && a.dtype === o.dtype && r >= 2 ** -8 && r <= 128) {
          out = requantizeXnnRef(x, a.scale, a.zeroPoint, o.scale, o.zeroPoint, o.dtype === 'int8');
        } else {
          const p = requantizeParams(a, o, o.dtype);
          out = requantizeRef(x, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
        }
        break;
      }
      case 'dequantize': {
        const a = quant(n.inputs[0]);
        out = dequantizeRef(x, a.scale, a.zeroPoint);
        break;
      }
      case 'pad': {
        const [, h, w, c] = inShape;
        const t = type(n.name);
        out = padRef(x, h, w, c, n.pad, t.quant ? t.quant.zeroPoint : 0);
        if (x instanceof Float32Array) out = Float32Array.from(out);
        break;
      }
      case 'concat': {
        const o = type(n.name);
        const [, h, w, C] = outShape;
        const res = new Int32Array(h * w * C);
        let off = 0;
        for (const v of n.inputs) {
          const c = shapes.get(v)![3];
          const t = type(v);
          const part = t.quant && o.quant ? concatSliceRef(get(v), t.quant.scale, t.quant.zeroPoint, o.quant.scale, o.quant.zeroPoint) : get(v);
          for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) res[p * C + off + k] = part[p * c + k];
          off += c;
        }
        out = o.dtype === 'float32' ? Float32Array.from(res) : res;
        break;
      }
      case 'resize_bilinear': {
        const [, h, w, c] = inShape;
        const [, oh, ow] = outShape;
        const signed = quant(n.name).dtype === 'int8';
        out = (signed ? resizeBilinearI8Ref : resizeBilinearU8Ref)(h, w, c, x, oh, ow, n.alignCorners, n.halfPixelCenters);
        break;
      }
      case 'argmax': {
        const [, h, w, c] = inShape;
        out = argmaxRef(h * w, c, x);
        break;
      }
      case 'reshape':
        out = x;
        break;
      default:
        throw new Error(`reference-tflite-graph: no reference for op ${n.op}`);
    }
    vals.set(n.name, out);
  }
  return vals;
}
