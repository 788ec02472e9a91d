// The control block a thread team shares, in the reserved low bytes of wasm memory (the kernels have
// no static data, so bytes below RESERVED_BYTES belong to the host). Int32 slots:
export const CONTROL_ADDRESS = 256;
export const EPOCH = 0; // bumped by the leader for every dispatched step
export const STEP = 1; // index of the step to run
export const DONE = 2; // helpers finished with the current step
export const QUIT = 3; // 1: helpers leave their loop
export const FAILED = 4; // a helper's kernel call threw (its message is posted to the leader)
export const CONTROL_SLOTS = 8;

/** Busy-wait iterations before falling back to Atomics.wait: steps arrive microseconds apart. */
export const SPIN = 20000;
