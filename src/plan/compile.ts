// Graph → Plan: validate shapes, partition into units (fusing inverted residual blocks), pack
// weights in kernel tile order, plan the activation arena, and emit steps with absolute addresses.
// All allocation decisions happen here; the executor never allocates.
import type { Activation, Conv2DNode, Graph, Node } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { ShapeError, UnsupportedOpError } from '../errors.js';
import { partition, unitInputs, type BlockUnit, type Unit } from './partition.js';
import { alignUp, planMemory, type UsageRecord } from './memory-planner.js';
import { packConv3x3, packDwconv3x3, packGemm } from './pack.js';
import type { Step } from './steps.js';

/** Bytes at the bottom of memory left to the module's own static data (the kernels have none today). */
export const RESERVED_BYTES = 1024;
/** Readable slack after every buffer: SIMD kernels may load (never store) a partial vector past the end. */
const SLACK = 16;

export interface CompileOptions {
  /** Fuse inverted residual blocks (default true). */
  fuse?: boolean;
  /** Target bytes for a block's expanded-row ring plus depthwise slice (drives slice height). */
  sliceBudgetBytes?: number;
  /** Threads that will share each step: every block gets this many private scratch buffers. */
  parts?: number;
  /** Values to keep materialized and alive to the end of a run, readable through Plan.kept (calibration, debugging). */
  keep?: readonly string[];
}

export interface Plan {
  steps: Step[];
  /** Packed weights, to copy to `weightsBase`. */
  weights: Float32Array;
  weightsBase: number;
  arenaBase: number;
  /** Bytes of activation arena (the model's peak activation memory). */
  arenaBytes: number;
  /** Arena bytes the same graph needs when no block is fused (every expanded tensor materialized). */
  arenaBytesUnfused: number;
  zero: number;
  zeroBytes: number;
  /** Memory the plan needs in total (bytes from address 0). */
  totalBytes: number;
  input: { address: number; shape: number[]; length: number };
  output: { address: number; shape: number[]; length: number };
  embedding: { address: number; length: number } | null;
  /** Addresses of the values asked for with CompileOptions.keep. */
  kept: Map<string, { address: number; shape: number[]; length: number }>;
  units: Unit[];
}

const clampOf = (a: Activation): [number, number] =>
  a === 'relu6' ? [0, 6] : a === 'relu' ? [0, Infinity] : [-Infinity, Infinity];

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Output rows per slice so the ring of expanded rows and the depthwise slice fit the budget. */
export function chooseSliceRows(inW: number, outW: number, expC: number, stride: number, outH: number, budget: number): number {
  const fixed = 3 * inW * expC * 4; // the ring's minimum (one output row needs 3 input rows)
  const perRow = (stride * inW + outW) * expC * 4; // each extra output row: `stride` ring rows + one dw row
  const r = 1 + Math.floor(Math.max(0, budget - fixed - outW * expC * 4) / perRow);
  // At least two slices: one slice would hold the whole expanded tensor and the whole depthwise
  // output at once, more than the unfused layers ever keep alive together.
  return Math.max(1, Math.min(Math.ceil(outH / 2), r));
}

/** Scratch sizes of a fused block. */
function blockScratch(u: BlockUnit, shapes: Map<string, number[]>, budget: number) {
  const [, inH, inW, inC] = shapes.get(u.input)!;
  const [, outH, outW] = shapes.get(u.depthwise.name)!;
  const expC = u.expand ? u.expand.outChannels : inC;
  const s = u.depthwise.stride[0];
  const sliceRows = chooseSliceRows(inW, outW, expC, s, outH, budget);
  const ringRows = u.expand ? Math.min(inH, (sliceRows - 1) * s + 3) : 0;
  return {
    inH, inW, inC, outH, outW, expC, stride: s, sliceRows, ringRows,
    ringBytes: ringRows * inW * expC * 4,
    dwBytes: sliceRows * outW * expC * 4,
    zeroBytes: inW * expC * 4,
  };
}

/** Usage records for the values and scratch of a partition (sizes include slack). */
function usageRecords(graph: Graph, units: Unit[], shapes: Map<string, number[]>, budget: number, parts = 1, keep: readonly string[] = []) {
  const lastUse = new Map<string, number>();
  units.forEach((u, i) => { for (const v of unitInputs(u)) lastUse.set(v, i); });
  const end = units.length - 1;
  for (const pinned of [graph.output, graph.meta.embeddingNode, ...keep]) if (pinned) lastUse.set(pinned, end);
  const bytes = (v: string) => alignUp(numel(shapes.get(v)!) * 4 + SLACK);
  const values = new Map<string, UsageRecord>();
  const scratch: UsageRecord[] = [];
  values.set(graph.input.name, { name: graph.input.name, first: 0, last: lastUse.get(graph.input.name) ?? 0, size: bytes(graph.input.name) });
  units.forEach((u, i) => {
    values.set(u.output, { name: u.output, first: i, last: Math.max(i, lastUse.get(u.output) ?? i), size: bytes(u.output) });
    if (u.kind === 'block') {
      const b = blockScratch(u, shapes, budget);
      for (let p = 0; p < parts; p++) {
        if (b.ringBytes) scratch.push({ name: `${u.output}/ring${p}`, first: i, last: i, size: alignUp(b.ringBytes + SLACK) });
        scratch.push({ name: `${u.output}/dw${p}`, first: i, last: i, size: alignUp(b.dwBytes + SLACK) });
      }
    }
  });
  return { values, scratch };
}

