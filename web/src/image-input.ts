// Every way an image gets in: the file picker, drag and drop onto the drop zone, paste anywhere on the
// page, the bundled sample, and the live camera (getUserMedia). A still ends as RGBA pixels drawn on the
// preview canvas and handed to `onImage`; the live camera hands each frame to `onFrame` and waits for it,
// so frames never queue up behind a slow model (the frame rate shown is what the model keeps up with).

import { findTruncation } from './image-check.js';
import { grouped } from './text.js';

/** Larger images are scaled down (aspect kept) before classifying: the model sees 224×224 anyway. */
const MAX_SIDE = 2048;
/** Camera frames are grabbed at most this size (the model resizes to its input; smaller copies are cheaper). */
const FRAME_SIDE = 448;
/** The frame rate is averaged over the frames of this many last milliseconds. */
const FPS_WINDOW_MS = 2000;

export interface ImageInputs {
  zone: HTMLElement;
  fileInput: HTMLInputElement;
  sampleButton: HTMLButtonElement;
  cameraButton: HTMLButtonElement;
  snapButton: HTMLButtonElement;
  video: HTMLVideoElement;
  cameraStatus: HTMLElement;
  preview: HTMLCanvasElement;
  /** A still image; `warning` when it was decoded only in part (a truncated file). */
  onImage: (image: ImageData, source: string, warning?: string) => void;
  onError: (message: string) => void;
  /** One live camera frame; the next frame is taken once this settles. */
  onFrame: (image: ImageData) => Promise<void>;
}

type Decoded = CanvasImageSource & { width: number; height: number };

