// `npm run bench:browser`: our engine against LiteRT.js, TensorFlow.js wasm and ONNX Runtime Web in headless
// Chromium (see ./harness.ts for what runs where). Exits 0 with a message when Chromium or ../shared/data is absent.
// Usage: npm run bench:browser [-- --runs 30 --warmup 5 --first 5 --models uint8,int8,nsfw,default-f32 --threads 1,2 --no-pair --json]
import { parseArgs, numberFlag, stringFlag } from '../../src/cli/args.js';
import { MODEL_IDS, formatReport, runBrowserBench, type ModelId } from './harness.js';

const args = parseArgs('bench:browser', process.argv.slice(2), {
  runs: { type: 'string' }, warmup: { type: 'string' }, first: { type: 'string' }, models: { type: 'string' }, threads: { type: 'string' },
  'no-pair': { type: 'boolean' }, json: { type: 'boolean' },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const models = list(stringFlag(args, 'models') ?? MODEL_IDS.join(','));
for (const m of models) {
  if (!MODEL_IDS.includes(m as ModelId)) { console.error(`bench:browser: --models: unknown model "${m}" (known: ${MODEL_IDS.join(', ')})`); process.exit(2); }
}
const threads = list(stringFlag(args, 'threads') ?? '1,2').map(Number);
if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 2)) { console.error('bench:browser: --threads takes 1, 2 or 1,2'); process.exit(2); }
const json = args.flags.has('json');
const outcome = await runBrowserBench({
  runs: numberFlag(args, 'runs', 30, { integer: true, min: 1 }),
  warmup: numberFlag(args, 'warmup', 5, { integer: true, min: 0 }),
  firstRuns: numberFlag(args, 'first', 5, { integer: true, min: 0 }),
  models: models as ModelId[], threads, pair: !args.flags.has('no-pair'),
  log: json ? undefined : (s) => console.log(s),
});
if (outcome.skipped !== undefined) {
  console.log(`bench:browser: skipped: ${outcome.skipped}`);
  process.exit(0);
}
console.log(json ? JSON.stringify(outcome, null, 2) : `\n${formatReport(outcome)}`);
process.exit(0);
