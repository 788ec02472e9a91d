// The Teach page's project, kept in IndexedDB so it survives reloads and works offline: the classes, every
// example (its embedding and a small JPEG of the image, for calibration and the project file) and the trained
// head. Records are structured-cloned as they are (Float32Array and Blob included).
import { database, request } from './idb.js';

export interface TeachClass { id: string; name: string; order: number }
export interface TeachExample { id: string; classId: string; embedding: Float32Array; image: Blob; addedAt: number }
export interface StoredLayer { weights: Float32Array; bias: Float32Array; inputs: number; units: number; relu: boolean }
/** A trained dense head and the labels (class names, in order) it was trained on. */
export interface StoredHead {
  labels: string[]; layers: StoredLayer[]; holdoutAccuracy: number | null; epochsRun: number; bestEpoch: number;
  trainSeconds: number; examples: number; trainedAt: number;
}

const db = database('mobilenet-wasm-teach', (d) => {
  d.createObjectStore('classes', { keyPath: 'id' });
  d.createObjectStore('examples', { keyPath: 'id' }).createIndex('classId', 'classId');
  d.createObjectStore('meta');
});

async function tx<T>(stores: string[], mode: IDBTransactionMode, f: (t: IDBTransaction) => Promise<T> | T): Promise<T> {
  const t = (await db()).transaction(stores, mode);
  const done = new Promise<void>((ok, fail) => {
    t.oncomplete = () => ok();
    t.onerror = () => fail(t.error);
    t.onabort = () => fail(t.error);
  });
  const result = await f(t);
  await done;
  return result;
}

export const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export async function listClasses(): Promise<TeachClass[]> {
  const all = await tx(['classes'], 'readonly', (t) => request(t.objectStore('classes').getAll() as IDBRequest<TeachClass[]>));
  return all.sort((a, b) => a.order - b.order);
}
export const putClass = (c: TeachClass) => tx(['classes'], 'readwrite', (t) => request(t.objectStore('classes').put(c)));

export async function listExamples(): Promise<TeachExample[]> {
  const all = await tx(['examples'], 'readonly', (t) => request(t.objectStore('examples').getAll() as IDBRequest<TeachExample[]>));
  return all.sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1));
}
export const putExamples = (xs: TeachExample[]) => tx(['examples'], 'readwrite', (t) => {
  for (const x of xs) t.objectStore('examples').put(x);
});
export const deleteExample = (id: string) => tx(['examples'], 'readwrite', (t) => request(t.objectStore('examples').delete(id)));

/** Deletes a class and its examples in one transaction. */
export const deleteClass = (id: string) => tx(['classes', 'examples'], 'readwrite', async (t) => {
  const keys = await request(t.objectStore('examples').index('classId').getAllKeys(id));
  for (const k of keys) t.objectStore('examples').delete(k);
  await request(t.objectStore('classes').delete(id));
});

export const getHead = () => tx(['meta'], 'readonly', (t) => request(t.objectStore('meta').get('head') as IDBRequest<StoredHead | undefined>));
export const putHead = (h: StoredHead) => tx(['meta'], 'readwrite', (t) => request(t.objectStore('meta').put(h, 'head')));

/** Replaces the whole project (an imported project file). */
export const replaceAll = (classes: TeachClass[], examples: TeachExample[], head: StoredHead | null) =>
  tx(['classes', 'examples', 'meta'], 'readwrite', (t) => {
    for (const s of ['classes', 'examples', 'meta']) t.objectStore(s).clear();
    for (const c of classes) t.objectStore('classes').put(c);
    for (const x of examples) t.objectStore('examples').put(x);
    if (head) t.objectStore('meta').put(head, 'head');
  });
