// Typed errors. The class name is also stored in `name`, because structured clone
// (Comlink, postMessage) carries only name, message and stack across a worker boundary.

/** Base class of every error the engine throws on purpose. */
export class EngineError extends Error {
  override name = 'EngineError';
}

/** A model file that cannot be parsed: bad magic, truncated, inconsistent offsets. */
export class ModelFormatError extends EngineError {
  override name = 'ModelFormatError';
}

/** A well-formed model that uses a layer, op or attribute the engine does not implement. */
export class UnsupportedOpError extends EngineError {
  override name = 'UnsupportedOpError';
}

/** Shapes, dtypes or weights that do not fit together (caught at load, before any kernel runs). */
export class ShapeError extends EngineError {
  override name = 'ShapeError';
}

/** A bad argument from the caller: wrong input size, bad image, bad option. */
export class InputError extends EngineError {
  override name = 'InputError';
}

/** The model was disposed and cannot be used any more. */
export class DisposedError extends EngineError {
  override name = 'DisposedError';
}

/** A kernel assertion fired (debug builds) or the wasm runtime trapped; the engine stays usable. */
export class KernelError extends EngineError {
  override name = 'KernelError';
}

/** A worker pool's queue already holds `maxQueue` waiting calls; retry later or raise maxQueue. */
export class QueueFullError extends EngineError {
  override name = 'QueueFullError';
}

/** The worker running a call died (uncaught error, out of memory, exit, terminate) before answering. */
export class WorkerCrashedError extends EngineError {
  override name = 'WorkerCrashedError';
}

/**
 * A size beyond one of LoadOptions.limits (memory, input pixels, multiply-adds, image pixels), refused before
 * anything is allocated: `limit` names it, `requested` is what was asked, `max` the limit in force.
 */
export class ResourceLimitError extends EngineError {
  override name = 'ResourceLimitError';
  constructor(readonly limit: string, readonly requested: number, readonly max: number, what: string) {
    super(`${what} needs ${limit} ${requested}, above the limit ${max}; raise limits.${limit} to allow it`);
  }
}

/**
 * A short preview of any value for an error message: at most `max` characters, depth 3, cycles and deep
 * nesting cut (never the stack overflow or the megabyte message JSON.stringify would give).
 */
export function preview(v: unknown, max = 80): string {
  let out = '';
  const walk = (x: unknown, depth: number): void => {
    if (out.length > max) return;
    if (typeof x === 'string') out += JSON.stringify(x.length > max ? x.slice(0, max) : x);
    else if (typeof x !== 'object' || x === null) out += String(x);
    else if (depth > 3) out += Array.isArray(x) ? '[…]' : '{…}';
    else if (Array.isArray(x) || ArrayBuffer.isView(x)) {
      const a = x as ArrayLike<unknown>;
      out += '[';
      for (let i = 0; i < a.length && out.length <= max; i++) {
        if (i) out += ',';
        walk(a[i], depth + 1);
      }
      out += ']';
    } else {
      out += '{';
      Object.keys(x).some((k, i) => {
        out += `${i ? ',' : ''}${JSON.stringify(k.slice(0, max))}:`;
        walk((x as Record<string, unknown>)[k], depth + 1);
        return out.length > max;
      });
      out += '}';
    }
  };
  walk(v, 0);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
