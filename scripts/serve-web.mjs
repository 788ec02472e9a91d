// Serves the built web app (build/web, from scripts/build-web.mjs) on 127.0.0.1 only, with the headers
// that make the page cross-origin isolated (threads need SharedArrayBuffer):
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp,
//   Cross-Origin-Resource-Policy: same-origin.
// The service worker caches these responses with their headers, so the page stays isolated offline.
// Text and wasm go out compressed (brotli, else gzip, as the request's Accept-Encoding allows): each file
// is compressed once per version (size + mtime) and kept in memory, since the build's files never change
// while served. Model weights are sent as they are: float and int8 weights barely compress.
// Usage: node scripts/serve-web.mjs [--no-build]  (PORT overrides 8080); or import { serveWeb }.
// Run as `npm start`, it also exits when npm does (see watchParent), so stopping npm stops the server.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
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
  '.tflite': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

/** Extensions worth compressing: text and wasm code (3–4× smaller); images and weights are not. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.wasm', '.txt']);

/** The encoding to send for an Accept-Encoding header: 'br', 'gzip' or null (identity). q=0 refuses one. */
export function pickEncoding(accept = '') {
  const offered = new Map();
  for (const part of accept.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    offered.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (e) => (offered.get(e) ?? offered.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

/** Compressed bytes per file, encoding and version; a rebuilt file (new size or mtime) is compressed anew. */
const compressed = new Map();
function compressedBody(file, stat, encoding) {
  const key = `${encoding}:${file}`;
  const version = `${stat.size}:${stat.mtimeMs}`;
  const hit = compressed.get(key);
  if (hit?.version === version) return hit.body;
  const raw = readFileSync(file);
  const body = encoding === 'br'
    ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: raw.length > 4 << 20 ? 5 : 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } })
    : gzipSync(raw, { level: 9 });
  compressed.set(key, { version, body });
  return body;
}

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
    const stat = statSync(file);
    const ext = path.extname(file);
    const etag = `W/"${stat.size.toString(36)}-${stat.mtimeMs.toString(36)}"`;
    const headers = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      // Always revalidate (cheap: ETag → 304): offline use and versioning are the service worker's job.
      'cache-control': 'no-cache',
      etag,
      ...(COMPRESSIBLE.has(ext) ? { vary: 'accept-encoding' } : {}),
      ...SECURITY_HEADERS,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const encoding = COMPRESSIBLE.has(ext) && stat.size > 512 ? pickEncoding(req.headers['accept-encoding']) : null;
    if (encoding) {
      const body = compressedBody(file, stat, encoding);
      res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': stat.size });
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
  let server = null;
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`mobilenet-wasm web app: stopping (${why})`);
    await server?.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(signal));
  if (process.env.npm_lifecycle_event) watchParent(stop);
  try {
    if (!process.argv.includes('--no-build')) await buildWeb({ log: console.log });
    if (!stopping) {
      server = await serveWeb({ port });
      console.log(`mobilenet-wasm web app: ${server.origin}/  (Ctrl-C to stop)`);
    }
  } catch (e) {
    console.error(e.message ?? e);
    process.exit(1);
  }
}

/**
 * Under `npm start` this process is npm's grandchild (npm → sh -c → node). npm forwards SIGTERM to the
 * shell only, and a shell that does not exec its last command dies without passing it on, leaving the
 * server running with no one to stop it. So when our parent goes away (we are re-parented: ppid changes),
 * stop too. Only under npm: a server started directly from a shell and put in the background may outlive it.
 */
function watchParent(stop) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    let alive = process.ppid === parent;
    if (alive) {
      try {
        process.kill(parent, 0);
      } catch {
        alive = false;
      }
    }
    if (!alive) void stop('npm exited');
  }, 250);
  timer.unref();
}
