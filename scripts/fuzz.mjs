// The model and image fuzzer: mutates the shipped and shared models (and images), loads and runs every mutant in
// a child process with a memory and a time cap, and sorts the outcomes:
//   typed   an EngineError subclass (ModelFormatError, InputError, …): the engine refused it, as it should
//   ran     it loaded and ran (a mutation the format tolerates)
//   untyped any other error escaped (RangeError, TypeError, stack overflow…)   ┐
//   trap    a WebAssembly.RuntimeError escaped                                  │ defects: the mutant is saved to
//   crash   the child died                                                      │ the corpus (test/fuzz/corpus/),
//   hang    the mutant took longer than the time cap                            │ which `npm test` replays
//   memory  the child's memory grew past the cap                                ┘
// Mutations are a deterministic function of --seed: truncation, bit flips, byte runs, 4-byte field overwrites
// with boundary values, and structural edits of JSON headers (native format) and model.json (dims, offsets,
// dtypes, nesting).
//
//   node scripts/fuzz.mjs [--format tflite|tfjs|native|image|all] [--count N] [--seed S] [--jobs 2]
//                         [--time-ms 10000] [--memory-mb 1024] [--save-corpus] [--json] [--dist dir]
// Needs dist/ (npm run build); --dist runs another build of the engine (e.g. an older one, to collect defects).
// Exit status 1 when a defect was found.
//
// The corpus (test/fuzz/corpus/<format>-<id>.json, replayed by test/fuzz/corpus.test.ts) stores each defect's
// mutant as a patch against its seed: the seed's name, then the bytes that replace seed[prefix, length - suffix)
// (base64). Seeds are the shipped and shared models or files built here deterministically, so no model is copied.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test/fuzz/corpus');
const SHARED = path.resolve(ROOT, '../shared/data');
/** The engine build the children run (--dist). */
let DIST = path.join(ROOT, 'dist');

// ---- mutations ----------------------------------------------------------------------------------------------

/** mulberry32: the project's seeded generator (src/models/random.ts), repeated here to keep this script standalone. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 65536, 224, 1001];

/** Byte-level mutants of `bytes`, focused on its first `hot` bytes (headers, tables) half of the time. */
function mutateBytes(bytes, rand, hot = bytes.length) {
  const at = (region) => Math.floor(rand() * region);
  const region = rand() < 0.5 ? Math.min(hot, bytes.length) : bytes.length;
  const out = bytes.slice();
  const kind = Math.floor(rand() * 5);
  switch (kind) {
    case 0: return { kind: 'truncate', bytes: bytes.subarray(0, at(bytes.length)) };
    case 1: {
      const n = 1 + at(8);
      for (let i = 0; i < n; i++) {
        const p = at(region);
        out[p] ^= 1 << at(8);
      }
      return { kind: 'bitflip', bytes: out };
    }
    case 2: {
      const p = at(region);
      const len = 1 + at(64);
      out.fill([0, 0xff, 0x41][at(3)], p, Math.min(out.length, p + len));
      return { kind: 'byterun', bytes: out };
    }
    case 3: {
      const p = at(Math.max(1, region - 4));
      const v = BOUNDARY[at(BOUNDARY.length)];
      new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(p, v >>> 0, true);
      return { kind: 'field32', bytes: out };
    }
    default: {
      // Copy a chunk of the file over another place (duplicated tables, crossed offsets).
      const from = at(region);
      const chunk = bytes.subarray(from, Math.min(bytes.length, from + 1 + at(256)));
      out.set(chunk, Math.min(at(region), out.length - chunk.length));
      return { kind: 'splice', bytes: out };
    }
  }
}

