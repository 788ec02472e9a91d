// The kernel benches' timer (bench/kernels.bench.mjs, bench/kernels-q.bench.mjs).

/** Best seconds per call of fn over trials of ≥ minSeconds each (`quick`: shorter and fewer trials). */
export function bestSeconds(fn, quick) {
  const minSeconds = quick ? 0.02 : 0.1;
  const trials = quick ? 3 : 7;
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if ((performance.now() - t0) / 1000 >= minSeconds / 4) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < reps * 4; i++) fn();
    best = Math.min(best, (performance.now() - t0) / 1000 / (reps * 4));
  }
  return best;
}
