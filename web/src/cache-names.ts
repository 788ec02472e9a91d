// Cache Storage names shared by the service worker and the page.

/** The app shell's caches are `${SHELL_CACHE_PREFIX}${VERSION}`; activation deletes every other one. */
export const SHELL_CACHE_PREFIX = 'mnw-shell-';
/** Files of user models that load by URL (TF.js model.json + shards); never deleted by a deploy. */
export const USER_MODELS_CACHE = 'mnw-user-models';
/** Where those files appear, relative to the app's scope: user-models/<id>/<file name>. */
export const USER_MODELS_PATH = 'user-models/';
