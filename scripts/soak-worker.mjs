// The storm's worker (scripts/soak.mjs): the engine's own worker entry, which dies (exits its thread) at a random
// moment 20-400 ms after it starts, often in the middle of a call.
import { setTimeout as sleep } from 'node:timers/promises';
await import(new URL('../dist/worker.js', import.meta.url).href);
await sleep(300 + Math.random() * 1200);
process.exit(1);
