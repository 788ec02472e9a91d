// A team's way of sharing a step (exec/share.ts): pieces claimed from the front by their owner and from
// the back by the others, any thread's scratch, rings carried from piece to piece. Run here on one thread,
// in the orders a real team can produce, so every piece runs with the scratch and ring state it would get
// there; the result must be bit-identical to the unshared run. Also: stale tags claim nothing.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { compile, type Plan } from '../../src/plan/compile.js';
import { execute, pieceCount, split } from '../../src/exec/executor.js';
import { newRowCursor } from '../../src/exec/block.js';
import { queueWord, sharePieces } from '../../src/exec/share.js';
import { CONTROL_ADDRESS, CONTROL_SLOTS, DONE, FAILED, QUEUE } from '../../src/exec/control.js';
import { Runtime } from '../../src/exec/runtime.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { importModelBytes } from '../../src/formats/load-bytes.js';
import type { Graph } from '../../src/graph/ir.js';
import { randomArray, tinyGraph } from '../helpers/tiny-graph.js';
import { mulberry32 } from '../helpers/random.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

/** Which thread slot works first on each step; the other slots then find only stolen pieces. */
type Order = 'unshared' | number[];

async function runShared(graph: Graph, threads: number, input: ArrayLike<number>, order: Order): Promise<Uint8Array> {
  const plan: Plan = compile(graph, { parts: threads });
  // One thread plays every slot of the team: a runtime without a team of its own, over the team's plan.
  const rt = await Runtime.create(plan, { isa: 'simd' });
  const k = rt.kernels;
  rt.write(plan.input, input);
  if (order === 'unshared') {
    execute(plan, k);
  } else {
    const ctl = new Int32Array(rt.memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS);
    const cursors = Array.from({ length: threads }, newRowCursor);
    plan.steps.forEach((s, i) => {
      const pieces = pieceCount(s, threads);
      const tag = (i + 1) & 0xfff;
      for (let t = 0; t < threads; t++) {
        const [a, b] = split(pieces, t, threads);
        ctl[QUEUE + t] = queueWord(tag, a, b);
      }
      ctl[DONE] = 0;
      for (const slot of order) sharePieces(ctl, k, s, tag, pieces, slot, threads, cursors[slot]);
      expect(ctl[DONE], s.name).toBe(pieces);
      expect(ctl[FAILED], s.name).toBe(0);
    });
  }
  const out = rt.read(plan.output);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}

describe('sharing a step in pieces', () => {
  it('pieceCount: several per thread, never more than the step has rows or panels', () => {
    const plan = compile(buildMobileNetV2({ alpha: 1, resolution: 224, classes: 1001 }), { parts: 2 });
    for (const s of plan.steps) {
      const n = pieceCount(s, 2);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(8);
      if ('outH' in s) expect(n).toBeLessThanOrEqual(s.outH);
      expect(pieceCount(s, 1)).toBe(1);
    }
    expect(plan.steps.filter((s) => pieceCount(s, 2) > 1).length).toBeGreaterThan(plan.steps.length - 4);
  });

  it.each([[2, [0, 1]], [2, [1, 0]], [3, [2, 0, 1]], [3, [1, 2, 0]]] as const)(
    'tiny odd graph, %i threads, slot order %j: bit-identical to the unshared run', async (threads, order) => {
      const g = tinyGraph(23, 17, 'same', 8);
      const x = randomArray(23 * 17 * 3, mulberry32(5), 1);
      expect(await runShared(g, threads, x, [...order])).toEqual(await runShared(g, threads, x, 'unshared'));
    });

  it.each([[0, 1], [1, 0]])('MobileNetV2 0.5/128 with a 1000-class head, slot order %i, %i', async (...order) => {
    const g = buildMobileNetV2({ alpha: 0.5, resolution: 128, classes: 1000, seed: 3 });
    const x = randomArray(128 * 128 * 3, mulberry32(6), 1);
    expect(await runShared(g, 2, x, order)).toEqual(await runShared(g, 2, x, 'unshared'));
  });

  it('a queue word of another epoch (a helper waking late) yields no piece', async () => {
    const g = tinyGraph(9, 7, 'same', 4);
    const plan = compile(g, { parts: 2 });
    const { kernels: k, memory } = await Runtime.create(plan, { isa: 'simd' });
    const ctl = new Int32Array(memory.buffer, CONTROL_ADDRESS, CONTROL_SLOTS);
    const s = plan.steps.find((st) => pieceCount(st, 2) > 1)!;
    ctl[QUEUE] = queueWord(7, 0, 2);
    ctl[QUEUE + 1] = queueWord(7, 2, 4);
    ctl[DONE] = 0;
    sharePieces(ctl, k, s, 6, 4, 0, 2, newRowCursor());
    expect(ctl[DONE]).toBe(0);
    expect([ctl[QUEUE], ctl[QUEUE + 1]]).toEqual([queueWord(7, 0, 2), queueWord(7, 2, 4)]);
  });
});

describeShared('sharing int8 steps in pieces', () => {
  it.each([[0, 1], [1, 0]])('mobilenet_v2_1.0_224_quant.tflite, slot order %i, %i: bit-identical', async (...order) => {
    const g = await importModelBytes(readFileSync(sharedPath('models/mobilenet_v2_1.0_224_quant.tflite')), { fileName: 'quant.tflite' });
    const x = Array.from({ length: 224 * 224 * 3 }, (_, i) => (i * 7919) & 255);
    expect(await runShared(g, 2, x, order)).toEqual(await runShared(g, 2, x, 'unshared'));
  });
});
