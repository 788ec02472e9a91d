// THE kernel table. Tests (test/assembly/**) and benchmarks (bench/kernels.bench.mjs, bench/kernels-q.bench.mjs,
// with their shapes in bench/kernel-shapes.json) iterate it, selectKernels picks the executor's functions from
// it, and test/plan/registry.test.ts fails when it drifts from the built wasm exports. A row's `op` is the step
// kind the kernel runs (src/plan/steps.ts; src/ops/README.md maps IR ops to step kinds and kernel names), or
// 'preprocess' for the image-staging kernel; its `requant` the requantization field of its name (below).
//
// Naming glossary (after google/XNNPACK doc/microkernel-naming-conventions.md):
//
//   <dtype>_<op>[_<tile>][_<activation>][_<requant>]_<isa>     file assembly/<dtype>/<same name with hyphens>.ts
//
//   dtype       f32   float32 in and out
//               qu8   uint8 activations, uint8 per-tensor weights with a zero point (TFLite TF1 QAT models)
//               qs8   int8 activations with a zero point; qs8_qc8w: int8 symmetric per-channel weights (TF2 PTQ)
//               u8    uint8 input (u8_resize_bilinear_norm_f32: u8 image in, f32 tensor out)
//   op          gemm              C = A·B (+ bias): 1×1 convolutions and dense layers
//               dwconv            depthwise convolution, one output row per call
//               conv_..._hwc      dense convolution over an HWC (NHWC, batch 1) image: the stem layer
//               gavgpool          global average pooling over all pixels
//               vadd              elementwise add
//               softmax           max-subtracted softmax
//               resize_bilinear_norm_f32   bilinear crop-resize + per-channel affine normalization
//               int8 only: resize_bilinear, concat, argmax (int32 indices; argmax_i64: int64), quantize (f32 → int8),
//               dequantize, requantize (int8 → int8), pad (byte-generic, like concat: qu8_* serves every dtype)
//   tile        MRxNR  (gemm)     output tile: MR rows × NR columns per register block (4x8)
//               MRxNRcKR          int8 gemm: weights packed in KR-deep k groups (4x8c2: k pairs for i32x4.dot_i16x8_s;
//                                 4x8c4: int8 k-quads for i32x4.relaxed_dot_i8x16_i7x16_add_s: src/plan/pack-q.ts)
//               KHxKW  (convs)    kernel window (3x3); dwconv works on DWCONV_CHANNEL_TILE (f32) or
//                                 QDWCONV_CHANNEL_TILE (int8, src/plan/pack-q.ts) channels per step
//   activation  minmax            fused clamp to [min, max] (ReLU6: 0, 6; none: −Infinity, +Infinity)
//   requant     gemmlowp          int8 kernels: TFLite's fixed-point requantization (MultiplyByQuantizedMultiplier:
//                                 SaturatingRoundingDoublingHighMul + RoundingDivideByPOT); src/plan/requant.ts
//               fp32              int8 kernels: XNNPACK's float32 requantization (what TFLite's default XNNPACK
//                                 delegate runs): rne(clamp(float(acc)·scale)) + zp; quantize: XNNPACK's
//                                 f32 → int8 convert, rne(clamp(x·float(1/scale))) + zp
//               mulshift          int8 ADD as XNNPACK: (bias + a·aMult + b·bMult) >> shift; int8 → int8 requantization
//                                 as XNNPACK's convert: (bias + q·mult) >> 8
//               lut               qu8/qs8 softmax: TFLite's float32 exp lookup table (optimized_ops::Softmax)
//   isa         simd              wasm SIMD128 (modules mobilenet-simd.wasm and mobilenet-relaxed.wasm, both built
//                                 from assembly/index.ts, and their shared-memory -mt twins)
//               relaxed           wasm SIMD128 + relaxed SIMD: only the relaxed modules (assembly/index-relaxed.ts)
//                                 export these (KernelSet.qdot)
//               scalar            no SIMD; exported by every module (mobilenet-scalar.wasm is built from
//                                 assembly/index-scalar.ts without the simd feature)
//
// Packed weight layouts are produced by src/plan/pack.ts (f32) and src/plan/pack-q.ts (int8); the f32
// signatures live in src/wasm/kernels.ts, the int8 ones below (QGemmFn, ...).
import { KernelError } from '../errors.js';
import type {
  Conv3x3HwcFn, Dwconv3x3Fn, GavgpoolFn, GemmFn, ResizeFn, SoftmaxFn, VaddFn,
} from '../wasm/kernels.js';