/** Arena bytes needed with or without block fusion (for reports). */
export function activationBytes(graph: Graph, fuse: boolean, budget = DEFAULT_SLICE_BUDGET): number {
  const shapes = inferShapes(graph);
  const units = partition(graph, { fuse });
  const { values, scratch } = usageRecords(graph, units, shapes, budget);
  return planMemory([...values.values(), ...scratch]);
}

export const DEFAULT_SLICE_BUDGET = 192 * 1024;

export function compile(graph: Graph, opts: CompileOptions = {}): Plan {
  const budget = opts.sliceBudgetBytes ?? DEFAULT_SLICE_BUDGET;
  const shapes = inferShapes(graph);
  const keep = opts.keep ?? [];
  for (const v of keep) if (!shapes.has(v)) throw new ShapeError(`compile: cannot keep "${v}": the graph has no such value`);
  const units = partition(graph, { fuse: opts.fuse ?? true, keep });
  const parts = Math.max(1, opts.parts ?? 1);
  const { values, scratch } = usageRecords(graph, units, shapes, budget, parts, keep);
  const arenaBytes = planMemory([...values.values(), ...scratch]);
  const arenaBytesUnfused = opts.fuse === false && parts === 1 ? arenaBytes : activationBytes(graph, false, budget);

  // Zero buffer: the widest row any depthwise reads (+ slack).
  let zeroBytes = 64;
  for (const u of units) {
    if (u.kind === 'block') zeroBytes = Math.max(zeroBytes, blockScratch(u, shapes, budget).zeroBytes);
    else if (u.node.op === 'depthwise_conv2d') {
      const [, , w, c] = shapes.get(u.node.inputs[0])!;
      zeroBytes = Math.max(zeroBytes, w * c * 4);
    }
  }
  zeroBytes = alignUp(zeroBytes + SLACK);

  // Pack weights into one blob; addresses are fixed once the blob's base is known.
  const blobs: Float32Array[] = [];
  let blobFloats = 0;
  const pack = (data: Float32Array) => {
    const at = blobFloats;
    blobs.push(data);
    blobFloats += alignUp(data.length, 16); // 64-byte aligned panels
    return at;
  };
  const zero = RESERVED_BYTES;
  const weightsBase = zero + zeroBytes;
  const pending: Array<(wb: number, ab: number) => Step> = [];
  const addr = (v: string, ab: number) => ab + values.get(v)!.offset!;
  const scratchAddr = (label: string, ab: number) => ab + scratch.find((s) => s.name === label)!.offset!;

  for (const u of units) {
    if (u.kind === 'block') {
      const b = blockScratch(u, shapes, budget);
      const dw = u.depthwise;
      const expand = u.expand ? { at: pack(packGemm(u.expand.weights, u.expand.bias, b.inC, b.expC)), clamp: clampOf(u.expand.activation) } : null;
      const dwAt = pack(packDwconv3x3(dw.weights, dw.bias, b.expC));
      const projAt = pack(packGemm(u.project.weights, u.project.bias, b.expC, u.project.outChannels));
      const [dwMin, dwMax] = clampOf(dw.activation);
      const [projMin, projMax] = clampOf(u.project.activation);
      pending.push((wb, ab) => ({
        kind: 'block', name: u.output, inH: b.inH, inW: b.inW, inC: b.inC, input: addr(u.input, ab), expC: b.expC,
        expand: expand ? { packed: wb + expand.at * 4, min: expand.clamp[0], max: expand.clamp[1] } : null,
        stride: b.stride, padTop: dw.pad.top, padLeft: dw.pad.left, dwPacked: wb + dwAt * 4, dwMin, dwMax,
        outH: b.outH, outW: b.outW, outC: u.project.outChannels, projPacked: wb + projAt * 4, projMin, projMax,
        residual: u.add !== null, output: addr(u.output, ab), sliceRows: b.sliceRows, ringRows: b.ringRows,
        ring: Array.from({ length: parts }, (_, p) => (b.ringRows ? scratchAddr(`${u.output}/ring${p}`, ab) : 0)),
        dwBuf: Array.from({ length: parts }, (_, p) => scratchAddr(`${u.output}/dw${p}`, ab)), zero,
      }));
    } else {
      pending.push(lowerNode(u.node, shapes, pack, addr, zero));
    }
  }

  const weights = new Float32Array(blobFloats);
  {
    let at = 0;
    for (const b of blobs) { weights.set(b, at); at += alignUp(b.length, 16); }
  }
  const arenaBase = alignUp(weightsBase + weights.byteLength);
  const steps = pending.map((f) => f(weightsBase, arenaBase));
  const outShape = shapes.get(graph.output)!;
  const emb = graph.meta.embeddingNode;
  return {
    steps, weights, weightsBase, arenaBase, arenaBytes, arenaBytesUnfused, zero, zeroBytes,
    totalBytes: arenaBase + arenaBytes,
    input: { address: addr(graph.input.name, arenaBase), shape: [...graph.input.shape], length: numel(graph.input.shape) },
    output: { address: addr(graph.output, arenaBase), shape: outShape, length: numel(outShape) },
    embedding: emb && values.has(emb) ? { address: addr(emb, arenaBase), length: numel(shapes.get(emb)!) } : null,
    kept: new Map(keep.map((v) => [v, { address: addr(v, arenaBase), shape: shapes.get(v)!, length: numel(shapes.get(v)!) }])),
    units,
  };
}

