// f32 GEMM with fused bias, clamp and residual add: scalar twin of f32-gemm-4x8-minmax-simd (same ABI, same
// packed layout). Readable fallback for engines without SIMD128.
//
//   C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + (r != 0 ? R[i][j] : 0)
//
// A [m][k] (row stride aStride floats), C/R [m][n] (strides cStride/rStride floats), r = 0: no residual.
// packed: ceil(n/8) panels of (8 bias, k rows of 8 B values), zero past column n-1.
// Tile: 4 rows × 8 columns, computed as 2×4 register blocks (8 accumulators + 2 A + 4 B values fit the
// 15 xmm registers V8 x64 allocates). Rows past m and columns past n are never read or written.

// @ts-ignore: decorator
@inline function clampF32(v: f32, lo: f32, hi: f32): f32 {
  return v < lo ? lo : (v > hi ? hi : v);
}

/** Row a0 (and row a1 when two) × the 4 columns of panel w at byte offset half (0: columns 0..3, 16: 4..7). */
// @ts-ignore: decorator
@inline function gemmBlock2x4(
  two: bool, nc: i32, k: i32,
  a0: usize, a1: usize, w: usize, half: usize,
  c0: usize, c1: usize, r0: usize, r1: usize, co: usize,
  min: f32, max: f32,
): void {
  let vacc00 = load<f32>(w + half, 0);
  let vacc01 = load<f32>(w + half, 4);
  let vacc02 = load<f32>(w + half, 8);
  let vacc03 = load<f32>(w + half, 12);
  let vacc10 = vacc00;
  let vacc11 = vacc01;
  let vacc12 = vacc02;
  let vacc13 = vacc03;
  let pw = w + 32 + half;
  let pa0 = a0;
  let pa1 = a1;
  let kc = k;
  do {
    const va0 = load<f32>(pa0);
    const va1 = load<f32>(pa1);
    pa0 += 4;
    pa1 += 4;
    const vb0 = load<f32>(pw, 0);
    const vb1 = load<f32>(pw, 4);
    const vb2 = load<f32>(pw, 8);
    const vb3 = load<f32>(pw, 12);
    pw += 32;
    vacc00 += va0 * vb0;
    vacc01 += va0 * vb1;
    vacc02 += va0 * vb2;
    vacc03 += va0 * vb3;
    vacc10 += va1 * vb0;
    vacc11 += va1 * vb1;
    vacc12 += va1 * vb2;
    vacc13 += va1 * vb3;
  } while (--kc > 0);
  storeRow4(c0 + co, r0 != 0 ? r0 + co : 0, nc,
    clampF32(vacc00, min, max), clampF32(vacc01, min, max), clampF32(vacc02, min, max), clampF32(vacc03, min, max));
  if (two) {
    storeRow4(c1 + co, r1 != 0 ? r1 + co : 0, nc,
      clampF32(vacc10, min, max), clampF32(vacc11, min, max), clampF32(vacc12, min, max), clampF32(vacc13, min, max));
  }
}

/** Stores columns [0, nc) (nc ≥ 1, at most 4) of one row, adding the residual row when rp != 0. */
// @ts-ignore: decorator
@inline function storeRow4(cp: usize, rp: usize, nc: i32, v0: f32, v1: f32, v2: f32, v3: f32): void {
  if (rp != 0) {
    v0 += load<f32>(rp, 0);
    if (nc > 1) v1 += load<f32>(rp, 4);
    if (nc > 2) v2 += load<f32>(rp, 8);
    if (nc > 3) v3 += load<f32>(rp, 12);
  }
  store<f32>(cp, v0, 0);
  if (nc > 1) store<f32>(cp, v1, 4);
  if (nc > 2) store<f32>(cp, v2, 8);
  if (nc > 3) store<f32>(cp, v3, 12);
}

/**
 * C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + (r != 0 ? R[i][j] : 0), 0 ≤ i < m, 0 ≤ j < n.
 * m, n, k ≥ 1; packed = packGemm(B, bias); strides in floats; r = 0 for no residual.
 */
export function f32_gemm_4x8_minmax_scalar(
  m: i32, n: i32, k: i32,
  a: usize, aStride: i32,
  packed: usize,
  c: usize, cStride: i32,
  r: usize, rStride: i32,
  min: f32, max: f32,
): void {
  const aRow = <usize>aStride << 2;
  const cRow = <usize>cStride << 2;
  const rRow = r != 0 ? <usize>rStride << 2 : 0;
  const panelBytes = <usize>(8 + 8 * k) << 2;
  for (let i = 0; i < m; i += 4) {
    const a0 = a + <usize>i * aRow;
    const c0 = c + <usize>i * cRow;
    const r0 = r != 0 ? r + <usize>i * rRow : 0;
    const rows = m - i < 4 ? m - i : 4;
    let w = packed;
    for (let j = 0; j < n; j += 8) {
      const co = <usize>j << 2;
      const nr = n - j;
      for (let ii = 0; ii < rows; ii += 2) {
        const two = ii + 1 < rows;
        const ai = a0 + <usize>ii * aRow;
        const ci = c0 + <usize>ii * cRow;
        const ri = r0 != 0 ? r0 + <usize>ii * rRow : 0;
        const ai1 = two ? ai + aRow : ai;
        gemmBlock2x4(two, nr < 4 ? nr : 4, k, ai, ai1, w, 0, ci, ci + cRow, ri, ri != 0 ? ri + rRow : 0, co, min, max);
        if (nr > 4) {
          gemmBlock2x4(two, nr < 8 ? nr - 4 : 4, k, ai, ai1, w, 16, ci, ci + cRow, ri, ri != 0 ? ri + rRow : 0, co + 16, min, max);
        }
      }
      w += panelBytes;
    }
  }
}
