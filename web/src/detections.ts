// A detector's answer: the image with a labelled box per object, and the same objects as a list (label,
// score, box in the image's pixels) for screen readers and tests. Boxes come from Model.detect(), in the
// image's own pixels; the canvas shows the image at most MAX_SIDE wide or high.

export interface Box { x: number; y: number; width: number; height: number }
export interface Found { label: string; index: number; score: number; box: Box }

/** Long side of the drawing: enough for labels to stay legible, small enough to redraw every camera frame. */
const MAX_SIDE = 720;

/** A colour per class that stays the same from frame to frame (golden-angle hues). */
export function classColor(index: number): string {
  return `hsl(${Math.round((index * 137.508) % 360)} 85% 42%)`;
}

export function renderDetections(canvas: HTMLCanvasElement, list: HTMLOListElement, image: ImageData, found: Found[], run: number): void {
  const k = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
  canvas.width = Math.max(1, Math.round(image.width * k));
  canvas.height = Math.max(1, Math.round(image.height * k));
  const ctx = canvas.getContext('2d')!;
  const src = document.createElement('canvas');
  src.width = image.width;
  src.height = image.height;
  src.getContext('2d')!.putImageData(image, 0, 0);
  ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
  const line = Math.max(2, Math.round(canvas.width / 200));
  const font = Math.max(12, Math.round(canvas.width / 26));
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  // Lowest score first, so the best box and its label end on top where boxes overlap.
  for (const d of [...found].reverse()) {
    const x = d.box.x * k;
    const y = d.box.y * k;
    const w = d.box.width * k;
    const h = d.box.height * k;
    const color = classColor(d.index);
    ctx.lineWidth = line;
    ctx.strokeStyle = color;
    ctx.strokeRect(x, y, w, h);
    const text = `${d.label} ${Math.round(d.score * 100)} %`;
    const tw = ctx.measureText(text).width + 2 * line;
    const th = font + 2 * line;
    // The label sits above the box, or inside its top when the box touches the image's top edge.
    const ty = y - th >= 0 ? y - th : y;
    const tx = Math.min(Math.max(0, x - line / 2), canvas.width - tw);
    ctx.fillStyle = color;
    ctx.fillRect(tx, ty, tw, th);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, tx + line, ty + line);
  }
  const names = found.map((d) => `${d.label} ${Math.round(d.score * 100)} %`);
  canvas.setAttribute('aria-label', found.length ? `Objects found: ${names.join(', ')}` : 'No objects found above the score threshold');
  list.replaceChildren(...found.map((d) => {
    const li = document.createElement('li');
    li.dataset.label = d.label;
    li.dataset.index = String(d.index);
    li.dataset.score = String(d.score);
    li.dataset.box = [d.box.x, d.box.y, d.box.width, d.box.height].map((v) => Math.round(v)).join(',');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    swatch.style.background = classColor(d.index);
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = d.label;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = `${(d.score * 100).toFixed(1)} %`;
    const where = document.createElement('span');
    where.className = 'where muted';
    where.textContent = `${Math.round(d.box.width)}×${Math.round(d.box.height)} at (${Math.round(d.box.x)}, ${Math.round(d.box.y)})`;
    li.append(swatch, name, score, where);
    return li;
  }));
  list.dataset.run = String(run);
}
