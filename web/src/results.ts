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
