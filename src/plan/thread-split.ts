// Thread-split policy: how a thread team shares a GEMM step (exec/share.ts cuts it into pieces).
//
// Split by row tiles, every thread streams all the weights but reads only its rows of A; split by column
// panels, every thread streams only its share of the weights but reads all of A (and the int8 kernel widens
// A to int16 again in every piece). Rows win when there are at least as many rows as columns, or when there
// are enough row tiles to go round and the weights are small enough that two cores' caches hold them
// comfortably; panels win for the few-row, wide GEMMs at the end of the network (the 7×7 1×1 convolutions,
// the classifier). The thresholds were measured on MobileNetV2 1.0/224 (BENCHMARKS.md, "Thread-split
// policy"). Dense layers (one row) always split by panels.
import { GEMM_NR } from './registry.js';

/** A GEMM with at least this many rows (8 row tiles) and at most this many bytes of weights is shared by rows. */
export const ROWS_MIN_M = 32;
export const ROWS_MAX_WEIGHT_BYTES = 256 * 1024;

/** True when threads share an m×n×k GEMM by row tiles, false by column panels (GemmStep.byRows). */
export function gemmByRows(m: number, n: number, k: number, dtype: 'float32' | 'int8'): boolean {
  const weightBytes = k * n * (dtype === 'int8' ? 1 : 4);
  return n <= GEMM_NR || m >= n || (m >= ROWS_MIN_M && weightBytes <= ROWS_MAX_WEIGHT_BYTES);
}
