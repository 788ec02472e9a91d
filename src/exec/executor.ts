// Runs a Plan's steps (exec/team.ts: the same, shared by a thread team). A step runs whole (part 0 of 1)
// or as one of `parts` disjoint pieces (output rows, GEMM rows or columns) so a thread team can share it;
// it never allocates.
import type { Plan } from '../plan/compile.js';
import type { Step } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';
import { GEMM_MR, GEMM_NR } from '../plan/registry.js';
import { QGEMM_KBLOCK, QGEMM_NR, QPARAM_BYTES } from '../plan/pack-q.js';
import { runBlockRows, runQBlockRows, type RowCursor } from './block.js';

/** [begin, end) of `part` when `n` items are split into `parts` nearly equal ranges. */
export function split(n: number, part: number, parts: number): [number, number] {
  return [Math.floor((n * part) / parts), Math.floor((n * (part + 1)) / parts)];
}

/** True when a step is worth sharing between threads (tiny or sequential steps run on part 0 only). */
export function isSplittable(s: Step): boolean {
  return s.kind !== 'softmax' && s.kind !== 'gavgpool' && s.kind !== 'qsoftmax' && s.kind !== 'qgavgpool';
}

/** Pieces per thread when a team shares a step: enough for a thread that finishes early to take over work. */
export const PIECES_PER_THREAD = 4;

/**
 * How many pieces a team of `threads` cuts step s into (exec/share.ts): PIECES_PER_THREAD per thread, but
 * none smaller than a kernel handles efficiently (a GEMM piece is whole 4-row tiles, an element-wise piece
 * ≥ 1024 elements). runStepPart(k, s, piece, pieces) then runs one of them; 1 means the step is not shared.
 */
export function pieceCount(s: Step, threads: number): number {
  if (threads <= 1 || !isSplittable(s)) return 1;
  const want = threads * PIECES_PER_THREAD;
  const cap = (n: number) => Math.max(1, Math.min(want, n));
  switch (s.kind) {
    case 'block': case 'qblock': case 'conv3x3': case 'qconv3x3': case 'dwconv': case 'qdwconv': case 'qresize': case 'pad':
      return cap(s.outH);
    case 'gemm':
      return s.byRows ? cap(Math.ceil(s.m / GEMM_MR)) : cap(Math.ceil(s.n / GEMM_NR));
    case 'qgemm':
      return s.byRows ? cap(Math.ceil(s.m / GEMM_MR)) : cap(Math.ceil(s.n / QGEMM_NR));
    case 'vadd': case 'qvadd': case 'quantize': case 'dequantize': case 'requantize':
      return cap(Math.floor(s.n / 1024));
    case 'argmax': case 'concat':
      return cap(s.pixels);
    default:
      return 1;
  }
}

/** [begin, end) of `part` of n elements in blocks of `block` (so SIMD loops see whole vectors except at the end). */
function splitBlocks(n: number, block: number, part: number, parts: number): [number, number] {
  const [a, b] = split(Math.ceil(n / block), part, parts);
  return [a * block, Math.min(n, b * block)];
}

/**
 * Runs piece `part` of `parts` of step s. `slot` picks the per-thread scratch (rings, depthwise and im2col
 * buffers) the plan reserved for each thread of a team, so a thread may run any piece (a team splits a step
 * into more pieces than threads: exec/team.ts). `cursor` lets a block continue from the piece it ran last.
 */
