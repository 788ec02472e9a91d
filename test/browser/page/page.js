// The browser test page (test/browser/browser.test.ts drives it in Chromium, Firefox and WebKit through
// test/browser/engines.ts). A plain module script, no bundler: it imports the published bundle
// ./dist/index.js, decodes ./images/cat.png with createImageBitmap + OffscreenCanvas, classifies it with the
// default model and leaves the outcome in window.__result, with what the page itself finds about the engine
// (which kernel modules validate, shared memory, hardwareConcurrency). Query: isa=auto|relaxed|simd|scalar
// (comma list: one model per isa; 'supported' = auto, then every module this engine validates), worker=1
// (the worker option), threads=N|auto, image=synthetic (when ../shared/data is absent), control=eval (calls
// new Function: the CSP tests' negative control; control=errors logs a console error and throws an uncaught
// one: the console-error checks' negative control).
const params = new URLSearchParams(location.search);
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
});

/** RGBA pixels of an image URL, as a page without a bundler would get them. */
async function decode(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  const bitmap = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const { width, height } = bitmap;
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const img = ctx.getImageData(0, 0, width, height);
  return { data: new Uint8Array(img.data.buffer), width, height, channels: 4 };
}

/** The same gradient as test/build/reference.ts. */
function synthetic() {
  const width = 160;
  const height = 120;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 7) & 255, 255], i * 4);
  }
  return { data, width, height, channels: 4 };
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// The probes of src/wasm/load.ts, repeated here so that 'auto' is checked against the page's own finding.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 30, 1, 28, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 65, 0, 253, 15, 65, 0, 253, 15, 253, 147, 2, 11,
]);

/** The kernel modules this engine validates, best first (the order 'auto' tries them). */
function supportedIsas() {
  const simd = WebAssembly.validate(SIMD_PROBE);
  return [...(simd && WebAssembly.validate(RELAXED_PROBE) ? ['relaxed'] : []), ...(simd ? ['simd'] : []), 'scalar'];
}

/** Whether this page can make a shared WebAssembly.Memory (what a thread team needs). */
function sharedMemory() {
  try {
    return typeof SharedArrayBuffer === 'function'
      && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

async function main() {
  const engine = await import('./dist/index.js');
  const image = params.get('image') === 'synthetic' ? synthetic() : await decode('./images/cat.png');
  const pixels = base64(image.data);
  const runs = [];
  const isas = supportedIsas();
  const requested = params.get('isa') ?? 'auto';
  for (const isa of requested === 'supported' ? ['auto', ...isas] : requested.split(',')) {
    const opts = { isa };
    if (params.get('worker') === '1') opts.worker = true;
    const threads = params.get('threads');
    if (threads) opts.threads = threads === 'auto' ? 'auto' : Number(threads);
    // A copy per run: a worker-backed model may transfer (detach) the pixels it is given.
    const model = await engine.loadModel('default', opts);
    try {
      const top = await model.classify({ ...image, data: image.data.slice() }, { topK: 5 });
      runs.push({ requested: isa, isa: model.info.isa, kind: model instanceof engine.WorkerModel ? 'WorkerModel' : 'Model', threads: model.info.threads, top });
    } finally {
      await model.dispose();
    }
  }
  if (params.get('control') === 'eval') {
    // Negative control for the CSP tests: this must be blocked and reported.
    try {
      new Function('return 1')();
    } catch {
      // EvalError under the CSP
    }
    await new Promise((r) => setTimeout(r, 100)); // securitypolicyviolation is dispatched asynchronously
  }
  if (params.get('control') === 'errors') {
    // Negative control for the console-error checks: both must reach the driver's consoleErrors().
    console.error('deliberate console error');
    setTimeout(() => {
      throw new Error('deliberate uncaught error');
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ok: true, runs, pixels, width: image.width, height: image.height,
    crossOriginIsolated: self.crossOriginIsolated === true, hasSimd: engine.hasSimd?.(), violations,
    isas, sharedMemory: sharedMemory(), hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

main().then(
  (r) => {
    window.__result = r;
    document.getElementById('status').textContent = 'done';
  },
  (e) => {
    window.__result = { ok: false, error: String((e && e.stack) || e), violations };
    document.getElementById('status').textContent = 'failed';
  },
);
