// f32 dense 3×3 convolution on an HWC image (the stem layer), fused bias and clamp: 4 pixels × 8 output
// channels per tile, wasm SIMD128.
//
//   out[oy][ox][co] = clamp(bias[co] + Σ_{ky,kx,ci} in[iy][ix][ci]·w[ky][kx][ci][co], min, max)
//   iy = oy·stride − padTop + ky,  ix = ox·stride − padLeft + kx;  taps outside the image contribute 0
//
// input [inH][inW][inC]; output rows oy ∈ [oy0, oy1) of [.][outW][outC] (row oy at output + oy·outW·outC·4).
// stride ∈ {1, 2}; padTop, padLeft ≥ 0 (bottom / right padding implied by the image size).
// packed: ceil(outC/8) panels, each 8 bias floats then 9·inC groups of 8 floats, group (ky·3 + kx)·inC + ci,
//   zero past outC (src/plan/pack.ts: packConv3x3). Reads nothing outside input / packed; writes exactly
//   the requested rows' outW·outC floats.
//
// For an interior pixel the 3 taps of one kernel row are 3·inC contiguous input floats and the matching
// weights are 3·inC contiguous groups, so each kernel row is a small GEMM (k = 3·inC) with the
// f32-gemm-4x8 register tile: 4 pixels of one output row × 8 output channels. Edge pixels (a tap left or right
// of the image) and the last < 4 interior pixels take a 1-pixel path with per-tap checks. Kernel rows
// above or below the image are skipped for the whole output row.

import { clampF32x4, maddF32x4, storeF32x8Lanes } from "../common/simd";

/** Four interior pixels (input column pointers at kernel row 0: a0..a3) × all output-channel panels. */
function convPixels4(
  inC: i32, rowBytes: usize, kyLo: i32, kyHi: i32,
  a0: usize, a1: usize, a2: usize, a3: usize,
  packed: usize, panelBytes: usize, outC: i32,
  o0: usize, pixelOutBytes: usize,
  vmin: v128, vmax: v128,
): void {
  const kRow = 3 * inC;
  const o1 = o0 + pixelOutBytes;
  const o2 = o1 + pixelOutBytes;
  const o3 = o2 + pixelOutBytes;
  let w = packed;
  for (let co = 0; co < outC; co += 8) {
    let vacc0x0123 = v128.load(w);
    let vacc0x4567 = v128.load(w, 16);
    let vacc1x0123 = vacc0x0123;
    let vacc1x4567 = vacc0x4567;
    let vacc2x0123 = vacc0x0123;
    let vacc2x4567 = vacc0x4567;
    let vacc3x0123 = vacc0x0123;
    let vacc3x4567 = vacc0x4567;
    for (let ky = kyLo; ky < kyHi; ky++) {
      const ro = <usize>ky * rowBytes;
      let pa0 = a0 + ro;
      let pa1 = a1 + ro;
      let pa2 = a2 + ro;
      let pa3 = a3 + ro;
      let pw = w + 32 + (<usize>(ky * kRow) << 5);
      const pwEnd = pw + (<usize>kRow << 5);
      do {
        const vb0123 = v128.load(pw);
        const vb4567 = v128.load(pw, 16);
        pw += 32;
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
      } while (pw < pwEnd);
    }
    const nr = outC - co;
    const oc = <usize>co << 2;
    storeF32x8Lanes(o0 + oc, clampF32x4(vacc0x0123, vmin, vmax), clampF32x4(vacc0x4567, vmin, vmax), nr);
    storeF32x8Lanes(o1 + oc, clampF32x4(vacc1x0123, vmin, vmax), clampF32x4(vacc1x4567, vmin, vmax), nr);
    storeF32x8Lanes(o2 + oc, clampF32x4(vacc2x0123, vmin, vmax), clampF32x4(vacc2x4567, vmin, vmax), nr);
    storeF32x8Lanes(o3 + oc, clampF32x4(vacc3x0123, vmin, vmax), clampF32x4(vacc3x4567, vmin, vmax), nr);
    w += panelBytes;
  }
}

