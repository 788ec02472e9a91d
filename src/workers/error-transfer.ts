// Errors across the worker boundary. Comlink's own 'throw' handler sends {name, message, stack} and
// rebuilds a plain Error, so `instanceof InputError` fails on the caller's side. This handler sends
// the same three fields and rebuilds the class the name stands for: every EngineError subclass
// exported by errors.ts (found by its stable `name`), the built-in Error classes, and DOMException
// names (AbortError, DataCloneError). Both sides register it: the worker to serialize, the caller
// to rebuild.
import * as errors from '../errors.js';
import { transferHandlers } from './comlink.js';

/** An error as it crosses a worker boundary. */
export interface WireError { name: string; message: string; stack?: string; dom?: boolean }

type ErrorClass = new (message: string) => Error;

const CLASSES = new Map<string, ErrorClass>();
for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) CLASSES.set(C.name, C);
for (const value of Object.values(errors)) {
  if (typeof value === 'function' && (value === errors.EngineError || value.prototype instanceof errors.EngineError)) {
    const C = value as ErrorClass;
    CLASSES.set(new C('').name, C);
  }
}

export function serializeError(e: Error): WireError {
  const dom = typeof DOMException === 'function' && e instanceof DOMException;
  return { name: String(e.name), message: String(e.message), stack: typeof e.stack === 'string' ? e.stack : undefined, dom };
}

/** The error `w` describes, as an instance of the class its name stands for (plain Error otherwise). */
export function reviveError(w: WireError): Error {
  const C = CLASSES.get(w.name);
  let e: Error;
  if (C) e = new C(w.message);
  else if (w.dom && typeof DOMException === 'function') e = new DOMException(w.message, w.name);
  else {
    e = new Error(w.message);
    e.name = w.name;
  }
  if (w.stack) {
    try {
      e.stack = `${w.stack}\n    at <worker boundary>`;
    } catch {
      // DOMException stacks are read-only in some engines; the message and name are what matter.
    }
  }
  return e;
}

interface Thrown { value: unknown }
type Serialized = { isError: true; value: WireError } | { isError: false; value: unknown };

let registered = false;

/** Replaces Comlink's 'throw' transfer handler (idempotent; call on both sides of a worker). */
export function registerErrorTransfer(): void {
  if (registered) return;
  registered = true;
  const original = transferHandlers.get('throw');
  if (!original) throw new errors.EngineError("comlink has no 'throw' transfer handler to replace (comlink version changed?)");
  transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize: ({ value }: Thrown): [Serialized, Transferable[]] =>
      [value instanceof Error ? { isError: true, value: serializeError(value) } : { isError: false, value }, []],
    deserialize: (s: Serialized): never => {
      throw s.isError ? reviveError(s.value) : s.value;
    },
  } as (typeof transferHandlers extends Map<string, infer H> ? H : never));
}