/** Rows of A per GEMM register tile (f32_gemm_4x8_*). Chosen by bench/kernels.bench.mjs: 5 or 6 rows spill on V8 x64. */
export const GEMM_MR = 4;
/** Columns per GEMM panel: the packed B layout is panels of GEMM_NR columns (src/plan/pack.ts). */
export const GEMM_NR = 8;
/** Channels per depthwise step and per packed dwconv group (bias[4] + 9 taps × 4). */
export const DWCONV_CHANNEL_TILE = 4;
/** Output channels per packed stem-conv panel. */
export const CONV_HWC_NR = 8;

export type KernelIsa = 'simd' | 'scalar';
/**
 * Ops of the float32 kernels: the step kind each serves (src/plan/steps.ts), and 'preprocess', the image
 * staging kernel (u8 pixels → resized, normalized f32 input; no step: Model runs it before the plan).
 */
export type KernelOp = 'gemm' | 'dwconv' | 'conv3x3' | 'gavgpool' | 'vadd' | 'softmax' | 'preprocess';
/**
 * Ops of the int8 kernels (qu8 / qs8): the step kind each serves (argmax64: the argmax step with int64
 * indices), kept apart from the f32 ops so `variants('gemm')` stays f32.
 */
export type QuantKernelOp =
  | 'qgemm' | 'qdwconv' | 'qconv3x3' | 'qvadd' | 'qgavgpool' | 'qsoftmax' | 'qresize' | 'concat'
  | 'argmax' | 'argmax64' | 'pad' | 'quantize' | 'dequantize' | 'requantize';

/**
 * The arithmetic an int8 kernel requantizes with (the `requant` field of its name, see the glossary above);
 * null for kernels without requantization (f32, copies, argmax, dequantize).
 */
export type KernelRequant = 'gemmlowp' | 'fp32' | 'mulshift' | 'lut' | null;

