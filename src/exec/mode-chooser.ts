// Whether a thread team shares the next inference or its leader runs it alone (exec/team.ts).
/**
 * Team or leader alone, by measurement. Sharing wins when the helpers get cores; when other processes hold them,
 * a helper preempted in the middle of a piece holds up the step and the team can be slower than one thread. So
 * whole inferences are timed in both modes and the faster mode is used, with the other one re-tried now and
 * then: after PROBE_MIN runs, doubling up to PROBE_MAX while the choice stands. A mode's estimate is the minimum
 * of its last WINDOW timings (noise on a shared machine only ever adds time, so one unlucky run does not flip
 * the choice), and the leader goes alone only when that is clearly faster (SOLO_MARGIN).
 *
 * Only warm runs count. A team's first inferences run its helpers' JavaScript before the engine has optimized it
 * (and, in browsers, its kernels before they tier up), so the first TEAM_WARMUP team runs and the first solo run
 * are not recorded; and a probe of a mode not used for a while (helpers asleep, their code gone cold) runs that
 * mode twice, recording only the second run. Counting cold team runs made a quiet host's team look slower than
 * one thread, and the team, rarely probed, never got warm enough to win back (BENCHMARKS.md, "Threads in Chromium").
 */
export class ModeChooser {
  #recent: [number[], number[]] = [[], []]; // [team, solo]: the last WINDOW recorded timings of each
  /** Timed runs planned ahead (warm-ups, a probe's two runs): the mode, and whether its timing counts. */
  #queue: Run[] = [
    ...Array.from({ length: TEAM_WARMUP }, () => ({ solo: false, record: false })),
    { solo: false, record: true },
    { solo: true, record: false },
    { solo: true, record: true },
  ];
  #current: Run = { solo: false, record: false };
  #probeIn = PROBE_MIN;
  #interval = PROBE_MIN;

  /** True to run the next inference on the leader alone; `timed`: a whole inference that record() will see. */
  next(timed: boolean): boolean {
    if (!timed) return this.#soloFaster();
    const planned = this.#queue.shift();
    if (planned) return (this.#current = planned).solo;
    const best = this.#soloFaster();
    if (--this.#probeIn <= 0) {
      this.#queue.push({ solo: !best, record: true, probe: true });
      return (this.#current = { solo: !best, record: false }).solo;
    }
    return (this.#current = { solo: best, record: true }).solo;
  }

  record(solo: boolean, ms: number): void {
    const run = this.#current;
    this.#current = { solo, record: false };
    if (!run.record || run.solo !== solo) return;
    const before = this.#soloFaster();
    const recent = this.#recent[solo ? 1 : 0];
    recent.push(ms);
    if (recent.length > WINDOW) recent.shift();
    if (run.probe) {
      // A probe that did not change the choice makes the next one rarer; a switch makes probing frequent again.
      this.#interval = this.#soloFaster() === before ? Math.min(PROBE_MAX, this.#interval * 2) : PROBE_MIN;
      this.#probeIn = this.#interval;
    }
  }

  #soloFaster(): boolean {
    const [team, solo] = this.#recent;
    return team.length > 0 && solo.length > 0 && Math.min(...solo) < Math.min(...team) * SOLO_MARGIN;
  }
}

interface Run { solo: boolean; record: boolean; probe?: boolean }

export const PROBE_MIN = 8;
export const PROBE_MAX = 128;
/** Team runs at the start that only warm the helpers up. */
export const TEAM_WARMUP = 8;
const WINDOW = 4;
const SOLO_MARGIN = 0.8;
