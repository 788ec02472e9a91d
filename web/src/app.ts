// The classifier page: wires the image inputs, the model list and settings, the results and "Inside
// the model" to one model running in a Web Worker (loadModel(..., { worker: true })), so the page never
// blocks. Every model operation goes through one queue, so loads, classifications and removals never
// interleave.
import { loadModel, type WorkerModel } from '../../dist/index.js';
import { setUpImageInputs } from './image-input.js';
import { renderResults } from './results.js';
import { renderProfile, renderStats } from './profile-chart.js';
import { deleteModel, getModel, listModels, newId, putModel, type StoredFile, type StoredModel } from './models-store.js';
import { registerServiceWorker } from './register-sw.js';
import { requant, setUpRequant, setUpThreads, showPrecision, threads } from './settings.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  status: $('offline-status'), zone: $('drop-zone'), imageFile: $<HTMLInputElement>('image-file'),
  sample: $<HTMLButtonElement>('sample-button'), camera: $<HTMLButtonElement>('camera-button'),
  snap: $<HTMLButtonElement>('snap-button'), video: $<HTMLVideoElement>('camera'), preview: $<HTMLCanvasElement>('preview'),
  latency: $('latency'), results: $<HTMLOListElement>('results'), modelList: $<HTMLUListElement>('model-list'),
  modelFile: $<HTMLInputElement>('model-file'), message: $('model-message'), precision: $<HTMLFieldSetElement>('precision'),
  precisionNote: $('precision-note'), requant: $<HTMLSelectElement>('requant'), requantNote: $('requant-note'),
  install: $<HTMLButtonElement>('install-button'), threads: $<HTMLSelectElement>('threads'), threadsNote: $('threads-note'),
  stats: $('model-stats'), chart: $<HTMLOListElement>('profile-chart'), chartTotal: $('chart-total'),
};

const DEFAULT_ID = 'default';
const CURRENT_KEY = 'mnw-model';
let model: WorkerModel | null = null;
let currentId = DEFAULT_ID;
let image: ImageData | null = null;
let runs = 0;

let queue: Promise<unknown> = Promise.resolve();
/** Runs `f` after everything queued before it; the page stays responsive meanwhile. */
function serial<T>(f: () => Promise<T>): Promise<T> {
  const p = queue.then(f, f);
  queue = p.catch(() => undefined);
  return p;
}

function setState(state: 'loading' | 'classifying' | 'ready' | 'no-model'): void {
  document.body.dataset.state = state;
  el.results.setAttribute('aria-busy', String(state === 'classifying' || state === 'loading'));
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  el.message.textContent = text;
  el.message.dataset.kind = kind;
}

const FORMATS: Record<string, string> = { tflite: 'TFLite', 'tfjs-layers-json': 'TF.js layers', 'tfjs-layers': 'TF.js layers', native: 'native' };
const formatName = (f: string) => FORMATS[f] ?? f;

