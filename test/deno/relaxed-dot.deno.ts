// Deno script (not a vitest or `deno test` file): test/assembly/qs8/qs8-gemm-dot.test.ts spawns it with
// `deno run --sloppy-imports` and checks what it prints. Deno's V8 runs relaxed SIMD with an exact relaxed
// dot product (Node 20's, behind its flag, is not: its relaxed_dot doubles, so the probe refuses it there).
// It prints one JSON line: the probe's verdict, then every GEMM case of the relaxed dot kernel against the
// integer reference (test/helpers/reference-q.ts) at the tile boundaries (rows 1..9 around the 4-row tile,
// columns around the 8-column panel, depths around the 4-deep quads and 8-deep blocks, deep k, MobileNetV2
// shapes), packed for the probed semantics and — to show the probe decides something — for the other one;
// then mixed packings (uint8 panels beyond int8 on the portable kernel) through the qgemm step runner.
import { readFileSync } from 'node:fs';
import { packQGemm, packQGemmDot, qgemmDotPanelBytes, qgemmPanelBytes, qgemmWideBytes, type RelaxedDot } from '../../src/plan/pack-q.js';
import { selectKernels } from '../../src/plan/registry.js';
import { GEMM_STEPS } from '../../src/ops/gemm.js';
import type { QGemmStep } from '../../src/plan/steps.js';
import { convScalesFp32 } from '../../src/plan/requant.js';
import { relaxedDotMode } from '../../src/wasm/load.js';
import { convQRef } from '../helpers/reference-q.js';
import { mulberry32 } from '../helpers/random.js';

type Fam = 'qu8' | 'qs8';
const wasm = new WebAssembly.Module(readFileSync(new URL('../../dist/wasm/mobilenet-relaxed.wasm', import.meta.url)));
const memory = new WebAssembly.Memory({ initial: 512 });
const ex = new WebAssembly.Instance(wasm, { env: { memory, abort: () => { throw new Error('abort'); } } }).exports;
const gemm = ex.qs8_qc8w_gemm_4x8c4_minmax_fp32_relaxed as (...a: number[]) => void;

interface Case { m: number; n: number; k: number; aStride?: number; cStride?: number; aZp?: number; outZp?: number; qmin?: number; qmax?: number; mul?: [number, number] }

/** Runs one case; returns the number of wrong output bytes (−1: the weights do not fit int8, not packed). */
function run(fam: Fam, cs: Case, dot: RelaxedDot, seed: number): number {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const [lo, hi] = fam === 'qs8' ? [-128, 127] : [0, 255];
  const { m, n, k } = cs;
  const aStride = cs.aStride ?? k;
  const cStride = cs.cStride ?? n;
  const aZp = cs.aZp ?? int(lo, hi);
  const outZp = cs.outZp ?? int(lo, hi);
  const wZp = fam === 'qs8' ? 0 : int(100, 156);
  const A = Int32Array.from({ length: (m - 1) * aStride + k }, () => int(lo, hi));
  // uint8 weights within wZp ± 127 fit int8 after the zero point; int8 weights span [−128, 127]
  const W = Int32Array.from({ length: k * n }, () => (fam === 'qs8' ? int(-128, 127) : wZp + int(-127, Math.min(127, 255 - wZp))));
  const bias = Int32Array.from({ length: n }, () => int(-5000, 5000));
  const [l2lo, l2hi] = cs.mul ?? [-12, -6];
  const wScale = Float32Array.from({ length: fam === 'qs8' ? n : 1 }, () => Math.fround(2 ** (l2lo + r() * (l2hi - l2lo))) * 2.5);
  const scales = convScalesFp32(0.02, wScale, 0.05, n);
  const qmin = cs.qmin ?? lo;
  const qmax = cs.qmax ?? hi;
  const p = packQGemmDot({ data: W, zeroPoint: [wZp], bias }, k, n, aZp, scales, fam, dot);
  if (!p) return -1;
  const u8 = new Uint8Array(memory.buffer);
  let top = 4096;
  const place = (bytes: Uint8Array, align = 4) => { top = Math.ceil(top / align) * align + 12; u8.set(bytes, top); const at = top; top += bytes.length + 16; return at; };
  const a = place(Uint8Array.from(A, (v) => v & 255));
  const packed = place(p.packed, 16);
  const cLen = (m - 1) * cStride + n;
  const c = place(new Uint8Array(cLen + 32).fill(0xa5));
  const wide = place(Uint8Array.from({ length: qgemmWideBytes(k) }, () => int(0, 255)));
  const sh = fam === 'qu8' ? 128 : 0;
  gemm(m, n, k, a, aStride, packed, c, cStride, outZp - sh, qmin - sh, qmax - sh, wide, p.xor);
  const Ad = new Int32Array(m * k);
  for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) Ad[i * k + kk] = A[i * aStride + kk];
  const want = convQRef({
    inH: 1, inW: m, inC: k, kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0, outH: 1, outW: m, outC: n, depthwise: false,
    inZp: aZp, wZp: [wZp], bias, mult: new Int32Array(n), shift: new Int32Array(n), outZp, qmin, qmax, fp32Scale: scales.scale,
  }, Ad, W);
  let bad = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < cStride && (i < m - 1 || j < n); j++) {
      const got = u8[c + i * cStride + j];
      if (j < n) bad += (fam === 'qs8' ? (got << 24) >> 24 : got) === want[i * n + j] ? 0 : 1;
      else bad += got === 0xa5 ? 0 : 1; // nothing written past column n − 1
    }
  }
  for (let t = cLen; t < cLen + 32; t++) bad += u8[c + t] === 0xa5 ? 0 : 1;
  return bad;
}

