// scripts/serve-web.mjs on its own (no browser): 127.0.0.1 only, COOP/COEP/CORP on every response,
// MIME types the browser needs (application/wasm, the manifest), '/' → index.html, nothing outside the
// root however the path is spelled, GET/HEAD only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';

interface WebServer { origin: string; port: number; close(): Promise<void> }
interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

const tmp = mkdtempSync(path.join(tmpdir(), 'mnw-serve-'));
const root = path.join(tmp, 'site');
let server: WebServer;

/** A raw request: the path goes out exactly as written (fetch would normalize the dot segments). */
function get(rawPath: string, method = 'GET'): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serve-web', () => {
  beforeAll(async () => {
    mkdirSync(path.join(root, 'dist/wasm'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(root, 'dist/wasm/k.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
    writeFileSync(path.join(root, 'manifest.webmanifest'), '{}');
    writeFileSync(path.join(tmp, 'secret.txt'), 'outside the root');
    const { serveWeb } = (await import(pathToFileURL(path.join(ROOT, 'scripts/serve-web.mjs')).href)) as {
      serveWeb(o: { root: string; port: number }): Promise<WebServer>;
    };
    server = await serveWeb({ root, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on the port asked for (0: a free one)', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves / as index.html with COOP, COEP and CORP', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('gives wasm and the manifest their MIME types', async () => {
    expect((await get('/dist/wasm/k.wasm')).headers['content-type']).toBe('application/wasm');
    expect((await get('/manifest.webmanifest')).headers['content-type']).toBe('application/manifest+json');
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/dist/..%2f..%2fsecret.txt', '/%00', '/nope.js', '/dist'])(
    'answers 404 for %s', async (p) => {
      const r = await get(p);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('outside the root');
      expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
    },
  );

  it('allows only GET and HEAD', async () => {
    expect((await get('/', 'HEAD')).status).toBe(200);
    expect((await get('/', 'POST')).status).toBe(405);
  });
});
