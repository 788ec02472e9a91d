// THE kernel table. Tests (test/assembly/**) and benchmarks (bench/kernels.bench.mjs) iterate it, the
// planner selects from it, and test/plan/registry.test.ts fails when it drifts from the built wasm exports.
//
// Naming glossary (after google/XNNPACK doc/microkernel-naming-conventions.md):
//
//   <dtype>_<op>_<tile>_<activation>_<isa>     file assembly/<dtype>/<same name with hyphens>.ts
//
//   dtype       f32   float32 in and out
//               u8    uint8 input (u8_resize_bilinear_norm_f32: u8 image in, f32 tensor out)
//   op          gemm              C = A·B (+ bias): 1×1 convolutions and dense layers
//               dwconv            depthwise convolution, one output row per call
//               conv_..._hwc      dense convolution over an HWC (NHWC, batch 1) image: the stem layer
//               gavgpool          global average pooling over all pixels
//               vadd              elementwise add
//               softmax           max-subtracted softmax
//               resize_bilinear_norm_f32   bilinear crop-resize + per-channel affine normalization
//   tile        MRxNR  (gemm)     output tile: MR rows × NR columns per register block (4x8)
//               KHxKW  (convs)    kernel window (3x3); dwconv works on DWCONV_CHANNEL_TILE channels per step
//   activation  minmax            fused clamp to [min, max] (ReLU6: 0, 6; none: −Infinity, +Infinity)
//   isa         simd              wasm SIMD128 (module mobilenet-simd.wasm)
//               scalar            no SIMD; exported by both modules (mobilenet-scalar.wasm is built from
//                                 assembly/index-scalar.ts without the simd feature)
//
// Packed weight layouts are produced by src/plan/pack.ts; signatures live in src/wasm/kernels.ts.
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
export type KernelOp = 'gemm' | 'dwconv3x3' | 'conv3x3' | 'gavgpool' | 'vadd' | 'softmax' | 'resize';

/** Every kernel the wasm modules export. `modules`: the built modules that export it. `arity`: ABI argument count. */
export const KERNELS = [
  { name: 'f32_gemm_4x8_minmax_simd', op: 'gemm', dtype: 'f32', isa: 'simd', tile: '4x8', activation: 'minmax', arity: 12, modules: ['simd'] },
  { name: 'f32_gemm_4x8_minmax_scalar', op: 'gemm', dtype: 'f32', isa: 'scalar', tile: '4x8', activation: 'minmax', arity: 12, modules: ['simd', 'scalar'] },
  { name: 'f32_dwconv_3x3_minmax_simd', op: 'dwconv3x3', dtype: 'f32', isa: 'simd', tile: '3x3', activation: 'minmax', arity: 12, modules: ['simd'] },
  { name: 'f32_dwconv_3x3_minmax_scalar', op: 'dwconv3x3', dtype: 'f32', isa: 'scalar', tile: '3x3', activation: 'minmax', arity: 12, modules: ['simd', 'scalar'] },
  { name: 'f32_conv_3x3_hwc_minmax_simd', op: 'conv3x3', dtype: 'f32', isa: 'simd', tile: '3x3', activation: 'minmax', arity: 15, modules: ['simd'] },
  { name: 'f32_conv_3x3_hwc_minmax_scalar', op: 'conv3x3', dtype: 'f32', isa: 'scalar', tile: '3x3', activation: 'minmax', arity: 15, modules: ['simd', 'scalar'] },
  { name: 'f32_gavgpool_simd', op: 'gavgpool', dtype: 'f32', isa: 'simd', tile: null, activation: null, arity: 4, modules: ['simd'] },
  { name: 'f32_gavgpool_scalar', op: 'gavgpool', dtype: 'f32', isa: 'scalar', tile: null, activation: null, arity: 4, modules: ['simd', 'scalar'] },
  { name: 'f32_vadd_minmax_simd', op: 'vadd', dtype: 'f32', isa: 'simd', tile: null, activation: 'minmax', arity: 6, modules: ['simd'] },
  { name: 'f32_vadd_minmax_scalar', op: 'vadd', dtype: 'f32', isa: 'scalar', tile: null, activation: 'minmax', arity: 6, modules: ['simd', 'scalar'] },
  { name: 'f32_softmax_scalar', op: 'softmax', dtype: 'f32', isa: 'scalar', tile: null, activation: null, arity: 3, modules: ['simd', 'scalar'] },
  { name: 'u8_resize_bilinear_norm_f32_simd', op: 'resize', dtype: 'u8', isa: 'simd', tile: null, activation: null, arity: 17, modules: ['simd'] },
  { name: 'u8_resize_bilinear_norm_f32_scalar', op: 'resize', dtype: 'u8', isa: 'scalar', tile: null, activation: null, arity: 17, modules: ['simd', 'scalar'] },
] as const satisfies readonly {
  name: string; op: KernelOp; dtype: 'f32' | 'u8'; isa: KernelIsa; tile: string | null;
  activation: 'minmax' | null; arity: number; modules: readonly KernelIsa[];
}[];

export type KernelEntry = (typeof KERNELS)[number];
export type KernelName = KernelEntry['name'];

/** The kernel functions one model runs with; softmax (no SIMD variant) is the scalar one for both isas. */
export interface KernelSet {
  isa: KernelIsa;
  gemm: GemmFn;
  dwconv3x3: Dwconv3x3Fn;
  conv3x3: Conv3x3HwcFn;
  gavgpool: GavgpoolFn;
  vadd: VaddFn;
  softmax: SoftmaxFn;
  resize: ResizeFn;
}

const OPS: readonly KernelOp[] = ['gemm', 'dwconv3x3', 'conv3x3', 'gavgpool', 'vadd', 'softmax', 'resize'];

/** The registry entry used for `op` under `isa`: the variant of that isa, else the scalar one. */
export function kernelFor(op: KernelOp, isa: KernelIsa): KernelEntry {
  const entry = KERNELS.find((k) => k.op === op && k.isa === isa) ?? KERNELS.find((k) => k.op === op && k.isa === 'scalar');
  if (!entry) throw new KernelError(`the kernel registry has no ${isa} or scalar kernel for op '${op}'`);
  return entry;
}

/**
 * Picks the kernel functions for `isa` out of an instantiated module's exports. Throws KernelError when an
 * export is missing or has the wrong argument count (a stale dist/wasm build: run `npm run asbuild`).
 */
export function selectKernels(exports: WebAssembly.Exports, isa: KernelIsa): KernelSet {
  const pick = (op: KernelOp): ((...args: number[]) => void) => {
    const entry = kernelFor(op, isa);
    const fn = exports[entry.name];
    if (typeof fn !== 'function') {
      throw new KernelError(`the ${isa} kernel module does not export '${entry.name}' (op ${op}); rebuild it with \`npm run asbuild\``);
    }
    if (fn.length !== entry.arity) {
      throw new KernelError(`kernel '${entry.name}' takes ${fn.length} arguments but the registry ABI has ${entry.arity}; rebuild with \`npm run asbuild\``);
    }
    return fn as (...args: number[]) => void;
  };
  const set = { isa } as KernelSet;
  for (const op of OPS) (set as unknown as Record<KernelOp, unknown>)[op] = pick(op);
  return set;
}
