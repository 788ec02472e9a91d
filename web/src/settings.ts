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

const PRECISION_KEY = 'mnw-precision';

/** What the precision control asks for: 'int8' runs a quantized model as it is, 'f32' as its float32 twin. */
export type Precision = 'int8' | 'f32';

export function precision(): Precision {
  return localStorage.getItem(PRECISION_KEY) === 'f32' ? 'f32' : 'int8';
}

/** The precision radios: a change is remembered across visits and reloads the model (onChange). */
export function setUpPrecision(fieldset: HTMLFieldSetElement, onChange: () => void): void {
  fieldset.addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.name !== 'precision' || !input.checked) return;
    localStorage.setItem(PRECISION_KEY, input.value === 'f32' ? 'f32' : 'int8');
    onChange();
  });
}

/**
 * Shows what the current model can run and runs. A quantized model offers both: int8 (its own integer
 * weights) and float32 (its twin, dequantized at load: LoadOptions.precision 'float32'); a float model only
 * float32. `quantized`: whether the model's file is quantized (known from loading it as it is).
 */
export function showPrecision(
  fieldset: HTMLFieldSetElement, note: HTMLElement, requantSelect: HTMLSelectElement, requantNote: HTMLElement,
  info: ModelInfo, quantized: boolean,
): void {
  const runsInt8 = info.inputType !== 'float32' || info.requant !== undefined;
  for (const input of fieldset.querySelectorAll<HTMLInputElement>('input[name="precision"]')) {
    const isInt8 = input.value === 'int8';
    input.disabled = isInt8 ? !runsInt8 && !quantized : false;
    input.checked = isInt8 === runsInt8;
  }
  fieldset.dataset.running = runsInt8 ? 'int8' : 'f32';
  requantSelect.disabled = !runsInt8;
  requantNote.textContent = runsInt8
    ? 'Both give the same top labels; fp32 reproduces the TFLite runtime byte for byte.'
    : 'Only for int8 models.';
  note.textContent = runsInt8
    ? `int8: the model's own quantized weights (${info.inputType} input, ${info.requant ?? 'fp32'} requantization). float32 runs its float twin, dequantized at load.`
    : quantized
      ? 'float32: the twin of this quantized model, its weights dequantized at load. int8 runs its own quantized weights.'
      : 'float32: int8 needs a quantized model. Add an int8 .tflite, or make one from this model with the command line: npx mobilenet-wasm quantize.';
}
