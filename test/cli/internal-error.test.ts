// An error the engine did not throw on purpose (a bug: here a TypeError from a mocked decoder) still reaches the
// user as one line, saying it is internal; --debug shows its stack.
import { describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers/shared.js';

vi.mock('../../src/image/decode-node.js', () => ({
  decodeImage: async () => { throw new TypeError('Cannot read properties of undefined\n(reading "width")'); },
}));

async function cli(...argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(...a.join(' ').split('\n')); });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return { code: await main(argv), err };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

describe('an internal error', () => {
  const image = path.join(ROOT, 'models/sample.svg');

  it('is one line with exit status 1, and not taken for a bad image in a batch', async () => {
    const r = await cli('classify', image, image);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['mobilenet-wasm: TypeError: Cannot read properties of undefined (reading "width") (an internal error: --debug shows where)']);
  });

  it('shows its stack with --debug', async () => {
    const r = await cli('classify', image, '--debug');
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('TypeError: Cannot read properties of undefined');
    expect(r.err.some((l) => /^\s+at /.test(l))).toBe(true);
  });
});
