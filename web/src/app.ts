// The classifier page: wires the image inputs (files, the sample, the live camera), the model list and
// settings, the results (top labels, a segmentation mask with its legend, or a detector's labelled boxes)
// and "Inside the model" to one
// model running in a Web Worker (loadModel(..., { worker: true })), so the page never blocks. Every model
// operation goes through one queue, so loads, classifications and removals never interleave. Messages
// appear where their cause is (the image panel, the results, the model panel) and a success there clears them.
import { loadModel, pascalVocColor, type ModelInfo, type WorkerModel } from '../../dist/index.js';
import { setUpImageInputs } from './image-input.js';
import { renderResults, renderSegmentation } from './results.js';
import { renderDetections } from './detections.js';
import { renderProfile, renderStats } from './profile-chart.js';
import { deleteModel, getModel, listModels, newId, putModel, type StoredFile, type StoredModel } from './models-store.js';
import { registerServiceWorker } from './register-sw.js';
import { breakable } from './text.js';
import { precision, requant, setUpPrecision, setUpRequant, setUpThreads, showPrecision, threads } from './settings.js';

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
  imageMessage: $('image-message'), resultMessage: $('result-message'), cameraStatus: $('camera-status'),
  segmentation: $('segmentation'), mask: $<HTMLCanvasElement>('mask'), legend: $<HTMLUListElement>('legend'),
  detection: $('detection'), boxes: $<HTMLCanvasElement>('boxes'), detections: $<HTMLOListElement>('detections'),
};

const DEFAULT_ID = 'default';
const CURRENT_KEY = 'mnw-model';
/** What the built-in model is (learned when it is loaded as it is; kept for the model list and precision). */
const BUILTIN_KEY = 'mnw-builtin';
/** A segmentation mask is computed at most this size (long side), then drawn over the image. */
const MASK_SIDE = 512;
/** Detections drawn: those scoring at least this (the CLI's default threshold too). */
const MIN_SCORE = 0.5;
let model: WorkerModel | null = null;
let currentId = DEFAULT_ID;
/** The current model's name as shown (its file name; the built-in's own name), not the graph's ("main"). */
let currentName = 'the built-in model';
/** Whether the current model's file is quantized (it then runs as int8, or as its float32 twin). */
let currentQuantized = false;
let image: ImageData | null = null;
let runs = 0;

interface Builtin { name: string; quantized: boolean; detail: string }
function builtin(): Builtin | null {
  try {
    return JSON.parse(localStorage.getItem(BUILTIN_KEY) ?? 'null') as Builtin | null;
  } catch {
    return null;
  }
}
/** How the model list and messages name a task ('' for a classifier). */
const TASK_TEXT: Record<string, string> = { segment: 'segmentation, ', detect: 'detection, ' };
const taskText = (task: string | undefined) => TASK_TEXT[task ?? ''] ?? '';
const VERBS: Record<string, string> = { segment: 'segment the image', detect: 'find objects in the image' };

/** One short line about a model (short enough for one line on a phone): format, precision, task, classes. */
function detailOf(info: ModelInfo, quantized: boolean): string {
  const precisionText = quantized ? 'int8 / float32' : 'float32';
  return `${formatName(info.format)} · ${precisionText} · ${taskText(info.task)}${info.labels.length} classes`;
}

/**
 * The engine's detection entry (mobilenet-wasm/detect: the SSD post-process op and detect()), imported before
 * any model that is not the built-in classifier is loaded: a file may be a detector, and the import is a small
 * cached download. The worker that loads the model imports it too.
 */
let detection: Promise<unknown> | null = null;
const enableDetection = () => (detection ??= import('../../dist/detect.js'));

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

/** A message in one panel's message line ('' clears it). */
function show(where: HTMLElement, text: string, kind: 'info' | 'warning' | 'error' = 'info'): void {
  where.textContent = text;
  where.dataset.kind = kind;
}
/** The model panel's message. */
const say = (text: string, kind: 'info' | 'error' = 'info') => show(el.message, text, kind);

const FORMATS: Record<string, string> = { tflite: 'TFLite', 'tfjs-layers-json': 'TF.js layers', 'tfjs-layers': 'TF.js layers', native: 'safetensors' };
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

/**
 * The load options the settings ask for. requant only matters to int8 models (float ones ignore it);
 * `precision: 'float32'` (LoadOptions.precision: a quantized model's float32 twin, dequantized at load) is
 * passed only for a model known to be quantized when float32 is chosen, so a float model loads as it is.
 */