/** The registry rows. `arity`: ABI argument count; the modules exporting a kernel follow from its isa (modulesOf). */
const ROWS = [
  { name: 'f32_gemm_4x8_minmax_simd', op: 'gemm', dtype: 'f32', isa: 'simd', tile: '4x8', activation: 'minmax', requant: null, arity: 12 },
  { name: 'f32_gemm_4x8_minmax_scalar', op: 'gemm', dtype: 'f32', isa: 'scalar', tile: '4x8', activation: 'minmax', requant: null, arity: 12 },
  { name: 'f32_dwconv_3x3_minmax_simd', op: 'dwconv', dtype: 'f32', isa: 'simd', tile: '3x3', activation: 'minmax', requant: null, arity: 12 },
  { name: 'f32_dwconv_3x3_minmax_scalar', op: 'dwconv', dtype: 'f32', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: null, arity: 12 },
  { name: 'f32_conv_3x3_hwc_minmax_simd', op: 'conv3x3', dtype: 'f32', isa: 'simd', tile: '3x3', activation: 'minmax', requant: null, arity: 15 },
  { name: 'f32_conv_3x3_hwc_minmax_scalar', op: 'conv3x3', dtype: 'f32', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: null, arity: 15 },
  { name: 'f32_gavgpool_simd', op: 'gavgpool', dtype: 'f32', isa: 'simd', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'f32_gavgpool_scalar', op: 'gavgpool', dtype: 'f32', isa: 'scalar', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'f32_vadd_minmax_simd', op: 'vadd', dtype: 'f32', isa: 'simd', tile: null, activation: 'minmax', requant: null, arity: 6 },
  { name: 'f32_vadd_minmax_scalar', op: 'vadd', dtype: 'f32', isa: 'scalar', tile: null, activation: 'minmax', requant: null, arity: 6 },
  { name: 'f32_softmax_scalar', op: 'softmax', dtype: 'f32', isa: 'scalar', tile: null, activation: null, requant: null, arity: 3 },
  { name: 'u8_resize_bilinear_norm_f32_simd', op: 'preprocess', dtype: 'u8', isa: 'simd', tile: null, activation: null, requant: null, arity: 17 },
  { name: 'u8_resize_bilinear_norm_f32_scalar', op: 'preprocess', dtype: 'u8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 17 },
  // int8 kernels: qu8 = uint8 per-tensor (TF1 QAT), qs8 = int8 activations, qs8_qc8w = int8 per-channel weights
  { name: 'qu8_gemm_4x8c2_minmax_gemmlowp_simd', op: 'qgemm', dtype: 'qu8', isa: 'simd', tile: '4x8c2', activation: 'minmax', requant: 'gemmlowp', arity: 12 },
  { name: 'qu8_gemm_4x8c2_minmax_gemmlowp_scalar', op: 'qgemm', dtype: 'qu8', isa: 'scalar', tile: '4x8c2', activation: 'minmax', requant: 'gemmlowp', arity: 12 },
  { name: 'qu8_dwconv_3x3_minmax_gemmlowp_simd', op: 'qdwconv', dtype: 'qu8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 15 },
  { name: 'qu8_dwconv_3x3_minmax_gemmlowp_scalar', op: 'qdwconv', dtype: 'qu8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 15 },
  { name: 'qu8_conv_3x3_hwc_minmax_gemmlowp_simd', op: 'qconv3x3', dtype: 'qu8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 18 },
  { name: 'qu8_conv_3x3_hwc_minmax_gemmlowp_scalar', op: 'qconv3x3', dtype: 'qu8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 18 },
  { name: 'qu8_vadd_minmax_gemmlowp_simd', op: 'qvadd', dtype: 'qu8', isa: 'simd', tile: null, activation: 'minmax', requant: 'gemmlowp', arity: 5 },
  { name: 'qu8_vadd_minmax_gemmlowp_scalar', op: 'qvadd', dtype: 'qu8', isa: 'scalar', tile: null, activation: 'minmax', requant: 'gemmlowp', arity: 5 },
  { name: 'qu8_gavgpool_minmax_simd', op: 'qgavgpool', dtype: 'qu8', isa: 'simd', tile: null, activation: 'minmax', requant: null, arity: 5 },
  { name: 'qu8_gavgpool_minmax_scalar', op: 'qgavgpool', dtype: 'qu8', isa: 'scalar', tile: null, activation: 'minmax', requant: null, arity: 5 },
  { name: 'qu8_softmax_lut_scalar', op: 'qsoftmax', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: 'lut', arity: 6 },
  { name: 'qu8_resize_bilinear_simd', op: 'qresize', dtype: 'qu8', isa: 'simd', tile: null, activation: null, requant: null, arity: 11 },
  { name: 'qu8_resize_bilinear_scalar', op: 'qresize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 11 },
  { name: 'qu8_concat_scalar', op: 'concat', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 9 },
  { name: 'qu8_argmax_scalar', op: 'argmax', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'qu8_argmax_i64_scalar', op: 'argmax64', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'qu8_pad_scalar', op: 'pad', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 12 },
  { name: 'qu8_quantize_scalar', op: 'quantize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 7 },
  { name: 'qu8_quantize_fp32_scalar', op: 'quantize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: 'fp32', arity: 7 },
  { name: 'qu8_dequantize_simd', op: 'dequantize', dtype: 'qu8', isa: 'simd', tile: null, activation: null, requant: null, arity: 5 },
  { name: 'qu8_dequantize_scalar', op: 'dequantize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 5 },
  { name: 'qu8_requantize_gemmlowp_simd', op: 'requantize', dtype: 'qu8', isa: 'simd', tile: null, activation: null, requant: 'gemmlowp', arity: 9 },
  { name: 'qu8_requantize_gemmlowp_scalar', op: 'requantize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: 'gemmlowp', arity: 9 },
  { name: 'qu8_requantize_mulshift_scalar', op: 'requantize', dtype: 'qu8', isa: 'scalar', tile: null, activation: null, requant: 'mulshift', arity: 9 },
  { name: 'qs8_qc8w_gemm_4x8c2_minmax_gemmlowp_simd', op: 'qgemm', dtype: 'qs8', isa: 'simd', tile: '4x8c2', activation: 'minmax', requant: 'gemmlowp', arity: 12 },
  { name: 'qs8_qc8w_gemm_4x8c2_minmax_gemmlowp_scalar', op: 'qgemm', dtype: 'qs8', isa: 'scalar', tile: '4x8c2', activation: 'minmax', requant: 'gemmlowp', arity: 12 },
  { name: 'qs8_qc8w_dwconv_3x3_minmax_gemmlowp_simd', op: 'qdwconv', dtype: 'qs8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 15 },
  { name: 'qs8_qc8w_dwconv_3x3_minmax_gemmlowp_scalar', op: 'qdwconv', dtype: 'qs8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 15 },
  { name: 'qs8_qc8w_conv_3x3_hwc_minmax_gemmlowp_simd', op: 'qconv3x3', dtype: 'qs8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 18 },
  { name: 'qs8_qc8w_conv_3x3_hwc_minmax_gemmlowp_scalar', op: 'qconv3x3', dtype: 'qs8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'gemmlowp', arity: 18 },
  { name: 'qs8_vadd_minmax_gemmlowp_simd', op: 'qvadd', dtype: 'qs8', isa: 'simd', tile: null, activation: 'minmax', requant: 'gemmlowp', arity: 5 },
  { name: 'qs8_vadd_minmax_gemmlowp_scalar', op: 'qvadd', dtype: 'qs8', isa: 'scalar', tile: null, activation: 'minmax', requant: 'gemmlowp', arity: 5 },
  { name: 'qs8_gavgpool_minmax_simd', op: 'qgavgpool', dtype: 'qs8', isa: 'simd', tile: null, activation: 'minmax', requant: null, arity: 5 },
  { name: 'qs8_gavgpool_minmax_scalar', op: 'qgavgpool', dtype: 'qs8', isa: 'scalar', tile: null, activation: 'minmax', requant: null, arity: 5 },
  { name: 'qs8_softmax_lut_scalar', op: 'qsoftmax', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: 'lut', arity: 6 },
  { name: 'qs8_resize_bilinear_scalar', op: 'qresize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 11 },
  { name: 'qs8_argmax_scalar', op: 'argmax', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'qs8_argmax_i64_scalar', op: 'argmax64', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 4 },
  { name: 'qs8_quantize_scalar', op: 'quantize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 7 },
  { name: 'qs8_quantize_fp32_scalar', op: 'quantize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: 'fp32', arity: 7 },
  { name: 'qs8_dequantize_simd', op: 'dequantize', dtype: 'qs8', isa: 'simd', tile: null, activation: null, requant: null, arity: 5 },
  { name: 'qs8_dequantize_scalar', op: 'dequantize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: null, arity: 5 },
  { name: 'qs8_requantize_gemmlowp_simd', op: 'requantize', dtype: 'qs8', isa: 'simd', tile: null, activation: null, requant: 'gemmlowp', arity: 9 },
  { name: 'qs8_requantize_gemmlowp_scalar', op: 'requantize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: 'gemmlowp', arity: 9 },
  { name: 'qs8_requantize_mulshift_scalar', op: 'requantize', dtype: 'qs8', isa: 'scalar', tile: null, activation: null, requant: 'mulshift', arity: 9 },
  // int8 kernels with XNNPACK's arithmetic (fp32 requantization, multiply-shift ADD): TFLite + XNNPACK delegate
  { name: 'qu8_gemm_4x8c2_minmax_fp32_simd', op: 'qgemm', dtype: 'qu8', isa: 'simd', tile: '4x8c2', activation: 'minmax', requant: 'fp32', arity: 12 },
  { name: 'qu8_dwconv_3x3_minmax_fp32_simd', op: 'qdwconv', dtype: 'qu8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 15 },
  { name: 'qu8_conv_3x3_hwc_minmax_fp32_simd', op: 'qconv3x3', dtype: 'qu8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 18 },
  { name: 'qu8_vadd_minmax_mulshift_simd', op: 'qvadd', dtype: 'qu8', isa: 'simd', tile: null, activation: 'minmax', requant: 'mulshift', arity: 5 },
  { name: 'qu8_gemm_4x8c2_minmax_fp32_scalar', op: 'qgemm', dtype: 'qu8', isa: 'scalar', tile: '4x8c2', activation: 'minmax', requant: 'fp32', arity: 12 },
  { name: 'qu8_dwconv_3x3_minmax_fp32_scalar', op: 'qdwconv', dtype: 'qu8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 15 },
  { name: 'qu8_conv_3x3_hwc_minmax_fp32_scalar', op: 'qconv3x3', dtype: 'qu8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 18 },
  { name: 'qu8_vadd_minmax_mulshift_scalar', op: 'qvadd', dtype: 'qu8', isa: 'scalar', tile: null, activation: 'minmax', requant: 'mulshift', arity: 5 },
  { name: 'qs8_qc8w_gemm_4x8c2_minmax_fp32_simd', op: 'qgemm', dtype: 'qs8', isa: 'simd', tile: '4x8c2', activation: 'minmax', requant: 'fp32', arity: 12 },
  { name: 'qs8_qc8w_dwconv_3x3_minmax_fp32_simd', op: 'qdwconv', dtype: 'qs8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 15 },
  { name: 'qs8_qc8w_conv_3x3_hwc_minmax_fp32_simd', op: 'qconv3x3', dtype: 'qs8', isa: 'simd', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 18 },
  { name: 'qs8_vadd_minmax_mulshift_simd', op: 'qvadd', dtype: 'qs8', isa: 'simd', tile: null, activation: 'minmax', requant: 'mulshift', arity: 5 },
  { name: 'qs8_qc8w_gemm_4x8c2_minmax_fp32_scalar', op: 'qgemm', dtype: 'qs8', isa: 'scalar', tile: '4x8c2', activation: 'minmax', requant: 'fp32', arity: 12 },
  { name: 'qs8_qc8w_dwconv_3x3_minmax_fp32_scalar', op: 'qdwconv', dtype: 'qs8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 15 },
  { name: 'qs8_qc8w_conv_3x3_hwc_minmax_fp32_scalar', op: 'qconv3x3', dtype: 'qs8', isa: 'scalar', tile: '3x3', activation: 'minmax', requant: 'fp32', arity: 18 },
  { name: 'qs8_vadd_minmax_mulshift_scalar', op: 'qvadd', dtype: 'qs8', isa: 'scalar', tile: null, activation: 'minmax', requant: 'mulshift', arity: 5 },
  // relaxed modules only: the i8 dot GEMM for both families (KernelSet.qdot; src/plan/pack-q.ts packQGemmDot)
  { name: 'qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed', op: 'qgemm', dtype: 'qs8', isa: 'relaxed', tile: '4x8c4', activation: 'minmax', requant: 'fp32', arity: 13 },
] as const satisfies readonly {
  name: string; op: KernelOp | QuantKernelOp; dtype: 'f32' | 'u8' | 'qu8' | 'qs8'; isa: KernelIsa | 'relaxed'; tile: string | null;
  activation: 'minmax' | null; requant: KernelRequant; arity: number;
}[];

/**
 * The built modules that export a kernel of `isa`: SIMD kernels only the SIMD builds, scalar ones every module
 * ('relaxed' kernels: only the relaxed modules, which also export all the simd ones).
 */
export function modulesOf(isa: KernelIsa | 'relaxed'): readonly (KernelIsa | 'relaxed')[] {
  return isa === 'relaxed' ? ['relaxed'] : isa === 'simd' ? ['simd'] : ['simd', 'scalar'];
}

type Row = (typeof ROWS)[number];

/** Every kernel the wasm modules export: a registry row plus `modules`, the built modules that export it. */
export const KERNELS: readonly (Row & { modules: readonly (KernelIsa | 'relaxed')[] })[] = ROWS.map((r) => ({ ...r, modules: modulesOf(r.isa) }));

export type KernelEntry = (typeof KERNELS)[number];
export type KernelName = KernelEntry['name'];

/** The kernel functions one model runs with; softmax (no SIMD variant) is the scalar one for both isas. */
export interface KernelSet {
  /** The module these came from; 'relaxed' (SIMD128 + relaxed SIMD build) runs the `_simd` kernels. */
  isa: KernelIsa | 'relaxed';
  gemm: GemmFn;
  dwconv: Dwconv3x3Fn;
  conv3x3: Conv3x3HwcFn;
  gavgpool: GavgpoolFn;
  vadd: VaddFn;
  softmax: SoftmaxFn;
  /** Image staging: u8 pixels → the resized, normalized f32 input (registry op 'preprocess'; no plan step). */
  preprocess: ResizeFn;
  /** The int8 kernels of both families under both requantization schemes (quantized plan steps name theirs). */
  quant: QuantKernelSets;
  /**
   * The linear memory, for host steps (step kinds computed in JavaScript: LOGISTIC's table lookup, the detection
   * post-process). Host steps never split, so only the thread that owns the memory (the leader) runs them.
   */
  memory?: WebAssembly.Memory;
  /** The relaxed i8 dot GEMM (relaxed modules; the plan packs for it only where the probe found it exact). */
  qdot: QGemmDotFn | null;
}

/** int8 kernel sets by family and scheme: quant[step.family][step.scheme]. */
export type QuantKernelSets = Record<'qu8' | 'qs8', Record<QuantScheme, QuantKernelSet>>;

/** The float32 kernel functions of a KernelSet, keyed by their registry op. */
const F32_OPS: readonly KernelOp[] = ['gemm', 'dwconv', 'conv3x3', 'gavgpool', 'vadd', 'softmax', 'preprocess'];

/** The registry entry used for `op` under `isa`: the variant of that isa, else the scalar one. */
export function kernelFor(op: KernelOp, isa: KernelIsa): KernelEntry {
  const entry = KERNELS.find((k) => k.op === op && k.isa === isa) ?? KERNELS.find((k) => k.op === op && k.isa === 'scalar');
  if (!entry) throw new KernelError(`the kernel registry has no ${isa} or scalar kernel for op '${op}'`);
  return entry;
}

/**
 * Picks the kernel functions for `isa` out of an instantiated module's exports (the float32 ones, and the int8
 * sets of both families and schemes in `quant`). Throws KernelError when an
 * export is missing or has the wrong argument count (a stale dist/wasm build: run `npm run asbuild`).
 */
export function selectKernels(exports: WebAssembly.Exports, isa: KernelIsa | 'relaxed'): KernelSet {
  const set = { isa } as KernelSet;
  for (const op of F32_OPS) {
    (set as unknown as Record<string, unknown>)[op] = exportedKernel(exports, isa, op, kernelFor(op, isa === 'relaxed' ? 'simd' : isa));
  }
  const both = (family: 'qu8' | 'qs8') => ({
    fp32: selectQuantKernels(exports, isa, family, 'fp32'), gemmlowp: selectQuantKernels(exports, isa, family, 'gemmlowp'),
  });
  set.quant = { qu8: both('qu8'), qs8: both('qs8') };
  const dot = KERNELS.find((k) => k.isa === 'relaxed')!;
  set.qdot = isa === 'relaxed' ? exportedKernel(exports, isa, 'qgemm', dot) : null;
  return set;
}

/** `entry`'s function in `exports`; KernelError when it is missing or its argument count is not the registry's. */
function exportedKernel(
  exports: WebAssembly.Exports, isa: KernelIsa | 'relaxed', op: KernelOp | QuantKernelOp, entry: KernelEntry,
): (...args: number[]) => void {
  const fn = exports[entry.name];
  if (typeof fn !== 'function') {
    throw new KernelError(`the ${isa} kernel module does not export '${entry.name}' (op ${op}); rebuild it with \`npm run asbuild\``);
  }
  if (fn.length !== entry.arity) {
    throw new KernelError(`kernel '${entry.name}' takes ${fn.length} arguments but the registry ABI has ${entry.arity}; rebuild with \`npm run asbuild\``);
  }
  return fn as (...args: number[]) => void;
}

// ---- int8 kernels -------------------------------------------------------------------------------------
// ABIs (pointers are byte addresses; int8 data are bytes; see the assembly/qu8, assembly/qs8 file headers):

/** qgemm: C = requant(A·B'): packed = packQGemm (src/plan/pack-q.ts); wide: qgemmWideBytes(k) of the calling thread's scratch. */
export type QGemmFn = (m: number, n: number, k: number, a: number, aStride: number, packed: number,
  c: number, cStride: number, outZp: number, qmin: number, qmax: number, wide: number) => void;
/** The relaxed dot qgemm: QGemmFn's arguments plus `xor` (src/plan/pack-q.ts packQGemmDot). */
export type QGemmDotFn = (m: number, n: number, k: number, a: number, aStride: number, packed: number,
  c: number, cStride: number, outZp: number, qmin: number, qmax: number, wide: number, xor: number) => void;
/** qdwconv: one output row; padded rows point at a buffer filled with aZp; packed = packQDwconv3x3. */
export type QDwconv3x3Fn = (channels: number, inW: number, row0: number, row1: number, row2: number,
  stride: number, dilation: number, padLeft: number, packed: number, out: number, outW: number,
  aZp: number, outZp: number, qmin: number, qmax: number) => void;
/** qconv3x3: stem conv over an HWC image, rows [oy0, oy1); packed = packQConv3x3; scratch = qconv3x3ScratchBytes. */
export type QConv3x3HwcFn = (inH: number, inW: number, inC: number, input: number, stride: number,
  padTop: number, padLeft: number, packed: number, outC: number, output: number, outW: number,
  oy0: number, oy1: number, aZp: number, outZp: number, qmin: number, qmax: number, scratch: number) => void;
/** qvadd: TFLite ADD with rescaling; params = packAddParams (12 int32). */
export type QVaddFn = (n: number, a: number, b: number, out: number, params: number) => void;
/** qgavgpool: average over pixels per channel; params = poolParams (8 int32). */
export type QGavgpoolFn = (pixels: number, channels: number, input: number, output: number, params: number) => void;
/** qsoftmax: table = softmaxTable (256 float32). */
export type QSoftmaxFn = (n: number, input: number, output: number, table: number, outScale: number, outZp: number) => void;
/** qresize: RESIZE_BILINEAR rows [oy0, oy1); alignCorners, halfPixel: 0 or 1. */
export type QResizeFn = (inH: number, inW: number, channels: number, input: number, outH: number, outW: number,
  output: number, oy0: number, oy1: number, alignCorners: number, halfPixel: number) => void;
/** concat: one input's channel slice; (copy, scale, bias, outZp) = concatParams. */
export type QConcatFn = (pixels: number, channels: number, input: number, output: number, outStride: number,
  copy: number, scale: number, bias: number, outZp: number) => void;
/** argmax: int32 index per pixel (argmax64: int64). */
export type QArgmaxFn = (pixels: number, channels: number, input: number, output: number) => void;
/** pad: byte-generic PAD of H and W, output rows [oy0, oy1); fill = the zero point. */
export type QPadFn = (inH: number, inW: number, pixelBytes: number, input: number, padTop: number, padLeft: number,
  outH: number, outW: number, output: number, oy0: number, oy1: number, fill: number) => void;
/** quantize: float32 → int8 (scale as a double, like TFLite). */
export type QuantizeFn = (n: number, input: number, output: number, scale: number, zp: number, qmin: number, qmax: number) => void;
/** dequantize: int8 → float32. */
export type DequantizeFn = (n: number, input: number, output: number, scale: number, zp: number) => void;
/** requantize: int8 → int8 with new quantization (requantizeParams; mulshift: requantizeParamsMulShift). */
export type RequantizeFn = (n: number, input: number, output: number, inZp: number, outZp: number,
  mult: number, shift: number, qmin: number, qmax: number) => void;

/** The int8 kernel functions of one dtype family. concat is byte-generic (int8 concatenations are copies). */
export interface QuantKernelSet {
  isa: KernelIsa | 'relaxed';
  family: 'qu8' | 'qs8';
  scheme: QuantScheme;
  gemm: QGemmFn;
  dwconv: QDwconv3x3Fn;
  conv3x3: QConv3x3HwcFn;
  vadd: QVaddFn;
  gavgpool: QGavgpoolFn;
  softmax: QSoftmaxFn;
  resize: QResizeFn;
  concat: QConcatFn;
  argmax: QArgmaxFn;
  argmax64: QArgmaxFn;
  pad: QPadFn;
  quantize: QuantizeFn;
  dequantize: DequantizeFn;
  requantize: RequantizeFn;
}

const QUANT_OPS: Record<Exclude<keyof QuantKernelSet, 'isa' | 'family' | 'scheme'>, QuantKernelOp> = {
  gemm: 'qgemm', dwconv: 'qdwconv', conv3x3: 'qconv3x3', vadd: 'qvadd', gavgpool: 'qgavgpool',
  softmax: 'qsoftmax', resize: 'qresize', concat: 'concat', argmax: 'argmax', argmax64: 'argmax64', pad: 'pad', quantize: 'quantize',
  dequantize: 'dequantize', requantize: 'requantize',
};

/**
 * Requantization arithmetic of the conv / depthwise / gemm / add kernels:
 * - 'fp32':     XNNPACK's (float32 requantization, multiply-shift ADD and int8 → int8 QUANTIZE): what TensorFlow
 *               Lite runs by default (its XNNPACK delegate); bit-exact with the uint8 MobileNetV2 oracle outputs
 *               and the DeepLab class map.
 * - 'gemmlowp': TFLite's builtin kernels (MultiplyByQuantizedMultiplier, left_shift-20 ADD): TFLite without
 *               the delegate.
 */
export type QuantScheme = 'fp32' | 'gemmlowp';

/**
 * The kernel arithmetic that implements each scheme: XNNPACK's is fp32 requantization for convolutions and
 * multiply-shift for ADD and int8 → int8 QUANTIZE; TFLite's builtin kernels are gemmlowp throughout. Kernels
 * without requantization (null) and the softmax lookup table (lut) serve both.
 */
const SCHEME_REQUANT: Record<QuantScheme, readonly KernelRequant[]> = { fp32: ['fp32', 'mulshift'], gemmlowp: ['gemmlowp'] };

/** The registry entry for an int8 op of `family` under `isa` and `scheme`: that isa's variant, else the scalar one. */
export function quantKernelFor(op: QuantKernelOp, family: 'qu8' | 'qs8', isa: KernelIsa, scheme: QuantScheme = 'fp32'): KernelEntry {
  // concat and pad are byte-generic: the qs8 family uses the qu8 kernels (concat with copy = 1).
  const dtype = op === 'concat' || op === 'pad' ? 'qu8' : family;
  const serves = SCHEME_REQUANT[scheme];
  const schemed = KERNELS.filter((k) => k.op === op && k.dtype === dtype && (k.requant === null || k.requant === 'lut' || serves.includes(k.requant)));
  // A kernel written for the scheme (quantize: XNNPACK's convert) before one that serves both (TFLite's reference).
  const pick = (ks: KernelEntry[]) => ks.find((k) => k.isa === isa) ?? ks.find((k) => k.isa === 'scalar');
  const entry = pick(schemed.filter((k) => k.requant !== null)) ?? pick(schemed);
  if (!entry) throw new KernelError(`the kernel registry has no ${isa} or scalar ${family} kernel for op '${op}'`);
  return entry;
}

/**
 * Picks the int8 kernels of `family` (qu8: uint8 per-tensor; qs8: int8, per-channel weights) for `isa`
 * and requantization `scheme` out of an instantiated module's exports; the same errors as selectKernels.
 */
export function selectQuantKernels(
  exports: WebAssembly.Exports, isa: KernelIsa | 'relaxed', family: 'qu8' | 'qs8', scheme: QuantScheme = 'fp32',
): QuantKernelSet {
  const set = { isa, family, scheme } as QuantKernelSet;
  for (const [key, op] of Object.entries(QUANT_OPS)) {
    const entry = quantKernelFor(op, family, isa === 'relaxed' ? 'simd' : isa, scheme);
    (set as unknown as Record<string, unknown>)[key] = exportedKernel(exports, isa, op, entry);
  }
  return set;
}
