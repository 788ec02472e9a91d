// The Teach page's training worker: fits the dense head (src/teach/head.ts: AdamW, early stopping on a held-out
// split, seeded) on the examples' embeddings off the page's thread, reporting every epoch. Plain JavaScript
// arithmetic: no engine, no wasm.
import { trainHead, type HeadOptions } from '../../src/teach/head.js';

export interface TrainRequest { x: Float32Array[]; y: number[]; classes: number; groups?: number[]; options: Omit<HeadOptions, 'onEpoch' | 'groups'> }
export type TrainMessage =
  | { type: 'epoch'; epoch: number; epochs: number; holdoutAccuracy: number | null }
  | { type: 'done'; layers: { weights: Float32Array; bias: Float32Array; inputs: number; units: number; relu: boolean }[]; holdoutAccuracy: number | null; epochsRun: number; bestEpoch: number; ms: number }
  | { type: 'error'; message: string };

const post = (m: TrainMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  const { x, y, classes, groups, options } = e.data;
  const t0 = performance.now();
  try {
    const head = trainHead(x, y, classes, {
      ...options, ...(groups ? { groups } : {}),
      onEpoch: (r) => post({ type: 'epoch', epoch: r.epoch, epochs: r.epochs, holdoutAccuracy: r.holdoutAccuracy }),
    });
    const layers = head.layers.map((l) => ({ weights: l.weights, bias: l.bias, inputs: l.inputs, units: l.units, relu: l.relu }));
    post({ type: 'done', layers, holdoutAccuracy: head.holdoutAccuracy, epochsRun: head.epochsRun, bestEpoch: head.bestEpoch, ms: performance.now() - t0 },
      layers.flatMap((l) => [l.weights.buffer, l.bias.buffer]));
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
