// src/platform.ts under Node: the one place that tells the platform, counts cores and starts workers.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { canStartWorkers, coreCount, inWebWorker, isNode, startWorker, usesNodeWorkers } from '../src/platform.js';
import { ROOT } from './helpers/shared.js';

const dir = path.join(ROOT, 'build', `.platform-test-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module worker script in build/ (Node's workers take file URLs). */
function script(name: string, body: string): URL {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return pathToFileURL(file);
}

describe('platform', () => {
  it('knows it is on Node, on the main thread, with worker_threads and every core', async () => {
    expect(isNode).toBe(true);
    expect(inWebWorker()).toBe(false);
    expect(usesNodeWorkers()).toBe(true);
    expect(canStartWorkers()).toBe(true);
    expect(await coreCount()).toBe(availableParallelism());
  });

  it('startWorker: messages both ways, then exit reported with its code', async () => {
    const url = script('echo.mjs', `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => { parentPort.postMessage({ echo: m }); if (m === 'bye') process.exit(3); });`);
    const w = await startWorker(url);
    expect(w.node).toBe(true);
    const exited = new Promise<number>((resolve) => w.onExit(resolve));
    const first = new Promise((resolve) => w.onMessage(resolve));
    w.postMessage('hi');
    expect(await first).toEqual({ echo: 'hi' });
    w.postMessage('bye');
    expect(await exited).toBe(3);
  });

  it('startWorker: an uncaught error reaches onError with its message; a file: URL string works too', async () => {
    const url = script('throws.mjs', "throw new RangeError('boom at start');");
    const w = await startWorker(url.href);
    const [message, error] = await new Promise<[string, Error | undefined]>((resolve) => w.onError((m, e) => resolve([m, e])));
    expect(message).toBe('boom at start');
    expect(error?.name).toBe('RangeError');
    await w.terminate();
  });
});
