// The control block a thread team shares, in the reserved low bytes of wasm memory (the kernels have
// no static data, so bytes below RESERVED_BYTES belong to the host). Int32 slots:
export const CONTROL_ADDRESS = 256;
export const SEQ = 0; // the step being shared: (epoch << 10) | step index; a new epoch for every dispatched step
export const DONE = 1; // pieces of the current step finished (by every thread)
export const QUIT = 2; // 1: helpers leave their loop
export const FAILED = 3; // a kernel call threw on some thread during the current inference
export const ACTIVE = 4; // 1 while the leader runs an inference: its next step is due, helpers keep spinning
export const LINGER = 5; // µs helpers keep spinning after an inference, for the next one (team.ts: back-to-back use)
export const QUEUE = 8; // QUEUE + t: thread t's pieces, tag(12) | front(10) | back(10) (exec/share.ts)
export const MAX_THREADS = 16;
export const CONTROL_SLOTS = QUEUE + MAX_THREADS;

/** Steps per plan and pieces per step the SEQ and QUEUE words can name. */
export const MAX_STEPS = 1 << 10;
export const MAX_PIECES = (1 << 10) - 1;

// Waiting threads spin rather than sleep: in Chromium on the development VMs a thread woken from Atomics.wait
// resumes 0.5–1 ms later, longer than most steps, so sleeping while work is due cost a team up to a millisecond
// per step (BENCHMARKS.md, "Threads in Chromium").

/** How long the leader spins for the helpers' last pieces of a step before it sleeps in Atomics.wait. */
export const LEADER_SPIN_MS = 2;

/**
 * How long a helper keeps spinning for the next step, once no inference is under way (ACTIVE is 0), before it
 * sleeps in Atomics.wait; during an inference it spins until the next step comes. Between inferences the helper
 * sleeps, and the leader wakes it at the start of the next call.
 */
export const HELPER_SPIN_MS = 1;

/**
 * When inferences come back to back (the leader idle less than this between them), helpers keep spinning after
 * one for about twice that idle time, so the next finds them awake; a helper woken from sleep on the development
 * VMs joins 0.5 ms to several milliseconds late. Longer gaps (a camera at 30 fps) let helpers sleep.
 */
export const LINGER_MAX_MS = 10;
