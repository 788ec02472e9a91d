// The executable plan: a flat list of kernel calls with absolute byte addresses in wasm memory.
// Built once by plan/compile.ts (each IR op's module in src/ops/ lowers its nodes); run by exec/executor.ts
// through the step runners of src/ops/ (exec/team.ts: shared by a thread team). src/ops/README.md maps each
// step kind to its IR op and kernels.
//
// Float32 steps: conv3x3, gemm, dwconv, block, gavgpool, vadd, softmax.
// Quantized (uint8 / int8) steps: qconv3x3, qgemm, qdwconv, qblock, qvadd, qgavgpool, qsoftmax, quantize,
// dequantize, requantize, qresize, argmax. Byte-generic steps (any dtype): pad, concat.
// RESHAPE has no step: its output is an alias of its input's buffer (plan/compile.ts).
import type { QuantScheme } from './registry.js';
import type { DetectionOptions } from '../graph/ir.js';

/** Conv 3×3 over whole output rows (the stem). */
export interface Conv3x3Step {
  kind: 'conv3x3'; name: string;
  inH: number; inW: number; inC: number; input: number; stride: number; padTop: number; padLeft: number;
  packed: number; outC: number; output: number; outH: number; outW: number; min: number; max: number;
}

/** C[m×n] = clamp(A[m×k]·B + bias) (+ R): 1×1 convolutions and dense layers. */
export interface GemmStep {
  kind: 'gemm'; name: string;
  m: number; n: number; k: number; a: number; aStride: number; packed: number;
  c: number; cStride: number; r: number; rStride: number; min: number; max: number;
  /** Bytes from one packed panel of GEMM_NR columns to the next (plan/pack.ts gemmPanelBytes). */
  panelBytes: number;
  /** How threads share it: by 4-row tiles, or by column panels (plan/thread-split.ts gemmByRows). */
  byRows: boolean;
}

/** Standalone depthwise 3×3, run row by row (rows outside the image read the zero buffer). */
export interface DwconvStep {
  kind: 'dwconv'; name: string;
  channels: number; inH: number; inW: number; input: number; stride: number; padTop: number; padLeft: number;
  packed: number; output: number; outH: number; outW: number; min: number; max: number; zero: number;
  /** Bytes from one input row (inW·channels floats) to the next, and from one output row to the next. */
  inRowBytes: number; outRowBytes: number;
}

/**
 * A fused inverted-residual block computed in slices of `sliceRows` output rows. Expanded rows go to
 * a ring of `ringRows` rows (each computed once); depthwise output for one slice goes to `dwBuf`.
 * `ring` and `dwBuf` hold one scratch address per thread the plan was compiled for.
 */
export interface BlockStep {
  kind: 'block'; name: string;
  inH: number; inW: number; inC: number; input: number;
  /** Expanded channels (= inC when there is no expansion). */
  expC: number;
  expand: { packed: number; min: number; max: number } | null;
  stride: number; padTop: number; padLeft: number; dwPacked: number; dwMin: number; dwMax: number;
  outH: number; outW: number; outC: number; projPacked: number; projMin: number; projMax: number;
  /** The thin tensor added to the projection (the block input, or the expansion's input when that ran apart); 0: none. */
  shortcut: number; output: number;
  sliceRows: number; ringRows: number; ring: number[]; dwBuf: number[]; zero: number;
}

export interface GavgpoolStep { kind: 'gavgpool'; name: string; pixels: number; channels: number; input: number; output: number }
export interface VaddStep { kind: 'vadd'; name: string; n: number; a: number; b: number; output: number; min: number; max: number }
export interface SoftmaxStep { kind: 'softmax'; name: string; n: number; input: number; output: number }

// ---- quantized steps ------------------------------------------------------------------------------------
// `family` picks the kernels by the activations' dtype (qu8: uint8, qs8: int8 with per-channel weights) and
// `scheme` their requantization arithmetic (registry.ts QuantScheme); both are fixed at compile time.

interface QStepBase { name: string; family: 'qu8' | 'qs8'; scheme: QuantScheme }
// (A qblock's own `scheme` is the plan's; its convolutions and ADD carry theirs.)