type AppLoadOptions = NonNullable<Parameters<typeof loadModel>[1]> & { worker: true; precision?: 'float32' };
function loadOptions(quantized: boolean): AppLoadOptions {
  const opts: AppLoadOptions = { worker: true, threads: threads(el.threads), requant: requant(el.requant) };
  if (quantized && precision() === 'f32') opts.precision = 'float32';
  return opts;
}

const isQuantized = (info: ModelInfo) => info.inputType !== 'float32' || info.requant !== undefined;

interface Opened { model: WorkerModel; name: string; quantized: boolean }

async function open(id: string): Promise<Opened> {
  if (id === DEFAULT_ID) {
    const known = builtin()?.quantized ?? false;
    const opts = loadOptions(known);
    const m = await loadModel('default', opts);
    // Loaded as it is (no precision option): learn what it is, for the list and the precision control.
    const quantized = opts.precision ? known : isQuantized(m.info);
    localStorage.setItem(BUILTIN_KEY, JSON.stringify({ name: m.info.name, quantized, detail: detailOf(m.info, quantized) } satisfies Builtin));
    return { model: m, name: m.info.name, quantized };
  }
  const rec = await getModel(id);
  if (!rec) throw new Error('this model is no longer stored');
  await enableDetection();
  const quantized = rec.quantized ?? rec.inputType !== 'float32';
  const { bytes, weightFiles } = sourceOf(rec.files);
  const m = await loadModel(bytes, { ...loadOptions(quantized), ...(weightFiles ? { weightFiles } : {}), ...(rec.userLabels ? { labels: rec.userLabels } : {}) });
  return { model: m, name: rec.name, quantized };
}

