// TypeScript signatures of the f32 wasm kernels (assembly/f32, assembly/u8; the int8 ABIs are typed in
// src/plan/registry.ts). One function type per op; every variant of an op (SIMD, scalar) has the same ABI.
// Pointers are byte addresses in the host-owned memory, sizes are element counts, strides are in floats,
// all float data is f32 little-endian. The AssemblyScript files carry the full contracts;
// test/plan/registry.test.ts checks each export's arity against KERNELS[].arity.

/**
 * 1×1 convolution / dense layer:
 * C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + (r != 0 ? R[i][j] : 0), i < m, j < n.
 * packed = packGemm(B, bias, k, n); r = 0: no residual (added after the clamp). m, n, k ≥ 1; c ≠ a.
 */
export type GemmFn = (
  m: number, n: number, k: number,
  a: number, aStride: number,
  packed: number,
  c: number, cStride: number,
  r: number, rStride: number,
  min: number, max: number,
) => void;

/**
 * Depthwise 3×3, one output row: out[x][c] = clamp(bias[c] + Σ rowky[x·stride − padLeft + kx][c]·w[ky][kx][c]).
 * rowK: input rows [inW][channels] (a zero buffer for padded rows); padLeft ∈ {0, 1}; stride ∈ {1, 2};
 * packed = packDwconv3x3(w, bias, channels). Rows need 16 bytes of readable slack after their end.
 */
export type Dwconv3x3Fn = (
  channels: number, inW: number,
  row0: number, row1: number, row2: number,
  stride: number, padLeft: number,
  packed: number,
  out: number, outW: number,
  min: number, max: number,
) => void;

/**
 * Dense 3×3 convolution on an HWC image (stem), output rows [oy0, oy1) of [.][outW][outC]; zero padding
 * outside the image (padTop / padLeft given, bottom / right implied); packed = packConv3x3(w, bias, inC, outC).
 */
export type Conv3x3HwcFn = (
  inH: number, inW: number, inC: number,
  input: number,
  stride: number, padTop: number, padLeft: number,
  packed: number,
  outC: number,
  output: number, outW: number,
  oy0: number, oy1: number,
  min: number, max: number,
) => void;

/** output[c] = mean over pixels of input[p][c]. */
export type GavgpoolFn = (pixels: number, channels: number, input: number, output: number) => void;

/** out[i] = clamp(a[i] + b[i], min, max); out may alias a or b. */
export type VaddFn = (n: number, a: number, b: number, out: number, min: number, max: number) => void;

/** output = softmax(input[0..n)) (max-subtracted); output may alias input. */
export type SoftmaxFn = (n: number, input: number, output: number) => void;

/**
 * Bilinear resize (TF half_pixel_centers) of a crop of an RGB(A) u8 image to f32 NHWC [dstH][dstW][3],
 * then dst = v·scale_c + off_c per channel.
 */
export type ResizeFn = (
  src: number, srcW: number, srcH: number, srcC: number,
  cropX: number, cropY: number, cropW: number, cropH: number,
  dst: number, dstW: number, dstH: number,
  scale0: number, scale1: number, scale2: number,
  off0: number, off1: number, off2: number,
) => void;
