// A small MobileNetV2-like graph with random weights on arbitrary (odd) input sizes, for executor tests.
import type { Activation, Graph, Node, PaddingMode } from '../../src/graph/ir.js';
import { padFor } from '../../src/graph/shapes.js';
import { mulberry32 } from './random.js';

export function randomArray(n: number, r: () => number, scale: number) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/** A small MobileNetV2-like graph on an arbitrary (odd) input size. */
export function tinyGraph(H: number, W: number, mode: PaddingMode, seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [];
  let cur = 'input', c = 3, h = H, w = W;
  const conv = (name: string, k: number, s: number, oc: number, activation: Activation) => {
    const [pt, pb] = padFor(mode, h, k, s), [pl, pr] = padFor(mode, w, k, s);
    nodes.push({ op: 'conv2d', name, inputs: [cur], kernel: [k, k], stride: [s, s], pad: { top: pt, bottom: pb, left: pl, right: pr },
      activation, weights: randomArray(k * k * c * oc, r, Math.sqrt(3 / (k * k * c))), bias: randomArray(oc, r, 0.1), outChannels: oc });
    h = Math.floor((h + pt + pb - k) / s) + 1; w = Math.floor((w + pl + pr - k) / s) + 1; c = oc; cur = name;
  };
  const dw = (name: string, s: number) => {
    const [pt, pb] = padFor(mode, h, 3, s), [pl, pr] = padFor(mode, w, 3, s);
    nodes.push({ op: 'depthwise_conv2d', name, inputs: [cur], kernel: [3, 3], stride: [s, s], pad: { top: pt, bottom: pb, left: pl, right: pr },
      activation: 'relu6', weights: randomArray(9 * c, r, 0.5), bias: randomArray(c, r, 0.1) });
    h = Math.floor((h + pt + pb - 3) / s) + 1; w = Math.floor((w + pl + pr - 3) / s) + 1; cur = name;
  };
  const block = (p: string, t: number, oc: number, s: number) => {
    const inName = cur, inC = c;
    if (t !== 1) conv(`${p}_expand`, 1, 1, inC * t, 'relu6');
    dw(`${p}_depthwise`, s);
    conv(`${p}_project`, 1, 1, oc, 'none');
    if (s === 1 && inC === oc) { nodes.push({ op: 'add', name: `${p}_add`, inputs: [inName, cur], activation: 'none' }); cur = `${p}_add`; }
  };
  conv('stem', 3, 2, 8, 'relu6');
  block('b0', 1, 5, 1);
  block('b1', 6, 7, 2);
  block('b2', 6, 7, 1);
  block('b3', 3, 9, 2);
  block('b4', 6, 9, 1);
  nodes.push({ op: 'global_avg_pool', name: 'pool', inputs: [cur] });
  nodes.push({ op: 'dense', name: 'logits', inputs: ['pool'], activation: 'none', weights: randomArray(c * 11, r, 0.5), bias: randomArray(11, r, 0.1), units: 11 });
  return {
    name: `tiny-${H}x${W}-${mode}`, input: { name: 'input', shape: [1, H, W, 3] }, output: 'logits', nodes,
    meta: { architecture: 'test', paddingMode: mode, labels: [], preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 }, embeddingNode: 'pool' },
  };
}

