// The control block a thread team shares, in the reserved low bytes of wasm memory (the kernels have
// no static data, so bytes below RESERVED_BYTES belong to the host). Int32 slots:
export const CONTROL_ADDRESS = 256;
export const EPOCH = 0; // bumped by the leader for every dispatched step
export const STEP = 1; // index of the step to run
export const DONE = 2; // helpers finished with the current step
export const QUIT = 3; // 1: helpers leave their loop
export const FAILED = 4; // a helper's kernel call threw (its message is posted to the leader)
export const CONTROL_SLOTS = 8;

/** Busy-wait iterations before the leader falls back to Atomics.wait while joining a step. */
export const SPIN = 20000;

/**
 * How long a helper keeps spinning for the next step before it sleeps in Atomics.wait. Steps of one
 * inference arrive well within this (the gap is the leader's share of a step's imbalance), and waking a
 * sleeping thread costs tens to hundreds of microseconds per step; between inferences the helper sleeps.
 */
export const HELPER_SPIN_MS = 0.5;
