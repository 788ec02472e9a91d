// dequantizeGraph: the float32 twin of a quantized graph. Quantize a float graph with our PTQ, dequantize it,
// and check every weight and bias against the scalar formula (real = scale·(q − zeroPoint), bias·sIn·sW) and
// against the float weights it came from; then run the twin and check it tracks the float original.
import { describe, expect, it } from 'vitest';
import type { Conv2DNode, DenseNode, DepthwiseConv2DNode, Graph } from '../../src/graph/ir.js';
import { dequantizeGraph, isQuantized } from '../../src/graph/dequantize.js';
import { quantizeGraph } from '../../src/quantize/quantize.js';
import { Calibrator } from '../../src/quantize/calibrate.js';
import { loadModel } from '../../src/api.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';
import { runReference } from '../helpers/reference-graph.js';

type Weighted = Conv2DNode | DepthwiseConv2DNode | DenseNode;
const weighted = (g: Graph) => g.nodes.filter((n): n is Weighted => n.op === 'conv2d' || n.op === 'depthwise_conv2d' || n.op === 'dense');
const inputs = (n: number, seed: number) => Array.from({ length: n }, (_, i) => randomArray(13 * 11 * 3, mulberry32(seed + i), 1));

async function quantized(float: Graph): Promise<Graph> {
  const cal = await Calibrator.create(float, { method: 'minmax', isa: 'simd' });
  for (const x of inputs(8, 100)) cal.observeTensor(x);
  return quantizeGraph(float, cal.ranges());
}

describe('dequantizeGraph', () => {
  it('a float32 graph is its own twin', () => {
    const g = tinyGraph(13, 11, 'same', 3);
    expect(isQuantized(g)).toBe(false);
    expect(dequantizeGraph(g)).toBe(g);
  });

  it('real weights and biases by the scalar formula, within half a quantization step of the float originals', async () => {
    const float = tinyGraph(13, 11, 'same', 3);
    const q = await quantized(float);
    expect(isQuantized(q)).toBe(true);
    const twin = dequantizeGraph(q);
    expect(isQuantized(twin)).toBe(false);
    expect(twin.input.dtype).toBeUndefined();
    expect(twin.nodes.some((n) => n.op === 'quantize' || n.op === 'dequantize')).toBe(false);
    const byName = new Map(weighted(twin).map((n) => [n.name, n]));
    const original = new Map(weighted(float).map((n) => [n.name, n]));
    const qnodes = weighted(q);
    expect(qnodes.length).toBeGreaterThan(3);
    for (const qn of qnodes) {
      const t = byName.get(qn.name)!;
      const f = original.get(qn.name)!;
      const w = qn.q!;
      const channels = w.bias.length;
      const inName = qn.inputs[0];
      const sIn = (inName === q.input.name ? q.input.quant : q.values![inName].quant)!.scale;
      expect(t.weights.length).toBe(w.data.length);
      for (let i = 0; i < w.data.length; i++) {
        const c = w.scale.length > 1 ? i % channels : 0;
        expect(t.weights[i]).toBe(Math.fround(w.scale[c] * (w.data[i] - w.zeroPoint[c])));
        // Our PTQ adjusts weights for the rounding bias, so allow a little over half a step.
        expect(Math.abs(t.weights[i] - f.weights[i])).toBeLessThanOrEqual(w.scale[c] * 0.51 + 1e-7);
      }
      for (let c = 0; c < channels; c++) {
        expect(t.bias[c]).toBe(Math.fround(w.bias[c] * sIn * w.scale[w.scale.length > 1 ? c : 0]));
      }
    }
  });

  it('the twin runs in the engine and tracks the float original', async () => {
    const float = tinyGraph(13, 11, 'same', 3);
    const q = await quantized(float);
    const twin = await loadModel(q, { precision: 'float32', isa: 'simd' });
    expect(twin.info.inputType).toBe('float32');
    expect(twin.info.requant).toBeUndefined();
    const x = inputs(1, 7)[0];
    const want = runReference(float, x).get(float.output)!;
    const got = await twin.run(x);
    let worst = 0;
    let span = 0;
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
      span = Math.max(span, Math.abs(want[i]));
    }
    expect(worst).toBeLessThan(0.05 * span);
    twin.dispose();
  });

  it('precision must be model or float32', async () => {
    await expect(loadModel(tinyGraph(13, 11, 'same', 3), { precision: 'int4' as 'float32' })).rejects.toThrow(/precision must be 'model' or 'float32'/);
  });
});
