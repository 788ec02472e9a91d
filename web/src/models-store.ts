// Models the user added, kept in IndexedDB for offline use: the file bytes (one file, or a TF.js
// model.json with its shards, which load as bytes with loadModel's weightFiles), the name, the format and
// the labels the engine reported when the model was validated.
import { database, request } from './idb.js';

export interface StoredFile { name: string; bytes: ArrayBuffer }

export interface StoredModel {
  id: string;
  name: string;
  /** As the engine reported it (ModelInfo.format): 'tflite', 'native', 'tfjs-layers'. */
  format: string;
  labels: string[];
  /** As loaded when added (ModelInfo.inputType). */
  inputType: string;
  /** Whether the file is quantized (runs as int8, or as its float32 twin); absent in older records: inputType tells. */
  quantized?: boolean;
  /** ModelInfo.task: 'classify', 'segment' or 'detect' (absent in older records: classify). */
  task?: string;
  size: number;
  addedAt: number;
  /** The model file first; for TF.js, model.json then its shards. */
  files: StoredFile[];
  /** Labels the user supplied (a .txt), passed again at load; absent: the model's own. */
  userLabels?: string[];
}

const STORE = 'models';
const db = database('mobilenet-wasm', (d) => d.createObjectStore(STORE, { keyPath: 'id' }));

async function store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(STORE, mode).objectStore(STORE);
}

/** Every stored model, oldest first. */
export async function listModels(): Promise<StoredModel[]> {
  const all = await request((await store('readonly')).getAll() as IDBRequest<StoredModel[]>);
  return all.sort((a, b) => a.addedAt - b.addedAt);
}

export async function getModel(id: string): Promise<StoredModel | undefined> {
  return request((await store('readonly')).get(id) as IDBRequest<StoredModel | undefined>);
}

export async function putModel(m: StoredModel): Promise<void> {
  await request((await store('readwrite')).put(m));
}

export async function deleteModel(id: string): Promise<void> {
  await request((await store('readwrite')).delete(id));
}

export function newId(): string {
  return `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
