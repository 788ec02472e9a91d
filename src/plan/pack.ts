// Weight packers: repack layer weights (+ bias) once into the tile order the kernels read. The layouts are
// part of the kernel ABI (assembly/f32/*.ts headers); packed arrays are zero-padded so the kernels never
// branch on a partial tile while loading weights.
//
// A packer checks its inputs and sizes its output at compile time and returns a Packing; the bytes are written
// when the plan is placed in memory (Runtime.create), straight into the kernels' memory: no packed copy is
// allocated, filled and copied again on the way to a first inference. packGemm etc. return the bytes at once.
import { ShapeError } from '../errors.js';
import { CONV_HWC_NR, DWCONV_CHANNEL_TILE, GEMM_NR } from './registry.js';

/** A packed constant: its size now, its bytes later (`write` fills `dst`, exactly `bytes` long and zero-filled). */
export interface Packing {
  bytes: number;
  write(dst: Uint8Array): void;
}

/** The bytes of a Packing, in a new buffer. */
export function packedBytes(p: Packing): Uint8Array {
  const out = new Uint8Array(p.bytes);
  p.write(out);
  return out;
}

/** A Packing of float32 words. */
function floats(length: number, write: (dst: Float32Array) => void): Packing {
  return { bytes: length * 4, write: (dst) => write(new Float32Array(dst.buffer, dst.byteOffset, length)) };
}

const asFloats = (p: Packing) => new Float32Array(packedBytes(p).buffer);

function check(what: string, name: string, array: Float32Array | null, expected: number): void {
  if (array && array.length !== expected) {
    throw new ShapeError(`cannot pack ${what}: ${name} has ${array.length} values, expected ${expected}`);
  }
}

function checkDims(what: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`cannot pack ${what}: ${name} must be a positive integer, got ${v}`);
  }
}

/** Floats of packGemm(…, k, n): ceil(n/8) panels of (8 bias + 8k weights). */
export function packedGemmLength(k: number, n: number): number {
  return Math.ceil(n / GEMM_NR) * GEMM_NR * (1 + k);
}

/** Bytes of one panel of packGemm(…, k, …) (GEMM_NR columns): its step's panel stride. */
export const gemmPanelBytes = (k: number): number => GEMM_NR * (1 + k) * 4;

/**
 * GEMM B matrix [k][n] (row-major; for a 1×1 conv the HWIO weights [1][1][k][n]) and bias [n] (null: zeros)
 * → ceil(n/8) panels; panel p = bias[8p..8p+7], then for kk < k: B[kk][8p..8p+7]; zero past column n−1.
 * Panel p starts at float p·(8 + 8k).
 */
export function packGemm(w: Float32Array, bias: Float32Array | null, k: number, n: number): Float32Array {
  return asFloats(gemmPacking(w, bias, k, n));
}

/** packGemm's Packing. */
export function gemmPacking(w: Float32Array, bias: Float32Array | null, k: number, n: number): Packing {
  checkDims('gemm weights', { k, n });
  check(`gemm weights [${k}][${n}]`, 'weights', w, k * n);
  check(`gemm weights [${k}][${n}]`, 'bias', bias, n);
  return floats(packedGemmLength(k, n), (out) => writeGemm(out, w, bias, k, n));
}

function writeGemm(out: Float32Array, w: Float32Array, bias: Float32Array | null, k: number, n: number): void {
  const panelFloats = GEMM_NR * (1 + k);
  for (let p = 0; p * GEMM_NR < n; p++) {
    const j0 = p * GEMM_NR;
    const cols = Math.min(GEMM_NR, n - j0);
    const base = p * panelFloats;
    if (bias) for (let j = 0; j < cols; j++) out[base + j] = bias[j0 + j];
    if (cols === 8) {
      // Whole panels (GEMM_NR is 8, the kernels' ABI), unrolled: 4× faster on the 1280×1000 classifier (10 → 2.5
      // ms), which is a share of the first inference.
      for (let kk = 0, src = j0, dst = base + 8; kk < k; kk++, src += n, dst += 8) {
        out[dst] = w[src]; out[dst + 1] = w[src + 1]; out[dst + 2] = w[src + 2]; out[dst + 3] = w[src + 3];
        out[dst + 4] = w[src + 4]; out[dst + 5] = w[src + 5]; out[dst + 6] = w[src + 6]; out[dst + 7] = w[src + 7];
      }
      continue;
    }
    for (let kk = 0; kk < k; kk++) {
      const row = base + GEMM_NR * (1 + kk);
      for (let j = 0; j < cols; j++) out[row + j] = w[kk * n + j0 + j];
    }
  }
}

/** Floats of packDwconv3x3(…, c): ceil(c/4) groups of 40. */
export function packedDwconv3x3Length(c: number): number {
  return Math.ceil(c / DWCONV_CHANNEL_TILE) * DWCONV_CHANNEL_TILE * 10;
}

/**
 * Depthwise weights [3][3][c] (HWC, channel multiplier 1) and bias [c] (null: zeros) → ceil(c/4) groups of
 * 40 floats: bias[4], then w[tap][4] for tap = ky·3 + kx; lanes past c are zero.
 */
export function packDwconv3x3(w: Float32Array, bias: Float32Array | null, c: number): Float32Array {
  return asFloats(dwconv3x3Packing(w, bias, c));
}

/** packDwconv3x3's Packing. */
export function dwconv3x3Packing(w: Float32Array, bias: Float32Array | null, c: number): Packing {
  checkDims('depthwise weights', { c });
  check(`depthwise weights [3][3][${c}]`, 'weights', w, 9 * c);
  check(`depthwise weights [3][3][${c}]`, 'bias', bias, c);
  const T = DWCONV_CHANNEL_TILE;
  return floats(packedDwconv3x3Length(c), (out) => {
    for (let ch = 0; ch < c; ch++) {
      const base = Math.floor(ch / T) * T * 10;
      const lane = ch % T;
      out[base + lane] = bias ? bias[ch] : 0;
      for (let tap = 0; tap < 9; tap++) out[base + T * (1 + tap) + lane] = w[tap * c + ch];
    }
  });
}

/** Floats of packConv3x3(…, inC, outC): ceil(outC/8) panels of (8 + 72·inC). */
export function packedConv3x3Length(inC: number, outC: number): number {
  return Math.ceil(outC / CONV_HWC_NR) * CONV_HWC_NR * (1 + 9 * inC);
}

/**
 * Dense 3×3 weights HWIO [3][3][inC][outC] and bias [outC] (null: zeros) → ceil(outC/8) panels; panel p =
 * bias[8p..8p+7], then 9·inC groups of 8 floats, group g = (ky·3 + kx)·inC + ci holding
 * w[ky][kx][ci][8p..8p+7]; zero past outC − 1.
 */
export function packConv3x3(w: Float32Array, bias: Float32Array | null, inC: number, outC: number): Float32Array {
  return asFloats(conv3x3Packing(w, bias, inC, outC));
}

/** packConv3x3's Packing. */
export function conv3x3Packing(w: Float32Array, bias: Float32Array | null, inC: number, outC: number): Packing {
  checkDims('3×3 conv weights', { inC, outC });
  check(`3×3 conv weights [3][3][${inC}][${outC}]`, 'weights', w, 9 * inC * outC);
  check(`3×3 conv weights [3][3][${inC}][${outC}]`, 'bias', bias, outC);
  // HWIO [3][3][inC][outC] is exactly a [9·inC][outC] row-major matrix in group order.
  return gemmPacking(w, bias, 9 * inC, outC);
}