/** A structural edit of a JSON value: a number made huge/negative/NaN-like, a type changed, an array nested deep. */
function mutateJson(value, rand) {
  const paths = [];
  const walk = (v, p) => {
    if (p.length > 12) return;
    paths.push(p);
    if (Array.isArray(v)) v.slice(0, 40).forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const k of Object.keys(v).slice(0, 60)) walk(v[k], [...p, k]);
  };
  walk(value, []);
  const target = paths[Math.floor(rand() * paths.length)];
  const replacements = [
    () => 2 ** 31, () => -1, () => 0, () => 1e308, () => -(2 ** 53), () => 0.5, () => 100000,
    () => 'float16', () => 'int64', () => null, () => true, () => [], () => ({}),
    () => DEEP, // an array nested 5000 deep, spliced in by stringify() (JSON.stringify itself would overflow)
    () => Array.from({ length: 100000 }, (_, i) => i), () => 'x'.repeat(1 << 20),
  ];
  const make = replacements[Math.floor(rand() * replacements.length)];
  if (target.length === 0) return make();
  const copy = structuredClone(value);
  let parent = copy;
  for (const k of target.slice(0, -1)) parent = parent[k];
  const last = target[target.length - 1];
  if (rand() < 0.15 && !Array.isArray(parent)) delete parent[last];
  else parent[last] = make();
  return copy;
}

/** Stands for an array nested 5000 deep in a mutated JSON value; stringify() writes it out. */
const DEEP = '\u0000deep\u0000';

/** JSON text of a mutated value, with DEEP written as 5000 nested arrays. */
function stringify(v) {
  return JSON.stringify(v).replaceAll(JSON.stringify(DEEP), `${'['.repeat(5000)}1${']'.repeat(5000)}`);
}

/** The native format: 8-byte header length, JSON header, tensor bytes. Structural edits rewrite the header. */
function mutateNative(bytes, rand) {
  if (rand() < 0.5) return mutateBytes(bytes, rand, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)));
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const edited = new TextEncoder().encode(stringify(mutateJson(header, rand)));
  const out = new Uint8Array(8 + edited.length + (bytes.length - 8 - n));
  new DataView(out.buffer).setBigUint64(0, BigInt(edited.length), true);
  out.set(edited, 8);
  out.set(bytes.subarray(8 + n), 8 + edited.length);
  return { kind: 'header', bytes: out };
}

// ---- seeds ---------------------------------------------------------------------------------------------------

/** The files each format's mutants start from (what exists on this machine). */
async function seeds(format) {
  const list = [];
  const add = (name, file) => existsSync(file) && list.push({ name, bytes: new Uint8Array(readFileSync(file)) });
  if (format === 'tflite') {
    add('default', path.join(ROOT, 'models/mobilenet_v2_1.0_224_quant.tflite'));
    add('deeplab', path.join(SHARED, 'models/deeplabv3_mnv2_dm05_pascal_quant.tflite'));
    add('tf2-int8', path.join(SHARED, 'models/tf2_mobilenet_v2_1.0_224_ptq.tflite'));
  } else if (format === 'native') {
    const { buildMobileNetV2, writeNative, loadGraph } = await import(path.join(DIST, 'index.js'));
    list.push({ name: 'small-f32', bytes: writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 5 })) });
    // The default uint8 model in the native format: quantized values, integer weights, labelOffset.
    list.push({ name: 'default-u8', bytes: writeNative(await loadGraph(path.join(ROOT, 'models/mobilenet_v2_1.0_224_quant.tflite'))) });
  } else if (format === 'tfjs') {
    for (const t of tfjsSeeds()) list.push({ ...t, weight: t.name === 'nsfwjs' ? 0.1 : 0.9 });
  } else if (format === 'image') {
    const sharp = (await import('sharp')).default;
    const raw = Buffer.alloc(48 * 40 * 3).map((_, i) => (i * 37) & 255);
    const img = () => sharp(raw, { raw: { width: 48, height: 40, channels: 3 } });
    list.push({ name: 'png', bytes: new Uint8Array(await img().png().toBuffer()) });
    list.push({ name: 'jpeg', bytes: new Uint8Array(await img().jpeg().toBuffer()) });
    list.push({ name: 'webp', bytes: new Uint8Array(await img().webp().toBuffer()) });
    list.push({ name: 'gif', bytes: new Uint8Array(await img().gif().toBuffer()) });
    list.push({ name: 'tiff', bytes: new Uint8Array(await img().tiff().toBuffer()) });
    // A 24-bit BMP written by hand (sharp writes none).
    const w = 48, h = 40, row = Math.ceil((w * 3) / 4) * 4;
    const bmp = new Uint8Array(54 + row * h);
    const dv = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    dv.setUint32(2, bmp.length, true); dv.setUint32(10, 54, true); dv.setUint32(14, 40, true);
    dv.setInt32(18, w, true); dv.setInt32(22, h, true); dv.setUint16(26, 1, true); dv.setUint16(28, 24, true);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) bmp.set([raw[(y * w + x) * 3 + 2], raw[(y * w + x) * 3 + 1], raw[(y * w + x) * 3]], 54 + y * row + x * 3);
    list.push({ name: 'bmp', bytes: bmp });
  }
  return list;
}

