// The Figure 1 page: the input spiral, then T⁺·ReLU(T·x) for n = 2, 3, 5, 15, 30 and a slider's n,
// each panel with how many points lost information and how many kept their neighbours. Re-seed draws a new T.
import { fractionLost, neighbourPreservation, reluRoundTrip, spiral, type Points } from './spiral.js';
import { registerServiceWorker } from './register-sw.js';

const FIXED = [2, 3, 5, 15, 30];
const points = spiral();
const panels = document.getElementById('panels')!;
const slider = document.getElementById('n-slider') as HTMLInputElement;
const nOut = document.getElementById('n-value') as HTMLOutputElement;
const seedOut = document.getElementById('seed') as HTMLOutputElement;
let seed = 1;

function figure(key: string, title: string): { fig: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement } {
  let fig = panels.querySelector<HTMLElement>(`figure[data-key="${key}"]`);
  if (!fig) {
    fig = document.createElement('figure');
    fig.dataset.key = key;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 320;
    const caption = document.createElement('figcaption');
    fig.append(canvas, caption);
    panels.append(fig);
  }
  const canvas = fig.querySelector('canvas')!;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  return { fig, canvas, caption: fig.querySelector('figcaption')! };
}

/** Draws the points as a line coloured along the spiral (hue = position), fitted to the canvas. */
function draw(canvas: HTMLCanvasElement, p: Points): void {
  const ctx = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < p.length; i += 2) {
    minX = Math.min(minX, p[i]); maxX = Math.max(maxX, p[i]);
    minY = Math.min(minY, p[i + 1]); maxY = Math.max(maxY, p[i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY, 1e-9);
  const k = (w * 0.88) / span;
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const X = (x: number) => w / 2 + (x - cx) * k;
  const Y = (y: number) => h / 2 - (y - cy) * k;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#e3e8ee';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(X(0), 0); ctx.lineTo(X(0), h); ctx.moveTo(0, Y(0)); ctx.lineTo(w, Y(0));
  ctx.stroke();
  const count = p.length / 2;
  ctx.lineWidth = 2.5;
  ctx.lineCap = 'round';
  for (let i = 1; i < count; i++) {
    ctx.strokeStyle = `hsl(${(300 * i) / count} 75% 45%)`;
    ctx.beginPath();
    ctx.moveTo(X(p[2 * i - 2]), Y(p[2 * i - 1]));
    ctx.lineTo(X(p[2 * i]), Y(p[2 * i + 1]));
    ctx.stroke();
  }
}

function panel(key: string, n: number): void {
  const e = reluRoundTrip(points, n, seed * 1000 + n);
  const lost = fractionLost(e);
  const kept = neighbourPreservation(e.recovered);
  const title = `n = ${n}: the spiral after T⁺·ReLU(T·x); ${Math.round(100 * lost)} % of points lost information, ${Math.round(100 * kept)} % keep their neighbours`;
  const { fig, canvas, caption } = figure(key, title);
  fig.dataset.n = String(n);
  draw(canvas, e.recovered);
  caption.textContent = `n = ${n}${key === 'slider' ? ' (slider)' : ''} · information lost ${Math.round(100 * lost)} % · neighbours kept ${Math.round(100 * kept)} %`;
}

function render(): void {
  seedOut.textContent = String(seed);
  const input = figure('input', 'The input: a 2-D spiral');
  draw(input.canvas, points);
  input.caption.textContent = 'Input: a 2-D spiral';
  for (const n of FIXED) panel(`n${n}`, n);
  renderSlider();
  document.body.dataset.rendered = String(seed);
}

function renderSlider(): void {
  const n = Number(slider.value);
  nOut.textContent = String(n);
  panel('slider', n);
}

document.getElementById('reseed')!.addEventListener('click', () => {
  seed++;
  render();
});
slider.addEventListener('input', renderSlider);
render();
void registerServiceWorker(document.getElementById('offline-status')!);
