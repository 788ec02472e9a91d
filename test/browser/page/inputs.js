// The browser input types test page (test/browser/inputs.test.ts drives it): the same image given to
// classify() as every kind of source a page has — raw pixels, ImageData, Blob, File, encoded bytes,
// <img>, <canvas>, OffscreenCanvas, ImageBitmap, VideoFrame and a playing <video> — on the main thread, in a
// worker model and in a pool. Each result is reported with the pixels-source result it must equal.
// Query: image=synthetic (when ../shared/data is absent: a PNG drawn on a canvas instead of cat.png).

const params = new URLSearchParams(location.search);

async function sourceBlob() {
  if (params.get('image') !== 'synthetic') {
    const res = await fetch('./images/cat.png');
    if (!res.ok) throw new Error(`HTTP ${res.status} for cat.png`);
    return res.blob();
  }
  const c = new OffscreenCanvas(160, 120);
  const ctx = c.getContext('2d');
  const g = ctx.createLinearGradient(0, 0, 160, 120);
  g.addColorStop(0, '#d02020');
  g.addColorStop(1, '#2040e0');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 160, 120);
  ctx.fillStyle = '#f0e060';
  ctx.beginPath();
  ctx.arc(80, 60, 35, 0, 2 * Math.PI);
  ctx.fill();
  return c.convertToBlob({ type: 'image/png' });
}

/** A <video> playing frames drawn on a canvas (captureStream), once it has a frame. */
async function videoOf(bitmap) {
  const canvas = Object.assign(document.createElement('canvas'), { width: bitmap.width, height: bitmap.height });
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = canvas.captureStream(30);
  document.body.append(video);
  const loaded = new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
  await video.play();
  // Keep drawing so the stream produces frames.
  const timer = setInterval(() => ctx.drawImage(bitmap, 0, 0), 30);
  await loaded;
  while (video.readyState < 2 || video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
  return { video, stop: () => { clearInterval(timer); video.pause(); video.srcObject.getTracks().forEach((t) => t.stop()); } };
}

async function main() {
  const engine = await import('./dist/index.js');
  const blob = await sourceBlob();
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const { width, height } = bitmap;
  const off = new OffscreenCanvas(width, height);
  off.getContext('2d').drawImage(bitmap, 0, 0);
  const imageData = off.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height);
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  const img = new Image();
  img.src = URL.createObjectURL(blob);
  // Not awaited on purpose: classify() must wait for an image that is still loading.

  /** Fresh sources per model (a worker model transfers what it can). */
  const sources = () => ({
    pixels: { data: new Uint8Array(imageData.data), width, height, channels: 4 },
    ImageData: new ImageData(new Uint8ClampedArray(imageData.data), width, height),
    Blob: blob,
    File: new File([blob], 'cat.png', { type: blob.type }),
    ArrayBuffer: bytes.slice().buffer,
    Uint8Array: bytes.slice(),
    HTMLImageElement: img,
    HTMLCanvasElement: canvas,
    OffscreenCanvas: off,
    ImageBitmap: bitmap,
    ...(typeof VideoFrame === 'function' ? { VideoFrame: new VideoFrame(bitmap, { timestamp: 0 }) } : {}),
  });

  const out = { ok: true, width, height, runs: {}, errors: {} };
  // A playing <video> where the engine can make one from a canvas (captureStream), else none.
  const video = typeof HTMLCanvasElement.prototype.captureStream === 'function' ? await videoOf(bitmap) : { video: null, stop() {} };
  try {
    const models = {
      main: await engine.loadModel('default'),
      worker: await engine.loadModel('default', { worker: true }),
      pool: engine.createPool({ model: 'default', size: 1 }),
    };
    for (const [where, model] of Object.entries(models)) {
      const runs = {};
      for (const [kind, src] of Object.entries({ ...sources(), ...(video.video ? { HTMLVideoElement: video.video } : {}) })) {
        try {
          runs[kind] = await model.classify(src, { topK: 5 });
        } catch (e) {
          runs[kind] = { error: `${e.name}: ${e.message}` };
        }
      }
      out.runs[where] = runs;
    }
    // A clear error for what cannot be an image, and the model still works after it.
    for (const [kind, bad] of Object.entries({ string: 'cat.png', object: { foo: 1 }, broken: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }) })) {
      try {
        await models.main.classify(bad);
        out.errors[kind] = 'no error';
      } catch (e) {
        out.errors[kind] = `${e.name}: ${e.message}`;
      }
    }
    out.after = await models.main.classify(sources().pixels, { topK: 1 });
    models.main.dispose();
    await models.worker.dispose();
    await models.pool.close();
  } finally {
    video.stop();
  }
  return out;
}

main().then(
  (r) => {
    window.__result = r;
    document.getElementById('status').textContent = 'done';
  },
  (e) => {
    window.__result = { ok: false, error: String((e && e.stack) || e) };
    document.getElementById('status').textContent = 'failed';
  },
);
