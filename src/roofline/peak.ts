// The machine's WebAssembly SIMD peak, measured in the same run as a profile: register-resident
// loops (dist/wasm/roofline*.wasm, generated from scripts/roofline-wat.mjs at build time).
import { readUrlBytes } from '../io.js';
import { rooflineUrl } from '../assets.js';
import { hasRelaxedSimd } from '../wasm/load.js';

export interface Peak { kernel: string; gmacs: number }

/** Accumulator chains per loop iteration, one export each: ROOFLINE_CHAINS of scripts/roofline-wat.mjs (keep in sync). */
const CHAINS = [8, 10, 12];
/** Multiply-adds per instruction of each kind (scripts/roofline-wat.mjs). */
const MACS: Record<string, number> = { f32_muladd: 4, i16_dot: 8, f32_relaxed_madd: 4, i8_relaxed_dot: 16 };

/** Best-of-3 G multiply-adds/s per instruction kind this runtime has, over the chain counts (single thread, ~0.1 s each). */
export async function measurePeaks(ms = 100): Promise<Peak[]> {
  const relaxed = hasRelaxedSimd();
  const bytes = await readUrlBytes(rooflineUrl(relaxed));
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource);
  const out: Peak[] = [];
  for (const [kernel, perOp] of Object.entries(MACS)) {
    let best = 0;
    for (const chains of CHAINS) {
      const run = instance.exports[`run_${kernel}_k${chains}`] as ((n: number) => number) | undefined;
      if (!run) continue;
      run(1000);
      for (let rep = 0; rep < 3; rep++) {
        let iters = 50_000, t = 0;
        for (;;) {
          const t0 = performance.now();
          run(iters);
          t = performance.now() - t0;
          if (t > ms / 3) break;
          iters *= 2;
        }
        best = Math.max(best, (iters * chains * perOp) / (t / 1000) / 1e9);
      }
    }
    if (best > 0) out.push({ kernel, gmacs: best });
  }
  return out;
}
