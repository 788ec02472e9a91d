// One fuzzing child (scripts/fuzz.mjs forks it): loads and runs each mutant it is sent, reports how it ended.
// Runs the built bundle (dist/index.js) as a user would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The engine build to run: argv[2] (fuzz.mjs --dist), else this checkout's dist/.
const engine = await import(path.join(path.resolve(process.argv[2] ?? path.join(ROOT, 'dist')), 'index.js'));
const TYPED = new Set(['EngineError', 'ModelFormatError', 'UnsupportedOpError', 'ShapeError', 'InputError', 'DisposedError', 'KernelError', 'ResourceLimitError']);
let small;

/** Loads (and for models, runs once) the mutant; throws what the engine throws. */
async function attempt(job) {
  const bytes = new Uint8Array(job.bytes.buffer ?? job.bytes, job.bytes.byteOffset ?? 0, job.bytes.byteLength ?? job.bytes.length);
  if (job.format === 'image') {
    const img = await engine.decodeImage(bytes);
    small ??= await engine.loadModel(engine.buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 3 }));
    await small.classify(img);
    return;
  }
  const opts = {};
  if (job.format === 'tfjs') {
    // The seed's shards, as a browser's file picker would give them.
    // The seed's shards (or the mutated one), as a browser's file picker would give them.
    const manifest = JSON.parse(readFileSync(path.join(job.dir, 'model.json'), 'utf8')).weightsManifest ?? [];
    opts.weightFiles = Object.fromEntries(manifest.flatMap((g) => g.paths).map((p) => [p, job.shard ?? readFileSync(path.join(job.dir, p))]));
  }
  const model = await engine.loadModel(bytes, opts);
  try {
    const { inputShape, inputType } = model.info;
    const n = inputShape.reduce((a, b) => a * b, 1);
    const input = inputType === 'float32' ? new Float32Array(n).fill(0.5) : inputType === 'int8' ? new Int8Array(n).fill(3) : new Uint8Array(n).fill(128);
    await model.run(input);
  } finally {
    model.dispose();
  }
}

process.on('message', async (job) => {
  let outcome = 'ran';
  let detail = '';
  try {
    await attempt(job);
  } catch (e) {
    detail = `${e?.name}: ${String(e?.message).slice(0, 300)}`;
    if (e instanceof WebAssembly.RuntimeError) outcome = 'trap';
    else if (e instanceof Error && TYPED.has(e.name) && e instanceof engine.EngineError) outcome = 'typed';
    else outcome = 'untyped';
  }
  const rss = process.memoryUsage().rss;
  if (rss > job.memoryMb * 2 ** 20) {
    outcome = 'memory';
    detail = `RSS ${(rss / 2 ** 20).toFixed(0)} MiB after the mutant (cap ${job.memoryMb} MiB); was: ${detail || 'ran'}`;
    process.send({ outcome, detail }, () => process.exit(0));
    return;
  }
  process.send({ outcome, detail });
});