/** An engine error as one readable sentence: its kind, then its message with our file name in it. */
function describe(e: unknown, file: string): string {
  const err = e as Error;
  const kind = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${kind}${String(err?.message ?? e).replaceAll('<bytes>', file)}`;
}

/** What loadModel gets for stored files: the model file's bytes, and a TF.js model.json's weight files by name (copies: bytes are transferred). */
function sourceOf(files: StoredFile[]): { bytes: Uint8Array; weightFiles?: Record<string, ArrayBuffer> } {
  const bytes = new Uint8Array(files[0].bytes.slice(0));
  if (files.length === 1) return { bytes };
  return { bytes, weightFiles: Object.fromEntries(files.slice(1).map((f) => [f.name, f.bytes.slice(0)])) };
}

/** The load options the settings ask for (requant only matters to int8 models; float ones ignore it). */
const loadOptions = () => ({ worker: true as const, threads: threads(el.threads), requant: requant(el.requant) });

async function open(id: string): Promise<WorkerModel> {
  const opts = loadOptions();
  if (id === DEFAULT_ID) return loadModel('default', opts);
  const rec = await getModel(id);
  if (!rec) throw new Error('this model is no longer stored');
  const { bytes, weightFiles } = sourceOf(rec.files);
  return loadModel(bytes, { ...opts, ...(weightFiles ? { weightFiles } : {}), ...(rec.userLabels ? { labels: rec.userLabels } : {}) });
}

/** Makes `next` the current model (disposing the previous one) and shows what it is. */
async function adopt(next: WorkerModel, id: string): Promise<void> {
  const previous = model;
  model = next;
  currentId = id;
  localStorage.setItem(CURRENT_KEY, id);
  await previous?.dispose();
  renderStats(el.stats, next.info);
  showPrecision(el.precision, el.precisionNote, el.requant, el.requantNote, next.info);
  el.chart.replaceChildren();
  el.chartTotal.textContent = 'Classify an image to see where the time goes.';
  await renderModelList();
}

function switchTo(id: string): Promise<void> {
  return serial(async () => {
    setState('loading');
    try {
      const next = await open(id);
      await adopt(next, id);
      say('');
    } catch (e) {
      say(`Could not load the model: ${describe(e, id)}`, 'error');
      if (!model && id !== DEFAULT_ID) {
        // Nothing to fall back on yet (a stored model failed at start-up): use the built-in one.
        try {
          await adopt(await open(DEFAULT_ID), DEFAULT_ID);
        } catch (e2) {
          say(`Could not load the built-in model either: ${describe(e2, 'default')}`, 'error');
        }
      }
    }
    setState(model ? 'ready' : 'no-model');
    if (model && image) await classifyNow();
  });
}

/** The weight files a TF.js model.json lists ([] when it is not JSON: the engine then says what is wrong). */
async function shardsOf(json: File): Promise<string[]> {
  try {
    const manifest = (JSON.parse(await json.text()) as { weightsManifest?: { paths?: unknown[] }[] }).weightsManifest ?? [];
    return manifest.flatMap((g) => (g.paths ?? []).filter((p): p is string => typeof p === 'string'));
  } catch {
    return [];
  }
}

/** Validates picked files by loading them; stores them only if that worked. The current model stays otherwise. */
function addModel(picked: File[]): Promise<void> {
  return serial(async () => {
    const labelFiles = picked.filter((f) => f.name.toLowerCase().endsWith('.txt') && picked.length > 1);
    const modelFiles = picked.filter((f) => !labelFiles.includes(f));
    const json = modelFiles.find((f) => f.name.toLowerCase().endsWith('.json'));
    const main = json ?? modelFiles[0];
    const name = main?.name ?? '(nothing)';
    if (!main) return say('Pick a model file (.tflite, .safetensors, or model.json with its .bin files).', 'error');
    if (!json && modelFiles.length > 1) {
      return say(`Pick one model file, or a model.json with its .bin weight files (got ${modelFiles.map((f) => f.name).join(', ')}).`, 'error');
    }
    if (json) {
      const missing = (await shardsOf(json)).filter((p) => !modelFiles.some((f) => f.name === p.split('/').pop()));
      if (missing.length) return say(`“${name}” needs its weight files: pick ${missing.join(', ')} together with it.`, 'error');
    }
    setState('loading');
    say(`Checking “${name}”…`);
    const id = newId();
    let next: WorkerModel | null = null;
    try {
      const ordered = [main, ...modelFiles.filter((f) => f !== main)];
      const files: StoredFile[] = await Promise.all(ordered.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
      const userLabels = labelFiles.length
        ? (await labelFiles[0].text()).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
        : undefined;
      const { bytes, weightFiles } = sourceOf(files);
      next = await loadModel(bytes, { ...loadOptions(), ...(weightFiles ? { weightFiles } : {}), ...(userLabels ? { labels: userLabels } : {}) });
      if (next.info.task !== 'classify') throw new Error(`“${name}” is a ${next.info.task} model; this app shows classifications only`);
      const rec: StoredModel = {
        id, name, format: next.info.format, labels: next.info.labels, inputType: next.info.inputType,
        size: files.reduce((a, f) => a + f.bytes.byteLength, 0), addedAt: Date.now(), files, ...(userLabels ? { userLabels } : {}),
      };
      await putModel(rec);
      await adopt(next, id);
      say(`Loaded “${name}” (${formatName(rec.format)}, ${rec.labels.length} classes) and stored it for offline use.`);
    } catch (e) {
      await next?.dispose();
      await deleteModel(id).catch(() => undefined);
      say(`Could not load “${name}”: ${describe(e, name)}. The current model is still in use.`, 'error');
    }
    setState(model ? 'ready' : 'no-model');
    if (model && image) await classifyNow();
  });
}

function removeModel(id: string): Promise<void> {
  return serial(async () => {
    const rec = await getModel(id);
    const wasCurrent = id === currentId;
    if (wasCurrent) {
      setState('loading');
      try {
        await adopt(await open(DEFAULT_ID), DEFAULT_ID);
      } catch (e) {
        say(`Could not load the default model: ${describe(e, 'default')}`, 'error');
      }
    }
    await deleteModel(id);
    await renderModelList();
    say(`Removed “${rec?.name ?? id}” from this browser.`);
    setState(model ? 'ready' : 'no-model');
    if (model && image && wasCurrent) await classifyNow();
  });
}

async function renderModelList(): Promise<void> {
  const stored = await listModels();
  const entries: { id: string; name: string; detail: string }[] = [
    { id: DEFAULT_ID, name: 'Built-in: MobileNetV2 1.0/224 image-safety classifier', detail: 'float32 · 5 classes: Drawing, Hentai, Neutral, Porn, Sexy' },
    ...stored.map((m) => ({
      id: m.id, name: m.name,
      detail: `${formatName(m.format)} · ${m.inputType === 'float32' ? 'float32' : 'int8'} · ${m.labels.length} classes · ${(m.size / 1e6).toFixed(1)} MB`,
    })),
  ];
  el.modelList.replaceChildren(...entries.map((m) => {
    const li = document.createElement('li');
    li.dataset.modelId = m.id;
    li.dataset.name = m.name;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = m.name;
    const small = document.createElement('small');
    small.textContent = m.detail;
    name.append(small);
    const use = document.createElement('button');
    use.type = 'button';
    use.className = 'use';
    const current = m.id === currentId;
    use.textContent = current ? 'In use' : 'Use';
    use.setAttribute('aria-pressed', String(current));
    use.setAttribute('aria-label', current ? `${m.name} is in use` : `Use ${m.name}`);
    use.disabled = current;
    use.addEventListener('click', () => void switchTo(m.id));
    li.append(name, use);
    if (m.id !== DEFAULT_ID) {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove ${m.name}`);
      remove.addEventListener('click', () => void removeModel(m.id));
      li.append(remove);
    }
    if (current) li.setAttribute('aria-current', 'true');
    return li;
  }));
}