/** Output zero point and clamp of a requantizing kernel (the fused activation in the quantized domain). */
export interface QOut { outZp: number; qmin: number; qmax: number }

/**
 * int8 GEMM: 1×1 convolutions and dense layers; packed = packQGemm (requantization inside the panels); `wide`:
 * one qgemmWideBytes(k) scratch per thread (the SIMD kernel widens A rows to int16 there).
 */
/**
 * A GEMM packed for the relaxed dot kernel (KernelSet.qdot) carries `dot`, the kernel's `xor` argument
 * (src/plan/pack-q.ts packQGemmDot); without it, the family's qgemm kernel of its scheme runs.
 */
export interface QDot {
  dot?: number;
  /** Mixed packing: these panels stay in the portable layout, after the dot panels (packQGemmDot). */
  misfits?: { panels: number[]; at: number };
}

export interface QGemmStep extends QStepBase, QOut, QDot {
  kind: 'qgemm';
  m: number; n: number; k: number; a: number; aStride: number; packed: number; c: number; cStride: number; wide: number[];
  /** Bytes from one packed panel of QGEMM_NR columns to the next (plan/pack-q.ts qgemmPanelBytes; qgemmDotPanelBytes with `dot`). */
  panelBytes: number;
  /** As GemmStep.byRows. */
  byRows: boolean;
}

/** int8 dense 3×3 convolution (the stem) over output rows; `scratch`: one im2col row buffer per thread. */
export interface QConv3x3Step extends QStepBase, QOut {
  kind: 'qconv3x3';
  inH: number; inW: number; inC: number; input: number; stride: number; padTop: number; padLeft: number;
  packed: number; outC: number; output: number; outH: number; outW: number; aZp: number; scratch: number[];
}

/** Standalone int8 depthwise 3×3 (any stride, dilation), row by row; rows outside the image read `zero` (filled with aZp). */
export interface QDwconvStep extends QStepBase, QOut {
  kind: 'qdwconv';
  channels: number; inH: number; inW: number; input: number; stride: number; dilation: [number, number];
  padTop: number; padLeft: number; packed: number; output: number; outH: number; outW: number; aZp: number; zero: number;
  /** Bytes from one input row (inW·channels) to the next, and from one output row to the next. */
  inRowBytes: number; outRowBytes: number;
}

/**
 * The fused int8 inverted-residual block (exec/block.ts runQBlockRows): as BlockStep, with int8 rows. The
 * depthwise reads the ring (or the input when there is no expansion) and `zero`, a row of the depthwise input's
 * zero point; the projection writes each slice's rows of `output`, then, with a residual, the ADD of that slice
 * runs in place (output = requant(output, shortcut) with `residual.params`, the qvadd parameter block).
 */
export interface QBlockStep extends QStepBase {
  kind: 'qblock';
  inH: number; inW: number; inC: number; input: number; expC: number;
  /** Each convolution names its arithmetic: the plan's, or gemmlowp where XNNPACK refuses the scales. */
  expand: ({ packed: number; scheme: QuantScheme } & QOut & QDot) | null;
  stride: number; dilation: number; padTop: number; padLeft: number;
  dw: { packed: number; scheme: QuantScheme; aZp: number } & QOut;
  outH: number; outW: number; outC: number;
  project: { packed: number; scheme: QuantScheme } & QOut & QDot;
  /** The ADD's parameter block and its arithmetic (the plan's, unless XNNPACK's rejects the scales: then gemmlowp). */
  residual: { params: number; scheme: QuantScheme; shortcut: number } | null;
  output: number;
  sliceRows: number; ringRows: number; ring: number[]; dwBuf: number[]; zero: number;
  /** Per thread: the GEMMs' `wide` scratch (qgemmWideBytes of the deeper of expand and projection). */
  wide: number[];
}

/** int8 elementwise ADD with rescaling; params = packAddParams / packMulShiftAddParams (by scheme). */
export interface QVaddStep extends QStepBase { kind: 'qvadd'; n: number; a: number; b: number; output: number; params: number }

