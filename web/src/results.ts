// The top-k list: one <li data-label data-score> per class, highest score first, with a score bar.

export interface Scored { label: string; score: number; index: number }

export function renderResults(list: HTMLOListElement, top: Scored[], run: number): void {
  list.replaceChildren(...top.map((c) => {
    const li = document.createElement('li');
    li.dataset.label = c.label;
    li.dataset.score = String(c.score);
    li.dataset.index = String(c.index);
    const pct = Math.max(0, Math.min(100, c.score * 100));
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = c.label;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = `${pct.toFixed(1)} %`;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.style.width = `${pct}%`;
    bar.append(fill);
    li.append(label, score, bar);
    return li;
  }));
  list.dataset.run = String(run);
}

export interface ClassMap { width: number; height: number; classes: Uint8Array; labels: string[] }
export interface LegendEntry { index: number; label: string; color: [number, number, number]; share: number }

/** Alpha of the class colours over the image; background (class 0) is left untinted. */
const TINT = 0.6;

/**
 * A segmentation: the image with every pixel tinted by its class colour (DeepLab's PASCAL VOC colour map,
 * `color(c)`), and a legend of the classes present in the mask, largest share first, each with its colour,
 * name and share of the pixels. Returns the legend entries (also set as data-* on each <li>).
 */
export function renderSegmentation(
  canvas: HTMLCanvasElement, legend: HTMLUListElement, image: ImageData, seg: ClassMap,
  color: (c: number) => [number, number, number], run: number,
): LegendEntry[] {
  canvas.width = seg.width;
  canvas.height = seg.height;
  const ctx = canvas.getContext('2d')!;
  // The image at the mask's size, then blended with the class colours pixel by pixel.
  const src = document.createElement('canvas');
  src.width = image.width;
  src.height = image.height;
  src.getContext('2d')!.putImageData(image, 0, 0);
  ctx.drawImage(src, 0, 0, seg.width, seg.height);
  const px = ctx.getImageData(0, 0, seg.width, seg.height);
  const counts = new Map<number, number>();
  for (let i = 0; i < seg.classes.length; i++) {
    const c = seg.classes[i];
    counts.set(c, (counts.get(c) ?? 0) + 1);
    if (c === 0) continue;
    const [r, g, b] = color(c);
    const p = i * 4;
    px.data[p] = Math.round(px.data[p] * (1 - TINT) + r * TINT);
    px.data[p + 1] = Math.round(px.data[p + 1] * (1 - TINT) + g * TINT);
    px.data[p + 2] = Math.round(px.data[p + 2] * (1 - TINT) + b * TINT);
  }
  ctx.putImageData(px, 0, 0);
  const entries: LegendEntry[] = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([index, n]) => ({ index, label: seg.labels[index] ?? `class ${index}`, color: color(index), share: n / seg.classes.length }));
  canvas.setAttribute('aria-label', `Segmentation mask over the image: ${entries.map((e) => `${e.label} ${(100 * e.share).toFixed(1)} %`).join(', ')}`);
  legend.replaceChildren(...entries.map((e) => {
    const li = document.createElement('li');
    li.dataset.label = e.label;
    li.dataset.index = String(e.index);
    li.dataset.color = `rgb(${e.color.join(', ')})`;
    li.dataset.share = String(e.share);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    if (e.index === 0) swatch.dataset.untinted = 'true';
    else swatch.style.background = li.dataset.color;
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = e.index === 0 ? `${e.label} (not tinted)` : e.label;
    const share = document.createElement('span');
    share.className = 'score';
    share.textContent = `${(100 * e.share).toFixed(1)} %`;
    li.append(swatch, name, share);
    return li;
  }));
  legend.dataset.run = String(run);
  return entries;
}
