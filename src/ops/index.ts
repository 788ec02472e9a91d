// The op table: one row per IR op (src/graph/ir.ts OpName) and one runner per step kind (src/plan/steps.ts
// StepKind). graph/shapes.ts, graph/summary.ts, formats/native, quantize/quantize.ts and plan/compile.ts look
// an op up here instead of switching on it; exec/executor.ts looks a step kind up in STEPS. See ./README.md.
import type { OpName } from '../graph/ir.js';
import { add, ADD_STEPS } from './add.js';
import { argmax, ARGMAX_STEPS } from './argmax.js';
import { BLOCK_STEPS } from './block.js';
import { concat, CONCAT_STEPS } from './concat.js';
import { conv2d, CONV2D_STEPS } from './conv2d.js';
import { dense } from './dense.js';
import { depthwiseConv2d, DEPTHWISE_STEPS } from './depthwise_conv2d.js';
import { dequantize, DEQUANTIZE_STEPS } from './dequantize.js';
import { GEMM_STEPS } from './gemm.js';
import { globalAvgPool, GAVGPOOL_STEPS } from './global_avg_pool.js';
import { pad, PAD_STEPS } from './pad.js';
import { quantize, QUANTIZE_STEPS } from './quantize.js';
import { reshape } from './reshape.js';
import { resizeBilinear, RESIZE_STEPS } from './resize_bilinear.js';
import { softmax, SOFTMAX_STEPS } from './softmax.js';
import type { NodeOf, OpModule, StepTable } from './types.js';

/** Ops that separately downloaded entries add (registerOp; src/detect/index.ts): absent until then. */
type LateOp = 'detection_postprocess' | 'logistic' | 'view';
type LateStep = 'detect' | 'logistic';

export const OPS: { [K in Exclude<OpName, LateOp>]: OpModule<NodeOf<K>> } & { [K in LateOp]?: OpModule<NodeOf<K>> } = {
  conv2d,
  depthwise_conv2d: depthwiseConv2d,
  add,
  global_avg_pool: globalAvgPool,
  dense,
  softmax,
  quantize,
  dequantize,
  pad,
  concat,
  resize_bilinear: resizeBilinear,
  argmax,
  reshape,
};

export const STEPS: Omit<StepTable, LateStep> & Partial<Pick<StepTable, LateStep>> = {
  ...CONV2D_STEPS, ...GEMM_STEPS, ...DEPTHWISE_STEPS, ...BLOCK_STEPS, ...ADD_STEPS, ...GAVGPOOL_STEPS, ...SOFTMAX_STEPS,
  ...QUANTIZE_STEPS, ...DEQUANTIZE_STEPS, ...RESIZE_STEPS, ...ARGMAX_STEPS, ...PAD_STEPS, ...CONCAT_STEPS,
};

/** Adds an op that a separate entry implements (src/detect/index.ts), with the runners of its step kinds. */
export function registerOp(ops: { [K in LateOp]?: OpModule<NodeOf<K>> }, steps: Partial<StepTable>): void {
  Object.assign(OPS, ops);
  Object.assign(STEPS, steps);
}

/** The module of an op name; undefined for a name that is no IR op (a corrupt or hand-written graph). */
export function opModule(op: unknown): OpModule | undefined {
  return typeof op === 'string' && Object.hasOwn(OPS, op) ? (OPS as unknown as Record<string, OpModule>)[op] : undefined;
}

export type { OpModule, StepRunner } from './types.js';