const cases: Case[] = [];
for (const m of [1, 2, 3, 4, 5, 7, 8, 9]) for (const n of [1, 7, 8, 9, 24, 33]) for (const k of [1, 3, 4, 5, 7, 8, 9, 16, 33]) cases.push({ m, n, k });
for (const k of [248, 249, 256, 263]) for (const m of [1, 4, 5, 9]) cases.push({ m, n: 17, k });
cases.push({ m: 13, n: 9, k: 17, aStride: 23 }, { m: 13, n: 9, k: 17, cStride: 13 }, { m: 11, n: 19, k: 300, aStride: 307, cStride: 23 });
cases.push({ m: 9, n: 17, k: 33, mul: [4, 7.9] }, { m: 5, n: 24, k: 33, mul: [3, 7.9] }); // fp32 saturation
cases.push({ m: 7, n: 160, k: 960 }, { m: 1, n: 1001, k: 1280 }); // L2 column blocks; the classifier
const famCases = (fam: Fam) => {
  const [lo, hi] = fam === 'qs8' ? [-128, 127] : [0, 255];
  return [...cases, { m: 9, n: 17, k: 33, aZp: lo, outZp: hi }, { m: 9, n: 17, k: 33, aZp: hi, outZp: lo },
    { m: 9, n: 17, k: 33, qmin: lo + 40, qmax: hi - 50 }];
};

// Mixed packing (uint8 weights, some 8-column panels beyond int8 after the zero point): the step runner
// (src/ops/gemm.ts GEMM_STEPS.qgemm → exec/block.ts runQGemm) over the whole GEMM, by rows, and in 2 and 3
// column pieces as threads share it, with the misfit panels first, last, adjacent, alternating, all and none.
const kset = selectKernels(ex, 'relaxed');
interface MixedCase { m: number; n: number; k: number; misfit: number[] }

/** Wrong output bytes of one mixed case, summed over the ways of running it (−1: packed wrongly). */
function runMixed(cs: MixedCase, dot: RelaxedDot, seed: number): number {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const { m, n, k, misfit } = cs;
  const aZp = int(0, 255), outZp = int(0, 255), wZp = int(100, 156);
  const A = Int32Array.from({ length: m * k }, () => int(0, 255));
  const W = Int32Array.from({ length: k * n }, () => wZp + int(-127, Math.min(127, 255 - wZp)));
  // one weight per misfit panel just past int8 (or at the far end of uint8)
  for (const p of misfit) {
    const j = p * 8 + int(0, Math.min(8, n - p * 8) - 1);
    W[int(0, k - 1) * n + j] = wZp >= 129 ? int(0, wZp - 129) : int(wZp + 128, 255);
  }
  const bias = Int32Array.from({ length: n }, () => int(-5000, 5000));
  const scales = convScalesFp32(0.02, [Math.fround(2 ** (-12 + r() * 6)) * 2.5], 0.05, n);
  const qmin = int(0, 40), qmax = int(215, 255);
  const wq = { data: W, zeroPoint: [wZp], bias };
  const d = packQGemmDot(wq, k, n, aZp, scales, 'qu8', dot);
  const P = Math.ceil(n / 8);
  if ((d === null) !== (misfit.length === P) || (d?.misfits?.panels.join() ?? '') !== (misfit.length === P ? '' : misfit.join())) return -1;
  const packedBytes = d ? d.packed : packQGemm(wq, k, n, aZp, scales, 'qu8');
  if (d && d.packed.length !== (P - misfit.length) * qgemmDotPanelBytes(k) + misfit.length * qgemmPanelBytes(k)) return -1;
  const u8 = new Uint8Array(memory.buffer);
  let top = 4096;
  const place = (bytes: Uint8Array, align = 4) => { top = Math.ceil(top / align) * align + 12; u8.set(bytes, top); const at = top; top += bytes.length + 16; return at; };
  const a = place(Uint8Array.from(A));
  const packed = place(packedBytes, 16);
  const c = place(new Uint8Array(m * n + 32));
  const wide = place(Uint8Array.from({ length: qgemmWideBytes(k) }, () => int(0, 255)));
  const step = {
    kind: 'qgemm', name: 'mixed', family: 'qu8', scheme: 'fp32', m, n, k, a, aStride: k, packed, c, cStride: n, outZp, qmin, qmax,
    ...(d ? { dot: d.xor } : {}), ...(d?.misfits ? { misfits: d.misfits } : {}), byRows: false, wide: [wide],
    panelBytes: d ? qgemmDotPanelBytes(k) : qgemmPanelBytes(k),
  } as unknown as QGemmStep;
  const want = convQRef({
    inH: 1, inW: m, inC: k, kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0, outH: 1, outW: m, outC: n, depthwise: false,
    inZp: aZp, wZp: [wZp], bias, mult: new Int32Array(n), shift: new Int32Array(n), outZp, qmin, qmax, fp32Scale: scales.scale,
  }, A, W);
  let bad = 0;
  for (const [byRows, pieces] of [[false, 1], [false, 2], [false, 3], [true, 2]] as const) {
    u8.fill(0xa5, c, c + m * n + 32);
    for (let piece = 0; piece < pieces; piece++) GEMM_STEPS.qgemm.run(kset, { ...step, byRows }, piece, pieces, 0);
    for (let i = 0; i < m * n; i++) bad += u8[c + i] === want[i] ? 0 : 1;
    for (let t = m * n; t < m * n + 32; t++) bad += u8[c + t] === 0xa5 ? 0 : 1;
  }
  return bad;
}

