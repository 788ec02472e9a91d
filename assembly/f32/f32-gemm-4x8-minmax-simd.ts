// f32 GEMM (1×1 convolution, dense layer) with fused bias, clamp and residual add: 4×8 output tile, wasm SIMD128.
//
//   C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + (r != 0 ? R[i][j] : 0)
//
// Shapes (element counts; strides in floats; pointers are byte addresses):
//   A  [m][k]   row i at a + i·aStride·4
//   C  [m][n]   row i at c + i·cStride·4     (c must not alias a)
//   R  [m][n]   row i at r + i·rStride·4     (r == 0: no residual; added after the clamp)
//   packed      ceil(n/8) panels; panel p (at packed + p·(8 + 8k)·4) = bias[8p..8p+7], then k rows of
//               B[kk][8p..8p+7]; zero past column n-1 (src/plan/pack.ts: packGemm)
// Any m, n, k ≥ 1. Columns ≥ n are never written and A, R are never read past their rows.
//
// Tile: 4 rows × 8 columns = 8 accumulators, the B panel row in 2 registers, 1 splat of A (XNNPACK
// f32-gemm-4x8-minmax-wasmsimd-x86-loadsplat). V8 x64 has 15 allocatable xmm registers; 5 or 6 rows spill
// once TurboFan unrolls the k loop. Measured on 7 MobileNetV2 shapes (Zen 4, Node 20; k-loop variants with
// 1/2/4-step unrolling, splat loads or shuffles): best 4×8 37.8 GFLOP/s, 5×8 35.3, 6×8 35.8; this loop
// with the pointer-bounded k loop reaches 38-42 (bench/kernels.bench.mjs). A tail of 2-3 rows reuses the
// 4-row tile with row pointers clamped to the last valid row (duplicate rows store identical values);
// a tail of 1 row uses a 1×8 tile. The k loop is deliberately not unrolled in source: binaryen would fuse
// the unrolled updates into per-accumulator trees that keep 8 B vectors live and spill (TurboFan unrolls it
// 2× itself). The loop ends on the weight pointer (no separate counter): per k step the loop is then 6 loads,
// 8 mul, 8 add and 5 pointer adds, close to the dispatch limit, which is why it reaches ~80% of the f32
// mul + add peak rather than more.
// B is processed in column blocks of about GEMM_BLOCK_BYTES so that a block stays in L2 while every
// row tile streams over it (k·n large, e.g. 320×1280: +3% in isolation, more when the caches are shared).

import { clampF32x4, loadLanesF32, maddF32x4, storeF32x8Lanes } from "../common/simd";

// @ts-ignore: decorator
@inline const GEMM_BLOCK_BYTES: usize = 256 * 1024;

