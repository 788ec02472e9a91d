// Weight packers of the int8 kernels (assembly/qu8, assembly/qs8): repack integer weights once into the tile
// order the kernels read (checked and sized at compile time, written when the plan is placed: ./pack.ts Packing), with the zero points folded away and the per-channel
// requantization parameters interleaved. One packed format serves both dtype families:
//
//   Σ_k (a − aZp)(w − wZp) + bias  =  Σ_k a·(w − wZp) + [bias − aZp·Σ_k (w − wZp)]
//
// so the packed weights are w' = w − wZp as int16 (uint8 weights: [−255, 255]; int8: [−128, 127] with
// wZp = 0) and the packed bias is bias' = bias − aZp·Σ_k w' (int32, wrapping like TFLite's int32
// accumulator: the identity holds modulo 2^32). The kernels then multiply raw activations (u8 or i8)
// by w' and never see a zero point except where they pad: out-of-image taps must read aZp.
//
// Requantization block of every channel group (GROUP = 8 channels, 5 × 8 int32 = 160 bytes):
//   bias'[8] | mult[8] | lmul[8] = 1 << max(shift, 0) | rshift[8] = max(−shift, 0) | rmask[8] = (1 << rshift) − 1
// (fp32 scheme: bias' | scale (float32) | 1 | 0 | 0.) Per-tensor quantization is replicated to every channel, so there is one code path.
import { ShapeError } from '../errors.js';
import type { QuantWeights } from '../graph/ir.js';
import { packedBytes, type Packing } from './pack.js';
import type { ChannelRequant, Fp32Requant } from './requant.js';

/** gemmlowp (TFLite builtin kernels, *_gemmlowp_*) or fp32 (XNNPACK, *_fp32_*) requantization. */
export type QRequant = ChannelRequant | Fp32Requant;

const isFp32 = (rq: QRequant): rq is Fp32Requant => 'scale' in rq;

/** Columns per packed GEMM panel. */
export const QGEMM_NR = 8;
/** k is padded to a multiple of QGEMM_KBLOCK (the kernels widen 8 activations per load). */
export const QGEMM_KBLOCK = 8;
/**
 * Bytes of private scratch an int8 SIMD GEMM call needs per unit of padded depth kp (it widens up to 4 A rows
 * to int16 there; assembly/q8/q8-gemm-simd.ts Q8_GEMM_WIDE_BYTES_PER_KP, keep in sync).
 */
export const QGEMM_WIDE_BYTES_PER_KP = 8;

/** Scratch bytes of an int8 GEMM over depth k (the `wide` argument). */
export function qgemmWideBytes(k: number): number {
  return Math.ceil(k / QGEMM_KBLOCK) * QGEMM_KBLOCK * QGEMM_WIDE_BYTES_PER_KP;
}
/** Channels per packed depthwise group (and per SIMD depthwise step). */
export const QDWCONV_CHANNEL_TILE = 8;
/** Bytes of the requantization block at the start of every panel / group. */
export const QPARAM_BYTES = 160;

function checkDims(what: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`cannot pack ${what}: ${name} must be a positive integer, got ${v}`);
  }
}

function checkLen(what: string, name: string, got: number, expected: number): void {
  if (got !== expected) throw new ShapeError(`cannot pack ${what}: ${name} has ${got} values, expected ${expected}`);
}

/** Integer weights in the float layout plus their zero points (length 1 or per output channel). */
export interface QWeightsIn {
  data: ArrayLike<number>;
  zeroPoint: ArrayLike<number>;
  bias: ArrayLike<number> | null;
}

/** Adapts the IR's QuantWeights. */
export function qweightsOf(q: QuantWeights): QWeightsIn {
  return { data: q.data, zeroPoint: q.zeroPoint, bias: q.bias.length ? q.bias : null };
}


/**
 * Writes the 160-byte requantization block of every group of 8 channels, the groups `stride` bytes apart from
 * byte 0 of `out` (one loop over all the channels: a block at a time was a call per panel, slow while cold).
 */
