// Naive references for the wasm kernels, written from the math (not from assembly/), accumulating in f64.
// Weights are taken in their natural (unpacked) layouts, so a packing bug cannot hide in both copies.

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), max);

/**
 * C[i][j] = clamp(Σ_kk A[i][kk]·B[kk][j] + bias[j], min, max) + R[i][j]; A rows aStride apart; B [k][n];
 * R rows rStride apart or null. Returns dense C [m][n].
 */
export function gemmRef(
  m: number, n: number, k: number,
  A: ArrayLike<number>, aStride: number,
  B: ArrayLike<number>, bias: ArrayLike<number> | null,
  R: ArrayLike<number> | null, rStride: number,
  min: number, max: number,
): Float32Array {
  const C = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let kk = 0; kk < k; kk++) s += A[i * aStride + kk] * B[kk * n + j];
      let v = clamp(s, min, max);
      if (R) v += R[i * rStride + j];
      C[i * n + j] = v;
    }
  }
  return C;
}

/**
 * One output row of a depthwise 3×3 convolution. rows[ky]: input row [inW][c], or null for a padded
 * (all-zero) row. w: [3][3][c]. Returns [outW][c].
 */
export function dwconv3x3RowRef(
  c: number, inW: number, rows: (ArrayLike<number> | null)[], stride: number, padLeft: number,
  w: ArrayLike<number>, bias: ArrayLike<number>, outW: number, min: number, max: number,
): Float32Array {
  const out = new Float32Array(outW * c);
  for (let x = 0; x < outW; x++) {
    for (let ch = 0; ch < c; ch++) {
      let s = bias[ch];
      for (let ky = 0; ky < 3; ky++) {
        const row = rows[ky];
        if (!row) continue;
        for (let kx = 0; kx < 3; kx++) {
          const ix = x * stride - padLeft + kx;
          if (ix < 0 || ix >= inW) continue;
          s += row[ix * c + ch] * w[(ky * 3 + kx) * c + ch];
        }
      }
      out[x * c + ch] = clamp(s, min, max);
    }
  }
  return out;
}

/**
 * Dense 3×3 convolution over an HWC image, output rows [oy0, oy1). input [inH][inW][inC]; w HWIO
 * [3][3][inC][outC]. Returns [(oy1 − oy0)][outW][outC].
 */
export function conv3x3HwcRef(
  inH: number, inW: number, inC: number, input: ArrayLike<number>,
  stride: number, padTop: number, padLeft: number,
  w: ArrayLike<number>, bias: ArrayLike<number>, outC: number, outW: number,
  oy0: number, oy1: number, min: number, max: number,
): Float32Array {
  const out = new Float32Array((oy1 - oy0) * outW * outC);
  for (let oy = oy0; oy < oy1; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let co = 0; co < outC; co++) {
        let s = bias[co];
        for (let ky = 0; ky < 3; ky++) {
          const iy = oy * stride - padTop + ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = ox * stride - padLeft + kx;
            if (ix < 0 || ix >= inW) continue;
            for (let ci = 0; ci < inC; ci++) {
              s += input[(iy * inW + ix) * inC + ci] * w[((ky * 3 + kx) * inC + ci) * outC + co];
            }
          }
        }
        out[((oy - oy0) * outW + ox) * outC + co] = clamp(s, min, max);
      }
    }
  }
  return out;
}

/** output[c] = mean over pixels of input[p][c]. */
export function gavgpoolRef(pixels: number, channels: number, input: ArrayLike<number>): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let p = 0; p < pixels; p++) s += input[p * channels + c];
    out[c] = s / pixels;
  }
  return out;
}

/** out[i] = clamp(a[i] + b[i], min, max). */
export function vaddRef(a: ArrayLike<number>, b: ArrayLike<number>, min: number, max: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = clamp(Math.fround(a[i] + b[i]), min, max);
  return out;
}

/** softmax with the maximum subtracted, in f64. */
export function softmaxRef(x: ArrayLike<number>): Float32Array {
  let mx = -Infinity;
  for (let i = 0; i < x.length; i++) mx = Math.max(mx, x[i]);
  let s = 0;
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) s += (e[i] = Math.exp(x[i] - mx));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = e[i] / s;
  return out;
}

/**
 * TensorFlow ResizeBilinear, half_pixel_centers = true, align_corners = false, over the crop rectangle of an
 * RGB(A) u8 image, then v·scale[c] + off[c] for c < 3. Follows tensorflow/core/kernels/image/
 * resize_bilinear_op.cc: scale = in/out (float), in = (o + 0.5)·scale − 0.5 (float), lower = max(floor(in), 0),
 * upper = min(ceil(in), in − 1), lerp = in − floor(in), top/bottom/value lerps in float.
 */
export function resizeBilinearRef(
  src: ArrayLike<number>, srcW: number, srcC: number,
  cropX: number, cropY: number, cropW: number, cropH: number,
  dstW: number, dstH: number, scale: [number, number, number], off: [number, number, number],
): Float32Array {
  const f = Math.fround;
  const weights = (outSize: number, inSize: number) => {
    const s = f(inSize / outSize);
    const lo: number[] = [];
    const hi: number[] = [];
    const lerp: number[] = [];
    for (let o = 0; o < outSize; o++) {
      const x = f(f(f(o + 0.5) * s) - 0.5);
      const xf = Math.floor(x);
      lo.push(Math.min(Math.max(xf, 0), inSize - 1));
      hi.push(Math.min(Math.ceil(x), inSize - 1));
      lerp.push(f(x - xf));
    }
    return { lo, hi, lerp };
  };
  const ys = weights(dstH, cropH);
  const xs = weights(dstW, cropW);
  const px = (y: number, x: number, c: number) => src[((cropY + y) * srcW + cropX + x) * srcC + c];
  const out = new Float32Array(dstH * dstW * 3);
  for (let oy = 0; oy < dstH; oy++) {
    for (let ox = 0; ox < dstW; ox++) {
      for (let c = 0; c < 3; c++) {
        const tl = px(ys.lo[oy], xs.lo[ox], c);
        const tr = px(ys.lo[oy], xs.hi[ox], c);
        const bl = px(ys.hi[oy], xs.lo[ox], c);
        const br = px(ys.hi[oy], xs.hi[ox], c);
        const top = f(tl + f(f(tr - tl) * xs.lerp[ox]));
        const bottom = f(bl + f(f(br - bl) * xs.lerp[ox]));
        const v = f(top + f(f(bottom - top) * ys.lerp[oy]));
        out[(oy * dstW + ox) * 3 + c] = v * scale[c] + off[c];
      }
    }
  }
  return out;
}