/** int8 mean over pixels; params = poolParams (the TFLite op's rounding). */
export interface QGavgpoolStep extends QStepBase { kind: 'qgavgpool'; pixels: number; channels: number; input: number; output: number; params: number }

/** int8 softmax with TFLite's float lookup table (256 float32 at `table`). */
export interface QSoftmaxStep extends QStepBase { kind: 'qsoftmax'; n: number; input: number; output: number; table: number; outScale: number; outZp: number }

/** float32 → int8 (AffineQuantize). */
export interface QuantizeStep extends QStepBase { kind: 'quantize'; n: number; input: number; output: number; scale: number; zp: number; qmin: number; qmax: number }

/** int8 → float32. */
export interface DequantizeStep extends QStepBase { kind: 'dequantize'; n: number; input: number; output: number; scale: number; zp: number }

/** int8 → int8 with other quantization (scheme 'fp32': XNNPACK's convert, mulshift; 'gemmlowp': TFLite's Requantize). */
export interface RequantizeStep extends QStepBase {
  kind: 'requantize'; n: number; input: number; output: number; inZp: number; outZp: number; mult: number; shift: number; qmin: number; qmax: number;
}

/** int8 RESIZE_BILINEAR over output rows. */
export interface QResizeStep extends QStepBase {
  kind: 'qresize'; inH: number; inW: number; channels: number; input: number; outH: number; outW: number; output: number;
  alignCorners: boolean; halfPixel: boolean;
}

/** ARG_MAX over channels of an int8 tensor: int32 or int64 indices. */
export interface ArgmaxStep extends QStepBase { kind: 'argmax'; pixels: number; channels: number; input: number; output: number; int64: boolean }

/** PAD of H and W, byte-generic (fill = the zero point; 0 for float32), over output rows. */
export interface PadStep {
  kind: 'pad'; name: string;
  inH: number; inW: number; pixelBytes: number; input: number; padTop: number; padLeft: number;
  outH: number; outW: number; output: number; fill: number;
}

/**
 * Concatenation over `pixels` outer rows (the product of the dimensions before the axis), one slice per input:
 * bytes copied, or (uint8 with other quantization) rescaled (concatParams). Offsets and widths in bytes; output
 * rows are `outStride` bytes apart.
 */
export interface ConcatStep {
  kind: 'concat'; name: string;
  pixels: number; output: number; outStride: number;
  slices: { input: number; bytes: number; offset: number; copy: boolean; scale: number; bias: number; outZp: number }[];
}

/**
 * LOGISTIC (host step, computed in JavaScript): float32 element-wise (`table` −1), or uint8 / int8 through the
 * 256-byte table at `table` (indexed by the input byte).
 */
export interface LogisticStep { kind: 'logistic'; name: string; n: number; input: number; output: number; table: number }

/**
 * TFLite_Detection_PostProcess (host step): encodings [anchors, encLen] and scores [anchors, classes] (float32, or
 * quantized with `encQ` / `scoreQ`), float32 anchors at `anchors`; writes the packed float32 output.
 */
export interface DetectStep {
  kind: 'detect'; name: string;
  boxes: number; scores: number; anchors: number; output: number;
  count: number; encLen: number; classes: number;
  encQ: { dtype: 'uint8' | 'int8'; scale: number; zeroPoint: number } | null;
  scoreQ: { dtype: 'uint8' | 'int8'; scale: number; zeroPoint: number } | null;
  options: DetectionOptions;
}

export type QuantStep =
  | QGemmStep | QConv3x3Step | QDwconvStep | QBlockStep | QVaddStep | QGavgpoolStep | QSoftmaxStep | QuantizeStep
  | DequantizeStep | RequantizeStep | QResizeStep | ArgmaxStep;

export type Step =
  | Conv3x3Step | GemmStep | DwconvStep | BlockStep | GavgpoolStep | VaddStep | SoftmaxStep
  | QuantStep | PadStep | ConcatStep | LogisticStep | DetectStep;

export type StepKind = Step['kind'];