function writeParams(out: Uint8Array, stride: number, n: number, biasP: Int32Array, rq: QRequant): void {
  const i32 = new Int32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
  const words = stride >> 2;
  // lmul = 1 in every lane first: lanes past the last channel keep multiplier 0 and shifts 0 (harmless zeros).
  for (let w = 16, end = Math.ceil(n / 8) * words; w < end; w += words) i32.fill(1, w, w + 8);
  if (isFp32(rq)) {
    // fp32 scheme: the mult words hold the float32 scales; shifts unused.
    const f32 = new Float32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
    const scale = rq.scale;
    for (let c = 0; c < n; c++) {
      const w = (c >> 3) * words + (c & 7);
      i32[w] = biasP[c];
      f32[w + 8] = scale[c];
    }
    return;
  }
  for (let c = 0; c < n; c++) {
    const w = (c >> 3) * words + (c & 7);
    const shift = rq.shift[c];
    const ls = shift > 0 ? shift : 0;
    const rs = shift > 0 ? 0 : -shift;
    i32[w] = biasP[c];
    i32[w + 8] = rq.mult[c];
    i32[w + 16] = (1 << ls) | 0;
    i32[w + 24] = rs;
    i32[w + 32] = rs === 0 ? 0 : ((1 << rs) - 1) | 0;
  }
}

/** Which kernel family will read the packed weights: qu8 kernels use one shift for all channels. */
export type QFamily = 'qu8' | 'qs8';

function checkRequant(what: string, rq: QRequant, n: number, family: QFamily): void {
  if (isFp32(rq)) {
    checkLen(what, 'requantization scales', rq.scale.length, n);
    return;
  }
  checkLen(what, 'requantization multipliers', rq.mult.length, n);
  checkLen(what, 'requantization shifts', rq.shift.length, n);
  for (let c = 0; c < n; c++) {
    const shift = rq.shift[c];
    if (shift > 30 || shift < -31) throw new ShapeError(`cannot pack requantization: channel ${c} has shift ${shift} outside [−31, 30]`);
  }
  if (family === 'qu8') {
    for (let c = 1; c < n; c++) {
      if (rq.shift[c] !== rq.shift[0]) {
        throw new ShapeError(`cannot pack ${what} for the qu8 kernels: channel ${c} has shift ${rq.shift[c]} but channel 0 has ${rq.shift[0]} (qu8 kernels need per-tensor requantization; use the qs8 kernels)`);
      }
    }
  }
}

/** Bytes of one panel of packQGemm(…, k, …) (QGEMM_NR columns): its step's panel stride. */
export function qgemmPanelBytes(k: number): number {
  return QPARAM_BYTES + 16 * Math.ceil(k / QGEMM_KBLOCK) * QGEMM_KBLOCK;
}

/** Bytes of packQGemm(…, k, n). */
export function packedQGemmBytes(k: number, n: number): number {
  return Math.ceil(n / QGEMM_NR) * qgemmPanelBytes(k);
}

/** Zero points (length 1 or n) as one per column. */
function columnZeroPoints(zp: ArrayLike<number>, n: number): Int32Array {
  const z = new Int32Array(n);
  if (zp.length === 1) z.fill(zp[0]);
  else for (let j = 0; j < n; j++) z[j] = zp[j];
  return z;
}

/**
 * Σ_kk (w[kk][j] − zp[j]) of every column, wrapping like int32 (the packed bias wraps too), read row by row.
 * `misfit`: flags (per panel of QGEMM_NR columns) the panels holding a w − zp outside int8.
 */
function columnSums(data: ArrayLike<number>, k: number, n: number, zp: Int32Array, misfit: Uint8Array | null): Int32Array {
  const sums = new Int32Array(n);
  for (let kk = 0, row = 0; kk < k; kk++, row += n) {
    for (let j = 0; j < n; j++) {
      const v = data[row + j] - zp[j];
      sums[j] += v;
      if (misfit !== null && ((v + 128) & ~255) !== 0) misfit[j >> 3] = 1; // v + 128 outside [0, 255]: v outside int8
    }
  }
  return sums;
}

/** bias' = bias − aZp·Σ w' per column, wrapping like TFLite's int32 accumulator. */
function foldedBias(bias: ArrayLike<number> | null, aZeroPoint: number, sums: Int32Array): Int32Array {
  const out = new Int32Array(sums.length);
  for (let j = 0; j < sums.length; j++) out[j] = ((bias ? bias[j] : 0) - Math.imul(aZeroPoint, sums[j])) | 0;
  return out;
}

/**
 * GEMM B [k][n] (row-major; 1×1 conv HWIO [1][1][k][n]; dense [K][N]) → ceil(n/8) panels of
 * 160 + 16·kp bytes (kp = k rounded up to 8): the requantization block, then kp/2 k-pairs of
 * 8 columns × 2 k as int16: pair q holds [w'(2q, j), w'(2q+1, j)] for j = 0..7 (32 bytes; the first 16
 * bytes are columns 0..3): the "c2" layout. Padding (k ≥ k_real, columns ≥ n) is zero.
 */