/** Makes `next` the current model (disposing the previous one) and shows what it is. */
async function adopt(next: Opened, id: string): Promise<void> {
  const previous = model;
  model = next.model;
  currentId = id;
  currentName = next.name;
  currentQuantized = next.quantized;
  localStorage.setItem(CURRENT_KEY, id);
  await previous?.dispose();
  renderStats(el.stats, next.model.info, next.name);
  showPrecision(el.precision, el.precisionNote, el.requant, el.requantNote, next.model.info, next.quantized);
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
    await enableDetection();
    const id = newId();
    let next: WorkerModel | null = null;
    try {
      const ordered = [main, ...modelFiles.filter((f) => f !== main)];
      const files: StoredFile[] = await Promise.all(ordered.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
      const userLabels = labelFiles.length
        ? (await labelFiles[0].text()).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
        : undefined;
      const extra = { ...(userLabels ? { labels: userLabels } : {}) };
      const load = (quantized: boolean) => {
        const { bytes, weightFiles } = sourceOf(files);
        return loadModel(bytes, { ...loadOptions(quantized), ...(weightFiles ? { weightFiles } : {}), ...extra });
      };
      // First as it is (that validates the file and tells whether it is quantized); a quantized model is
      // loaded again as its float32 twin when float32 is chosen.
      next = await load(false);
      const quantized = isQuantized(next.info);
      const rec: StoredModel = {
        id, name, format: next.info.format, labels: next.info.labels, inputType: next.info.inputType, quantized,
        task: next.info.task, size: files.reduce((a, f) => a + f.bytes.byteLength, 0), addedAt: Date.now(), files,
        ...(userLabels ? { userLabels } : {}),
      };
      if (quantized && precision() === 'f32') {
        await next.dispose();
        next = null;
        next = await load(true);
      }
      await putModel(rec);
      await adopt({ model: next, name, quantized }, id);
      const what = taskText(next.info.task);
      say(`Loaded “${name}” (${formatName(rec.format)}, ${what}${rec.labels.length} classes) and stored it for offline use.`);
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
        say(`Could not load the built-in model: ${describe(e, 'default')}`, 'error');
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
  const b = builtin();
  const entries: { id: string; name: string; detail: string }[] = [
    { id: DEFAULT_ID, name: `Built-in: ${b?.name ?? el.modelList.dataset.builtin ?? 'the default model'}`, detail: b?.detail ?? 'loaded when first used' },
    ...stored.map((m) => {
      const quantized = m.quantized ?? m.inputType !== 'float32';
      const task = taskText(m.task);
      return {
        id: m.id, name: m.name,
        detail: `${formatName(m.format)} · ${quantized ? 'int8 / float32' : 'float32'} · ${task}${m.labels.length} classes · ${(m.size / 1e6).toFixed(1)} MB`,
      };
    }),
  ];
  el.modelList.replaceChildren(...entries.map((m) => {
    const li = document.createElement('li');
    li.dataset.modelId = m.id;
    li.dataset.name = m.name;
    const name = document.createElement('span');
    name.className = 'name';
    name.append(...breakable(m.name));
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

/**
 * Classifies (or segments) `img` with the current model, inside the queue; a still is then profiled (a
 * live frame is not: profiling runs the model again, which would halve the frame rate).
 */
async function classifyNow(img: ImageData | null = image, live = false): Promise<void> {
  if (!model || !img) return;
  setState('classifying');
  const m = model;
  try {
    const t0 = performance.now();
    // A copy: the worker takes (detaches) the pixel buffer it is given.
    const pixels = { data: new Uint8Array(img.data), width: img.width, height: img.height, channels: 4 as const };
    const task = m.info.task;
    const segmenting = task === 'segment';
    let text = '';
    if (task === 'detect') {
      const found = await m.detect(pixels, { scoreThreshold: MIN_SCORE });
      runs++;
      renderDetections(el.boxes, el.detections, img, found, runs);
      renderResults(el.results, [], runs);
      text = `${found.length} object${found.length === 1 ? '' : 's'} found`;
    } else if (segmenting) {
      const k = Math.min(1, MASK_SIDE / Math.max(img.width, img.height));
      const size = { width: Math.max(1, Math.round(img.width * k)), height: Math.max(1, Math.round(img.height * k)) };
      const seg = await m.segment(pixels, { size });
      runs++;
      const legend = renderSegmentation(el.mask, el.legend, img, seg, pascalVocColor, runs);
      renderResults(el.results, [], runs);
      text = `${legend.length} class${legend.length === 1 ? '' : 'es'} in the mask`;
    } else {
      const top = await m.classify(pixels, { topK: 5 });
      runs++;
      renderResults(el.results, top, runs);
    }
    const ms = performance.now() - t0;
    el.segmentation.hidden = !segmenting;
    el.detection.hidden = task !== 'detect';
    el.results.hidden = task !== 'classify';
    el.results.dataset.model = currentName;
    el.latency.textContent = `${ms.toFixed(1)} ms${live ? ' for this camera frame' : ''} (in a worker, ${m.info.isa} kernels, ` +
      `${m.info.threads} thread${m.info.threads > 1 ? 's' : ''}) with ${currentName}${text ? `: ${text}` : ''}.`;
    el.latency.dataset.ms = String(ms);
    show(el.resultMessage, '');
    if (!live) renderProfile(el.chart, el.chartTotal, await m.profile(1));
  } catch (e) {
    const verb = VERBS[model?.info.task ?? ''] ?? 'classify the image';
    show(el.resultMessage, `Could not ${verb}: ${describe(e, 'image')}`, 'error');
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

/**
 * After the service worker took control: fetch, through it, the shared-memory twin of the kernels this
 * browser runs (dist/wasm/mobilenet-<isa>-mt.wasm, the engine's layout), so that choosing threads works
 * offline too. It is not precached, as the first classification does not need it; this runs once the page
 * is idle, and only where threads are possible.
 */
function warmForOffline(): void {
  const isa = model?.info.isa;
  const canThread = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' && (navigator.hardwareConcurrency || 1) > 1;
  if (!isa || isa === 'scalar' || !canThread || !navigator.serviceWorker?.controller) return;
  const idle = (globalThis as { requestIdleCallback?: (f: () => void) => void }).requestIdleCallback ?? ((f: () => void) => setTimeout(f, 1000));
  idle(() => void fetch(`dist/wasm/mobilenet-${isa}-mt.wasm`).then((r) => r.arrayBuffer()).catch(() => undefined));
}

function main(): void {
  setUpThreads(el.threads, el.threadsNote, () => void switchTo(currentId));
  setUpRequant(el.requant, () => void switchTo(currentId));
  setUpPrecision(el.precision, () => void switchTo(currentId));
  setUpInstall(el.install);
  setUpImageInputs({
    zone: el.zone, fileInput: el.imageFile, sampleButton: el.sample, cameraButton: el.camera, snapButton: el.snap,
    video: el.video, cameraStatus: el.cameraStatus, preview: el.preview,
    onImage: (img, _name, warning) => {
      image = img;
      // A new image replaces the last one's message: its own warning (a truncated file), or none.
      show(el.imageMessage, warning ?? '', 'warning');
      void serial(() => classifyNow());
    },
    onError: (text) => show(el.imageMessage, text, 'error'),
    onFrame: (img) => {
      image = img;
      show(el.imageMessage, '');
      return serial(() => classifyNow(img, true));
    },
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
    // The service worker is registered once the model is loaded, so its precaching (which revalidates the
    // same files: no second download) does not compete with the page's own first loads.
    await registerServiceWorker(el.status);
    warmForOffline();
  })();
}

main();
