// The team's choice between sharing an inference and running it on the leader alone, fed synthetic timings.
import { describe, it, expect } from 'vitest';
import { ModeChooser, PROBE_MAX, PROBE_MIN, TEAM_WARMUP } from '../../src/exec/mode-chooser.js';

/** Runs n inferences where the team takes teamMs and the leader alone soloMs; returns the choices (true = alone). */
function drive(c: ModeChooser, n: number, teamMs: number, soloMs: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const solo = c.next(true);
    c.record(solo, solo ? soloMs : teamMs);
    out.push(solo);
  }
  return out;
}

describe('ModeChooser', () => {
  it('starts with the team, tries the leader alone, then keeps the faster mode with rare probes of the other', () => {
    const c = new ModeChooser();
    const first = drive(c, TEAM_WARMUP + 3, 9, 17);
    // TEAM_WARMUP + 1 team runs (only the last counts), two alone (the first only warms up)
    expect(first).toEqual([...Array(TEAM_WARMUP + 1).fill(false), true, true]);
    const rest = drive(c, 400, 9, 17);
    const alone = rest.filter(Boolean).length;
    expect(alone).toBeGreaterThan(0); // it does probe
    expect(alone).toBeLessThan(400 / PROBE_MIN / 2); // probes get rarer while the team stays faster
  });

  it('runs alone while the team is slower (another process holds a core), and goes back when it is not', () => {
    const c = new ModeChooser();
    drive(c, 20, 9, 17);
    const busy = drive(c, 300, 25, 17);
    expect(busy.slice(PROBE_MAX + PROBE_MIN).filter((s) => !s).length).toBeLessThan(10); // after the switch, team runs are probes only
    expect(busy.filter(Boolean).length).toBeGreaterThan(250);
    const quiet = drive(c, 300, 9, 17);
    expect(quiet.slice(PROBE_MAX + PROBE_MIN).filter(Boolean).length).toBeLessThan(10);
  });

  it('does not count cold runs: slow first team runs, or a slow first run of a probe, do not make it run alone', () => {
    const c = new ModeChooser();
    const out: boolean[] = [];
    // The team's first runs are slow (helpers' code not optimized yet), then it is faster than the leader alone.
    for (let i = 0; i < 40; i++) {
      const solo = c.next(true);
      c.record(solo, solo ? 17 : i < TEAM_WARMUP ? 40 : 9);
      out.push(solo);
    }
    expect(out.slice(TEAM_WARMUP + 3).filter(Boolean).length).toBeLessThan(5); // probes only
    // Busy: the leader alone wins. Then quiet again, but the first team run of every probe is cold (slow).
    drive(c, 200, 25, 17);
    let teamRuns = 0, coldNext = true;
    for (let i = 0; i < 300; i++) {
      const solo = c.next(true);
      c.record(solo, solo ? 17 : coldNext ? 40 : 9);
      coldNext = solo; // a team run right after a solo one is cold
      if (!solo) teamRuns++;
    }
    expect(teamRuns).toBeGreaterThan(250); // back to the team despite the cold first run of each probe
  });

  it('partial or profiled runs use the current best mode and are not counted', () => {
    const c = new ModeChooser();
    expect(c.next(false)).toBe(false); // nothing measured yet: the team
    drive(c, 20, 25, 17);
    for (let i = 0; i < 50; i++) expect(c.next(false)).toBe(true);
  });
});