export function packQGemm(w: QWeightsIn, k: number, n: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Uint8Array {
  return packedBytes(qgemmPacking(w, k, n, aZeroPoint, rq, family));
}

/** packQGemm's Packing (the column sums are taken now, the panels written later). */
export function qgemmPacking(w: QWeightsIn, k: number, n: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Packing {
  checkDims('int8 gemm weights', { k, n });
  const what = `int8 gemm weights [${k}][${n}]`;
  checkLen(what, 'weights', w.data.length, k * n);
  if (w.bias) checkLen(what, 'bias', w.bias.length, n);
  if (w.zeroPoint.length !== 1) checkLen(what, 'weight zero points', w.zeroPoint.length, n);
  checkRequant(what, rq, n, family);
  const zp = columnZeroPoints(w.zeroPoint, n);
  const biasP = foldedBias(w.bias, aZeroPoint, columnSums(w.data, k, n, zp, null));
  const panelBytes = qgemmPanelBytes(k);
  return {
    bytes: packedQGemmBytes(k, n),
    write(dst) {
      writeParams(dst, panelBytes, n, biasP, rq);
      writeC2Weights(new Int16Array(dst.buffer, dst.byteOffset, dst.byteLength >> 1), panelBytes >> 1, w.data, k, n, zp);
    },
  };
}

/**
 * packQGemm's weights: panel after panel, row by row, w' = w − zp as int16 at (kk >> 1)·16 + (kk & 1) + 2j
 * (int16 index from the panel's weights). Kept apart and small so the engine optimizes it on its first call.
 */
function writeC2Weights(i16: Int16Array, panelHalves: number, data: ArrayLike<number>, k: number, n: number, zp: Int32Array): void {
  for (let j0 = 0, d0 = QPARAM_BYTES >> 1; j0 < n; j0 += QGEMM_NR, d0 += panelHalves) {
    const cols = Math.min(QGEMM_NR, n - j0);
    if (cols === 8) {
      // Whole panels (QGEMM_NR is 8, the kernels' ABI), unrolled: 2× faster.
      const z0 = zp[j0], z1 = zp[j0 + 1], z2 = zp[j0 + 2], z3 = zp[j0 + 3], z4 = zp[j0 + 4], z5 = zp[j0 + 5], z6 = zp[j0 + 6], z7 = zp[j0 + 7];
      for (let kk = 0, src = j0; kk < k; kk++, src += n) {
        const d = d0 + (kk >> 1) * 16 + (kk & 1);
        i16[d] = data[src] - z0; i16[d + 2] = data[src + 1] - z1; i16[d + 4] = data[src + 2] - z2; i16[d + 6] = data[src + 3] - z3;
        i16[d + 8] = data[src + 4] - z4; i16[d + 10] = data[src + 5] - z5; i16[d + 12] = data[src + 6] - z6; i16[d + 14] = data[src + 7] - z7;
      }
    } else {
      for (let kk = 0, src = j0; kk < k; kk++, src += n) {
        const d = d0 + (kk >> 1) * 16 + (kk & 1);
        for (let j = 0; j < cols; j++) i16[d + 2 * j] = data[src + j] - zp[j0 + j];
      }
    }
  }
}

/** packQDwconv3x3: tap t = ky·3 + kx → 2·pair + lane (the pair order is documented there). */
const QDWCONV_TAP_SLOT = [0, 2, 4, 1, 3, 5, 8, 7, 6];

/** Bytes of packQDwconv3x3(…, c): ceil(c/8) groups of 320. */
export function packedQDwconv3x3Bytes(c: number): number {
  return Math.ceil(c / QDWCONV_CHANNEL_TILE) * (QPARAM_BYTES + 160);
}

/**
 * Depthwise weights [3][3][c] (channel multiplier 1) → ceil(c/8) groups of 320 bytes: the requantization
 * block, then 5 tap pairs of 8 channels × 2 taps as int16, pair q holding [w'(a_q, ch), w'(b_q, ch)] for
 * ch = 0..7 with (a, b) = (w00, w10) (w01, w11) (w02, w12) (w22, w21) (w20, 0), w<ky><kx>: vertical pairs of
 * rows 0 and 1, then row 2 (this lets the SIMD kernel share column work between neighbouring pixels, see
 * assembly/q8/q8-dwconv-simd.ts).
 */
export function packQDwconv3x3(w: QWeightsIn, c: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Uint8Array {
  return packedBytes(qdwconv3x3Packing(w, c, aZeroPoint, rq, family));
}

/** packQDwconv3x3's Packing. */
export function qdwconv3x3Packing(w: QWeightsIn, c: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Packing {
  checkDims('int8 depthwise weights', { c });
  const what = `int8 depthwise weights [3][3][${c}]`;
  checkLen(what, 'weights', w.data.length, 9 * c);
  if (w.bias) checkLen(what, 'bias', w.bias.length, c);
  if (w.zeroPoint.length !== 1) checkLen(what, 'weight zero points', w.zeroPoint.length, c);
  checkRequant(what, rq, c, family);
  const T = QDWCONV_CHANNEL_TILE;
  const zp = columnZeroPoints(w.zeroPoint, c);
  const biasP = foldedBias(w.bias, aZeroPoint, columnSums(w.data, 9, c, zp, null));
  const groupBytes = QPARAM_BYTES + 160;
  const data = w.data;
  return {
    bytes: packedQDwconv3x3Bytes(c),
    write(dst) {
      writeParams(dst, groupBytes, c, biasP, rq);
      const i16 = new Int16Array(dst.buffer, dst.byteOffset, dst.byteLength >> 1);
      for (let c0 = 0, wBase = QPARAM_BYTES >> 1; c0 < c; c0 += T, wBase += groupBytes >> 1) {
        const count = Math.min(T, c - c0);
        for (let t = 0; t < 9; t++) {
          const slot = QDWCONV_TAP_SLOT[t];
          const d = wBase + (slot >> 1) * 16 + (slot & 1);
          for (let j = 0, src = t * c + c0; j < count; j++) i16[d + 2 * j] = data[src + j] - zp[c0 + j];
        }
      }
    },
  };
}

/**
 * Dense 3×3 weights HWIO [3][3][inC][outC] → packQGemm over k = 9·inC (per output row the stem kernel gathers
 * every pixel's taps in the caller's scratch in the same (ky, kx, ci) order: widened to int16 (SIMD) or as an
 * im2col byte row (scalar), and runs the GEMM over them).
 */
export function packQConv3x3(w: QWeightsIn, inC: number, outC: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Uint8Array {
  return packedBytes(qconv3x3Packing(w, inC, outC, aZeroPoint, rq, family));
}

/** packQConv3x3's Packing. */
export function qconv3x3Packing(w: QWeightsIn, inC: number, outC: number, aZeroPoint: number, rq: QRequant, family: QFamily = 'qs8'): Packing {
  checkDims('int8 3×3 conv weights', { inC, outC });
  return qgemmPacking(w, 9 * inC, outC, aZeroPoint, rq, family);
}

/**
 * Scratch bytes the stem kernel needs (assembly/q8/q8-im2col.ts): one row of outW pixels' 9·inC taps, as
 * int16 with the depth rounded up to a pair (SIMD) or as bytes (scalar, ≤ the former), plus 16 bytes of slack.
 */
export function qconv3x3ScratchBytes(inC: number, outW: number): number {
  return outW * 2 * (9 * inC + (9 * inC) % 2) + 16;
}

/**
 * What i32x4.relaxed_dot_i8x16_i7x16_add_s computes on this engine for an i7 operand with its top bit set
 * (src/wasm/load.ts relaxedDotMode): 'usdot' reads it as unsigned (x86 VNNI), 'sdot' as signed (Arm).
 */
export type RelaxedDot = 'usdot' | 'sdot';

/** Bytes of one panel of packQGemmDot(…, k, …): the requantization block, then 8 int8 weights per k (k padded to 8). */
export function qgemmDotPanelBytes(k: number): number {
  return QPARAM_BYTES + 8 * Math.ceil(k / QGEMM_KBLOCK) * QGEMM_KBLOCK;
}

/** Panels of a mixed packQGemmDot that did not fit int8: their indices (ascending) and where their c2 panels start. */
export interface QGemmMisfits { panels: number[]; at: number }

/** Columns `cols` (ascending) of a GEMM's weights and requantization, for packQGemm. */
function pickColumns(w: QWeightsIn, rq: QRequant, k: number, n: number, cols: number[]): [QWeightsIn, QRequant] {
  const nc = cols.length;
  const data = new Int32Array(k * nc);
  for (let kk = 0; kk < k; kk++) for (let j = 0; j < nc; j++) data[kk * nc + j] = w.data[kk * n + cols[j]];
  const pick = (v: ArrayLike<number>) => Int32Array.from(cols, (c) => v[c]);
  const zeroPoint = w.zeroPoint.length === 1 ? w.zeroPoint : pick(w.zeroPoint);
  const sub = { data, zeroPoint, bias: w.bias ? pick(w.bias) : null };
  return [sub, isFp32(rq) ? { scale: Float32Array.from(cols, (c) => rq.scale[c]) } : { mult: pick(rq.mult), shift: pick(rq.shift) }];
}

/**
 * The weights of packQGemm (fp32 requantization only) for the relaxed dot kernel
 * (qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed, assembly/q8/q8-gemm-simd.ts q8GemmDot): per panel the
 * requantization block, then kp/4 k-quads of 32 bytes, w'(4q..4q+3, j) as int8 for columns 0..3, then 4..7.
 * The kernel multiplies w' (signed) by each activation's byte XORed with `xor & 0xff`, read as `dot` says:
 * int8 activations are offset to unsigned (+128) under 'usdot', uint8 ones to signed (−128) under 'sdot', and
 * the packed bias' = bias − (aZp + offset)·Σ w' takes the offset back out, so the int32 sums are TFLite's.
 * uint8 layers also get bit 15 of `xor` (the kernel computes in the int8 domain, the runner shifts outZp,
 * qmin and qmax by −128). A weight w − wZp outside int8 (uint8 weights can reach ±255) keeps its panel of 8
 * columns on the portable kernel: the panels that fit come first, contiguous at the dot stride (a run of them
 * is one kernel call), then the `misfits` in packQGemm's c2 layout at byte `misfits.at` (exec/block.ts
 * runQGemm runs each run of panels with its kernel). Returns null when no panel fits.
 */
export function packQGemmDot(
  w: QWeightsIn, k: number, n: number, aZeroPoint: number, rq: QRequant, family: QFamily, dot: RelaxedDot,
): { packed: Uint8Array; xor: number; misfits?: QGemmMisfits } | null {
  const d = qgemmDotPacking(w, k, n, aZeroPoint, rq, family, dot);
  return d && { packed: packedBytes(d.packing), xor: d.xor, ...(d.misfits ? { misfits: d.misfits } : {}) };
}

/**
 * packQGemmDot's Packing: the int8 range check (per panel) and the column sums happen now, the panels are
 * written later.
 */
export function qgemmDotPacking(
  w: QWeightsIn, k: number, n: number, aZeroPoint: number, rq: QRequant, family: QFamily, dot: RelaxedDot,
): { packing: Packing; xor: number; misfits?: QGemmMisfits } | null {
  checkDims('int8 gemm weights', { k, n });
  checkLen(`int8 gemm weights [${k}][${n}]`, 'weights', w.data.length, k * n);
  if (w.zeroPoint.length !== 1) checkLen('int8 gemm weights', 'weight zero points', w.zeroPoint.length, n);
  const panels = Math.ceil(n / QGEMM_NR);
  const zp = columnZeroPoints(w.zeroPoint, n);
  const misfit = new Uint8Array(panels);
  const sums = columnSums(w.data, k, n, zp, misfit);
  const bad: number[] = [];
  for (let p = 0; p < panels; p++) if (misfit[p]) bad.push(p);
  if (bad.length === panels) return null;
  if (w.bias) checkLen('int8 gemm weights', 'bias', w.bias.length, n);
  checkRequant('int8 gemm weights', rq, n, family);
  const unsignedIn = family === 'qu8';
  const flip = unsignedIn === (dot === 'sdot');
  const azp = aZeroPoint + (flip ? (unsignedIn ? -128 : 128) : 0);
  const biasP = foldedBias(w.bias, azp, sums);
  const panelBytes = qgemmDotPanelBytes(k);
  const at = (panels - bad.length) * panelBytes;
  let c2: Packing | null = null;
  if (bad.length) {
    const cols: number[] = [];
    for (const p of bad) for (let j = p * QGEMM_NR; j < Math.min(n, (p + 1) * QGEMM_NR); j++) cols.push(j);
    const [sub, subRq] = pickColumns(w, rq, k, n, cols);
    c2 = qgemmPacking(sub, k, cols.length, aZeroPoint, subRq, family);
  }
  const packing: Packing = {
    bytes: at + (c2 ? c2.bytes : 0),
    write(dst) {
      const i8 = new Int8Array(dst.buffer, dst.byteOffset, dst.byteLength);
      if (!c2) {
        writeParams(dst, panelBytes, n, biasP, rq);
        writeC4Weights(i8, panelBytes, w.data, k, n, zp, 0, n);
        return;
      }
      for (let p = 0, slot = 0; p < panels; p++) {
        if (misfit[p]) continue;
        const c0 = p * QGEMM_NR, c1 = Math.min(n, c0 + QGEMM_NR);
        const sub = isFp32(rq) ? { scale: rq.scale.subarray(c0) } : { mult: rq.mult.subarray(c0), shift: rq.shift.subarray(c0) };
        writeParams(dst.subarray(slot * panelBytes, (slot + 1) * panelBytes), panelBytes, c1 - c0, biasP.subarray(c0), sub);
        writeC4Weights(i8.subarray(slot * panelBytes), panelBytes, w.data, k, n, zp, c0, c1);
        slot++;
      }
      c2.write(dst.subarray(at));
    },
  };
  const xor = (flip ? 0x80 : 0) | (unsignedIn ? 0x8000 : 0);
  return c2 ? { packing, xor, misfits: { panels: bad, at } } : { packing, xor };
}

/**
 * packQGemmDot's weights of columns [c0, c1) (whole panels), from the panel at byte 0 of `i8`: panel after
 * panel, row by row, w' = w − zp (known to fit int8) at (kk >> 2)·32 + (kk & 3) + 4j (byte index from the
 * panel's weights: columns 0..3 then 4..7 of each k-quad).
 */
function writeC4Weights(i8: Int8Array, panelBytes: number, data: ArrayLike<number>, k: number, n: number, zp: Int32Array, c0: number, c1: number): void {
  for (let j0 = c0, d0 = QPARAM_BYTES; j0 < c1; j0 += QGEMM_NR, d0 += panelBytes) {
    const cols = Math.min(QGEMM_NR, c1 - j0);
    if (cols === 8) {
      const z0 = zp[j0], z1 = zp[j0 + 1], z2 = zp[j0 + 2], z3 = zp[j0 + 3], z4 = zp[j0 + 4], z5 = zp[j0 + 5], z6 = zp[j0 + 6], z7 = zp[j0 + 7];
      for (let kk = 0, src = j0; kk < k; kk++, src += n) {
        const d = d0 + (kk >> 2) * 32 + (kk & 3);
        i8[d] = data[src] - z0; i8[d + 4] = data[src + 1] - z1; i8[d + 8] = data[src + 2] - z2; i8[d + 12] = data[src + 3] - z3;
        i8[d + 16] = data[src + 4] - z4; i8[d + 20] = data[src + 5] - z5; i8[d + 24] = data[src + 6] - z6; i8[d + 28] = data[src + 7] - z7;
      }
    } else {
      for (let kk = 0, src = j0; kk < k; kk++, src += n) {
        const d = d0 + (kk >> 2) * 32 + (kk & 3);
        for (let j = 0; j < cols; j++) i8[d + 4 * j] = data[src + j] - zp[j0 + j];
      }
    }
  }
}

/**
 * Dense 3×3 weights HWIO [3][3][inC][outC] for the relaxed dot stem (qs8_qc8w_conv_3x3_hwc_minmax_fp32_relaxed):
 * packQGemmDot over k = 9·inC (the kernel's im2col byte rows are in the same (ky, kx, ci) order). Null when a
 * panel does not fit int8 (the stem then stays on the portable kernel).
 */
export function packQConv3x3Dot(
  w: QWeightsIn, inC: number, outC: number, aZeroPoint: number, rq: QRequant, family: QFamily, dot: RelaxedDot,
): { packed: Uint8Array; xor: number } | null {
  const d = qconv3x3DotPacking(w, inC, outC, aZeroPoint, rq, family, dot);
  return d && { packed: packedBytes(d.packing), xor: d.xor };
}

/** packQConv3x3Dot's Packing (checks and column sums now, the panels written later); null as there. */
export function qconv3x3DotPacking(
  w: QWeightsIn, inC: number, outC: number, aZeroPoint: number, rq: QRequant, family: QFamily, dot: RelaxedDot,
): { packing: Packing; xor: number } | null {
  checkDims('int8 3×3 conv weights', { inC, outC });
  const d = qgemmDotPacking(w, 9 * inC, outC, aZeroPoint, rq, family, dot);
  return d && !d.misfits ? { packing: d.packing, xor: d.xor } : null;
}
