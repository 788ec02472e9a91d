// The service worker: a versioned cache of everything the build wrote (the pages, their scripts, the
// engine's JS and every wasm kernel module it may pick, the default model, icons), filled at install
// and served cache-first; a new deploy has a new VERSION (a content hash from scripts/build-web.mjs),
// installs its own cache, takes over at once and deletes the old shell caches. Models the user adds live
// in IndexedDB (models-store.ts), not here.

declare const __VERSION__: string;
declare const __PRECACHE__: string[];

const sw = self as unknown as ServiceWorkerGlobalScope;
/** The app shell's caches are `${SHELL_CACHE_PREFIX}${VERSION}`; activation deletes every other one. */
const SHELL_CACHE_PREFIX = 'mnw-shell-';
const CACHE = `${SHELL_CACHE_PREFIX}${__VERSION__}`;
const scope = new URL(sw.registration.scope);
/** Precached paths relative to the scope ('' is the start page './'). */
const PRECACHED = new Set(__PRECACHE__.map((u) => (u === './' ? '' : u)));

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' bypasses the HTTP cache, so a deploy never precaches a stale file.
    await cache.addAll(__PRECACHE__.map((u) => new Request(new URL(u, scope), { cache: 'reload' })));
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
  if (!PRECACHED.has(key)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(new URL(key || './', scope).href, { ignoreSearch: true });
    return hit ?? fetch(request);
  })());
});