const mixedCases: MixedCase[] = [];
for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  for (const n of [8, 9, 15, 16, 17, 24, 25, 33]) {
    const P = Math.ceil(n / 8);
    const patterns = new Map<string, number[]>();
    for (const pat of [[], [0], [P - 1], [0, 1], [P - 2, P - 1], [0, P - 1], Array.from({ length: P }, (_, p) => p),
      Array.from({ length: P }, (_, p) => p).filter((p) => p % 2 === 1)]) {
      const ok = [...new Set(pat)].filter((p) => p >= 0 && p < P).sort((x, y) => x - y);
      patterns.set(ok.join(), ok);
    }
    for (const k of [3, 5, 9, 33]) for (const misfit of patterns.values()) mixedCases.push({ m, n, k, misfit });
  }
}
mixedCases.push({ m: 7, n: 160, k: 960, misfit: [3, 17] }, { m: 9, n: 1001, k: 1280, misfit: [0, 60, 61, 125] });

const mode = relaxedDotMode();
const other: RelaxedDot = mode === 'sdot' ? 'usdot' : 'sdot';
const results: { fam: Fam; dot: RelaxedDot; label: string; bad: number }[] = [];
for (const fam of ['qs8', 'qu8'] as const) {
  for (const dot of mode ? [mode, other] : []) {
    famCases(fam).forEach((cs, i) => results.push({ fam, dot, label: JSON.stringify(cs), bad: run(fam, cs, dot, 1000 + i) }));
  }
}

const mixed: { dot: RelaxedDot; label: string; bad: number; fits: number }[] = [];
for (const dot of mode ? [mode, other] : []) {
  mixedCases.forEach((cs, i) => mixed.push({ dot, label: JSON.stringify(cs), bad: runMixed(cs, dot, 5000 + i), fits: Math.ceil(cs.n / 8) - cs.misfit.length }));
}

// Whole models: the relaxed module (dot GEMMs where the probe allows) against the simd one, which the oracle
// tests in Node hold to TFLite's bytes; the uint8 MobileNetV2 also against the oracle's own output.
const shared = new URL('../../../shared/data/', import.meta.url);
const models: { file: string; equal: boolean | null; oracle: boolean | null }[] = [];
const has = (rel: string) => { try { readFileSync(new URL(rel, shared)); return true; } catch { return false; } };
if (has('oracle/inputs/cat.224x224.rgb.u8.bin')) {
  const { loadModel } = await import('../../dist/index.js');
  const cat = new Uint8Array(readFileSync(new URL('oracle/inputs/cat.224x224.rgb.u8.bin', shared)));
  for (const file of ['mobilenet_v2_1.0_224_quant.tflite', 'tf2_mobilenet_v2_1.0_224_ptq.tflite']) {
    if (!has(`models/${file}`)) continue;
    const bytes = new Uint8Array(readFileSync(new URL(`models/${file}`, shared)));
    const outs: Uint8Array[] = [];
    for (const isa of ['relaxed', 'simd'] as const) {
      const model = await loadModel(bytes, { isa });
      outs.push(new Uint8Array((await model.run(cat)).buffer.slice(0)));
      model.dispose();
    }
    const oracleFile = 'oracle/outputs/mobilenet_v2_1.0_224_quant.cat.out.uint8.bin';
    const oracle = file.startsWith('mobilenet') && has(oracleFile) ? new Uint8Array(readFileSync(new URL(oracleFile, shared))) : null;
    models.push({ file, equal: outs[0].join() === outs[1].join(), oracle: oracle ? oracle.join() === outs[0].join() : null });
  }
}
console.log(JSON.stringify({ mode, results, mixed, models }));
