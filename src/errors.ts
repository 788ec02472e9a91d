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
