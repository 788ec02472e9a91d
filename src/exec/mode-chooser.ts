// Whether a thread team shares the next inference or its leader runs it alone (exec/team.ts).
/**
 * Team or leader alone, by measurement. Sharing wins when the helpers get cores; when other processes hold them,
 * a helper preempted in the middle of a piece holds up the step and the team can be slower than one thread. So
 * whole inferences are timed in both modes and the faster mode is used, with the other one re-tried now and
 * then: after PROBE_MIN runs, doubling up to PROBE_MAX while the choice stands. A mode's estimate is the minimum
 * of its last WINDOW timings (noise on a shared machine only ever adds time, so one unlucky run does not flip
 * the choice), and the leader goes alone only when that is clearly faster (SOLO_MARGIN).
 */
export class ModeChooser {
  #recent: [number[], number[]] = [[], []]; // [team, solo]: the last WINDOW timings of each
  #runs: [number, number] = [0, 0];
  #probeIn = PROBE_MIN;
  #interval = PROBE_MIN;
  #probing = false;

  /** True to run the next inference on the leader alone; `timed`: a whole inference that record() will see. */
  next(timed: boolean): boolean {
    if (!timed) return this.#soloFaster();
    // Team first; each mode's first run only warms it up (tier-up, caches) and is not recorded.
    if (this.#runs[0] < 2) return false;
    if (this.#runs[1] < 2) return (this.#probing = true);
    const best = this.#soloFaster();
    this.#probing = --this.#probeIn <= 0;
    return this.#probing ? !best : best;
  }

  record(solo: boolean, ms: number): void {
    const i = solo ? 1 : 0;
    if (++this.#runs[i] === 1) return;
    const before = this.#soloFaster();
    const recent = this.#recent[i];
    recent.push(ms);
    if (recent.length > WINDOW) recent.shift();
    if (this.#probing && this.#runs[1] > 2) {
      // A probe that did not change the choice makes the next one rarer; a switch makes probing frequent again.
      this.#interval = this.#soloFaster() === before ? Math.min(PROBE_MAX, this.#interval * 2) : PROBE_MIN;
      this.#probeIn = this.#interval;
    }
    this.#probing = false;
  }

  #soloFaster(): boolean {
    const [team, solo] = this.#recent;
    return team.length > 0 && solo.length > 0 && Math.min(...solo) < Math.min(...team) * SOLO_MARGIN;
  }
}
export const PROBE_MIN = 8;
export const PROBE_MAX = 128;
const WINDOW = 4;
const SOLO_MARGIN = 0.9;
