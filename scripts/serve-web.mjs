// Serves the built web app (build/web, from scripts/build-web.mjs) on 127.0.0.1 only, with the headers
// that make the page cross-origin isolated (threads need SharedArrayBuffer):
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp,
//   Cross-Origin-Resource-Policy: same-origin.
// The service worker caches these responses with their headers, so the page stays isolated offline.
// Usage: node scripts/serve-web.mjs [--no-build]  (PORT overrides 8080); or import { serveWeb }.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OUT, buildWeb } from './build-web.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};

export const SECURITY_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/** The file under root for a URL path, or null (traversal outside root, not a file). '/' → index.html. */
export function resolvePath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Starts the server; port 0 picks a free one. Resolves once listening. */
export async function serveWeb({ root = DEFAULT_OUT, port = 8080, host = '127.0.0.1' } = {}) {
  const base = path.resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const file = resolvePath(base, url.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(`not found: ${url.pathname}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // Always revalidate: offline use and versioning are the service worker's job, not the HTTP cache's.
      'cache-control': 'no-cache',
      'content-length': statSync(file).size,
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  return {
    origin: `http://${host}:${address.port}`,
    port: address.port,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = process.env.PORT ? Number(process.env.PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer in 0..65535, got ${process.env.PORT}`);
    process.exit(1);
  }
  try {
    if (!process.argv.includes('--no-build')) await buildWeb({ log: console.log });
    const s = await serveWeb({ port });
    console.log(`mobilenet-wasm web app: ${s.origin}/  (Ctrl-C to stop)`);
  } catch (e) {
    console.error(e.message ?? e);
    process.exit(1);
  }
}
