// Cache Storage names shared by the service worker and the page.

/** The app shell's caches are `${SHELL_CACHE_PREFIX}${VERSION}`; activation deletes every other one. */
export const SHELL_CACHE_PREFIX = 'mnw-shell-';
