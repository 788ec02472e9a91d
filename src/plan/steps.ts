// The executable plan: a flat list of kernel calls with absolute byte addresses in wasm memory.
// Built once by plan/compile.ts; exec/executor.ts is the only code that walks it.

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
}

/** Standalone depthwise 3×3, run row by row (rows outside the image read the zero buffer). */
export interface DwconvStep {
  kind: 'dwconv'; name: string;
  channels: number; inH: number; inW: number; input: number; stride: number; padTop: number; padLeft: number;
  packed: number; output: number; outH: number; outW: number; min: number; max: number; zero: number;
}

/**
 * A fused inverted-residual block computed in slices of `sliceRows` output rows. Expanded rows go to
 * a ring of `ringRows` rows (each computed once); depthwise output for one slice goes to `dwBuf`.
 * `ring` and `dwBuf` hold one scratch address per thread (part) the plan was compiled for.
 */
export interface BlockStep {
  kind: 'block'; name: string;
  inH: number; inW: number; inC: number; input: number;
  /** Expanded channels (= inC when there is no expansion). */
  expC: number;
  expand: { packed: number; min: number; max: number } | null;
  stride: number; padTop: number; padLeft: number; dwPacked: number; dwMin: number; dwMax: number;
  outH: number; outW: number; outC: number; projPacked: number; projMin: number; projMax: number;
  residual: boolean; output: number;
  sliceRows: number; ringRows: number; ring: number[]; dwBuf: number[]; zero: number;
}

export interface GavgpoolStep { kind: 'gavgpool'; name: string; pixels: number; channels: number; input: number; output: number }
export interface VaddStep { kind: 'vadd'; name: string; n: number; a: number; b: number; output: number; min: number; max: number }
export interface SoftmaxStep { kind: 'softmax'; name: string; n: number; input: number; output: number }

export type Step = Conv3x3Step | GemmStep | DwconvStep | BlockStep | GavgpoolStep | VaddStep | SoftmaxStep;
