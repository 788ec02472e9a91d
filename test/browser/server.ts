// A tiny static server for the browser tests: node:http on 127.0.0.1 and a random port, nothing else.
// Every URL starts with a mode that picks the response headers, so one server serves every scenario and
// all page-relative URLs stay the same:
//   /<mode>/page.html, /<mode>/page.js   test/browser/page/
//   /<mode>/dist/…                       dist/ (the built bundles and wasm, as published)
//   /<mode>/models/…                     models/ (dist/index.js finds its built-in models in ../models/)
//   /<mode>/images/…                     ../shared/data/images/
// Modes: 'plain'; 'coi' (COOP same-origin + COEP require-corp: crossOriginIsolated); 'csp'
// (Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'); 'csp-coi' (both).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT, SHARED_DATA } from '../helpers/shared.js';

export const CSP = "script-src 'self' 'wasm-unsafe-eval'";
export const MODES = ['plain', 'coi', 'csp', 'csp-coi'] as const;
export type Mode = (typeof MODES)[number];

const MOUNTS: Record<string, string> = {
  dist: path.join(ROOT, 'dist'),
  models: path.join(ROOT, 'models'),
  images: path.join(SHARED_DATA, 'images'),
};
const PAGE_DIR = path.join(ROOT, 'test/browser/page');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.safetensors': 'application/octet-stream',
};

function headersFor(mode: Mode, file: string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
  if (mode === 'coi' || mode === 'csp-coi') {
    h['cross-origin-opener-policy'] = 'same-origin';
    h['cross-origin-embedder-policy'] = 'require-corp';
    h['cross-origin-resource-policy'] = 'same-origin';
  }
  if (mode === 'csp' || mode === 'csp-coi') h['content-security-policy'] = CSP;
  return h;
}

/** The file for a URL path, or null (unknown mount, traversal outside it, or missing). */
function resolve(parts: string[], mounts: Record<string, string>): string | null {
  const [first, ...rest] = parts;
  const mounted = Object.hasOwn(mounts, first);
  const base = mounted ? mounts[first] : parts.length === 1 ? PAGE_DIR : null;
  if (!base) return null;
  const file = path.resolve(base, ...(mounted ? rest : parts));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

export interface StaticServer { origin: string; requests: string[]; notFound: string[]; close(): Promise<void> }

/** Starts the server; `extraMounts` adds directories (e.g. a built app: /<mode>/<name>/…). */
export async function startServer(extraMounts: Record<string, string> = {}): Promise<StaticServer> {
  const mounts = { ...MOUNTS, ...extraMounts };
  const requests: string[] = [];
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // browsers ask on their own; not a failure of the page
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const mode = parts.shift() as Mode;
    const file = MODES.includes(mode) ? resolve(parts, mounts) : null;
    if (!file || req.method !== 'GET') {
      notFound.push(url.pathname);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, headersFor(mode, file));
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    notFound,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
