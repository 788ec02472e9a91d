// The settings that change what runs: precision (what the loaded model allows) and threads (what the
// page allows: a thread team needs a shared WebAssembly.Memory, i.e. a cross-origin isolated page in a
// browser that has SharedArrayBuffer).
import type { ModelInfo } from '../../dist/index.js';

const THREADS_KEY = 'mnw-threads';
const REQUANT_KEY = 'mnw-requant';

/**
 * True where a shared WebAssembly.Memory can be made, as the engine's thread team needs (its own check is
 * threadsAvailable() in src/exec/team.ts). crossOriginIsolated alone is not enough: WebKitGTK is isolated
 * and has no SharedArrayBuffer, and the engine would then silently run one thread.
 */
function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export function setUpThreads(select: HTMLSelectElement, note: HTMLElement, onChange: () => void): void {
  const isolated = self.crossOriginIsolated === true;
  const shared = isolated && sharedMemoryUsable();
  const cores = navigator.hardwareConcurrency || 1;
  const max = shared ? Math.max(1, Math.min(4, cores)) : 1;
  const saved = Number(localStorage.getItem(THREADS_KEY)) || 1;
  const options = [];
  for (let t = 1; t <= Math.max(max, Math.min(4, cores)); t++) {
    const o = new Option(t === 1 ? '1 (this worker only)' : `${t}`, String(t));
    o.disabled = t > max;
    options.push(o);
  }
  select.replaceChildren(...options);
  select.value = String(Math.min(saved, max));
  select.dataset.available = String(max > 1);
  note.textContent = !isolated
    ? 'Unavailable: the page is not cross-origin isolated (it needs COOP/COEP headers, which npm start sends), so inference uses one thread.'
    : !shared
      ? 'Unavailable: this browser offers no shared memory (SharedArrayBuffer) even though the page is cross-origin isolated, so inference uses one thread.'
      : max > 1
        ? `Available: the page is cross-origin isolated and this device reports ${cores} cores.`
        : 'Unavailable: this device reports a single core.';
  select.addEventListener('change', () => {
    localStorage.setItem(THREADS_KEY, select.value);
    onChange();
  });
}

export function threads(select: HTMLSelectElement): number {
  return Number(select.value) || 1;
}

/** The requantization arithmetic of int8 models (LoadOptions.requant); remembered across visits. */
export function setUpRequant(select: HTMLSelectElement, onChange: () => void): void {
  select.value = localStorage.getItem(REQUANT_KEY) === 'gemmlowp' ? 'gemmlowp' : 'fp32';
  select.addEventListener('change', () => {
    localStorage.setItem(REQUANT_KEY, select.value);
    onChange();
  });
}

export function requant(select: HTMLSelectElement): 'fp32' | 'gemmlowp' {
  return select.value === 'gemmlowp' ? 'gemmlowp' : 'fp32';
}

/** Precision follows the model: quantized files hold only int8 weights, float files only float32 ones. */
export function showPrecision(fieldset: HTMLFieldSetElement, note: HTMLElement, requantSelect: HTMLSelectElement, requantNote: HTMLElement, info: ModelInfo): void {
  const quantized = info.inputType !== 'float32' || info.requant !== undefined;
  for (const input of fieldset.querySelectorAll<HTMLInputElement>('input[name="precision"]')) {
    const allowed = (input.value === 'int8') === quantized;
    input.disabled = !allowed;
    input.checked = allowed;
  }
  requantSelect.disabled = !quantized;
  requantNote.textContent = quantized
    ? 'Both give the same top labels; fp32 reproduces the TFLite runtime byte for byte.'
    : 'Only for int8 models.';
  note.textContent = quantized
    ? `int8: this model is quantized (${info.inputType} input, ${info.requant ?? 'fp32'} requantization); its file has no float32 weights.`
    : 'float32: int8 needs a quantized model. Add an int8 .tflite, or make one from this model with the command line: npx mobilenet-wasm quantize.';
}
