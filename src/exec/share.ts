// How a thread team shares one step: the step is cut into pieces (several per thread, exec/executor.ts
// pieceCount), each thread owns a contiguous run of them and takes its own from the front, in order (so a
// fused block's ring carries over from piece to piece), then takes other threads' remaining pieces from
// the back. A thread the OS has descheduled, or a helper still waking up, therefore delays a step by at
// most the piece it is running, not by its whole share: the others finish its work.
//
// A queue word is tag(12) | front(10) | back(10): the pieces [front, back) still unclaimed, and the low 12
// bits of the epoch of the step it belongs to. A claim is a compare-exchange that succeeds only for the
// tag the claiming thread saw in SEQ, so a helper that wakes late can never take a piece of a later step.
import type { Step } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';
import { DONE, FAILED, QUEUE } from './control.js';
import { runPiece as runStepPiece } from './executor.js';
import type { RowCursor } from './block.js';

export const queueWord = (tag: number, front: number, back: number): number => ((tag << 20) | (front << 10) | back) | 0;

/** Claims a piece of thread q's queue (its front, or its back when stealing); -1 when none is left. */
function claim(ctl: Int32Array, q: number, tag: number, fromBack: boolean): number {
  for (;;) {
    const w = Atomics.load(ctl, QUEUE + q);
    if (((w >>> 20) & 0xfff) !== tag) return -1;
    const front = (w >>> 10) & 0x3ff, back = w & 0x3ff;
    if (front >= back) return -1;
    const next = fromBack ? queueWord(tag, front, back - 1) : queueWord(tag, front + 1, back);
    if (Atomics.compareExchange(ctl, QUEUE + q, w, next) === w) return fromBack ? back - 1 : front;
  }
}

function runPiece(ctl: Int32Array, k: KernelSet, s: Step, piece: number, pieces: number, slot: number, cursor: RowCursor): void {
  try {
    runStepPiece(k, s, piece, pieces, slot, cursor);
  } catch {
    Atomics.store(ctl, FAILED, 1); // the leader throws after the step; the piece still counts as done
  }
}

/** Thread `slot`'s work on step s (of `pieces` pieces, tag `tag`): its own pieces, then the others'. */
export function sharePieces(ctl: Int32Array, k: KernelSet, s: Step, tag: number, pieces: number, slot: number, threads: number, cursor: RowCursor): void {
  cursor.step = null; // rings hold nothing of this step yet (a cursor never outlives one step)
  let done = 0;
  for (let p; (p = claim(ctl, slot, tag, false)) >= 0; done++) runPiece(ctl, k, s, p, pieces, slot, cursor);
  for (let i = 1; i < threads; i++) {
    const q = (slot + i) % threads;
    for (let p; (p = claim(ctl, q, tag, true)) >= 0; done++) runPiece(ctl, k, s, p, pieces, slot, cursor);
  }
  if (done > 0) {
    Atomics.add(ctl, DONE, done);
    Atomics.notify(ctl, DONE);
  }
}
