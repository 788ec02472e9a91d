// The service worker: a versioned cache of the app. At install it precaches only what the first
// classification needs — the pages, their scripts and styles, icons and manifest, the engine's JS, the
// ONE wasm kernel module this browser will run, and the default model — and every other file of the build
// (the other kernel modules, such as the shared-memory twin used by threads, and other models) is cached
// the first time the page fetches it (runtime caching), so it works offline from then on. Everything is
// served cache-first. A new deploy has a new VERSION (a content hash from scripts/build-web.mjs), installs
// its own cache, takes over at once and deletes the old caches. Models the user adds live in IndexedDB
// (models-store.ts), not here.

declare const __VERSION__: string;
/** The app shell and the default model: precached. */
declare const __PRECACHE__: string[];
/** The kernel modules in the order the engine prefers them (relaxed SIMD, SIMD, scalar): one is precached. */
declare const __KERNELS__: string[];
/** Every other file of the build: cached on first use. */
declare const __RUNTIME__: string[];

const sw = self as unknown as ServiceWorkerGlobalScope;
/** The app's caches are `${SHELL_CACHE_PREFIX}${VERSION}`; activation deletes every other one. */
const SHELL_CACHE_PREFIX = 'mnw-shell-';
const CACHE = `${SHELL_CACHE_PREFIX}${__VERSION__}`;
const scope = new URL(sw.registration.scope);
/** Paths relative to the scope ('' is the start page './') that this worker serves. */
const KNOWN = new Set([...__PRECACHE__, ...__KERNELS__, ...__RUNTIME__].map((u) => (u === './' ? '' : u)));

/** A request for a build file that revalidates with the server (ETag), so a deploy never caches a stale file and an unchanged one is not downloaded again. */
const fresh = (u: string) => new Request(new URL(u, scope), { cache: 'no-cache' });

/**
 * The kernel module the engine will pick here: the first of __KERNELS__ that this browser validates (the
 * engine probes relaxed SIMD, then SIMD, then takes scalar; validating the module itself answers the same
 * question for this browser). Only that one is downloaded, unless it does not validate.
 */
async function precacheKernel(cache: Cache): Promise<void> {
  for (const [i, k] of __KERNELS__.entries()) {
    const res = await fetch(fresh(k));
    if (!res.ok) throw new Error(`precache: HTTP ${res.status} for ${k}`);
    const last = i === __KERNELS__.length - 1;
    if (last || WebAssembly.validate(await res.clone().arrayBuffer())) {
      await cache.put(new URL(k, scope).href, res);
      return;
    }
  }
}

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all([cache.addAll(__PRECACHE__.map(fresh)), precacheKernel(cache)]);
    await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Take the pages over first: until then the old worker controls them and still holds its cache open, so
    // deleting that cache first could wait on a worker that stays alive for as long as it has pages.
    await sw.clients.claim();
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
  })());
});

sw.addEventListener('message', (event) => {
  if (event.data === 'version') event.ports[0]?.postMessage(__VERSION__);
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const rel = url.pathname.slice(scope.pathname.length);
  const key = rel === 'index.html' ? '' : rel;
  if (!KNOWN.has(key)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const href = new URL(key || './', scope).href;
    const hit = await cache.match(href, { ignoreSearch: true });
    if (hit) return hit;
    // First use of a file not precached: fetch it (revalidated, so never another version's copy) and keep
    // it in this version's cache.
    const res = await fetch(fresh(key || './'));
    if (res.ok) await cache.put(href, res.clone());
    return res;
  })());
});