/** One pixel with input column ix0 (kx = 0 tap; may be outside the image) × all output-channel panels. */
function convPixel1(
  inW: i32, inC: i32, rowBytes: usize, kyLo: i32, kyHi: i32,
  rowPtr: usize, ix0: i32,
  packed: usize, panelBytes: usize, outC: i32,
  o: usize, vmin: v128, vmax: v128,
): void {
  const pixelInBytes = <usize>inC << 2;
  const kxLo = ix0 < 0 ? -ix0 : 0;
  const kxHi = inW - ix0 < 3 ? inW - ix0 : 3;
  let w = packed;
  for (let co = 0; co < outC; co += 8) {
    let vacc0123 = v128.load(w);
    let vacc4567 = v128.load(w, 16);
    for (let ky = kyLo; ky < kyHi; ky++) {
      for (let kx = kxLo; kx < kxHi; kx++) {
        let pa = rowPtr + <usize>ky * rowBytes + <usize>(ix0 + kx) * pixelInBytes;
        let pw = w + 32 + (<usize>((ky * 3 + kx) * inC) << 5);
        let kc = inC;
        do {
          const va = v128.load32_splat(pa);
          pa += 4;
          vacc0123 = maddF32x4(vacc0123, va, v128.load(pw));
          vacc4567 = maddF32x4(vacc4567, va, v128.load(pw, 16));
          pw += 32;
        } while (--kc > 0);
      }
    }
    storeF32x8Lanes(o + (<usize>co << 2), clampF32x4(vacc0123, vmin, vmax), clampF32x4(vacc4567, vmin, vmax), outC - co);
    w += panelBytes;
  }
}

/**
 * Output rows [oy0, oy1) of a 3×3 convolution over an HWC image (see file header).
 * inH, inW, inC, outC, outW ≥ 1; stride ∈ {1, 2}; packed = packConv3x3(w, bias).
 */
export function f32_conv_3x3_hwc_minmax_simd(
  inH: i32, inW: i32, inC: i32,
  input: usize,
  stride: i32, padTop: i32, padLeft: i32,
  packed: usize,
  outC: i32,
  output: usize, outW: i32,
  oy0: i32, oy1: i32,
  min: f32, max: f32,
): void {
  const vmin = f32x4.splat(min);
  const vmax = f32x4.splat(max);
  const pixelInBytes = <usize>inC << 2;
  const rowBytes = <usize>inW * pixelInBytes;
  const pixelOutBytes = <usize>outC << 2;
  const panelBytes = <usize>(8 + 72 * inC) << 2;
  // Interior columns [xs, xe): x·stride − padLeft ≥ 0 and x·stride − padLeft + 2 ≤ inW − 1.
  let xs = padLeft > 0 ? (padLeft + stride - 1) / stride : 0;
  if (xs > outW) xs = outW;
  const lastStart = inW - 3 + padLeft;
  let xe = lastStart >= 0 ? lastStart / stride + 1 : 0;
  if (xe > outW) xe = outW;
  if (xe < xs) xe = xs;
  const colStep = <usize>stride * pixelInBytes;

  for (let oy = oy0; oy < oy1; oy++) {
    const iy0 = oy * stride - padTop;
    const kyLo = iy0 < 0 ? -iy0 : 0;
    const kyHi = inH - iy0 < 3 ? inH - iy0 : 3;
    // Pointer to (iy0, ix = 0); only dereferenced at rows iy0 + ky with ky ∈ [kyLo, kyHi).
    const rowPtr = input + <usize>iy0 * rowBytes;
    const orow = output + <usize>oy * <usize>outW * pixelOutBytes;
    for (let x = 0; x < xs; x++) {
      convPixel1(inW, inC, rowBytes, kyLo, kyHi, rowPtr, x * stride - padLeft, packed, panelBytes, outC,
        orow + <usize>x * pixelOutBytes, vmin, vmax);
    }
    let x = xs;
    for (; x + 4 <= xe; x += 4) {
      const a0 = rowPtr + <usize>(x * stride - padLeft) * pixelInBytes;
      convPixels4(inC, rowBytes, kyLo, kyHi, a0, a0 + colStep, a0 + 2 * colStep, a0 + 3 * colStep,
        packed, panelBytes, outC, orow + <usize>x * pixelOutBytes, pixelOutBytes, vmin, vmax);
    }
    for (; x < outW; x++) {
      convPixel1(inW, inC, rowBytes, kyLo, kyHi, rowPtr, x * stride - padLeft, packed, panelBytes, outC,
        orow + <usize>x * pixelOutBytes, vmin, vmax);
    }
  }
}