/** Decodes a blob: createImageBitmap when it can (no colour conversion), else an <img> (SVG). */
async function decode(blob: Blob): Promise<Decoded> {
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    const url = URL.createObjectURL(blob);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

export function setUpImageInputs(o: ImageInputs): void {
  const show = (source: CanvasImageSource, width: number, height: number, name: string, warning?: string) => {
    const k = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.max(1, Math.round(width * k));
    const h = Math.max(1, Math.round(height * k));
    o.preview.width = w;
    o.preview.height = h;
    const ctx = o.preview.getContext('2d', { willReadFrequently: true })!;
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(source, 0, 0, w, h);
    o.preview.hidden = false;
    o.preview.setAttribute('aria-label', `The image to classify: ${name}, ${width}×${height}${warning ? ' (incomplete file)' : ''}`);
    o.onImage(ctx.getImageData(0, 0, w, h), name, warning);
  };

  // A truncated file is still shown and classified, with a warning: browsers decode what is there (Chromium
  // paints the missing rows grey), the preview shows the user exactly what the model saw, and a photo whose
  // last rows are missing is often still recognizable. Refusing would hide that; staying silent would
  // present a guess about a partial picture as if it were about the whole one. A truncated file that the
  // browser cannot decode at all is an error that says it is truncated.
  const fromBlob = async (blob: Blob, name: string) => {
    if (blob.type && !blob.type.startsWith('image/')) {
      o.onError(`“${name}” is not an image (${blob.type}).`);
      return;
    }
    let cut: ReturnType<typeof findTruncation> = null;
    try {
      cut = findTruncation(new Uint8Array(await blob.arrayBuffer()));
    } catch {
      cut = null; // unreadable bytes: decode() reports it
    }
    const what = cut ? `the ${cut.format} file is cut off after ${grouped(cut.size)} bytes (missing ${cut.missing})` : '';
    let img: Decoded;
    try {
      img = await decode(blob);
    } catch {
      o.onError(cut ? `Could not decode “${name}”: ${what}.` : `Could not decode “${name}” as an image.`);
      return;
    }
    const warning = cut
      ? `“${name}” is incomplete: ${what}. What could be decoded is shown and classified; the rest of the picture is missing, so the labels may be wrong.`
      : undefined;
    show(img, img.width, img.height, name, warning);
    if ('close' in img) (img as ImageBitmap).close();
  };

  o.fileInput.addEventListener('change', () => {
    const f = o.fileInput.files?.[0];
    if (f) void fromBlob(f, f.name);
    o.fileInput.value = '';
  });

  // The drop zone: keyboard users press Enter or Space on it to open the picker.
  o.zone.addEventListener('keydown', (e) => {
    if (e.target === o.zone && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      o.fileInput.click();
    }
  });
  o.zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    o.zone.classList.add('dragging');
  });
  o.zone.addEventListener('dragleave', () => o.zone.classList.remove('dragging'));
  o.zone.addEventListener('drop', (e) => {
    e.preventDefault();
    o.zone.classList.remove('dragging');
    const f = e.dataTransfer?.files[0];
    if (f) void fromBlob(f, f.name);
  });
  document.addEventListener('paste', (e) => {
    const f = [...(e.clipboardData?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (f) {
      e.preventDefault();
      void fromBlob(f, f.name || 'pasted image');
    }
  });

  o.sampleButton.addEventListener('click', async () => {
    try {
      const res = await fetch('models/sample.svg');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await fromBlob(await res.blob(), 'sample.svg');
    } catch (e) {
      o.onError(`Could not load the sample: ${(e as Error).message}`);
    }
  });

  setUpCamera(o, show);
}

/**
 * The live camera: "Live camera" starts the stream and classifies frame after frame, showing the frames
 * per second; a hidden tab pauses it (no camera work nobody sees) and a visible one resumes it; "Keep this
 * frame" turns the current frame into the still image; pressing the camera button again, leaving the page
 * or a track that ends (camera unplugged, permission revoked) stops every track and the loop.
 */
function setUpCamera(o: ImageInputs, show: (s: CanvasImageSource, w: number, h: number, name: string) => void): void {
  let stream: MediaStream | null = null;
  let paused = false;
  let looping = false;
  let done: number[] = [];
  const grab = document.createElement('canvas');

  const status = (text: string, fps?: number) => {
    o.cameraStatus.hidden = !text;
    o.cameraStatus.textContent = text;
    if (fps === undefined) delete o.cameraStatus.dataset.fps;
    else o.cameraStatus.dataset.fps = fps.toFixed(2);
  };

  const stop = () => {
    if (!stream) return;
    stream.getTracks().forEach((t) => t.stop());
    stream = null;
    paused = false;
    o.video.pause();
    o.video.srcObject = null;
    o.video.hidden = true;
    o.snapButton.hidden = true;
    o.cameraButton.setAttribute('aria-pressed', 'false');
    o.cameraButton.textContent = 'Live camera';
    o.zone.dataset.camera = 'off';
    status('');
  };

  /**
   * Resolves at the next video frame (requestVideoFrameCallback where supported, else the next paint), or
   * after 250 ms: a paused or stopped video has no next frame, and the loop must get to see that it ended.
   */
  const nextFrame = () => new Promise<void>((ok) => {
    const v = o.video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    if (typeof v.requestVideoFrameCallback === 'function') v.requestVideoFrameCallback(() => ok());
    else requestAnimationFrame(() => ok());
    setTimeout(ok, 250);
  });

  const loop = async () => {
    if (looping) return;
    looping = true;
    const mine = stream;
    try {
      while (stream === mine && stream && !paused) {
        await nextFrame();
        if (stream !== mine || paused) break;
        const { videoWidth: vw, videoHeight: vh } = o.video;
        if (!vw || !vh) continue;
        const k = Math.min(1, FRAME_SIDE / Math.max(vw, vh));
        grab.width = Math.max(1, Math.round(vw * k));
        grab.height = Math.max(1, Math.round(vh * k));
        const ctx = grab.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(o.video, 0, 0, grab.width, grab.height);
        await o.onFrame(ctx.getImageData(0, 0, grab.width, grab.height));
        if (stream !== mine || paused) break;
        const now = performance.now();
        done = [...done.filter((t) => now - t < FPS_WINDOW_MS), now];
        const fps = done.length > 1 ? ((done.length - 1) * 1000) / (now - done[0]) : 0;
        status(fps > 0 ? `Live: ${fps.toFixed(1)} frames per second through the model.` : 'Live: starting…', fps);
      }
    } catch (e) {
      stop();
      o.onError(`The live camera stopped: ${(e as Error).message}`);
    } finally {
      looping = false;
    }
  };

  const pause = () => {
    if (!stream || paused) return;
    paused = true;
    o.video.pause();
    o.zone.dataset.camera = 'paused';
    status('Live camera paused while this tab is hidden.');
  };
  const resume = async () => {
    if (!stream || !paused) return;
    paused = false;
    done = [];
    o.zone.dataset.camera = 'live';
    status('Live: starting…');
    await o.video.play().catch(() => undefined);
    void loop();
  };

  if (!navigator.mediaDevices?.getUserMedia) {
    o.cameraButton.disabled = true;
    o.cameraButton.title = 'No camera access in this browser (it needs getUserMedia and a secure context)';
  }
  o.cameraButton.addEventListener('click', async () => {
    if (stream) {
      stop();
      o.cameraButton.focus();
      return;
    }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream = s;
      for (const t of s.getVideoTracks()) t.addEventListener('ended', () => stream === s && stop());
      o.video.srcObject = s;
      o.video.hidden = false;
      await o.video.play();
      o.snapButton.hidden = false;
      o.cameraButton.setAttribute('aria-pressed', 'true');
      o.cameraButton.textContent = 'Stop the camera';
      o.zone.dataset.camera = 'live';
      done = [];
      status('Live: starting…');
      if (document.hidden) pause();
      else void loop();
    } catch (e) {
      stop();
      o.onError(`No camera: ${(e as Error).message}`);
    }
  });
  o.snapButton.addEventListener('click', () => {
    if (!stream || !o.video.videoWidth) return;
    show(o.video, o.video.videoWidth, o.video.videoHeight, 'camera frame');
    stop();
    o.cameraButton.focus();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) pause();
    else void resume();
  });
  window.addEventListener('pagehide', stop);
}
