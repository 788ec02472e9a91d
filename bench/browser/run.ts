// `npm run bench:browser`: our engine against LiteRT.js, TensorFlow.js wasm and ONNX Runtime Web in headless
// Chromium (see ./harness.ts for what runs where). Exits 0 with a message when Chromium or ../shared/data is absent.
// Usage: npm run bench:browser [-- --runs 30 --warmup 5 --first 5 --models uint8,int8,nsfw,default-f32 --threads 1,2 --no-pair --no-peers --profile 20 --first-only --json
//        --save <file.json>]   (--json prints the raw result instead of the report; --save writes it beside the report)
import { writeFileSync } from 'node:fs';
import { parseArgs, numberFlag, stringFlag, wantsHelp } from '../../src/cli/args.js';
import { InputError } from '../../src/errors.js';
import { MODEL_IDS, formatReport, runBrowserBench, type ModelId } from './harness.js';

const USAGE = 'usage: npm run bench:browser [-- --runs 30 --warmup 5 --first 5 --models uint8,int8,nsfw,default-f32 --threads 1,2 --no-pair --no-peers --profile 20 --first-only --json --save <file.json>]';
if (wantsHelp(process.argv.slice(2))) { console.log(USAGE); process.exit(0); }
let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs('bench:browser', process.argv.slice(2), {
    runs: { type: 'string' }, warmup: { type: 'string' }, first: { type: 'string' }, models: { type: 'string' }, threads: { type: 'string' },
    'no-pair': { type: 'boolean' }, 'first-only': { type: 'boolean' }, 'no-peers': { type: 'boolean' }, profile: { type: 'string' }, json: { type: 'boolean' }, save: { type: 'string' },
  });
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  console.error(`${e.message.replace(/ \(mobilenet-wasm .*--help lists the options\)$/, '')}\n${USAGE}`);
  process.exit(2);
}
const flag = (key: string, fallback: number) => {
  try {
    return numberFlag(args, key, fallback, { integer: true, min: key === 'runs' ? 1 : 0 });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(e.message); // names the command and the flag already
    process.exit(2);
  }
};
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const models = list(stringFlag(args, 'models') ?? MODEL_IDS.join(','));
for (const m of models) {
  if (!MODEL_IDS.includes(m as ModelId)) { console.error(`bench:browser: --models: unknown model "${m}" (known: ${MODEL_IDS.join(', ')})`); process.exit(2); }
}
const threads = list(stringFlag(args, 'threads') ?? '1,2').map(Number);
if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 2)) { console.error('bench:browser: --threads takes 1, 2 or 1,2'); process.exit(2); }
const json = args.flags.has('json');
const outcome = await runBrowserBench({
  runs: flag('runs', 30),
  warmup: flag('warmup', 5),
  firstRuns: flag('first', 5),
  models: models as ModelId[], threads: args.flags.has('first-only') ? [] : threads, pair: !args.flags.has('no-pair'),
  peers: !args.flags.has('no-peers'), profile: flag('profile', 0),
  log: json ? undefined : (s) => console.log(s),
});
if (outcome.skipped !== undefined) {
  console.log(`bench:browser: skipped: ${outcome.skipped}`);
  process.exit(0);
}
console.log(json ? JSON.stringify(outcome, null, 2) : `\n${formatReport(outcome)}`);
const save = stringFlag(args, 'save');
if (save) writeFileSync(save, JSON.stringify(outcome, null, 2));
process.exit(0);
