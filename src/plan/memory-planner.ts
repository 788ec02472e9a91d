// Assigns arena offsets to buffers with known lifetimes, reusing the space of dead ones
// (the XNNPACK memory-planner idea: usage records placed largest first, first fit).

export interface UsageRecord {
  /** What the buffer holds (value name or scratch label), for reports and errors. */
  name: string;
  /** First and last execution unit (inclusive) during which the buffer is live. */
  first: number;
  last: number;
  /** Bytes, already padded/aligned by the caller. */
  size: number;
  /** Filled in by planMemory: byte offset inside the arena. */
  offset?: number;
}

export const ALIGN = 64;
export const alignUp = (n: number, a = ALIGN) => Math.ceil(n / a) * a;

/** Places every record; returns the arena size. Records that are live at the same time never overlap. */
export function planMemory(records: UsageRecord[]): number {
  const order = [...records].sort((a, b) => b.size - a.size || a.first - b.first);
  const placed: UsageRecord[] = [];
  let total = 0;
  for (const r of order) {
    // Intervals taken by placed records whose lifetimes intersect r's, sorted by offset.
    const busy = placed
      .filter((p) => p.first <= r.last && r.first <= p.last)
      .map((p) => [p.offset!, p.offset! + p.size] as const)
      .sort((a, b) => a[0] - b[0]);
    let offset = 0;
    for (const [lo, hi] of busy) {
      if (offset + r.size <= lo) break;
      offset = Math.max(offset, alignUp(hi));
    }
    r.offset = offset;
    placed.push(r);
    total = Math.max(total, offset + r.size);
  }
  return alignUp(total);
}

/** The largest sum of sizes live at one unit: a lower bound any placement needs. */
export function peakLiveBytes(records: UsageRecord[]): number {
  const last = records.reduce((m, r) => Math.max(m, r.last), -1);
  let peak = 0;
  for (let u = 0; u <= last; u++) {
    let s = 0;
    for (const r of records) if (r.first <= u && u <= r.last) s += r.size;
    peak = Math.max(peak, s);
  }
  return peak;
}
