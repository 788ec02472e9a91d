// Every way an image gets in: the file picker, drag and drop onto the drop zone, paste anywhere on the
// page, the bundled sample, and a still from the camera (getUserMedia). Each ends as RGBA pixels drawn
// on the preview canvas and handed to `onImage`.

/** Larger images are scaled down (aspect kept) before classifying: the model sees 224×224 anyway. */
const MAX_SIDE = 2048;

export interface ImageInputs {
  zone: HTMLElement;
  fileInput: HTMLInputElement;
  sampleButton: HTMLButtonElement;
  cameraButton: HTMLButtonElement;
  snapButton: HTMLButtonElement;
  video: HTMLVideoElement;
  preview: HTMLCanvasElement;
  onImage: (image: ImageData, source: string) => void;
  onError: (message: string) => void;
}

/** Decodes a blob: createImageBitmap when it can (no colour conversion), else an <img> (SVG). */
async function decode(blob: Blob): Promise<CanvasImageSource & { width: number; height: number }> {
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
  const show = (source: CanvasImageSource, width: number, height: number, name: string) => {
    const k = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.max(1, Math.round(width * k));
    const h = Math.max(1, Math.round(height * k));
    o.preview.width = w;
    o.preview.height = h;
    const ctx = o.preview.getContext('2d', { willReadFrequently: true })!;
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(source, 0, 0, w, h);
    o.preview.hidden = false;
    o.preview.setAttribute('aria-label', `The image to classify: ${name}, ${width}×${height}`);
    o.onImage(ctx.getImageData(0, 0, w, h), name);
  };

  const fromBlob = async (blob: Blob, name: string) => {
    if (blob.type && !blob.type.startsWith('image/')) {
      o.onError(`"${name}" is not an image (${blob.type}).`);
      return;
    }
    try {
      const img = await decode(blob);
      show(img, img.width, img.height, name);
      if ('close' in img) (img as ImageBitmap).close();
    } catch {
      o.onError(`Could not decode "${name}" as an image.`);
    }
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
      await fromBlob(await res.blob(), 'sample.svg');
    } catch (e) {
      o.onError(`Could not load the sample: ${(e as Error).message}`);
    }
  });

  let stream: MediaStream | null = null;
  const stopCamera = () => {
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    o.video.hidden = true;
    o.snapButton.hidden = true;
    o.cameraButton.setAttribute('aria-pressed', 'false');
    o.cameraButton.textContent = 'Use the camera';
  };
  if (!navigator.mediaDevices?.getUserMedia) {
    o.cameraButton.disabled = true;
    o.cameraButton.title = 'No camera access in this browser (it needs getUserMedia and a secure context)';
  }
  o.cameraButton.addEventListener('click', async () => {
    if (stream) {
      stopCamera();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      o.video.srcObject = stream;
      o.video.hidden = false;
      await o.video.play();
      o.snapButton.hidden = false;
      o.cameraButton.setAttribute('aria-pressed', 'true');
      o.cameraButton.textContent = 'Stop the camera';
      o.snapButton.focus();
    } catch (e) {
      stopCamera();
      o.onError(`No camera: ${(e as Error).message}`);
    }
  });
  o.snapButton.addEventListener('click', () => {
    if (!stream || !o.video.videoWidth) return;
    show(o.video, o.video.videoWidth, o.video.videoHeight, 'camera still');
    stopCamera();
  });
}
