// The team's choice between sharing an inference and running it on the leader alone, fed synthetic timings.
import { describe, it, expect } from 'vitest';
import { ModeChooser, PROBE_MAX, PROBE_MIN } from '../../src/exec/mode-chooser.js';

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
    const first = drive(c, 4, 9, 17);
    expect(first).toEqual([false, false, true, true]); // two team runs (the first one only warms up), two alone
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

  it('partial or profiled runs use the current best mode and are not counted', () => {
    const c = new ModeChooser();
    expect(c.next(false)).toBe(false); // nothing measured yet: the team
    drive(c, 20, 25, 17);
    for (let i = 0; i < 50; i++) expect(c.next(false)).toBe(true);
  });
});
