// Resource limits (LoadOptions.limits): every size a model or an image asks for is checked here before anything
// is allocated or planned. Sizes are doubles: a product of hostile dimensions never wraps around (it grows to
// Infinity at worst, which is above every limit), so `requested > max` is always the right test.
import type { Graph, ValueType } from '../graph/ir.js';
import { summarize } from '../graph/summary.js';
import { InputError, ResourceLimitError } from '../errors.js';
import { ELEM_BYTES } from '../ops/lower.js';

export interface Limits {
  /** Wasm memory of one model: constants, activations and staging (default 1 GiB). */
  maxMemoryBytes?: number;
  /** Pixels (height × width) of the model's input tensor (default 4096², 16 M). */
  maxInputPixels?: number;
  /** Multiply-adds of one inference (default 20e9; MobileNetV2 1.0 224 is 0.3e9). */
  maxMacs?: number;
  /** Pixels of an image to decode or classify, and of a segment() size (default 16384², 268 M). */
  maxImagePixels?: number;
}

export const DEFAULT_LIMITS: Required<Limits> = {
  maxMemoryBytes: 2 ** 30, maxInputPixels: 4096 * 4096, maxMacs: 20e9, maxImagePixels: 16384 * 16384,
};

/** The limits in force: the defaults, overridden by the caller's (each a positive number). */
export function resolveLimits(given: Limits | undefined): Required<Limits> {
  if (given === undefined) return DEFAULT_LIMITS;
  const out = { ...DEFAULT_LIMITS, ...given };
  for (const [k, v] of Object.entries(out)) if (!(v > 0)) throw new InputError(`limits.${k} must be a positive number, got ${String(v)}`);
  return out;
}

/** Throws ResourceLimitError when `requested` (a double) is above limits[limit]. */
export function checkLimit(limits: Required<Limits>, limit: keyof Limits, requested: number, what: string): void {
  if (!(requested <= limits[limit])) throw new ResourceLimitError(limit, requested, limits[limit], what);
}

/** Before planning: the input's pixels, every value's bytes (shapes from inferShapes) and the multiply-adds. */
export function checkGraphLimits(graph: Graph, shapes: Map<string, number[]>, typeOf: (v: string) => ValueType, limits: Required<Limits>): void {
  const s = graph.input.shape;
  checkLimit(limits, 'maxInputPixels', (s[1] ?? 1) * (s[2] ?? 1), `model "${graph.name}": input ${s.join('×')}`);
  for (const [v, shape] of shapes) {
    const bytes = shape.reduce((a, d) => a * d, 1) * ELEM_BYTES[typeOf(v).dtype];
    checkLimit(limits, 'maxMemoryBytes', bytes, `model "${graph.name}": value "${v}" (${shape.join('×')})`);
  }
  checkLimit(limits, 'maxMacs', summarize(graph).macs, `model "${graph.name}"`);
}
