// int8 kernel micro-benchmark on MobileNetV2 (224×224, α = 1) layer shapes: G multiply-adds/s per variant
// of the qu8 / qs8 GEMM and depthwise kernels in dist/wasm/mobilenet-simd.wasm (SIMD and scalar twins).
//
//   npm run asbuild && node bench/kernels-q.bench.mjs [--quick] [--filter gemm|dwconv|qu8|qs8]
//
// Both requantization schemes: *_gemmlowp_* (TFLite builtin kernels) and *_fp32_* (XNNPACK, what TFLite runs
// with its default delegate). A whole-model figure comes from test/assembly/qu8/qu8-oracle.test.ts-style runs.
//
// Kernels come from the registry (src/plan/registry.ts, through ./registry.mjs), shapes from ./kernel-shapes.json.
// GEMM: one call per layer (m = H·W). dwconv: one call per output row, as the executor does. Packed
// weights and activations are arbitrary bytes with plausible requantization parameters; timings do not
// depend on the values.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestSeconds } from './best-time.mjs';
import { kernelsOf, SHAPES } from './registry.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WASM = process.env.KERNELS_WASM ? path.resolve(process.env.KERNELS_WASM) : path.join(ROOT, 'dist/wasm/mobilenet-simd.wasm');
if (!existsSync(WASM)) {
  console.error(`${path.relative(ROOT, WASM)} is missing: run \`npm run asbuild\` first`);
  process.exit(1);
}
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : null;

const memory = new WebAssembly.Memory({ initial: 2048 }); // 128 MiB
const { instance } = await WebAssembly.instantiate(readFileSync(WASM), { env: { memory } });
const X = instance.exports;
const U8 = new Uint8Array(memory.buffer);
const I32 = new Int32Array(memory.buffer);

let top = 1 << 16;
function alloc(bytes, fill = true) {
  const at = top;
  top += Math.ceil((bytes + 64) / 64) * 64;
  if (fill) for (let i = 0; i < bytes; i++) U8[at + i] = (i * 7919 + 13) % 251;
  return at;
}
const reset = () => { top = 1 << 16; };

/** Fills the 160-byte requantization blocks of `groups` panels/groups (stride bytes apart). */
const F32 = new Float32Array(memory.buffer);
function fillParams(packed, groups, stride, perChannelShift, fp32) {
  for (let g = 0; g < groups; g++) {
    const w = (packed + g * stride) >> 2;
    for (let j = 0; j < 8; j++) {
      if (fp32) {
        I32[w + j] = 1000 - 37 * j;
        F32[w + 8 + j] = 0.0005 + j * 1e-5;
        I32[w + 16 + j] = 1;
        continue;
      }
      const rs = perChannelShift ? 7 + ((g + j) % 4) : 8;
      I32[w + j] = 1000 - 37 * j;
      I32[w + 8 + j] = 1300000000 + j;
      I32[w + 16 + j] = 1;
      I32[w + 24 + j] = rs;
      I32[w + 32 + j] = (1 << rs) - 1;
    }
  }
}

const time = (fn) => bestSeconds(fn, quick);

/** The registry's int8 kernels of `op` (qgemm, qdwconv) in this module, both families and schemes, SIMD first. */
const kernels = (op) => kernelsOf(op).map((k) => k.name).filter((n) => !filter || n.includes(filter));

const rows = [];
function report(kernel, shape, macs, seconds) {
  const g = macs / seconds / 1e9;
  rows.push({ kernel, shape, ms: (seconds * 1e3).toFixed(3), gmacs: g.toFixed(2) });
  console.log(`${kernel.padEnd(44)} ${shape.padEnd(28)} ${(seconds * 1e3).toFixed(3).padStart(9)} ms ${g.toFixed(2).padStart(7)} G MAC/s`);
}

// [m, k, n] (./kernel-shapes.json qgemm)
if (!filter || /gemm|qu8|qs8/.test(filter)) {
  for (const name of kernels('qgemm')) {
    const scalar = name.endsWith('_scalar');
    for (const [m, k, n] of SHAPES.qgemm.shapes) {
      if (scalar && quick && m * k * n > 2e7) continue;
      reset();
      const kp = Math.ceil(k / 8) * 8;
      const panelBytes = 160 + 16 * kp;
      const a = alloc(m * k + 16);
      const packed = alloc(Math.ceil(n / 8) * panelBytes);
      fillParams(packed, Math.ceil(n / 8), panelBytes, name.startsWith('qs8'), name.includes('_fp32_'));
      const c = alloc(m * n, false);
      const wide = alloc(8 * kp, false); // the kernel's scratch (src/plan/pack-q.ts qgemmWideBytes)
      const signed = name.startsWith('qs8');
      const t = time(() => X[name](m, n, k, a, k, packed, c, n, signed ? -128 : 0, signed ? -128 : 0, signed ? 127 : 255, wide));
      report(name, `m=${m} k=${k} n=${n}`, m * n * k, t);
    }
  }
}

// [inW (input), C, stride, dilation] (./kernel-shapes.json qdwconv; the 33-wide one is DeepLab's dilated depthwise).
if (!filter || /dwconv|qu8|qs8/.test(filter)) {
  for (const name of kernels('qdwconv')) {
    for (const [inW, C, stride, dil] of SHAPES.qdwconv.shapes) {
      reset();
      const outW = stride === 2 ? inW / 2 : inW;
      const outH = outW;
      const padLeft = stride === 2 ? 0 : dil;
      const rows = [alloc(inW * C + 16), alloc(inW * C + 16), alloc(inW * C + 16)];
      const groups = Math.ceil(C / 8);
      const packed = alloc(groups * 320);
      fillParams(packed, groups, 320, name.startsWith('qs8'), name.includes('_fp32_'));
      const out = alloc(outW * C, false);
      const signed = name.startsWith('qs8');
      const t = time(() => {
        for (let oy = 0; oy < outH; oy++) {
          X[name](C, inW, rows[0], rows[1], rows[2], stride, dil, padLeft, packed, out, outW, 3, signed ? -128 : 0, signed ? -128 : 0, signed ? 127 : 255);
        }
      });
      report(name, `${inW}w ${C}c s${stride} d${dil} (${outH} rows)`, outH * outW * C * 9, t);
    }
  }
}
