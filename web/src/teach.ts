// The Teach page: the user's classes and examples (files, drag and drop, or a burst from the camera while
// "Hold to record" is held), live per-class confidences on the camera or a test image, training in a worker
// (teach-worker.ts), export (.tflite float head / int8, a project file) and import. The built-in model runs in
// the engine's worker and gives each image's embedding; before training the k-NN predicts, after it the
// trained head (the same arithmetic as the exported model's head). Everything is kept in IndexedDB
// (teach-store.ts), so the page works offline and a reload shows the same predictions.
import { loadGraph, loadModel, type Graph, type WorkerModel } from '../../dist/index.js';
import { KnnClassifier, dequantizeGraph, predictHead, quantizeTaught, taughtGraph, writeTflite } from '../../dist/teach.js';
import { renderResults } from './results.js';
import { registerServiceWorker } from './register-sw.js';
import {
  deleteClass, deleteExample, getHead, listClasses, listExamples, newId, putClass, putExamples, putHead, replaceAll,
  type StoredHead, type TeachClass, type TeachExample,
} from './teach-store.js';
import type { TrainMessage, TrainRequest } from './teach-worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  status: $('offline-status'), form: $<HTMLFormElement>('class-form'), name: $<HTMLInputElement>('class-name'),
  classes: $<HTMLUListElement>('classes'), examplesStatus: $('examples-status'), message: $('teach-message'),
  camera: $<HTMLButtonElement>('camera-toggle'), video: $<HTMLVideoElement>('teach-camera'), testFile: $<HTMLInputElement>('test-file'),
  source: $('prediction-source'), predictions: $<HTMLOListElement>('predictions'), train: $<HTMLButtonElement>('train-button'),
  progress: $<HTMLProgressElement>('train-progress'), trainStatus: $('train-status'), exportTflite: $<HTMLButtonElement>('export-tflite'),
  exportInt8: $<HTMLButtonElement>('export-int8'), exportProject: $<HTMLButtonElement>('export-project'),
  importProject: $<HTMLInputElement>('import-project'), exportMessage: $('export-message'),
};

/** Images are embedded at most this size (long side): a camera frame's size; the model sees 224×224 anyway. */
const MAX_SIDE = 448;
/** The JPEG kept of each example (for int8 calibration and the project file), long side. */
const KEEP_SIDE = 256;
/** While "Hold to record" is held, a camera frame is kept at most this often. */
const BURST_MS = 120;
const PROJECT_FORMAT = 'mobilenet-wasm-teach';

let backbone: WorkerModel | null = null;
let backboneGraph: Promise<Graph> | null = null;
let classes: TeachClass[] = [];
let examples: TeachExample[] = [];
let head: StoredHead | null = null;
let knn = new KnnClassifier();
let runs = 0;
let recording: string | null = null;
let lastPixels: { data: Uint8Array; width: number; height: number } | null = null;

