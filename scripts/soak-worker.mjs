// The storm's worker (scripts/soak.mjs): the engine's own worker entry, which dies (exits its thread) a few ms after
// its k-th message, k drawn from 5..80, so most deaths land in the middle of a call and some during a load.
// (The entry is imported first: a message that came before its listener would be lost.)
import { parentPort } from 'node:worker_threads';

await import(new URL('../dist/worker.js', import.meta.url).href);
const k = 5 + Math.floor(Math.random() * 76);
let seen = 0;
parentPort.on('message', () => {
  if (++seen === k) setTimeout(() => process.exit(1), Math.random() * 20);
});
