// A naive float64 interpreter of the Graph IR, written independently of src/plan and assembly/:
// direct loops over NHWC with explicit padding. Slow, obvious, and the yardstick for whole graphs.
import type { Activation, Graph } from '../../src/graph/ir.js';

interface T { shape: number[]; data: Float64Array }

const act = (v: number, a: Activation) => (a === 'relu6' ? Math.min(Math.max(v, 0), 6) : a === 'relu' ? Math.max(v, 0) : v);

export function runReference(graph: Graph, input: Float32Array): Map<string, Float32Array> {
  const vals = new Map<string, T>();
  vals.set(graph.input.name, { shape: [...graph.input.shape], data: Float64Array.from(input) });
  for (const n of graph.nodes) {
    const x = vals.get(n.inputs[0])!;
    let y: T;
    switch (n.op) {
      case 'conv2d':
      case 'depthwise_conv2d': {
        const [, H, W, C] = x.shape;
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.stride;
        const OH = Math.floor((H + n.pad.top + n.pad.bottom - kh) / sh) + 1;
        const OW = Math.floor((W + n.pad.left + n.pad.right - kw) / sw) + 1;
        const dw = n.op === 'depthwise_conv2d';
        const OC = dw ? C : n.outChannels;
        const out = new Float64Array(OH * OW * OC);
        for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let oc = 0; oc < OC; oc++) {
          let s = n.bias[oc];
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - n.pad.top + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - n.pad.left + kx;
              if (ix < 0 || ix >= W) continue;
              if (dw) s += x.data[(iy * W + ix) * C + oc] * n.weights[(ky * kw + kx) * C + oc];
              else for (let ic = 0; ic < C; ic++) s += x.data[(iy * W + ix) * C + ic] * n.weights[((ky * kw + kx) * C + ic) * OC + oc];
            }
          }
          out[(oy * OW + ox) * OC + oc] = act(s, n.activation);
        }
        y = { shape: [1, OH, OW, OC], data: out };
        break;
      }
      case 'add': {
        const b = vals.get(n.inputs[1])!;
        y = { shape: x.shape, data: x.data.map((v, i) => act(v + b.data[i], n.activation)) };
        break;
      }
      case 'global_avg_pool': {
        const [, H, W, C] = x.shape;
        const out = new Float64Array(C);
        for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[c] += x.data[p * C + c];
        for (let c = 0; c < C; c++) out[c] /= H * W;
        y = { shape: [1, C], data: out };
        break;
      }
      case 'dense': {
        const K = x.data.length;
        const out = new Float64Array(n.units);
        for (let j = 0; j < n.units; j++) {
          let s = n.bias[j];
          for (let k = 0; k < K; k++) s += x.data[k] * n.weights[k * n.units + j];
          out[j] = act(s, n.activation);
        }
        y = { shape: [1, n.units], data: out };
        break;
      }
      case 'softmax': {
        const m = Math.max(...x.data);
        const e = x.data.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b, 0);
        y = { shape: x.shape, data: e.map((v) => v / sum) };
        break;
      }
      default:
        throw new Error(`reference: op ${n.op} is not implemented here`);
    }
    vals.set(n.name, y);
  }
  const out = new Map<string, Float32Array>();
  for (const [k, v] of vals) out.set(k, Float32Array.from(v.data));
  return out;
}
