// "Inside the model": the model's totals (multiply-adds, parameters, peak activation memory with and
// without the fused inverted-residual blocks) and, for the last run, the time of every plan step as a
// bar chart. A fused block is one step covering its expand, depthwise and project layers. Every step gets
// its row (the list grows with the model; nothing is cut or hidden behind a scroll box): the short name
// wraps rather than being cut, and the row's title gives the full layer names, multiply-adds and time.
import type { ModelInfo } from '../../dist/index.js';
import { breakable, grouped } from './text.js';

export interface Step { name: string; kind: string; nodes: string[]; ms: number; macs: number }

const si = (n: number, unit = '') => {
  for (const [k, s] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (n >= k) return `${(n / k).toFixed(n >= 100 * k ? 0 : 2)} ${s}${unit}`;
  return `${n} ${unit}`.trim();
};
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(0)} KiB`);

/** `name`: what the app calls the model (its file name, or the built-in's name), not the graph's own ("main" in TFLite files). */
export function renderStats(dl: HTMLElement, info: ModelInfo, name: string): void {
  const saved = info.peakActivationBytesUnfused > 0 ? info.peakActivationBytesUnfused / info.peakActivationBytes : 1;
  const rows: [string, string][] = [
    ['Model', `${name} (${info.format})`],
    ['Task', info.task === 'segment' ? 'segmentation (a class per pixel)' : 'classification'],
    ['Input', `${info.inputShape.join('×')} ${info.inputType}${info.requant ? `, requantization ${info.requant}` : ''}`],
    ['Classes', String(info.labels.length)],
    ['Multiply-adds', `${si(info.macs)} (${grouped(info.macs)})`],
    ['Parameters', `${si(info.params)} (${grouped(info.params)})`],
    ['Peak activations, fused blocks', bytes(info.peakActivationBytes)],
    ['Peak activations, unfused', `${bytes(info.peakActivationBytesUnfused)} (fusion saves ${saved.toFixed(1)}×)`],
    ['Packed weights', bytes(info.weightBytes)],
    ['Kernels', `${info.isa}, ${info.threads} thread${info.threads > 1 ? 's' : ''}`],
  ];
  dl.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.append(...(k === 'Model' ? breakable(v) : [v]));
    return [dt, dd];
  }));
}

/**
 * A readable name for a step: the layer (TFLite: the scope after "MobilenetV2/"), blocks without their
 * _expand/_depthwise/_project/_add suffix, other steps prefixed by their kind.
 */
function shortName(s: Step): string {
  const parts = s.name.split(';')[0].split('/');
  let name = parts.length > 1 && /^mobilenet/i.test(parts[0]) ? parts[1] : parts[0];
  if (s.kind.includes('block')) return name.replace(/_(expand|depthwise|project|add)$/, '');
  name = name.replace(/_(expand|depthwise|project)$/, '');
  return `${s.kind} ${name}`;
}

export function renderProfile(list: HTMLOListElement, total: HTMLElement, steps: Step[]): void {
  const max = Math.max(...steps.map((s) => s.ms), 1e-9);
  const sum = steps.reduce((a, s) => a + s.ms, 0);
  const macs = steps.reduce((a, s) => a + s.macs, 0);
  total.textContent = `${steps.length} steps, ${sum.toFixed(1)} ms in total (${(macs / sum / 1e6).toFixed(1)} GMAC/s). ` +
    'Dark bars are fused inverted-residual blocks.';
  list.replaceChildren(...steps.map((s, i) => {
    const li = document.createElement('li');
    li.dataset.kind = s.kind;
    li.dataset.ms = String(s.ms);
    li.title = `${i + 1}. ${s.name}\n${s.kind}: ${s.nodes.join(', ')}\n${si(s.macs)} multiply-adds, ${s.ms.toFixed(3)} ms`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = `${i + 1}. ${shortName(s)}`;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.dataset.kind = s.kind;
    bar.style.width = `${(100 * s.ms) / max}%`;
    const ms = document.createElement('span');
    ms.className = 'ms';
    ms.textContent = `${s.ms.toFixed(2)} ms`;
    li.append(name, bar, ms);
    return li;
  }));
}