/**
 * TF.js layers seeds (model.json + one shard each, written to a temporary directory): a tiny functional model
 * made here (conv, batch norm, ReLU6, depthwise, pooling, dense; float32, uint8- and float16-quantized weights),
 * and nsfwjs's MobileNetV2, whose package ships it as JS bundles.
 */
function tfjsSeeds() {
  const out = [];
  const base = path.join(os.tmpdir(), `mobilenet-wasm-fuzz-tfjs-${process.pid}`);
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  const write = (name, json, shard) => {
    const dir = path.join(base, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), shard);
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    writeFileSync(path.join(dir, 'model.json'), bytes);
    out.push({ name, bytes, dir, shard: new Uint8Array(shard) });
  };
  // The tiny model: deterministic weights from mulberry32(7).
  const rand = mulberry32(7);
  const specs = [];
  const chunks = [];
  const weight = (name, shape, quant) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (quant === 'uint8') {
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 2 / 255 } });
      chunks.push(Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)));
    } else if (quant === 'float16') {
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      // Halves in [0.5, 1): exponent 14, a random 10-bit mantissa.
      chunks.push(new Uint8Array(Uint16Array.from({ length: n }, () => (14 << 10) | Math.floor(rand() * 1024)).buffer));
    } else {
      specs.push({ name, shape, dtype: 'float32' });
      chunks.push(new Uint8Array(Float32Array.from({ length: n }, () => rand() * 2 - 1).buffer));
    }
  };
  const layers = [];
  const layer = (class_name, name, config, inputs) => layers.push({
    name, class_name, config: { name, trainable: true, ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
  });
  layers.push({ name: 'input', class_name: 'InputLayer', config: { batch_input_shape: [null, 16, 16, 3], dtype: 'float32', sparse: false, name: 'input' }, inbound_nodes: [] });
  layer('Conv2D', 'conv', { filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true }, ['input']);
  weight('conv/kernel', [3, 3, 3, 8], 'uint8'); weight('conv/bias', [8]);
  layer('BatchNormalization', 'bn', { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true }, ['conv']);
  weight('bn/gamma', [8], 'float16'); weight('bn/beta', [8]); weight('bn/moving_mean', [8]); weight('bn/moving_variance', [8], 'float16');
  layer('ReLU', 'relu', { max_value: 6 }, ['bn']);
  layer('DepthwiseConv2D', 'dw', { kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true }, ['relu']);
  weight('dw/depthwise_kernel', [3, 3, 8, 1]); weight('dw/bias', [8]);
  layer('GlobalAveragePooling2D', 'pool', { data_format: 'channels_last' }, ['dw']);
  layer('Dense', 'dense', { units: 4, activation: 'softmax', use_bias: true }, ['pool']);
  weight('dense/kernel', [8, 4]); weight('dense/bias', [4]);
  const shard = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  write('tiny', {
    format: 'layers-model', generatedBy: 'mobilenet-wasm fuzz', convertedBy: null,
    modelTopology: { keras_version: '2.2.4', backend: 'tensorflow', model_config: { class_name: 'Model', config: { name: 'tiny', layers, input_layers: [['input', 0, 0]], output_layers: [['dense', 0, 0]] } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
  }, shard);
  // nsfwjs: model.min.js exports { modelTopology, weightsManifest }, the shard bundle the base64 of the shard.
  try {
    const req = createRequire(path.join(ROOT, 'package.json'));
    const dir = path.join(path.dirname(req.resolve('nsfwjs')), '../models/mobilenet_v2');
    const model = req(path.join(dir, 'model.min.js'));
    const shards = model.weightsManifest.flatMap((g) => g.paths).map((p) => Buffer.from(req(path.join(dir, `${p}.min.js`)), 'base64'));
    const manifest = [{ paths: ['group1-shard1of1.bin'], weights: model.weightsManifest.flatMap((g) => g.weights) }];
    write('nsfwjs', { format: 'layers-model', modelTopology: model.modelTopology, weightsManifest: manifest }, Buffer.concat(shards));
  } catch {
    // nsfwjs not installed: the tiny seed alone
  }
  return out;
}

/** A mutant of `seed`: { kind, bytes } (the file's mutated bytes), or for a TF.js shard edit { kind, bytes, shard }. */
function mutant(format, seed, rand) {
  if (format === 'native') return mutateNative(seed.bytes, rand);
  if (format === 'tfjs') {
    const r = rand();
    if (r < 0.6) {
      const json = JSON.parse(new TextDecoder().decode(seed.bytes));
      return { kind: 'model.json', bytes: new TextEncoder().encode(stringify(mutateJson(json, rand))) };
    }
    if (r < 0.8) {
      const m = mutateBytes(seed.shard, rand);
      return { kind: `shard-${m.kind}`, bytes: seed.bytes, shard: m.bytes };
    }
  }
  return mutateBytes(seed.bytes, rand, format === 'tflite' ? 4096 : seed.bytes.length);
}

// ---- corpus: mutants as patches against their seeds ------------------------------------------------------------

/** The patch taking `seed` to `bytes`: the common prefix and suffix lengths and the bytes between (deflated, base64). */
export function makePatch(seed, bytes) {
  let p = 0;
  const n = Math.min(seed.length, bytes.length);
  while (p < n && seed[p] === bytes[p]) p++;
  let q = 0;
  while (q < n - p && seed[seed.length - 1 - q] === bytes[bytes.length - 1 - q]) q++;
  return { prefix: p, suffix: q, middle: deflateRawSync(bytes.subarray(p, bytes.length - q), { level: 9 }).toString('base64') };
}

/** `seed` with `patch` applied. */
export function applyPatch(seed, patch) {
  const mid = inflateRawSync(Buffer.from(patch.middle, 'base64'));
  const out = new Uint8Array(patch.prefix + mid.length + patch.suffix);
  out.set(seed.subarray(0, patch.prefix));
  out.set(mid, patch.prefix);
  out.set(seed.subarray(seed.length - patch.suffix), patch.prefix + mid.length);
  return out;
}

/** The corpus entries (test/fuzz/corpus/*.json) turned back into jobs for a child, each with its seed's files. */
export async function corpusJobs(memoryMb = 1024) {
  if (!existsSync(CORPUS)) return [];
  const seedCache = new Map();
  const jobs = [];
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.json')).sort()) {
    const e = JSON.parse(readFileSync(path.join(CORPUS, f), 'utf8'));
    if (!seedCache.has(e.format)) seedCache.set(e.format, await seeds(e.format));
    const s = seedCache.get(e.format).find((x) => x.name === e.seed);
    if (!s) {
      jobs.push({ file: f, entry: e, missing: true });
      continue;
    }
    const job = { format: e.format, bytes: applyPatch(s.bytes, e.patch), dir: s.dir, memoryMb };
    if (e.shardPatch) job.shard = applyPatch(s.shard, e.shardPatch);
    jobs.push({ file: f, entry: e, job });
  }
  return jobs;
}

/** Runs jobs (corpusJobs) in one child each in turn; returns each one's outcome. */
export async function runJobs(jobs, { timeMs = 20_000, memoryMb = 1024 } = {}) {
  const child = new Child(memoryMb);
  const out = [];
  try {
    for (const j of jobs) out.push(j.missing ? { ...j, outcome: 'skipped' } : { ...j, ...(await child.run(j.job, timeMs)) });
  } finally {
    child.close();
  }
  return out;
}

const kinds = new Map();
/** The kinds of defect the corpus holds for `format`. */
function savedKinds(format) {
  if (!kinds.has(format)) {
    const set = new Set();
    if (existsSync(CORPUS)) {
      for (const x of readdirSync(CORPUS)) if (x.startsWith(`${format}-`)) set.add(JSON.parse(readFileSync(path.join(CORPUS, x), 'utf8')).kind);
    }
    kinds.set(format, set);
  }
  return kinds.get(format);
}

/** A seed drawn by weight (default 1 each). */
function pick(list, u) {
  const total = list.reduce((a, x) => a + (x.weight ?? 1), 0);
  let acc = 0;
  for (const x of list) if (u * total < (acc += x.weight ?? 1)) return x;
  return list[list.length - 1];
}

// ---- children --------------------------------------------------------------------------------------------------

/** A child that loads and runs mutants one by one (scripts/fuzz-child.mjs), restarted after a crash or a hang. */
class Child {
  constructor(memoryMb) {
    this.memoryMb = memoryMb;
    this.spawn();
  }

  spawn() {
    this.proc = fork(path.join(ROOT, 'scripts/fuzz-child.mjs'), [DIST], {
      execArgv: [`--max-old-space-size=${this.memoryMb}`, '--stack-size=984'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced',
    });
    this.proc.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-400);
    });
    this.stderr = '';
    this.pending = null;
    this.exited = false;
    const proc = this.proc;
    proc.on('message', (m) => this.pending?.resolve(m));
    // A write to a child that just died (EPIPE) is reported by its exit, not thrown.
    proc.on('error', () => {});
    proc.on('exit', (code, signal) => {
      if (proc !== this.proc) return;
      this.exited = true;
      this.pending?.resolve({ outcome: 'crash', detail: `exit ${code ?? signal}: ${this.stderr.trim().split('\n').pop() ?? ''}` });
    });
  }

  run(job, timeMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = null;
        this.proc.kill('SIGKILL');
        this.spawn();
        resolve({ outcome: 'hang', detail: `over ${timeMs} ms` });
      }, timeMs);
      this.pending = {
        resolve: (m) => {
          clearTimeout(timer);
          this.pending = null;
          if (m.outcome === 'crash' || m.outcome === 'memory' || this.exited) this.spawn();
          resolve(m);
        },
      };
      if (this.exited) this.spawn();
      this.proc.send(job);
    });
  }

  close() {
    this.proc.kill();
  }
}