type Packer = (data: Float32Array) => number;
type Addr = (v: string, arenaBase: number) => number;

/** A node that runs on its own (not part of a fused block). */
function lowerNode(n: Node, shapes: Map<string, number[]>, pack: Packer, addr: Addr, zero: number): (wb: number, ab: number) => Step {
  const inShape = shapes.get(n.inputs[0])!;
  const outShape = shapes.get(n.name)!;
  switch (n.op) {
    case 'conv2d': {
      const [, inH, inW, inC] = inShape;
      const [, outH, outW, outC] = outShape;
      const [min, max] = clampOf(n.activation);
      if (n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && n.stride[0] <= 2) {
        const at = pack(packConv3x3(n.weights, n.bias, inC, outC));
        return (wb, ab) => ({
          kind: 'conv3x3', name: n.name, inH, inW, inC, input: addr(n.inputs[0], ab), stride: n.stride[0], padTop: n.pad.top,
          padLeft: n.pad.left, packed: wb + at * 4, outC, output: addr(n.name, ab), outH, outW, min, max,
        });
      }
      if (isPlainPointwise(n)) {
        const at = pack(packGemm(n.weights, n.bias, inC, outC));
        return (wb, ab) => ({
          kind: 'gemm', name: n.name, m: inH * inW, n: outC, k: inC, a: addr(n.inputs[0], ab), aStride: inC,
          packed: wb + at * 4, c: addr(n.name, ab), cStride: outC, r: 0, rStride: 0, min, max,
        });
      }
      throw new UnsupportedOpError(`cannot compile conv2d "${n.name}": ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} is not supported (only 3×3 with stride 1 or 2, and unpadded 1×1 with stride 1)`);
    }
    case 'depthwise_conv2d': {
      const [, inH, inW, c] = inShape;
      const [, outH, outW] = outShape;
      if (!(n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && n.stride[0] <= 2 && n.pad.left <= 1 && n.pad.top <= 1)) {
        throw new UnsupportedOpError(`cannot compile depthwise_conv2d "${n.name}": ${n.kernel.join('×')} kernel, stride ${n.stride.join('×')}, pad ${n.pad.top}/${n.pad.left} is not supported (only 3×3, stride 1 or 2, pad ≤ 1)`);
      }
      const [min, max] = clampOf(n.activation);
      const at = pack(packDwconv3x3(n.weights, n.bias, c));
      return (wb, ab) => ({
        kind: 'dwconv', name: n.name, channels: c, inH, inW, input: addr(n.inputs[0], ab), stride: n.stride[0], padTop: n.pad.top,
        padLeft: n.pad.left, packed: wb + at * 4, output: addr(n.name, ab), outH, outW, min, max, zero,
      });
    }
    case 'add': {
      const [min, max] = clampOf(n.activation);
      return (_wb, ab) => ({ kind: 'vadd', name: n.name, n: numel(outShape), a: addr(n.inputs[0], ab), b: addr(n.inputs[1], ab), output: addr(n.name, ab), min, max });
    }
    case 'global_avg_pool': {
      const [, h, w, c] = inShape;
      return (_wb, ab) => ({ kind: 'gavgpool', name: n.name, pixels: h * w, channels: c, input: addr(n.inputs[0], ab), output: addr(n.name, ab) });
    }
    case 'dense': {
      const k = numel(inShape);
      const [min, max] = clampOf(n.activation);
      const at = pack(packGemm(n.weights, n.bias, k, n.units));
      return (wb, ab) => ({
        kind: 'gemm', name: n.name, m: 1, n: n.units, k, a: addr(n.inputs[0], ab), aStride: k, packed: wb + at * 4,
        c: addr(n.name, ab), cStride: n.units, r: 0, rStride: 0, min, max,
      });
    }
    case 'softmax':
      return (_wb, ab) => ({ kind: 'softmax', name: n.name, n: numel(outShape), input: addr(n.inputs[0], ab), output: addr(n.name, ab) });
    default: {
      const op = (n as Node).op;
      throw new ShapeError(`cannot compile node "${(n as Node).name}": unknown op "${op}"`);
    }
  }
}

const isPlainPointwise = (n: Conv2DNode) =>
  n.kernel[0] === 1 && n.kernel[1] === 1 && n.stride[0] === 1 && n.stride[1] === 1 &&
  n.pad.top + n.pad.left + n.pad.bottom + n.pad.right === 0;