export function runStepPart(k: KernelSet, s: Step, part: number, parts: number, slot = part, cursor?: RowCursor): void {
  if (parts > 1 && !isSplittable(s)) {
    if (part === 0) runStepPart(k, s, 0, 1);
    return;
  }
  switch (s.kind) {
    case 'block': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) runBlockRows(k, s, o0, o1, s.ring[slot], s.dwBuf[slot], cursor);
      return;
    }
    case 'gemm': {
      if (s.byRows) {
        const [m0, m1] = splitBlocks(s.m, GEMM_MR, part, parts);
        if (m0 < m1) {
          k.gemm(m1 - m0, s.n, s.k, s.a + m0 * s.aStride * 4, s.aStride, s.packed, s.c + m0 * s.cStride * 4, s.cStride,
            s.r ? s.r + m0 * s.rStride * 4 : 0, s.rStride, s.min, s.max);
        }
      } else {
        // Few rows, many output channels: split the columns at panel boundaries (each piece reads only its weights).
        const panels = Math.ceil(s.n / GEMM_NR);
        const [p0, p1] = split(panels, part, parts);
        if (p0 < p1) {
          const n0 = p0 * GEMM_NR, n1 = Math.min(s.n, p1 * GEMM_NR);
          k.gemm(s.m, n1 - n0, s.k, s.a, s.aStride, s.packed + p0 * (GEMM_NR + GEMM_NR * s.k) * 4, s.c + n0 * 4, s.cStride,
            s.r ? s.r + n0 * 4 : 0, s.rStride, s.min, s.max);
        }
      }
      return;
    }
    case 'conv3x3': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) k.conv3x3(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW, o0, o1, s.min, s.max);
      return;
    }
    case 'dwconv': {
      const rowBytes = s.inW * s.channels * 4;
      const row = (iy: number) => (iy < 0 || iy >= s.inH ? s.zero : s.input + iy * rowBytes);
      const [o0, o1] = split(s.outH, part, parts);
      for (let oy = o0; oy < o1; oy++) {
        const iy = oy * s.stride - s.padTop;
        k.dwconv3x3(s.channels, s.inW, row(iy), row(iy + 1), row(iy + 2), s.stride, s.padLeft, s.packed,
          s.output + oy * s.outW * s.channels * 4, s.outW, s.min, s.max);
      }
      return;
    }
    case 'vadd': {
      const q = Math.ceil(s.n / 4);
      const [a, b] = split(q, part, parts);
      const e0 = a * 4, e1 = Math.min(s.n, b * 4);
      if (e0 < e1) k.vadd(e1 - e0, s.a + e0 * 4, s.b + e0 * 4, s.output + e0 * 4, s.min, s.max);
      return;
    }
    case 'gavgpool':
      return k.gavgpool(s.pixels, s.channels, s.input, s.output);
    case 'softmax':
      return k.softmax(s.n, s.input, s.output);

    // ---- quantized steps: int8 data, byte addresses
    case 'qblock': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) runQBlockRows(k, s, o0, o1, s.ring[slot], s.dwBuf[slot], s.wide[slot], cursor);
      return;
    }
    case 'qgemm': {
      const q = k.quant[s.family][s.scheme];
      if (s.byRows) {
        const [m0, m1] = splitBlocks(s.m, GEMM_MR, part, parts);
        if (m0 < m1) q.gemm(m1 - m0, s.n, s.k, s.a + m0 * s.aStride, s.aStride, s.packed, s.c + m0 * s.cStride, s.cStride, s.outZp, s.qmin, s.qmax, s.wide[slot]);
      } else {
        // Few rows, many output channels (dense layers, late 1×1 convs): split the columns at panel boundaries.
        const panels = Math.ceil(s.n / QGEMM_NR);
        const [p0, p1] = split(panels, part, parts);
        if (p0 < p1) {
          const n0 = p0 * QGEMM_NR, n1 = Math.min(s.n, p1 * QGEMM_NR);
          const panelBytes = QPARAM_BYTES + 16 * Math.ceil(s.k / QGEMM_KBLOCK) * QGEMM_KBLOCK;
          q.gemm(s.m, n1 - n0, s.k, s.a, s.aStride, s.packed + p0 * panelBytes, s.c + n0, s.cStride, s.outZp, s.qmin, s.qmax, s.wide[slot]);
        }
      }
      return;
    }
    case 'qconv3x3': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) {
        k.quant[s.family][s.scheme].conv3x3(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW,
          o0, o1, s.aZp, s.outZp, s.qmin, s.qmax, s.scratch[slot]);
      }
      return;
    }
    case 'qdwconv': {
      const q = k.quant[s.family][s.scheme];
      const rowBytes = s.inW * s.channels;
      const [dh, dw] = s.dilation;
      const row = (iy: number) => (iy < 0 || iy >= s.inH ? s.zero : s.input + iy * rowBytes);
      const [o0, o1] = split(s.outH, part, parts);
      for (let oy = o0; oy < o1; oy++) {
        const iy = oy * s.stride - s.padTop;
        q.dwconv3x3(s.channels, s.inW, row(iy), row(iy + dh), row(iy + 2 * dh), s.stride, dw, s.padLeft, s.packed,
          s.output + oy * s.outW * s.channels, s.outW, s.aZp, s.outZp, s.qmin, s.qmax);
      }
      return;
    }
    case 'qvadd': {
      const [e0, e1] = splitBlocks(s.n, 16, part, parts);
      if (e0 < e1) k.quant[s.family][s.scheme].vadd(e1 - e0, s.a + e0, s.b + e0, s.output + e0, s.params);
      return;
    }
    case 'qgavgpool':
      return k.quant[s.family][s.scheme].gavgpool(s.pixels, s.channels, s.input, s.output, s.params);
    case 'qsoftmax':
      return k.quant[s.family][s.scheme].softmax(s.n, s.input, s.output, s.table, s.outScale, s.outZp);
    case 'quantize': {
      const [e0, e1] = splitBlocks(s.n, 16, part, parts);
      if (e0 < e1) k.quant[s.family][s.scheme].quantize(e1 - e0, s.input + 4 * e0, s.output + e0, s.scale, s.zp, s.qmin, s.qmax);
      return;
    }
    case 'dequantize': {
      const [e0, e1] = splitBlocks(s.n, 16, part, parts);
      if (e0 < e1) k.quant[s.family][s.scheme].dequantize(e1 - e0, s.input + e0, s.output + 4 * e0, s.scale, s.zp);
      return;
    }
    case 'requantize': {
      const [e0, e1] = splitBlocks(s.n, 16, part, parts);
      if (e0 < e1) k.quant[s.family][s.scheme].requantize(e1 - e0, s.input + e0, s.output + e0, s.inZp, s.outZp, s.mult, s.shift, s.qmin, s.qmax);
      return;
    }
    case 'qresize': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) {
        k.quant[s.family][s.scheme].resize(s.inH, s.inW, s.channels, s.input, s.outH, s.outW, s.output, o0, o1,
          s.alignCorners ? 1 : 0, s.halfPixel ? 1 : 0);
      }
      return;
    }
    case 'argmax': {
      const [p0, p1] = split(s.pixels, part, parts);
      const q = k.quant[s.family][s.scheme];
      if (p0 < p1) (s.int64 ? q.argmax64 : q.argmax)(p1 - p0, s.channels, s.input + p0 * s.channels, s.output + p0 * (s.int64 ? 8 : 4));
      return;
    }
    case 'pad': {
      const [o0, o1] = split(s.outH, part, parts);
      if (o0 < o1) k.quant.qu8.fp32.pad(s.inH, s.inW, s.pixelBytes, s.input, s.padTop, s.padLeft, s.outH, s.outW, s.output, o0, o1, s.fill);
      return;
    }
    case 'concat': {
      const [p0, p1] = split(s.pixels, part, parts);
      if (p0 >= p1) return;
      const concat = k.quant.qu8.fp32.concat;
      for (const c of s.slices) {
        concat(p1 - p0, c.bytes, c.input + p0 * c.bytes, s.output + p0 * s.outStride + c.offset, s.outStride, c.copy ? 1 : 0, c.scale, c.bias, c.outZp);
      }
      return;
    }
  }
}

/**
 * Runs the plan on this thread, or its prefix up to and including the step named `until`; with `times`, adds
 * milliseconds per step (index-aligned with plan.steps). ThreadTeam.run is the same over a thread team.
 */
export function execute(plan: Plan, k: KernelSet, until?: string, times?: Float64Array): void {
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) {
    const t0 = times ? performance.now() : 0;
    runStepPart(k, steps[i], 0, 1);
    if (times) times[i] += performance.now() - t0;
    if (steps[i].name === until) break;
  }
}
