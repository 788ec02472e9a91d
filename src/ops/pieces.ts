// How a step is cut into pieces (the work items a thread team shares: exec/share.ts) — not to be confused
// with threads: a team of T threads cuts a step into up to T·PIECES_PER_THREAD pieces.

/** [begin, end) of piece `piece` when `n` items are split into `pieces` nearly equal ranges. */
export function split(n: number, piece: number, pieces: number): [number, number] {
  return [Math.floor((n * piece) / pieces), Math.floor((n * (piece + 1)) / pieces)];
}

/** [begin, end) of piece `piece` of n elements in blocks of `block` (so SIMD loops see whole vectors except at the end). */
export function splitBlocks(n: number, block: number, piece: number, pieces: number): [number, number] {
  const [a, b] = split(Math.ceil(n / block), piece, pieces);
  return [a * block, Math.min(n, b * block)];
}

/** Element-wise steps are cut into pieces of at least this many elements. */
export const MIN_ELEMENTS_PER_PIECE = 1024;
