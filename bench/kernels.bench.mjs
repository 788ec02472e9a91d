// Kernel micro-benchmark on MobileNetV2 (224×224, α = 1) layer shapes: GFLOP/s (2 × multiply-adds) per
// kernel variant in dist/wasm/mobilenet-simd.wasm (SIMD kernels and their scalar twins).
//
//   npm run asbuild && node bench/kernels.bench.mjs [--quick] [--filter gemm|dwconv|conv3x3|preprocess]
//
// Kernels come from the registry (src/plan/registry.ts, through ./registry.mjs), shapes from ./kernel-shapes.json.
//
// Each shape is timed as a whole layer (dwconv: one call per output row, as the executor does), best of
// several trials after warm-up. Weights and activations are arbitrary finite values; timings do not depend
// on them. The machine's f32 peak with separate mul + add is about 25 G multiply-adds/s = 50 GFLOP/s per core.
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

const memory = new WebAssembly.Memory({ initial: 4096 }); // 256 MiB
const { instance } = await WebAssembly.instantiate(readFileSync(WASM), { env: { memory } });
const X = instance.exports;
const F32 = new Float32Array(memory.buffer);
const U8 = new Uint8Array(memory.buffer);
/** The registry's f32 kernels of `op` in this module (src/plan/registry.ts, through ./registry.mjs). */
const kernels = (op) => kernelsOf(op).map((k) => k.name);

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

// ---- GEMM (1×1 convolutions): [m = pixels, k = in channels, n = out channels] (./kernel-shapes.json)
function gemmLayer(fn, [m, k, n]) {
  reset();
  const a = alloc(m * k);
  const packed = alloc(Math.ceil(n / 8) * (8 + 8 * k));
  const c = alloc(m * n, false);
  return () => fn(m, n, k, a, k, packed, c, n, 0, 0, 0, 6);
}

// ---- depthwise 3×3: [input width = height, channels, stride], padding 1 (stride 1) / TF SAME (stride 2)
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

function report(title, op, layer, macs) {
  if (filter && !op.includes(filter)) return;
  const { headline, model } = SHAPES[op];
  console.log(`\n${title}`);
  for (const name of kernels(op)) {
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
report('GEMM  [m, k, n]', 'gemm', gemmLayer, ([m, k, n]) => m * k * n);
report('depthwise 3×3  [width, channels, stride] (whole layer, one call per output row)', 'dwconv',
  dwLayer, ([w, c, s]) => Math.ceil(w / s) ** 2 * c * 9);

// ---- stem: [inH, inW, inC, outC, stride], TF SAME padding (top/left 0)
if (!filter || 'conv3x3'.includes(filter)) {
  for (const [inH, inW, inC, outC, stride] of SHAPES.conv3x3.shapes) {
    const outH = Math.ceil(inH / stride), outW = Math.ceil(inW / stride);
    console.log(`\nstem conv 3×3 HWC  ${inW}×${inH}×${inC} → ${outW}×${outH}×${outC} stride ${stride}`);
    reset();
    const input = alloc(inH * inW * inC);
    const packed = alloc((outC / 8) * (8 + 72 * inC));
    const out = alloc(outH * outW * outC, false);
    for (const name of kernels('conv3x3')) {
      const s = time(() => X[name](inH, inW, inC, input, stride, 0, 0, packed, outC, out, outW, 0, outH, 0, 6));
      console.log(`  ${name.padEnd(36)} ${fmt(2 * outH * outW * outC * 9 * inC, s)}`);
    }
  }
}

// ---- preprocessing (image staging): RGBA → cropped, resized, normalized f32 input
if (!filter || 'preprocess'.includes(filter)) {
  for (const [sw, sh, ch, cx, cy, cw, chh, dw, dh] of SHAPES.preprocess.shapes) {
    console.log(`\nresize bilinear + normalize  ${sw}×${sh}×${ch}, crop ${cw}×${chh} → ${dw}×${dh}×3`);
    reset();
    const src = alloc(sw * sh * ch / 4);
    for (let i = 0; i < sw * sh * ch; i++) U8[src + i] = (i * 31) & 255;
    const dst = alloc(dw * dh * 3, false);
    for (const name of kernels('preprocess')) {
      const s = time(() => X[name](src, sw, sh, ch, cx, cy, cw, chh, dst, dw, dh, 1 / 127.5, 1 / 127.5, 1 / 127.5, -1, -1, -1));
      console.log(`  ${name.padEnd(36)} ${(s * 1e3).toFixed(3).padStart(8)} ms  (${(dw * dh / s / 1e6).toFixed(1)} Mpixel/s)`);
    }
  }
}
