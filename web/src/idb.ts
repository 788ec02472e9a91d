// The IndexedDB plumbing the app's stores share (models-store.ts, teach-store.ts): a request as a promise, and
// a database opened once per page.

export function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

/** A getter for database `name` (version 1, its stores made by `upgrade`), opened on first use. */
export function database(name: string, upgrade: (d: IDBDatabase) => void): () => Promise<IDBDatabase> {
  let opened: Promise<IDBDatabase> | null = null;
  return () => (opened ??= new Promise((ok, fail) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => upgrade(open.result);
    open.onsuccess = () => ok(open.result);
    open.onerror = () => fail(open.error);
  }));
}
