// Kernel micro-benchmark on MobileNetV2 (224×224, α = 1) layer shapes: GFLOP/s (2 × multiply-adds) per
// kernel variant in dist/wasm/mobilenet-simd.wasm (SIMD kernels and their scalar twins).
//
//   npm run asbuild && node bench/kernels.bench.mjs [--quick] [--filter gemm|dwconv|conv|resize]
//
// Each shape is timed as a whole layer (dwconv: one call per output row, as the executor does), best of
// several trials after warm-up. Weights and activations are arbitrary finite values; timings do not depend
// on them. The machine's f32 peak with separate mul + add is about 25 G multiply-adds/s = 50 GFLOP/s per core.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestSeconds } from './best-time.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WASM = process.env.KERNELS_WASM ? path.resolve(process.env.KERNELS_WASM) : path.join(ROOT, 'dist/wasm/mobilenet-simd.wasm');
if (!existsSync(WASM)) {
  console.error(`${path.relative(ROOT, WASM)} is missing: run \`npm run asbuild\` first`);
  process.exit(1);
}
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : null;

const memory = new WebAssembly.Memory({ initial: 4096 }); // 256 MiB
const { instance } = await WebAssembly.instantiate(readFileSync(WASM), { env: { memory } });
const X = instance.exports;
const F32 = new Float32Array(memory.buffer);
const U8 = new Uint8Array(memory.buffer);
const kernels = (prefix) => Object.keys(X).filter((n) => n.startsWith(prefix)).sort((a, b) => (a.endsWith('_simd') ? -1 : 1) - (b.endsWith('_simd') ? -1 : 1));

/** Bump allocation of float buffers (16-byte aligned) filled with small values. */
let top = 1 << 16;
function alloc(floats, fill = true) {
  const at = top;
  top += Math.ceil((floats * 4 + 64) / 64) * 64;
  if (fill) for (let i = 0; i < floats; i++) F32[at / 4 + i] = ((i * 7919) % 61) / 61 - 0.5;
  return at;
}
const reset = () => { top = 1 << 16; };

const time = (fn) => bestSeconds(fn, quick);

const fmt = (flops, s) => `${(flops / s / 1e9).toFixed(1).padStart(5)} GFLOP/s ${(s * 1e3).toFixed(3).padStart(8)} ms`;

// ---- GEMM (1×1 convolutions): [m = pixels, k = in channels, n = out channels]
const GEMM_HEADLINE = [[3136, 24, 144], [784, 192, 32], [196, 384, 64], [49, 960, 160], [49, 320, 1280]];
// Every 1×1 convolution of MobileNetV2 in order (expand, project; final 320→1280) plus the 1280→1001 classifier.
const GEMM_MODEL = [
  [12544, 32, 16],
  [12544, 16, 96], [3136, 96, 24], [3136, 24, 144], [3136, 144, 24], [3136, 24, 144], [784, 144, 32],
  ...Array(2).fill(null).flatMap(() => [[784, 32, 192], [784, 192, 32]]), [784, 32, 192], [196, 192, 64],
  ...Array(3).fill(null).flatMap(() => [[196, 64, 384], [196, 384, 64]]), [196, 64, 384], [196, 384, 96],
  ...Array(2).fill(null).flatMap(() => [[196, 96, 576], [196, 576, 96]]), [196, 96, 576], [49, 576, 160],
  ...Array(2).fill(null).flatMap(() => [[49, 160, 960], [49, 960, 160]]), [49, 160, 960], [49, 960, 320],
  [49, 320, 1280], [1, 1280, 1001],
];

function gemmLayer(fn, [m, k, n]) {
  reset();
  const a = alloc(m * k);
  const packed = alloc(Math.ceil(n / 8) * (8 + 8 * k));
  const c = alloc(m * n, false);
  return () => fn(m, n, k, a, k, packed, c, n, 0, 0, 0, 6);
}

// ---- depthwise 3×3: [input width = height, channels, stride], padding 1 (stride 1) / TF SAME (stride 2)
const DW_HEADLINE = [[112, 96, 2], [56, 144, 1], [14, 576, 1]];
const DW_MODEL = [
  [112, 32, 1], [112, 96, 2], [56, 144, 1], [56, 144, 2], [28, 192, 1], [28, 192, 1], [28, 192, 2],
  [14, 384, 1], [14, 384, 1], [14, 384, 1], [14, 384, 1], [14, 576, 1], [14, 576, 1], [14, 576, 2],
  [7, 960, 1], [7, 960, 1], [7, 960, 1],
];

