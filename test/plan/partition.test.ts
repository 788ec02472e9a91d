// Partitioning into units: whole fused blocks, blocks fused after their expansion (small maps), and no
// fusion; the shortcut a block's add joins stays an input of the unit (so it stays alive).
import { describe, it, expect } from 'vitest';
import { partition, unitInputs, type BlockFusion, type BlockUnit } from '../../src/plan/partition.js';
import { activationBytes, compile } from '../../src/plan/compile.js';
import { SPLIT_MAX_ROWS, UNFUSED_MAX_ROWS } from '../../src/plan/fusion.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import type { BlockStep } from '../../src/plan/steps.js';
import type { Graph } from '../../src/graph/ir.js';
import { tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';

const blocks = (units: ReturnType<typeof partition>) => units.filter((u): u is BlockUnit => u.kind === 'block');

describe('partition', () => {
  const g = tinyGraph(19, 15, 'same', 1); // b0 (t = 1), b1 (stride 2), b2 (residual), b3 (stride 2), b4 (residual)

  it('fuses whole blocks by default; the residual block adds its own input', () => {
    const bs = blocks(partition(g));
    expect(bs.map((b) => b.output)).toEqual(['b0_project', 'b1_project', 'b2_add', 'b3_project', 'b4_add']);
    const b2 = bs[2];
    expect(b2.expand?.name).toBe('b2_expand');
    expect(b2.input).toBe('b1_project');
    expect(b2.shortcut).toBe('b1_project');
    expect(unitInputs(b2)).toEqual(['b1_project']);
    expect(bs[1].shortcut).toBeNull();
  });

  it("'after-expand' makes the expansion a unit of its own; the block reads it and still adds the thin input", () => {
    const units = partition(g, { fusion: () => 'after-expand' });
    const i = units.findIndex((u) => u.output === 'b2_add');
    expect(units[i - 1]).toMatchObject({ kind: 'node', output: 'b2_expand' });
    const b2 = units[i] as BlockUnit;
    expect(b2).toMatchObject({ kind: 'block', input: 'b2_expand', expand: null, shortcut: 'b1_project' });
    expect(unitInputs(b2)).toEqual(['b2_expand', 'b1_project']);
    // A block without expansion (t = 1) has nothing to split off.
    expect(blocks(units)[0]).toMatchObject({ input: 'stem', expand: null, output: 'b0_project' });
    expect(units.filter((u) => u.kind === 'node').map((u) => u.output)).toEqual(['stem', 'b1_expand', 'b2_expand', 'b3_expand', 'b4_expand', 'pool', 'logits']);
  });

  it("'none' leaves every node a unit of its own", () => {
    const units = partition(g, { fusion: () => 'none' });
    expect(blocks(units)).toEqual([]);
    expect(units.length).toBe(g.nodes.length);
  });

  it("applies each depthwise's answer to its own block only", () => {
    const asked: string[] = [];
    const answer: Record<string, BlockFusion> = { b1_depthwise: 'none', b2_depthwise: 'after-expand' };
    const units = partition(g, { fusion: (dw) => (asked.push(dw.name), answer[dw.name] ?? 'whole') });
    expect(new Set(asked)).toEqual(new Set(['b0_depthwise', 'b1_depthwise', 'b2_depthwise', 'b3_depthwise', 'b4_depthwise']));
    expect(blocks(units).map((b) => [b.output, b.expand?.name ?? null])).toEqual([
      ['b0_project', null], ['b2_add', null], ['b3_project', 'b3_expand'], ['b4_add', 'b4_expand'],
    ]);
  });
});

describe('plans fuse less on small maps', () => {
  it('MobileNetV2 1.0/224: whole blocks down to 28×28, expansion apart at 14×14, unfused at 7×7, on 1 and 2 parts', () => {
    const graph = buildMobileNetV2({ alpha: 1, resolution: 224, classes: 10, seed: 1 });
    const kinds = (parts: number) => compile(graph, { parts }).steps.map((s) => s.kind);
    expect(kinds(2)).toEqual(kinds(1));
    const plan = compile(graph);
    const steps = plan.steps.filter((s): s is BlockStep => s.kind === 'block');
    for (const s of steps) {
      expect(s.outH).toBeGreaterThan(UNFUSED_MAX_ROWS);
      if (s.outH <= SPLIT_MAX_ROWS) expect(s.expand).toBeNull();
      else if (s.outH < 112) expect(s.expand).not.toBeNull(); // (the first block, t = 1, has no expansion)
    }
    // The 14×14 residual blocks add the expansion's input, not the block's (expanded) input.
    const res = steps.filter((s) => s.outH === 14 && s.shortcut !== 0);
    expect(res.length).toBe(5);
    for (const s of res) expect(s.shortcut).not.toBe(s.input);
    // 7 blocks at 14×14 gained an expansion step; the 4 blocks at 7×7 became 3 steps, or 4 with a residual add.
    expect(plan.steps.length).toBe(partition(graph).length + 7 + 2 * 2 + 2 * 3);
    expect(plan.steps.filter((s) => s.kind === 'dwconv').length).toBe(4);
    // Fusing less costs no memory here: the peak is on the large maps.
    expect(plan.arenaBytes).toBe(activationBytes(graph, true));
  });

  it('keeps whole blocks where fusing less would raise the peak', () => {
    // One block on a 12×12 map with a 64× expansion: its expanded tensor would dwarf everything else.
    const r = mulberry32(5);
    const w = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
    const pad = { top: 1, bottom: 1, left: 1, right: 1 }, none = { top: 0, bottom: 0, left: 0, right: 0 };
    const graph: Graph = {
      name: 'wide-small', input: { name: 'x', shape: [1, 12, 12, 8] }, output: 'add',
      nodes: [
        { op: 'conv2d', name: 'expand', inputs: ['x'], kernel: [1, 1], stride: [1, 1], pad: none, activation: 'relu6', weights: w(8 * 512, 0.3), bias: w(512, 0.1), outChannels: 512 },
        { op: 'depthwise_conv2d', name: 'dw', inputs: ['expand'], kernel: [3, 3], stride: [1, 1], pad, activation: 'relu6', weights: w(9 * 512, 0.3), bias: w(512, 0.1) },
        { op: 'conv2d', name: 'project', inputs: ['dw'], kernel: [1, 1], stride: [1, 1], pad: none, activation: 'none', weights: w(512 * 8, 0.05), bias: w(8, 0.1), outChannels: 8 },
        { op: 'add', name: 'add', inputs: ['x', 'project'], activation: 'none' },
      ],
      meta: { architecture: 'test', paddingMode: 'same', labels: [], preprocess: { scale: [1, 1, 1], offset: [0, 0, 0], centralCrop: 1 } },
    };
    const plan = compile(graph);
    expect(plan.steps.map((s) => s.kind)).toEqual(['block']);
    expect((plan.steps[0] as BlockStep).expand).not.toBeNull();
    expect(plan.arenaBytes).toBe(activationBytes(graph, true));
  });
});