const show = (where: HTMLElement, text: string, kind: 'info' | 'error' = 'info') => {
  where.textContent = text;
  where.dataset.kind = kind;
};
const errorText = (e: unknown) => (e instanceof Error ? `${e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e));
const labels = () => classes.map((c) => c.name);
const nameOf = (classId: string) => classes.find((c) => c.id === classId)?.name ?? '?';
const headIsCurrent = () => head !== null && head.labels.length === classes.length && head.labels.every((l, i) => l === classes[i]!.name);

let queue: Promise<unknown> = Promise.resolve();
/** Model calls one after the other (the worker serves one at a time anyway; this keeps frames from piling up). */
function serial<T>(f: () => Promise<T>): Promise<T> {
  const p = queue.then(f, f);
  queue = p.catch(() => undefined);
  return p;
}

// ---- images -------------------------------------------------------------------------------------------------

/** An image (file, blob, video frame) drawn at most MAX_SIDE: its RGBA pixels and the canvas. */
async function pixelsOf(src: Blob | HTMLVideoElement, side = MAX_SIDE): Promise<{ data: Uint8Array; width: number; height: number; canvas: HTMLCanvasElement }> {
  const img = src instanceof Blob ? await createImageBitmap(src) : src;
  const w0 = src instanceof Blob ? (img as ImageBitmap).width : src.videoWidth;
  const h0 = src instanceof Blob ? (img as ImageBitmap).height : src.videoHeight;
  if (!w0 || !h0) throw new Error('the image is empty');
  const k = Math.min(1, side / Math.max(w0, h0));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w0 * k));
  canvas.height = Math.max(1, Math.round(h0 * k));
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  if (img instanceof ImageBitmap) img.close();
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: canvas.width, height: canvas.height, canvas };
}

const jpeg = (canvas: HTMLCanvasElement): Promise<Blob> => {
  const k = Math.min(1, KEEP_SIDE / Math.max(canvas.width, canvas.height));
  const small = document.createElement('canvas');
  small.width = Math.max(1, Math.round(canvas.width * k));
  small.height = Math.max(1, Math.round(canvas.height * k));
  small.getContext('2d')!.drawImage(canvas, 0, 0, small.width, small.height);
  return new Promise((ok, fail) => small.toBlob((b) => (b ? ok(b) : fail(new Error('cannot encode a JPEG'))), 'image/jpeg', 0.9));
};

/** The embedding of RGBA pixels, from the engine's worker (a copy is sent: the worker takes its buffer). */
function embed(p: { data: Uint8Array; width: number; height: number }): Promise<Float32Array> {
  if (!backbone) throw new Error('the model is not loaded yet');
  const m = backbone;
  return serial(() => m.embed({ data: p.data.slice(), width: p.width, height: p.height, channels: 4 }));
}

// ---- predictions --------------------------------------------------------------------------------------------

/** Per-class confidences for an embedding: the trained head if it is for these classes, else the k-NN. */
function predict(embedding: Float32Array): { source: string; scores: number[] } | null {
  if (headIsCurrent()) return { source: 'the trained head', scores: [...predictHead({ layers: head!.layers }, embedding)] };
  if (knn.labels.length < 2) return null;
  const p = knn.predict(embedding, 3);
  return { source: 'the nearest examples (k-NN, k = 3)', scores: labels().map((l) => p.confidences[l] ?? 0) };
}

async function showPrediction(p: { data: Uint8Array; width: number; height: number }, what: string): Promise<void> {
  lastPixels = p;
  const r = predict(await embed(p));
  if (!r) {
    show(el.source, 'Add examples of two classes to see predictions.');
    renderResults(el.predictions, [], ++runs);
    return;
  }
  const shown = labels().map((label, index) => ({ label, score: r.scores[index]!, index }));
  renderResults(el.predictions, shown, ++runs);
  show(el.source, `${what}, by ${r.source}.`);
  el.predictions.dataset.source = headIsCurrent() ? 'head' : 'knn';
}

// ---- classes and examples -----------------------------------------------------------------------------------

function rebuildKnn(): void {
  knn = new KnnClassifier();
  // Class order, so the k-NN's labels follow the page's.
  for (const c of classes) for (const x of examples) if (x.classId === c.id) knn.add(c.name, x.embedding);
}

async function refresh(): Promise<void> {
  rebuildKnn();
  renderClasses();
  const counts = classes.map((c) => examples.filter((x) => x.classId === c.id).length);
  el.train.disabled = classes.length < 2 || counts.some((n) => n < 1);
  el.exportTflite.disabled = el.exportInt8.disabled = !headIsCurrent();
  el.classes.dataset.examples = String(examples.length);
  if (head && !headIsCurrent()) show(el.trainStatus, 'The classes changed since training: train again (the k-NN predicts meanwhile).');
  if (lastPixels) await showPrediction(lastPixels, 'The last image').catch(() => undefined);
}

function renderClasses(): void {
  el.classes.replaceChildren(...classes.map((c) => {
    const li = document.createElement('li');
    li.className = 'drop-zone';
    li.dataset.name = c.name;
    const mine = examples.filter((x) => x.classId === c.id);
    li.dataset.count = String(mine.length);
    const title = document.createElement('h3');
    title.textContent = `${c.name} `;
    const count = document.createElement('small');
    count.className = 'muted';
    count.textContent = `${mine.length} example${mine.length === 1 ? '' : 's'}`;
    title.append(count);
    const row = document.createElement('div');
    row.className = 'row';
    const inputId = `files-${c.id}`;
    const pick = document.createElement('label');
    pick.className = 'button';
    pick.htmlFor = inputId;
    pick.textContent = 'Add images…';
    const input = document.createElement('input');
    input.id = inputId;
    input.type = 'file';
    input.accept = 'image/*';
    input.multiple = true;
    input.className = 'visually-hidden class-files';
    input.setAttribute('aria-label', `Add images of ${c.name}`);
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      input.value = '';
      void addFiles(c.id, files);
    });
    const hold = document.createElement('button');
    hold.type = 'button';
    hold.className = 'record';
    hold.textContent = 'Hold to record';
    hold.setAttribute('aria-label', `Hold to record camera examples of ${c.name}`);
    const start = (e: Event) => {
      e.preventDefault();
      void startRecording(c.id, hold);
    };
    const stop = () => stopRecording(hold);
    hold.addEventListener('pointerdown', start);
    for (const ev of ['pointerup', 'pointerleave', 'pointercancel']) hold.addEventListener(ev, stop);
    hold.addEventListener('keydown', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) start(e);
    });
    hold.addEventListener('keyup', (e) => {
      if (e.key === ' ' || e.key === 'Enter') stop();
    });
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = 'Delete class';
    remove.setAttribute('aria-label', `Delete the class ${c.name} and its examples`);
    remove.addEventListener('click', () => void removeClass(c));
    row.append(pick, input, hold, remove);
    const thumbs = document.createElement('ul');
    thumbs.className = 'thumbs';
    thumbs.setAttribute('aria-label', `Examples of ${c.name}`);
    for (const x of mine.slice(-24)) thumbs.append(thumb(x, c.name));
    li.append(title, row, thumbs);
    li.addEventListener('dragover', (e) => {
      e.preventDefault();
      li.classList.add('dragging');
    });
    li.addEventListener('dragleave', () => li.classList.remove('dragging'));
    li.addEventListener('drop', (e) => {
      e.preventDefault();
      li.classList.remove('dragging');
      void addFiles(c.id, [...(e.dataTransfer?.files ?? [])]);
    });
    return li;
  }));
}

const urls = new Map<string, string>();
function thumb(x: TeachExample, name: string): HTMLLIElement {
  const li = document.createElement('li');
  let url = urls.get(x.id);
  if (!url) urls.set(x.id, (url = URL.createObjectURL(x.image)));
  const img = document.createElement('img');
  img.src = url;
  img.alt = '';
  img.width = 48;
  img.height = 48;
  const del = document.createElement('button');
  del.type = 'button';
  del.textContent = '×';
  del.className = 'delete-example';
  del.setAttribute('aria-label', `Delete this example of ${name}`);
  del.addEventListener('click', async () => {
    await deleteExample(x.id);
    examples = examples.filter((e) => e.id !== x.id);
    URL.revokeObjectURL(url!);
    urls.delete(x.id);
    await refresh();
  });
  li.append(img, del);
  return li;
}

async function addClass(name: string): Promise<void> {
  const n = name.trim();
  if (!n) return;
  if (classes.some((c) => c.name === n)) return show(el.message, `There is already a class “${n}”.`, 'error');
  if (/[\r\n]/.test(n)) return show(el.message, 'A class name is one line.', 'error');
  const c = { id: newId(), name: n, order: Math.max(0, ...classes.map((k) => k.order + 1)) };
  await putClass(c);
  classes.push(c);
  show(el.message, '');
  await refresh();
}

async function removeClass(c: TeachClass): Promise<void> {
  await deleteClass(c.id);
  classes = classes.filter((k) => k.id !== c.id);
  examples = examples.filter((x) => x.classId !== c.id);
  await refresh();
}

/** Embeds and stores images as examples of a class; reports how long the embeddings took. */
async function addFiles(classId: string, files: File[]): Promise<void> {
  const images = files.filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp|avif)$/i.test(f.name));
  if (images.length === 0) return show(el.message, 'Those files are not images.', 'error');
  document.body.dataset.state = 'embedding';
  const added: TeachExample[] = [];
  const failed: string[] = [];
  const t0 = performance.now();
  let embedMs = 0;
  for (const [i, f] of images.entries()) {
    show(el.examplesStatus, `Adding ${i + 1} of ${images.length} to “${nameOf(classId)}”…`);
    try {
      const p = await pixelsOf(f);
      const t = performance.now();
      const embedding = await embed(p);
      embedMs += performance.now() - t;
      added.push({ id: newId(), classId, embedding, image: await jpeg(p.canvas), addedAt: Date.now() + i / 1000 });
    } catch (e) {
      failed.push(`${f.name} (${errorText(e)})`);
    }
  }
  await putExamples(added);
  examples.push(...added);
  const ms = performance.now() - t0;
  el.examplesStatus.dataset.ms = String(ms);
  el.examplesStatus.dataset.embedMs = String(embedMs);
  el.examplesStatus.dataset.added = String(added.length);
  show(el.examplesStatus, `Added ${added.length} example${added.length === 1 ? '' : 's'} to “${nameOf(classId)}” in ${(ms / 1000).toFixed(1)} s ` +
    `(${added.length ? (embedMs / added.length).toFixed(0) : 0} ms per embedding).`);
  show(el.message, failed.length ? `Could not read ${failed.join(', ')}.` : '', failed.length ? 'error' : 'info');
  document.body.dataset.state = 'ready';
  await refresh();
}

// ---- camera ---------------------------------------------------------------------------------------------------

let stream: MediaStream | null = null;
let lastKept = 0;

async function startCamera(): Promise<void> {
  if (stream) return;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    show(el.message, `The camera is not available: ${errorText(e)}`, 'error');
    return;
  }
  el.video.srcObject = stream;
  el.video.hidden = false;
  el.camera.setAttribute('aria-pressed', 'true');
  await el.video.play();
  void cameraLoop();
}

function stopCamera(): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = null;
  el.video.srcObject = null;
  el.video.hidden = true;
  el.camera.setAttribute('aria-pressed', 'false');
}

/** Each frame: its confidences; while a class's button is held, the frame (at most every BURST_MS) as an example. */
async function cameraLoop(): Promise<void> {
  while (stream) {
    if (document.hidden || el.video.readyState < 2) {
      await new Promise((ok) => setTimeout(ok, 200));
      continue;
    }
    try {
      const p = await pixelsOf(el.video);
      const now = performance.now();
      if (recording && now - lastKept >= BURST_MS) {
        lastKept = now;
        const classId = recording;
        const embedding = await embed(p);
        const x = { id: newId(), classId, embedding, image: await jpeg(p.canvas), addedAt: Date.now() };
        await putExamples([x]);
        examples.push(x);
        await refresh();
      }
      await showPrediction(p, 'This camera frame');
    } catch (e) {
      show(el.message, `Camera: ${errorText(e)}`, 'error');
      await new Promise((ok) => setTimeout(ok, 500));
    }
    await new Promise((ok) => requestAnimationFrame(ok));
  }
}

async function startRecording(classId: string, button: HTMLButtonElement): Promise<void> {
  recording = classId;
  button.setAttribute('aria-pressed', 'true');
  await startCamera();
}

function stopRecording(button: HTMLButtonElement): void {
  recording = null;
  button.setAttribute('aria-pressed', 'false');
}

// ---- training -------------------------------------------------------------------------------------------------

function train(): Promise<void> {
  return new Promise((done) => {
    const labelsNow = labels();
    const byClass = new Map(classes.map((c, i) => [c.id, i]));
    const xs = examples.filter((x) => byClass.has(x.classId));
    const request: TrainRequest = {
      x: xs.map((x) => x.embedding.slice()), y: xs.map((x) => byClass.get(x.classId)!), classes: classes.length,
      options: { seed: 0, epochs: 200, holdout: 0.2 },
    };
    el.train.disabled = true;
    document.body.dataset.state = 'training';
    show(el.trainStatus, `Training on ${xs.length} examples…`);
    const t0 = performance.now();
    const worker = new Worker(new URL('./teach-worker.js', import.meta.url), { type: 'module' });
    const finish = () => {
      worker.terminate();
      el.train.disabled = false;
      document.body.dataset.state = 'ready';
      done();
    };
    worker.onmessage = async (e: MessageEvent<TrainMessage>) => {
      const m = e.data;
      if (m.type === 'epoch') {
        el.progress.max = m.epochs;
        el.progress.value = m.epoch;
        return;
      }
      if (m.type === 'error') {
        show(el.trainStatus, `Training failed: ${m.message}`, 'error');
        return finish();
      }
      const seconds = (performance.now() - t0) / 1000;
      head = {
        labels: labelsNow, layers: m.layers, holdoutAccuracy: m.holdoutAccuracy, epochsRun: m.epochsRun, bestEpoch: m.bestEpoch,
        trainSeconds: seconds, examples: xs.length, trainedAt: Date.now(),
      };
      await putHead(head);
      el.progress.value = el.progress.max;
      el.trainStatus.dataset.seconds = String(seconds);
      el.trainStatus.dataset.workerMs = String(m.ms);
      const acc = m.holdoutAccuracy === null ? '' : `; held-out accuracy ${(100 * m.holdoutAccuracy).toFixed(0)} %`;
      show(el.trainStatus, `Trained in ${seconds.toFixed(2)} s on ${xs.length} examples (${m.epochsRun} epochs, kept epoch ${m.bestEpoch}${acc}).`);
      finish();
      await refresh();
    };
    worker.onerror = (e) => {
      show(el.trainStatus, `Training failed: ${e.message}`, 'error');
      finish();
    };
    worker.postMessage(request, request.x.map((v) => v.buffer));
  });
}

// ---- export / import ------------------------------------------------------------------------------------------

function download(bytes: Uint8Array | string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function exportTflite(int8: boolean): Promise<void> {
  if (!head || !headIsCurrent()) return;
  show(el.exportMessage, int8 ? 'Quantizing on your examples…' : 'Writing the model…');
  try {
    backboneGraph ??= loadGraph('default');
    const g = await backboneGraph;
    const h = { layers: head.layers, classes: head.labels.length };
    let graph: Graph;
    if (int8) {
      // The float32 twin + the head, quantized as a whole, calibrated on the user's own examples.
      const calibration = [];
      for (const x of examples) {
        const p = await pixelsOf(x.image);
        calibration.push({ data: p.data, width: p.width, height: p.height, channels: 4 as const });
      }
      graph = await quantizeTaught(taughtGraph(dequantizeGraph(g), h, head.labels), calibration);
    } else graph = taughtGraph(g, h, head.labels);
    const bytes = writeTflite(graph);
    download(bytes, int8 ? 'taught-int8.tflite' : 'taught.tflite', 'application/octet-stream');
    el.exportMessage.dataset.bytes = String(bytes.length);
    show(el.exportMessage, `Saved ${int8 ? 'taught-int8.tflite' : 'taught.tflite'} (${(bytes.length / 1e6).toFixed(1)} MB).`);
  } catch (e) {
    show(el.exportMessage, `Could not export: ${errorText(e)}`, 'error');
  }
}

const b64 = (a: Float32Array) => {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
};
const unb64 = (s: string) => new Float32Array(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer);
const dataUrl = (b: Blob): Promise<string> => new Promise((ok, fail) => {
  const r = new FileReader();
  r.onload = () => ok(String(r.result));
  r.onerror = () => fail(r.error);
  r.readAsDataURL(b);
});

async function exportProject(): Promise<void> {
  const project = {
    format: PROJECT_FORMAT, version: 1, backbone: 'default',
    classes: classes.map((c) => c.name),
    examples: await Promise.all(examples.map(async (x) => ({ label: nameOf(x.classId), embedding: b64(x.embedding), image: await dataUrl(x.image) }))),
    head: head && { ...head, layers: head.layers.map((l) => ({ ...l, weights: b64(l.weights), bias: b64(l.bias) })) },
  };
  const text = JSON.stringify(project);
  download(text, 'teach-project.json', 'application/json');
  show(el.exportMessage, `Saved teach-project.json (${classes.length} classes, ${examples.length} examples).`);
}

async function importProject(file: File): Promise<void> {
  try {
    const p = JSON.parse(await file.text());
    if (p?.format !== PROJECT_FORMAT || p.version !== 1 || !Array.isArray(p.classes) || !Array.isArray(p.examples)) throw new Error('not a Teach project file (version 1)');
    const cs: TeachClass[] = p.classes.map((name: string, order: number) => ({ id: newId(), name: String(name), order }));
    const byName = new Map(cs.map((c) => [c.name, c.id]));
    const xs: TeachExample[] = [];
    for (const [i, e] of (p.examples as { label: string; embedding: string; image: string }[]).entries()) {
      const classId = byName.get(e.label);
      if (!classId) throw new Error(`example ${i} names no class of the file (“${e.label}”)`);
      xs.push({ id: newId(), classId, embedding: unb64(e.embedding), image: await (await fetch(e.image)).blob(), addedAt: Date.now() + i / 1000 });
    }
    const h: StoredHead | null = p.head ? { ...p.head, layers: p.head.layers.map((l: { weights: string; bias: string }) => ({ ...l, weights: unb64(l.weights), bias: unb64(l.bias) })) } : null;
    await replaceAll(cs, xs, h);
    [classes, examples, head] = [cs, xs, h];
    show(el.exportMessage, `Opened ${file.name}: ${cs.length} classes, ${xs.length} examples${h ? ', trained' : ''}.`);
    showHeadStatus();
    await refresh();
  } catch (e) {
    show(el.exportMessage, `Could not open ${file.name}: ${errorText(e)}`, 'error');
  }
}

function showHeadStatus(): void {
  if (!head) return show(el.trainStatus, 'Not trained yet.');
  const acc = head.holdoutAccuracy === null ? '' : `; held-out accuracy ${(100 * head.holdoutAccuracy).toFixed(0)} %`;
  show(el.trainStatus, `Trained on ${head.examples} examples in ${head.trainSeconds.toFixed(2)} s (${head.epochsRun} epochs${acc}).`);
}

// ---- start ----------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  el.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void addClass(el.name.value).then(() => {
      el.name.value = '';
    });
  });
  el.camera.addEventListener('click', () => (stream ? stopCamera() : void startCamera()));
  el.testFile.addEventListener('change', () => {
    const f = el.testFile.files?.[0];
    el.testFile.value = '';
    if (f) void pixelsOf(f).then((p) => showPrediction(p, `“${f.name}”`)).catch((e) => show(el.message, `Could not read ${f.name}: ${errorText(e)}`, 'error'));
  });
  el.train.addEventListener('click', () => void train());
  el.exportTflite.addEventListener('click', () => void exportTflite(false));
  el.exportInt8.addEventListener('click', () => void exportTflite(true));
  el.exportProject.addEventListener('click', () => void exportProject());
  el.importProject.addEventListener('change', () => {
    const f = el.importProject.files?.[0];
    el.importProject.value = '';
    if (f) void importProject(f);
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && recording) recording = null;
  });
  [classes, examples, head] = await Promise.all([listClasses(), listExamples(), getHead().then((h) => h ?? null)]);
  showHeadStatus();
  await refresh();
  try {
    backbone = await loadModel('default', { worker: true });
    document.body.dataset.state = 'ready';
  } catch (e) {
    show(el.message, `Could not load the built-in model: ${errorText(e)}`, 'error');
    document.body.dataset.state = 'no-model';
  }
  await registerServiceWorker(el.status);
}

void main();
