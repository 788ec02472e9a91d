// Whether a thread team shares the next inference or its leader runs it alone (exec/team.ts).
/**
 * Team or leader alone, by measurement. Sharing wins when the helpers get cores; when other processes hold them,
 * a helper preempted in the middle of a piece holds up the step and the team can be slower than one thread. So
 * whole inferences are timed in both modes (a moving average each) and the faster mode is used, with the other
 * one re-tried now and then: after PROBE_MIN runs, doubling up to PROBE_MAX while it stays slower.
 */
export class ModeChooser {
  #ms: [number, number] = [NaN, NaN]; // [team, solo]: moving averages
  #runs: [number, number] = [0, 0];
  #probeIn = PROBE_MIN;
  #interval = PROBE_MIN;
  #probing = false;

  /** True to run the next inference on the leader alone; `timed`: a whole inference that record() will see. */
  next(timed: boolean): boolean {
    // Team first; each mode's first run only warms it up (tier-up, caches) and is not recorded.
    if (!timed) return this.#runs[0] >= 2 && this.#runs[1] >= 2 && this.#ms[1] < this.#ms[0];
    if (this.#runs[0] < 2) return false;
    if (this.#runs[1] < 2) return (this.#probing = true);
    const best = this.#ms[1] < this.#ms[0];
    this.#probing = --this.#probeIn <= 0;
    return this.#probing ? !best : best;
  }

  record(solo: boolean, ms: number): void {
    const i = solo ? 1 : 0;
    if (++this.#runs[i] === 1) return;
    const teamBefore = this.#ms[0] <= this.#ms[1];
    // A probe measures the mode under today's conditions: it replaces the old average rather than nudging it.
    this.#ms[i] = Number.isNaN(this.#ms[i]) || this.#probing ? ms : 0.75 * this.#ms[i] + 0.25 * ms;
    if (this.#probing && this.#runs[1] > 2) {
      // A probe that did not change the choice makes the next one rarer; a switch makes probing frequent again.
      this.#interval = (this.#ms[0] <= this.#ms[1]) === teamBefore ? Math.min(PROBE_MAX, this.#interval * 2) : PROBE_MIN;
      this.#probeIn = this.#interval;
    }
    this.#probing = false;
  }
}
export const PROBE_MIN = 8;
export const PROBE_MAX = 128;
