/** Deterministic PRNG (mulberry32): uniform in [0, 1); the one the model builder seeds its weights with. */
export { mulberry32 } from '../../src/models/random.js';