// ---- main ------------------------------------------------------------------------------------------------------

const DEFECTS = new Set(['untyped', 'trap', 'crash', 'hang', 'memory']);

export async function fuzz({ format = 'all', count = 200, seed = 1, jobs = 2, timeMs = 10_000, memoryMb = 1024, saveCorpus = false, dist, log = console.log } = {}) {
  if (dist) DIST = path.resolve(dist);
  if (!existsSync(path.join(DIST, 'index.js'))) throw new Error(`fuzz: ${DIST} is not built; run \`npm run build\``);
  const formats = format === 'all' ? ['tflite', 'native', 'tfjs', 'image'] : [format];
  const table = {};
  const defects = [];
  for (const f of formats) {
    const list = await seeds(f);
    if (list.length === 0) {
      log(`${f}: no seed files here; skipped`);
      continue;
    }
    const row = (table[f] = { tried: 0, typed: 0, ran: 0, untyped: 0, trap: 0, crash: 0, hang: 0, memory: 0 });
    const children = Array.from({ length: jobs }, () => new Child(memoryMb));
    const rand = mulberry32(seed ^ (f.length * 0x9e3779b1));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(children.map(async (child) => {
      while (next < count) {
        const i = next++;
        const s = pick(list, rand());
        const m = mutant(f, s, rand);
        const job = { format: f, bytes: m.bytes, dir: s.dir, shard: m.shard, memoryMb };
        const r = await child.run(job, timeMs);
        row.tried++;
        row[r.outcome]++;
        if (DEFECTS.has(r.outcome)) {
          const id = createHash('sha256').update(m.bytes).update(m.shard ?? new Uint8Array(0)).digest('hex').slice(0, 16);
          defects.push({ format: f, seed: s.name, mutation: m.kind, outcome: r.outcome, detail: r.detail, id });
          // One corpus entry per kind of defect (format and the error's first words): a new bug, not a repeat.
          const kind = `${f}:${r.outcome}:${String(r.detail).replace(/\d+/g, 'N').slice(0, 60)}`;
          if (saveCorpus && !savedKinds(f).has(kind)) {
            savedKinds(f).add(kind);
            mkdirSync(CORPUS, { recursive: true });
            const entry = {
              format: f, seed: s.name, mutation: m.kind, found: r.outcome, kind, detail: String(r.detail).slice(0, 300), patch: makePatch(s.bytes, m.bytes),
              ...(m.shard ? { shardPatch: makePatch(s.shard, m.shard) } : {}),
            };
            writeFileSync(path.join(CORPUS, `${f}-${id}.json`), `${JSON.stringify(entry, null, 1)}\n`);
          }
        }
        if (i % 500 === 499) log(`${f}: ${i + 1}/${count} (${((performance.now() - t0) / 1000).toFixed(0)} s) ${JSON.stringify(row)}`);
      }
    }));
    children.forEach((c) => c.close());
    row.seconds = +((performance.now() - t0) / 1000).toFixed(1);
  }
  return { table, defects };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      format: { type: 'string', default: 'all' }, count: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' },
      jobs: { type: 'string', default: '2' }, 'time-ms': { type: 'string', default: '10000' }, 'memory-mb': { type: 'string', default: '1024' },
      'save-corpus': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, dist: { type: 'string' },
    },
  });
  const int = (k) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < 0) {
      console.error(`fuzz: --${k} must be a non-negative integer, got "${values[k]}"`);
      process.exit(2);
    }
    return v;
  };
  if (!['all', 'tflite', 'tfjs', 'native', 'image'].includes(values.format)) {
    console.error(`fuzz: --format must be tflite, tfjs, native, image or all, got "${values.format}"`);
    process.exit(2);
  }
  const r = await fuzz({
    format: values.format, count: int('count'), seed: int('seed'), jobs: Math.max(1, int('jobs')), timeMs: int('time-ms'),
    memoryMb: int('memory-mb'), saveCorpus: values['save-corpus'], dist: values.dist, log: values.json ? () => {} : console.log,
  });
  if (values.json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log('\nformat   tried   typed     ran  untyped  trap  crash  hang  memory  seconds');
    for (const [f, r0] of Object.entries(r.table)) {
      console.log(`${f.padEnd(7)} ${String(r0.tried).padStart(6)} ${String(r0.typed).padStart(7)} ${String(r0.ran).padStart(7)} ${String(r0.untyped).padStart(8)} ${String(r0.trap).padStart(5)} ${String(r0.crash).padStart(6)} ${String(r0.hang).padStart(5)} ${String(r0.memory).padStart(7)} ${String(r0.seconds).padStart(8)}`);
    }
    for (const d of r.defects.slice(0, 20)) console.log(`DEFECT ${d.format} ${d.outcome} (${d.mutation} of ${d.seed}, ${d.id}): ${String(d.detail).slice(0, 200)}`);
  }
  process.exit(r.defects.length ? 1 : 0);
}
