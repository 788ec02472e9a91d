// Runs a Plan's steps (exec/team.ts: the same, shared by a thread team). A step runs whole (piece 0 of 1)
// or as one of `pieces` disjoint pieces (output rows, GEMM row tiles or column panels, element ranges) so a
// thread team can share it; how each step kind runs a piece is its op module's (src/ops/, STEPS). Never
// allocates.
import type { Plan } from '../plan/compile.js';
import type { Step } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';
import { STEPS } from '../ops/index.js';
import type { StepRunner } from '../ops/types.js';
import type { RowCursor } from './block.js';

export { split } from '../ops/pieces.js';

const runnerOf = (s: Step) => STEPS[s.kind] as StepRunner<Step>;

/** True when a step is worth sharing between threads (tiny or sequential steps run whole on one thread). */
export function isSplittable(s: Step): boolean {
  return runnerOf(s).maxPieces !== undefined;
}

/** Pieces per thread when a team shares a step: enough for a thread that finishes early to take over work. */
export const PIECES_PER_THREAD = 4;

/**
 * How many pieces a team of `threads` cuts step s into (exec/share.ts): PIECES_PER_THREAD per thread, but
 * none smaller than a kernel handles efficiently (a GEMM piece is whole 4-row tiles or 8-column panels, an
 * element-wise piece ≥ 1024 elements: the step runner's maxPieces). runPiece(k, s, piece, pieces) then runs
 * one of them; 1 means the step is not shared.
 */
export function pieceCount(s: Step, threads: number): number {
  const max = runnerOf(s).maxPieces;
  if (threads <= 1 || max === undefined) return 1;
  return Math.max(1, Math.min(threads * PIECES_PER_THREAD, max(s)));
}

/**
 * Runs piece `piece` of `pieces` of step s. `slot` picks the per-thread scratch (rings, depthwise and im2col
 * buffers) the plan reserved for each thread of a team, so a thread may run any piece (a team cuts a step
 * into more pieces than threads: exec/team.ts). `cursor` lets a block continue from the piece it ran last.
 */
export function runPiece(k: KernelSet, s: Step, piece: number, pieces: number, slot = piece, cursor?: RowCursor): void {
  const runner = runnerOf(s);
  if (pieces > 1 && runner.maxPieces === undefined) {
    if (piece === 0) runner.run(k, s, 0, 1, 0);
    return;
  }
  runner.run(k, s, piece, pieces, slot, cursor);
}

/**
 * Runs the plan on this thread, or its prefix up to and including the step named `until`; with `times`, adds
 * milliseconds per step (index-aligned with plan.steps). ThreadTeam.run is the same over a thread team.
 */
export function execute(plan: Plan, k: KernelSet, until?: string, times?: Float64Array): void {
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) {
    const t0 = times ? performance.now() : 0;
    runPiece(k, steps[i], 0, 1);
    if (times) times[i] += performance.now() - t0;
    if (steps[i].name === until) break;
  }
}