/** Four rows over panels [p0, p1): rows a0..a3 / c0..c3 / r0..r3 (clamped duplicates allowed). */
function gemmRows4(
  n: i32, k: i32, p0: i32, p1: i32,
  a0: usize, a1: usize, a2: usize, a3: usize,
  w: usize,
  c0: usize, c1: usize, c2: usize, c3: usize,
  r0: usize, r1: usize, r2: usize, r3: usize,
  vmin: v128, vmax: v128,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    w += 32;
    let vacc1x0123 = vacc0x0123;
    let vacc1x4567 = vacc0x4567;
    let vacc2x0123 = vacc0x0123;
    let vacc2x4567 = vacc0x4567;
    let vacc3x0123 = vacc0x0123;
    let vacc3x4567 = vacc0x4567;
    let pa0 = a0;
    let pa1 = a1;
    let pa2 = a2;
    let pa3 = a3;
    const wEnd = w + (<usize>k << 5);
    do {
      const vb0123 = v128.load(w);
      const vb4567 = v128.load(w, 16);
      w += 32;
      const va0 = v128.load32_splat(pa0);
      pa0 += 4;
      vacc0x0123 = maddF32x4(vacc0x0123, va0, vb0123);
      vacc0x4567 = maddF32x4(vacc0x4567, va0, vb4567);
      const va1 = v128.load32_splat(pa1);
      pa1 += 4;
      vacc1x0123 = maddF32x4(vacc1x0123, va1, vb0123);
      vacc1x4567 = maddF32x4(vacc1x4567, va1, vb4567);
      const va2 = v128.load32_splat(pa2);
      pa2 += 4;
      vacc2x0123 = maddF32x4(vacc2x0123, va2, vb0123);
      vacc2x4567 = maddF32x4(vacc2x4567, va2, vb4567);
      const va3 = v128.load32_splat(pa3);
      pa3 += 4;
      vacc3x0123 = maddF32x4(vacc3x0123, va3, vb0123);
      vacc3x4567 = maddF32x4(vacc3x4567, va3, vb4567);
    } while (w < wEnd);

    vacc0x0123 = clampF32x4(vacc0x0123, vmin, vmax);
    vacc0x4567 = clampF32x4(vacc0x4567, vmin, vmax);
    vacc1x0123 = clampF32x4(vacc1x0123, vmin, vmax);
    vacc1x4567 = clampF32x4(vacc1x4567, vmin, vmax);
    vacc2x0123 = clampF32x4(vacc2x0123, vmin, vmax);
    vacc2x4567 = clampF32x4(vacc2x4567, vmin, vmax);
    vacc3x0123 = clampF32x4(vacc3x0123, vmin, vmax);
    vacc3x4567 = clampF32x4(vacc3x4567, vmin, vmax);

    const co = <usize>p << 5;
    const nr = n - (p << 3);
    if (nr >= 8) {
      if (r0 != 0) {
        vacc0x0123 = f32x4.add(vacc0x0123, v128.load(r0 + co));
        vacc0x4567 = f32x4.add(vacc0x4567, v128.load(r0 + co, 16));
        vacc1x0123 = f32x4.add(vacc1x0123, v128.load(r1 + co));
        vacc1x4567 = f32x4.add(vacc1x4567, v128.load(r1 + co, 16));
        vacc2x0123 = f32x4.add(vacc2x0123, v128.load(r2 + co));
        vacc2x4567 = f32x4.add(vacc2x4567, v128.load(r2 + co, 16));
        vacc3x0123 = f32x4.add(vacc3x0123, v128.load(r3 + co));
        vacc3x4567 = f32x4.add(vacc3x4567, v128.load(r3 + co, 16));
      }
      v128.store(c3 + co, vacc3x0123);
      v128.store(c3 + co, vacc3x4567, 16);
      v128.store(c2 + co, vacc2x0123);
      v128.store(c2 + co, vacc2x4567, 16);
      v128.store(c1 + co, vacc1x0123);
      v128.store(c1 + co, vacc1x4567, 16);
      v128.store(c0 + co, vacc0x0123);
      v128.store(c0 + co, vacc0x4567, 16);
    } else {
      const nlo = nr < 4 ? nr : 4;
      const nhi = nr - nlo;
      if (r0 != 0) {
        vacc0x0123 = f32x4.add(vacc0x0123, loadLanesF32(r0 + co, nlo));
        vacc0x4567 = f32x4.add(vacc0x4567, loadLanesF32(r0 + co + 16, nhi));
        vacc1x0123 = f32x4.add(vacc1x0123, loadLanesF32(r1 + co, nlo));
        vacc1x4567 = f32x4.add(vacc1x4567, loadLanesF32(r1 + co + 16, nhi));
        vacc2x0123 = f32x4.add(vacc2x0123, loadLanesF32(r2 + co, nlo));
        vacc2x4567 = f32x4.add(vacc2x4567, loadLanesF32(r2 + co + 16, nhi));
        vacc3x0123 = f32x4.add(vacc3x0123, loadLanesF32(r3 + co, nlo));
        vacc3x4567 = f32x4.add(vacc3x4567, loadLanesF32(r3 + co + 16, nhi));
      }
      storeF32x8Lanes(c3 + co, vacc3x0123, vacc3x4567, nr);
      storeF32x8Lanes(c2 + co, vacc2x0123, vacc2x4567, nr);
      storeF32x8Lanes(c1 + co, vacc1x0123, vacc1x4567, nr);
      storeF32x8Lanes(c0 + co, vacc0x0123, vacc0x4567, nr);
    }
  }
}