function dwLayer(fn, [inW, ch, stride]) {
  reset();
  const inH = inW;
  const padTop = stride === 1 ? 1 : 0;
  const padLeft = padTop;
  const outW = Math.ceil(inW / stride);
  const outH = outW;
  const rowFloats = inW * ch;
  const input = alloc(inH * rowFloats);
  const zero = alloc(rowFloats);
  F32.fill(0, zero / 4, zero / 4 + rowFloats);
  const packed = alloc(Math.ceil(ch / 4) * 40);
  const out = alloc(outH * outW * ch, false);
  const row = (y) => (y < 0 || y >= inH ? zero : input + y * rowFloats * 4);
  return () => {
    for (let oy = 0; oy < outH; oy++) {
      const iy = oy * stride - padTop;
      fn(ch, inW, row(iy), row(iy + 1), row(iy + 2), stride, padLeft, packed, out + oy * outW * ch * 4, outW, 0, 6);
    }
  };
}

function report(title, prefix, headline, model, layer, macs) {
  if (filter && !prefix.includes(filter)) return;
  console.log(`\n${title}`);
  for (const name of kernels(prefix)) {
    console.log(`  ${name}`);
    for (const shape of headline) {
      const s = time(layer(X[name], shape));
      console.log(`    ${JSON.stringify(shape).padEnd(18)} ${fmt(2 * macs(shape), s)}`);
    }
    let total = 0;
    let totalMacs = 0;
    for (const shape of model) {
      total += time(layer(X[name], shape));
      totalMacs += macs(shape);
    }
    console.log(`    ${'MobileNetV2 all'.padEnd(18)} ${fmt(2 * totalMacs, total)}  (${model.length} layers, ${(totalMacs / 1e6).toFixed(1)} M MACs)`);
  }
}

console.log(`node ${process.version}, ${path.relative(ROOT, WASM)}${quick ? ' (--quick)' : ''}`);
report('GEMM  [m, k, n]', 'f32_gemm', GEMM_HEADLINE, GEMM_MODEL, gemmLayer, ([m, k, n]) => m * k * n);
report('depthwise 3×3  [width, channels, stride] (whole layer, one call per output row)', 'f32_dwconv',
  DW_HEADLINE, DW_MODEL, dwLayer, ([w, c, s]) => Math.ceil(w / s) ** 2 * c * 9);

// ---- stem: 224×224×3 → 112×112×32, stride 2, TF SAME padding (top/left 0)
if (!filter || 'f32_conv'.includes(filter)) {
  console.log('\nstem conv 3×3 HWC  224×224×3 → 112×112×32 stride 2');
  reset();
  const input = alloc(224 * 224 * 3);
  const packed = alloc(4 * (8 + 72 * 3));
  const out = alloc(112 * 112 * 32, false);
  for (const name of kernels('f32_conv')) {
    const s = time(() => X[name](224, 224, 3, input, 2, 0, 0, packed, 32, out, 112, 0, 112, 0, 6));
    console.log(`  ${name.padEnd(36)} ${fmt(2 * 112 * 112 * 32 * 27, s)}`);
  }
}

// ---- preprocessing: 640×480 RGBA → 224×224×3 (center crop 480×480)
if (!filter || 'u8_resize'.includes(filter)) {
  console.log('\nresize bilinear + normalize  640×480 RGBA, crop 480×480 → 224×224×3');
  reset();
  const src = alloc(640 * 480); // 640·480·4 bytes
  for (let i = 0; i < 640 * 480 * 4; i++) U8[src + i] = (i * 31) & 255;
  const dst = alloc(224 * 224 * 3, false);
  for (const name of kernels('u8_resize')) {
    const s = time(() => X[name](src, 640, 480, 4, 80, 0, 480, 480, dst, 224, 224, 1 / 127.5, 1 / 127.5, 1 / 127.5, -1, -1, -1));
    console.log(`  ${name.padEnd(36)} ${(s * 1e3).toFixed(3).padStart(8)} ms  (${(224 * 224 / s / 1e6).toFixed(1)} Mpixel/s)`);
  }
}
