// Deno test (run by `deno test`, not vitest; test/deno/deno.test.ts spawns it): the BUILT ESM bundle
// dist/index.js classifies with the default model in Deno, on the main thread and, once dist/worker.js is
// built, in a worker. When test/deno/deno.test.ts passes MNW_DENO_FIXTURE (raw RGBA pixels of
// ../shared/data/images/cat.png decoded by sharp, plus Node's top-5 for them), the results must match Node's:
// top-1 identical and every score within 1e-4. Run alone, it classifies a synthetic image and checks sanity.
//
//   deno test --allow-read --allow-env --no-check test/deno/classify_test.ts
//
// Self-contained on purpose: no jsr:/npm: imports (the machine reaches no registry but npm's), and typed
// through a local interface so tsc (tsconfig.json, Node types) checks this file too.

interface DenoTest {
  test(name: string, fn: () => Promise<void>): void;
  test(options: { name: string; ignore?: boolean; sanitizeOps?: boolean; sanitizeResources?: boolean; fn: () => Promise<void> }): void;
  readFile(path: string | URL): Promise<Uint8Array>;
  readTextFile(path: string | URL): Promise<string>;
  stat(path: string | URL): Promise<unknown>;
  env: { get(name: string): string | undefined };
}
const Deno = (globalThis as unknown as { Deno: DenoTest }).Deno;

interface Classification { index: number; label: string; score: number }
interface Image { data: Uint8Array; width: number; height: number; channels: 3 | 4 }
interface Fixture { pixels: string; width: number; height: number; channels: 3 | 4; expected: Classification[]; source: string }
interface ModelLike {
  info: { isa: string; name: string; labels: string[] };
  classify(img: Image, opts?: { topK?: number }): Promise<Classification[]>;
  dispose(): void | Promise<void>;
}
interface Engine { loadModel(src: string, opts?: Record<string, unknown>): Promise<ModelLike> }

const DIST = new URL('../../dist/', import.meta.url);
const TOP_K = 5;
const TOLERANCE = 1e-4;

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}

async function engine(): Promise<Engine> {
  if (!(await exists(new URL('index.js', DIST)))) throw new Error('dist/index.js is missing: run `npm run build` first');
  return (await import(new URL('index.js', DIST).href)) as Engine;
}

/** The fixture from Node (cat.png pixels + Node's results), or a synthetic image with no expectations. */
async function input(): Promise<{ image: Image; expected: Classification[] | null; source: string }> {
  const path = Deno.env.get('MNW_DENO_FIXTURE');
  if (path) {
    const f = JSON.parse(await Deno.readTextFile(path)) as Fixture;
    return { image: { data: await Deno.readFile(f.pixels), width: f.width, height: f.height, channels: f.channels }, expected: f.expected, source: f.source };
  }
  const width = 160;
  const height = 120;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 7) & 255, 255], i * 4);
  }
  return { image: { data, width, height, channels: 4 }, expected: null, source: 'synthetic gradient' };
}

function check(got: Classification[], expected: Classification[] | null, where: string): void {
  if (got.length !== TOP_K) throw new Error(`${where}: expected ${TOP_K} results, got ${got.length}`);
  // Probabilities of the default ImageNet model: each in [0, 1], highest first, the top 5 summing to at most 1.
  const sum = got.reduce((s, c) => s + c.score, 0);
  if (!got.every((c, i) => c.score >= 0 && c.score <= 1 && (i === 0 || c.score <= got[i - 1].score))) {
    throw new Error(`${where}: scores are not probabilities in descending order: ${got.map((c) => c.score).join(', ')}`);
  }
  if (!(sum > 0 && sum < 1.01)) throw new Error(`${where}: top-5 probabilities sum to ${sum}, expected at most 1`);
  if (!expected) return;
  if (got[0].index !== expected[0].index) {
    throw new Error(`${where}: top-1 is ${got[0].label} (${got[0].score}), Node says ${expected[0].label} (${expected[0].score})`);
  }
  for (const e of expected) {
    const g = got.find((c) => c.index === e.index);
    if (!g || Math.abs(g.score - e.score) > TOLERANCE) {
      throw new Error(`${where}: score of ${e.label} is ${g?.score}, Node says ${e.score} (tolerance ${TOLERANCE})`);
    }
  }
}

Deno.test('dist/index.js classifies with the default model on the main thread (isa auto)', async () => {
  const { loadModel } = await engine();
  const { image, expected, source } = await input();
  const model = await loadModel('default');
  try {
    const got = await model.classify(image, { topK: TOP_K });
    console.log(`deno main thread, isa ${model.info.isa}, ${source}: ${got.map((c) => `${c.label} ${c.score.toFixed(6)}`).join(', ')}`);
    check(got, expected, `main thread (${model.info.isa})`);
  } finally {
    await model.dispose();
  }
});

Deno.test('dist/index.js classifies with the SIMD128 and scalar modules alike', async () => {
  const { loadModel } = await engine();
  const { image, expected } = await input();
  for (const isa of ['simd', 'scalar']) {
    const model = await loadModel('default', { isa });
    try {
      if (model.info.isa !== isa) throw new Error(`asked for isa ${isa}, got ${model.info.isa}`);
      check(await model.classify(image, { topK: TOP_K }), expected, `main thread (${isa})`);
    } finally {
      await model.dispose();
    }
  }
});

const hasWorker = await exists(new URL('worker.js', DIST));
Deno.test({
  name: `dist/index.js classifies in a worker (dist/worker.js)${hasWorker ? '' : ' — skipped: dist/worker.js is not built yet'}`,
  ignore: !hasWorker,
  // A worker's message port may close after the test body returns.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { loadModel } = await engine();
    const { image, expected, source } = await input();
    const model = await loadModel('default', { worker: true });
    try {
      const got = await model.classify(image, { topK: TOP_K });
      console.log(`deno worker, isa ${model.info.isa}, ${source}: ${got.map((c) => `${c.label} ${c.score.toFixed(6)}`).join(', ')}`);
      check(got, expected, `worker (${model.info.isa})`);
    } finally {
      await model.dispose();
    }
  },
});