/** One row over panels [p0, p1). */
function gemmRows1(
  n: i32, k: i32, p0: i32, p1: i32,
  a0: usize, w: usize, c0: usize, r0: usize,
  vmin: v128, vmax: v128,
): void {
  for (let p = p0; p < p1; p++) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    w += 32;
    let pa0 = a0;
    const wEnd = w + (<usize>k << 5);
    do {
      const va0 = v128.load32_splat(pa0);
      pa0 += 4;
      vacc0x0123 = maddF32x4(vacc0x0123, va0, v128.load(w));
      vacc0x4567 = maddF32x4(vacc0x4567, va0, v128.load(w, 16));
      w += 32;
    } while (w < wEnd);
    vacc0x0123 = clampF32x4(vacc0x0123, vmin, vmax);
    vacc0x4567 = clampF32x4(vacc0x4567, vmin, vmax);
    const co = <usize>p << 5;
    const nr = n - (p << 3);
    if (nr >= 8) {
      if (r0 != 0) {
        vacc0x0123 = f32x4.add(vacc0x0123, v128.load(r0 + co));
        vacc0x4567 = f32x4.add(vacc0x4567, v128.load(r0 + co, 16));
      }
      v128.store(c0 + co, vacc0x0123);
      v128.store(c0 + co, vacc0x4567, 16);
    } else {
      const nlo = nr < 4 ? nr : 4;
      if (r0 != 0) {
        vacc0x0123 = f32x4.add(vacc0x0123, loadLanesF32(r0 + co, nlo));
        vacc0x4567 = f32x4.add(vacc0x4567, loadLanesF32(r0 + co + 16, nr - nlo));
      }
      storeF32x8Lanes(c0 + co, vacc0x0123, vacc0x4567, nr);
    }
  }
}

/**
 * C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + (r != 0 ? R[i][j] : 0), 0 ≤ i < m, 0 ≤ j < n.
 * m, n, k ≥ 1; packed = packGemm(B, bias); strides in floats; r = 0 for no residual.
 */
export function f32_gemm_4x8_minmax_simd(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  r: usize, rStride: i32,
  min: f32, max: f32,
): void {
  const vmin = f32x4.splat(min);
  const vmax = f32x4.splat(max);
  const aRow = <usize>aStride << 2;
  const cRow = <usize>cStride << 2;
  const rRow = r != 0 ? <usize>rStride << 2 : 0;
  const panelBytes = <usize>(8 + 8 * k) << 2;
  const panels = (n + 7) >> 3;
  let blockPanels = <i32>(GEMM_BLOCK_BYTES / panelBytes);
  if (blockPanels < 1) blockPanels = 1;

  for (let p0 = 0; p0 < panels; p0 += blockPanels) {
    const p1 = p0 + blockPanels < panels ? p0 + blockPanels : panels;
    const w = packed + <usize>p0 * panelBytes;
    let a0 = a;
    let c0 = c;
    let r0 = r;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      gemmRows4(n, k, p0, p1,
        a0, a0 + aRow, a0 + 2 * aRow, a0 + 3 * aRow, w,
        c0, c0 + cRow, c0 + 2 * cRow, c0 + 3 * cRow,
        r0, r0 + rRow, r0 + 2 * rRow, r0 + 3 * rRow,
        vmin, vmax);
      a0 += 4 * aRow;
      c0 += 4 * cRow;
      r0 += 4 * rRow;
    }
    const rem = m - i;
    if (rem == 1) {
      gemmRows1(n, k, p0, p1, a0, w, c0, r0, vmin, vmax);
    } else if (rem > 1) {
      // 2 or 3 rows: clamp rows 2 (and 3) onto the last valid row.
      const a2 = rem > 2 ? a0 + 2 * aRow : a0 + aRow;
      const c2 = rem > 2 ? c0 + 2 * cRow : c0 + cRow;
      const r2 = rem > 2 ? r0 + 2 * rRow : r0 + rRow;
      gemmRows4(n, k, p0, p1,
        a0, a0 + aRow, a2, a2, w,
        c0, c0 + cRow, c2, c2,
        r0, r0 + rRow, r2, r2,
        vmin, vmax);
    }
  }
}