/** Classifies the current image with the current model (inside the queue), then profiles that run. */
async function classifyNow(): Promise<void> {
  if (!model || !image) return;
  setState('classifying');
  const m = model;
  try {
    const t0 = performance.now();
    // A copy: the worker takes (detaches) the pixel buffer it is given.
    const top = await m.classify({ data: new Uint8Array(image.data), width: image.width, height: image.height, channels: 4 }, { topK: 5 });
    const ms = performance.now() - t0;
    runs++;
    renderResults(el.results, top, runs);
    el.results.dataset.model = m.info.name;
    el.latency.textContent = `${ms.toFixed(1)} ms (in a worker, ${m.info.isa} kernels, ${m.info.threads} thread${m.info.threads > 1 ? 's' : ''}) with ${m.info.name}.`;
    el.latency.dataset.ms = String(ms);
    renderProfile(el.chart, el.chartTotal, await m.profile(1));
  } catch (e) {
    say(`Could not classify: ${describe(e, 'image')}`, 'error');
  }
  setState('ready');
}

/** Offers installation where the browser supports the prompt (Chromium); elsewhere the browser's menu does it. */
function setUpInstall(button: HTMLButtonElement): void {
  let prompt: (Event & { prompt(): Promise<void> }) | null = null;
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    prompt = e as Event & { prompt(): Promise<void> };
    button.hidden = false;
  });
  button.addEventListener('click', async () => {
    button.hidden = true;
    await prompt?.prompt();
    prompt = null;
  });
  window.addEventListener('appinstalled', () => {
    button.hidden = true;
  });
}

function main(): void {
  void registerServiceWorker(el.status);
  setUpThreads(el.threads, el.threadsNote, () => void switchTo(currentId));
  setUpRequant(el.requant, () => void switchTo(currentId));
  setUpInstall(el.install);
  setUpImageInputs({
    zone: el.zone, fileInput: el.imageFile, sampleButton: el.sample, cameraButton: el.camera, snapButton: el.snap,
    video: el.video, preview: el.preview,
    onImage: (img) => {
      image = img;
      void serial(classifyNow);
    },
    onError: (text) => say(text, 'error'),
  });
  el.modelFile.addEventListener('change', () => {
    const files = [...(el.modelFile.files ?? [])];
    el.modelFile.value = '';
    if (files.length) void addModel(files);
  });
  void (async () => {
    const saved = localStorage.getItem(CURRENT_KEY) ?? DEFAULT_ID;
    const exists = saved === DEFAULT_ID || (await getModel(saved).catch(() => undefined)) !== undefined;
    currentId = exists ? saved : DEFAULT_ID;
    await renderModelList();
    await switchTo(currentId);
  })();
}

main();
