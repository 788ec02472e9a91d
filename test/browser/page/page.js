// The browser test page (test/browser/browser.test.ts drives it with Playwright). A plain module script,
// no bundler: it imports the published bundle ./dist/index.js, decodes ./images/cat.png with
// createImageBitmap + OffscreenCanvas, classifies it with the default model and leaves the outcome in
// window.__result. Query: isa=auto|relaxed|simd|scalar (comma list: one model per isa), worker=1 (the
// worker option), image=synthetic (when ../shared/data is absent), control=eval (calls new Function: the
// CSP tests' negative control).
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

async function main() {
  const engine = await import('./dist/index.js');
  const image = params.get('image') === 'synthetic' ? synthetic() : await decode('./images/cat.png');
  const pixels = base64(image.data);
  const runs = [];
  for (const isa of (params.get('isa') ?? 'auto').split(',')) {
    const opts = { isa };
    if (params.get('worker') === '1') opts.worker = true;
    if (params.get('threads')) opts.threads = Number(params.get('threads'));
    // A copy per run: a worker-backed model may transfer (detach) the pixels it is given.
    const model = await engine.loadModel('default', opts);
    try {
      const top = await model.classify({ ...image, data: image.data.slice() }, { topK: 5 });
      runs.push({ requested: isa, isa: model.info.isa, kind: model.constructor.name, threads: model.info.threads, top });
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
  return {
    ok: true, runs, pixels, width: image.width, height: image.height,
    crossOriginIsolated: self.crossOriginIsolated === true, hasSimd: engine.hasSimd?.(), violations,
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
