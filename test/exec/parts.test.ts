// Steps split into parts (what a thread team runs) give exactly the single-part result: every part
// is run here in turn on one thread, so any overlap, gap or shared scratch would show.
import { describe, it, expect } from 'vitest';
import { compile } from '../../src/plan/compile.js';
import { execute, runPiece as runStepPart } from '../../src/exec/executor.js';
import { Runtime } from '../../src/exec/runtime.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import type { Graph } from '../../src/graph/ir.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';

async function runWith(graph: Graph, parts: number, x: Float32Array, budget?: number): Promise<Float32Array> {
  const plan = compile(graph, { parts, sliceBudgetBytes: budget });
  const rt = await Runtime.create(plan, { isa: 'simd' });
  const k = rt.kernels;
  rt.write(plan.input, x);
  if (parts === 1) execute(plan, k);
  // Run the parts in reverse order so a part that wrongly depends on an earlier one fails.
  else for (const s of plan.steps) for (let p = parts - 1; p >= 0; p--) runStepPart(k, s, p, parts);
  return rt.read(plan.output).slice() as Float32Array;
}

describe('steps split into parts', () => {
  it.each([2, 3, 5])('tiny odd graph, %i parts, bit-identical', async (parts) => {
    const g = tinyGraph(17, 13, 'same', 4);
    const x = randomArray(17 * 13 * 3, mulberry32(1), 1);
    for (const budget of [undefined, 1, 5000]) {
      expect(await runWith(g, parts, x, budget)).toEqual(await runWith(g, 1, x, budget));
    }
  });

  it.each([2, 3])('MobileNetV2 0.5/96 with a 1000-class dense head (column split), %i parts', async (parts) => {
    const g = buildMobileNetV2({ alpha: 0.5, resolution: 96, classes: 1000, seed: 9 });
    const x = randomArray(96 * 96 * 3, mulberry32(2), 1);
    expect(await runWith(g, parts, x)).toEqual(await runWith(g, 1, x));
  });
});

describe('CompileOptions.keep', () => {
  it('keeps every asked-for value materialized and correct at the end of a run', async () => {
    const { runReference } = await import('../helpers/reference-graph.js');
    const g = tinyGraph(11, 9, 'same', 6);
    const names = g.nodes.map((n) => n.name);
    const plan = compile(g, { keep: names });
    const rt = await Runtime.create(plan, { isa: 'simd' });
    const x = randomArray(11 * 9 * 3, mulberry32(8), 1);
    rt.write(plan.input, x);
    execute(plan, rt.kernels);
    const ref = runReference(g, x);
    for (const name of names) {
      const got = rt.read(plan.kept.get(name)!) as Float32Array;
      const want = ref.get(name)!;
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
      expect(worst, name).toBeLessThan(1e-4);
    }
  });
});
