// scripts/serve-web.mjs on its own (no browser): 127.0.0.1 only, COOP/COEP/CORP on every response,
// MIME types the browser needs (application/wasm, the manifest), '/' → index.html, nothing outside the
// root however the path is spelled, GET/HEAD only; text and wasm compressed (brotli, else gzip, as
// Accept-Encoding allows), weights not; ETag revalidation (304).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';

interface WebServer { origin: string; port: number; close(): Promise<void> }
interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string; raw: Buffer }

const tmp = mkdtempSync(path.join(tmpdir(), 'mnw-serve-'));
const root = path.join(tmp, 'site');
let server: WebServer;
const script = 'const answer = 42; // a script long enough to be worth compressing\n'.repeat(200);
const weights = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
let pickEncoding: (accept?: string) => string | null;

/** A raw request: the path goes out exactly as written (fetch would normalize the dot segments). */
function get(rawPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        ok({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
      });
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
    writeFileSync(path.join(root, 'app.js'), script);
    mkdirSync(path.join(root, 'models'));
    writeFileSync(path.join(root, 'models/m.safetensors'), weights);
    const mod = (await import(pathToFileURL(path.join(ROOT, 'scripts/serve-web.mjs')).href)) as {
      serveWeb(o: { root: string; port: number }): Promise<WebServer>;
      pickEncoding(accept?: string): string | null;
    };
    const { serveWeb } = mod;
    pickEncoding = mod.pickEncoding;
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

  it('compresses text and wasm with brotli or gzip as accepted, and sends the same bytes', async () => {
    const br = await get('/app.js', 'GET', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(Number(br.headers['content-length'])).toBe(br.raw.length);
    expect(br.raw.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(br.raw).toString('utf8')).toBe(script);
    const gz = await get('/app.js', 'GET', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).toString('utf8')).toBe(script);
    const plain = await get('/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    const head = await get('/app.js', 'HEAD', { 'accept-encoding': 'br' });
    expect(head.headers['content-length']).toBe(br.headers['content-length']);
    expect(head.raw.length).toBe(0);
    // Weights are sent as they are, whatever the client accepts.
    const model = await get('/models/m.safetensors', 'GET', { 'accept-encoding': 'br, gzip' });
    expect(model.headers['content-encoding']).toBeUndefined();
    expect(new Uint8Array(model.raw)).toEqual(weights);
  });

  it.each([
    ['gzip, deflate, br', 'br'], ['br;q=0, gzip', 'gzip'], ['gzip;q=0.5', 'gzip'], ['identity', null], ['', null],
    ['*', 'br'], ['*, br;q=0', 'gzip'], ['deflate', null],
  ] as const)('Accept-Encoding "%s" → %s', (accept, want) => {
    expect(pickEncoding(accept)).toBe(want);
  });

  it('answers 304 to a matching If-None-Match (ETag), 200 otherwise', async () => {
    const first = await get('/app.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await get('/app.js', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
    expect(again.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect((await get('/app.js', 'GET', { 'if-none-match': 'W/"other"' })).status).toBe(200);
  });
});
