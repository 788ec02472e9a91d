// Fusion policy: which inverted-residual blocks run fused (plan/partition.ts forms the units, ops/block.ts
// runs them), and how many output rows a fused block computes per slice.
//
// Fusion keeps the expanded tensor from ever existing whole (MobileNetV2 paper §5), which matters on the
// large maps that set the activation peak; on small maps it only costs time. Split by rows between threads,
// a fused block's pieces each recompute the expanded rows they share (2 of 14 at 14×14); alone, the block
// runs its GEMMs a few rows at a time, streaming the weights once per slice. So at up to SPLIT_MAX_ROWS
// output rows the expansion runs as its own GEMM and the block fuses depthwise, projection and add, and at
// up to UNFUSED_MAX_ROWS (too few rows to share the depthwise evenly) nothing is fused. compile() keeps whole
// fusion instead should this policy ever raise the peak (it never has for MobileNetV2). Measured effect:
// BENCHMARKS.md, "Fusion policy".
import type { BlockFusion } from './partition.js';

/** Output rows up to which a block is not fused at all. */
export const UNFUSED_MAX_ROWS = 8;
/** Output rows up to which a block's expansion runs as a step of its own. */
export const SPLIT_MAX_ROWS = 14;

/** How much of the block whose depthwise is `dw` to fuse, by its output rows. */
export function smallMapFusion(shapes: Map<string, number[]>) {
  return (dw: { name: string }): BlockFusion => {
    const rows = shapes.get(dw.name)![1];
    return rows <= UNFUSED_MAX_ROWS ? 'none' : rows <= SPLIT_MAX_ROWS ? 'after-expand' : 'whole';
  };
}

/** Default target bytes of a fused block's expanded-row ring plus its depthwise slice. */
export const DEFAULT_SLICE_BUDGET = 192 * 1024;

/**
 * Output rows per slice so the ring of expanded rows and the depthwise slice fit the budget
 * (elements of `elemBytes`; a dilated depthwise needs 2·dilation + 1 input rows per output row).
 */
export function chooseSliceRows(inW: number, outW: number, expC: number, stride: number, outH: number, budget: number, elemBytes = 4, dilation = 1): number {
  const fixed = (2 * dilation + 1) * inW * expC * elemBytes; // the ring's minimum (one output row's input rows)
  const perRow = (stride * inW + outW) * expC * elemBytes; // each extra output row: `stride` ring rows + one dw row
  const r = 1 + Math.floor(Math.max(0, budget - fixed - outW * expC * elemBytes) / perRow);
  // At least two slices: one slice would hold the whole expanded tensor and the whole depthwise
  // output at once, more than the unfused layers ever keep alive together.
  return Math.max(1, Math.min(Math.ceil(outH / 2), r));
}
