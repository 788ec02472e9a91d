// Graph → Plan: validate shapes, partition into units (fusing inverted residual blocks), pack
// weights in kernel tile order, plan the activation arena, and emit steps with absolute addresses.
// All allocation decisions happen here; the executor never allocates.
//
// Quantized graphs (uint8 / int8 values in Graph.values, conv / depthwise / dense nodes with integer
// weights `q`) lower to the int8 steps of ./steps.ts: every node is packed with its own requantization
// (src/plan/pack-q.ts, src/plan/requant.ts) from its input and output quantization and the weight scales,
// the fused activation becomes a clamp in the output's quantized domain, and the kernel family follows the
// values' dtype (uint8 → qu8, int8 → qs8 / qs8_qc8w). CompileOptions.requant picks the arithmetic: 'fp32'
// (XNNPACK's, what TensorFlow Lite runs by default) or 'gemmlowp' (TFLite's builtin kernels).
//
// Memory: each value's arena record has its dtype's element size (float32 4, uint8 / int8 1, int32 4, int64 8
// bytes). A RESHAPE output is an alias of its input's buffer (no step, no record: the input's lifetime
// covers the alias's readers). Constants (packed weights, requantization parameter blocks, softmax tables,
// and one row of each zero point the quantized depthwise convolutions pad with) form one blob below the arena.
import type { Activation, Conv2DNode, DType, Graph, Node, Quant, QuantWeights, ValueType } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { EngineError, InputError, ShapeError, UnsupportedOpError } from '../errors.js';
import { partition, unitInputs, type BlockFusion, type BlockUnit, type Unit } from './partition.js';
import { alignUp, planMemory, type UsageRecord } from './memory-planner.js';
import { packConv3x3, packDwconv3x3, packGemm } from './pack.js';
import { packQConv3x3, packQDwconv3x3, packQGemm, qconv3x3ScratchBytes, qgemmWideBytes, qweightsOf, type QRequant } from './pack-q.js';
import {
  activationRange, addParams, addParamsMulShift, concatParams, convRequant, convScalesFp32, dtypeRange, packAddParams,
  packMulShiftAddParams, poolParams, requantizeParams, requantizeParamsMulShift, softmaxTable, type PoolMode, type QDType,
} from './requant.js';
import { GEMM_NR, type QuantScheme } from './registry.js';
import type { QOut, Step } from './steps.js';

/** Bytes at the bottom of memory left to the module's own static data (the kernels have none today). */
export const RESERVED_BYTES = 1024;
/** Readable slack after every buffer: SIMD kernels may load (never store) a partial vector past the end. */
const SLACK = 16;

/** Bytes per element of each dtype. */
export const ELEM_BYTES: Record<DType, number> = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8 };

export interface CompileOptions {
  /** Fuse inverted residual blocks (default true). */
  fuse?: boolean;
  /** Target bytes for a block's expanded-row ring plus depthwise slice (drives slice height). */
  sliceBudgetBytes?: number;
  /** Threads that will share each step: every block gets this many private scratch buffers. */
  parts?: number;
  /** Values to keep materialized and alive to the end of a run, readable through Plan.kept (calibration, debugging). */
  keep?: readonly string[];
  /**
   * Requantization arithmetic of a quantized graph: 'fp32' (default) is XNNPACK's, which TensorFlow Lite runs
   * through its default XNNPACK delegate (float32 requantization, multiply-shift ADD and int8 → int8 QUANTIZE);
   * 'gemmlowp' is TFLite's builtin integer kernels (MultiplyByQuantizedMultiplier). No effect on float32 graphs.
   */
  requant?: QuantScheme;
}

/** Where a value lives and what it holds. */
export interface TensorRef {
  address: number;
  shape: number[];
  length: number;
  dtype: DType;
  quant?: Quant;
}

export interface Plan {
  steps: Step[];
  /** The graph nodes each step computes (index-aligned with steps), for profiles. */
  stepNodes: string[][];
  /**
   * The constants blob, to copy to `weightsBase`: packed weights, requantization parameters, lookup tables and
   * zero-point rows (bytes, viewed as float32 words; copy it as a Float32Array, which keeps every bit).
   */
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
  input: TensorRef;
  output: TensorRef;
  embedding: TensorRef | null;
  /** Addresses of the values asked for with CompileOptions.keep. */
  kept: Map<string, TensorRef>;
  units: Unit[];
  /** The requantization arithmetic of the quantized steps. */
  requant: QuantScheme;
}

const clampOf = (a: Activation): [number, number] =>
  a === 'relu6' ? [0, 6] : a === 'relu' ? [0, Infinity] : [-Infinity, Infinity];

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** dtype and quantization of a value (the graph input included; a value absent from Graph.values is float32). */
export function valueTypeOf(graph: Graph): (name: string) => ValueType {
  const input: ValueType = graph.input.dtype !== undefined
    ? { dtype: graph.input.dtype, ...(graph.input.quant ? { quant: graph.input.quant } : {}) }
    : { dtype: 'float32' };
  return (v) => graph.values?.[v] ?? (v === graph.input.name ? input : { dtype: 'float32' });
}

/** The buffer a value lives in: RESHAPE outputs alias their input's buffer. */
function aliasRoot(graph: Graph): (v: string) => string {
  const parent = new Map<string, string>();
  for (const n of graph.nodes) if (n.op === 'reshape') parent.set(n.name, n.inputs[0]);
  return (v) => {
    while (parent.has(v)) v = parent.get(v)!;
    return v;
  };
}

/**
 * Output rows per slice so the ring of expanded rows and the depthwise slice fit the budget
 * (elements of `elemBytes`; a dilated depthwise needs 2·dilation + 1 input rows per output row).
 */
export function chooseSliceRows(inW: number, outW: number, expC: number, stride: number, outH: number, budget: number, elemBytes = 4, dilation = 1): number {
  const fixed = (2 * dilation + 1) * inW * expC * elemBytes; // the ring's minimum (one output row's input rows)
  const perRow = (stride * inW + outW) * expC * elemBytes; // each extra output row: `stride` ring rows + one dw row
  const r = 1 + Math.floor(Math.max(0, budget - fixed - outW * expC * elemBytes) / perRow);
  // At least two slices: one slice would hold the whole expanded tensor and the whole depthwise
  // output at once, more than the unfused layers ever keep alive together.
  return Math.max(1, Math.min(Math.ceil(outH / 2), r));
}

/** Scratch sizes of a fused block (float32 or int8 rows). */
function blockScratch(u: BlockUnit, shapes: Map<string, number[]>, budget: number) {
  const [, inH, inW, inC] = shapes.get(u.input)!;
  const [, outH, outW] = shapes.get(u.depthwise.name)!;
  const expC = u.expand ? u.expand.outChannels : inC;
  const s = u.depthwise.stride[0];
  const dilation = u.depthwise.dilation?.[0] ?? 1;
  const elem = u.depthwise.q ? 1 : 4;
  const sliceRows = chooseSliceRows(inW, outW, expC, s, outH, budget, elem, dilation);
  const ringRows = u.expand ? Math.min(inH, (sliceRows - 1) * s + 2 * dilation + 1) : 0;
  return {
    inH, inW, inC, outH, outW, expC, stride: s, dilation, sliceRows, ringRows,
    ringBytes: ringRows * inW * expC * elem,
    dwBytes: sliceRows * outW * expC * elem,
    rowBytes: inW * expC * elem,
  };
}

/** A quantized 3×3 convolution (the stem): its im2col row scratch, per part. */
const isQConv3x3 = (n: Node): n is Conv2DNode => n.op === 'conv2d' && n.q !== undefined && n.kernel[0] === 3 && n.kernel[1] === 3;

/** Usage records for the values and scratch of a partition (sizes include slack). */
function usageRecords(graph: Graph, units: Unit[], shapes: Map<string, number[]>, budget: number, parts = 1, keep: readonly string[] = []) {
  const typeOf = valueTypeOf(graph);
  const root = aliasRoot(graph);
  const lastUse = new Map<string, number>();
  units.forEach((u, i) => { for (const v of unitInputs(u)) lastUse.set(root(v), i); });
  const end = units.length - 1;
  for (const pinned of [graph.output, graph.meta.embeddingNode, ...keep]) if (pinned) lastUse.set(root(pinned), end);
  const bytes = (v: string) => alignUp(numel(shapes.get(v)!) * ELEM_BYTES[typeOf(v).dtype] + SLACK);
  const values = new Map<string, UsageRecord>();
  const scratch: UsageRecord[] = [];
  values.set(graph.input.name, { name: graph.input.name, first: 0, last: lastUse.get(graph.input.name) ?? 0, size: bytes(graph.input.name) });
  units.forEach((u, i) => {
    if (u.kind === 'node' && u.node.op === 'reshape') return; // an alias: no buffer of its own
    values.set(u.output, { name: u.output, first: i, last: Math.max(i, lastUse.get(u.output) ?? i), size: bytes(u.output) });
    if (u.kind === 'block') {
      const b = blockScratch(u, shapes, budget);
      for (let p = 0; p < parts; p++) {
        if (b.ringBytes) scratch.push({ name: `${u.output}/ring${p}`, first: i, last: i, size: alignUp(b.ringBytes + SLACK) });
        scratch.push({ name: `${u.output}/dw${p}`, first: i, last: i, size: alignUp(b.dwBytes + SLACK) });
        if (u.depthwise.q) scratch.push({ name: `${u.output}/wide${p}`, first: i, last: i, size: alignUp(qgemmWideBytes(Math.max(b.inC, b.expC))) });
      }
    } else if (isQConv3x3(u.node)) {
      const size = alignUp(qconv3x3ScratchBytes(shapes.get(u.node.inputs[0])![3], shapes.get(u.node.name)![2]));
      for (let p = 0; p < parts; p++) scratch.push({ name: `${u.output}/im2col${p}`, first: i, last: i, size });
    } else {
      // int8 1×1 convolutions and dense layers: GEMMs over the input's channels / all its values.
      const n = u.node as Node; // (isQConv3x3's guard narrowed Conv2DNode away)
      if ((n.op === 'conv2d' || n.op === 'dense') && n.q) {
        const inShape = shapes.get(n.inputs[0])!;
        const k = n.op === 'dense' ? numel(inShape) : inShape[3];
        for (let p = 0; p < parts; p++) scratch.push({ name: `${u.output}/wide${p}`, first: i, last: i, size: alignUp(qgemmWideBytes(k)) });
      }
    }
  });
  return { values, scratch, root };
}

/** Arena bytes needed with or without block fusion (for reports). */
export function activationBytes(graph: Graph, fuse: boolean, budget = DEFAULT_SLICE_BUDGET): number {
  const shapes = inferShapes(graph);
  const units = partition(graph, { fuse });
  const { values, scratch } = usageRecords(graph, units, shapes, budget);
  return planMemory([...values.values(), ...scratch]);
}

export const DEFAULT_SLICE_BUDGET = 192 * 1024;

/** The constants blob under construction: 64-byte aligned entries, byte offsets. */
class ConstBlob {
  #parts: { at: number; bytes: Uint8Array }[] = [];
  #size = 0;
  add(data: Uint8Array | Float32Array | Int32Array): number {
    const at = this.#size;
    this.#parts.push({ at, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    this.#size = alignUp(at + data.byteLength);
    return at;
  }
  finish(): Float32Array {
    const out = new Uint8Array(alignUp(this.#size));
    for (const p of this.#parts) out.set(p.bytes, p.at);
    return new Float32Array(out.buffer);
  }
}

/** Absolute addresses, known once the constants blob and the arena are placed. */
interface Resolve {
  /** A constants-blob offset. */
  w(at: number): number;
  /** A value's buffer. */
  v(name: string): number;
  /** A scratch record. */
  s(label: string): number;
  /** The row of a zero point (registered with LowerContext.zpRow). */
  zp(zeroPoint: number): number;
  /** The float32 zero buffer. */
  zero: number;
}

type Pending = (r: Resolve) => Step;

interface LowerContext {
  graph: Graph;
  shapes: Map<string, number[]>;
  typeOf: (v: string) => ValueType;
  scheme: QuantScheme;
  parts: number;
  budget: number;
  consts: ConstBlob;
  /** Asks for a row of `bytes` bytes filled with `zeroPoint` (the padding of a quantized depthwise). */
  zpRow(zeroPoint: number, bytes: number): void;
}

/** A GEMM with at least this many rows (8 row tiles) and at most this many bytes of weights is shared by rows. */
export const ROWS_MIN_M = 32;
export const ROWS_MAX_WEIGHT_BYTES = 256 * 1024;

/**
 * How threads share an m×n×k GEMM: by row tiles, each thread then streaming all the weights, or by column panels,
 * each streaming its share of the weights but reading all of A (which the int8 kernel widens again in every piece).
 * Rows when there are at least as many rows as columns, or enough row tiles and weights that two cores' caches hold
 * comfortably. On 2 threads this took the sum of per-step minima of MobileNetV2 1.0/224 from 5.06 to 4.93 ms (int8:
 * the 14×14 expansions and the 7×7 GEMMs) and from 8.45 to 8.40 ms (f32).
 */
export function gemmByRows(m: number, n: number, k: number, dtype: 'float32' | 'int8'): boolean {
  const weightBytes = k * n * (dtype === 'int8' ? 1 : 4);
  return n <= GEMM_NR || m >= n || (m >= ROWS_MIN_M && weightBytes <= ROWS_MAX_WEIGHT_BYTES);
}

/** Output rows up to which a block is not fused at all (see compile()). */
export const UNFUSED_MAX_ROWS = 8;
/** Output rows up to which a block's expansion runs as a step of its own (see compile()). */
export const SPLIT_MAX_ROWS = 14;

/**
 * How much of each block to fuse. Fusion keeps the expanded tensor from ever existing whole (paper §5), which
 * matters on the large maps that set the peak; on small maps it only costs time. Split by rows between threads, a
 * fused block's pieces each recompute the expanded rows they share (2 of 14 at 14×14); alone, the block runs its
 * GEMMs a few rows at a time, streaming the weights once per slice. So at up to SPLIT_MAX_ROWS output rows the
 * expansion runs as its own GEMM and the block fuses depthwise, projection and add, and at up to UNFUSED_MAX_ROWS
 * (too few rows to share the depthwise evenly) nothing is fused. MobileNetV2 1.0/224, 1 thread: f32 16.9 → 16.4 ms,
 * int8 9.64 → 9.56 ms; 2 threads, sum of per-step minima: int8 5.10 → 5.02 ms, f32 8.66 → 8.45 ms.
 */
function smallMapFusion(shapes: Map<string, number[]>) {
  return (dw: { name: string }): BlockFusion => {
    const rows = shapes.get(dw.name)![1];
    return rows <= UNFUSED_MAX_ROWS ? 'none' : rows <= SPLIT_MAX_ROWS ? 'after-expand' : 'whole';
  };
}

export function compile(graph: Graph, opts: CompileOptions = {}): Plan {
  const budget = opts.sliceBudgetBytes ?? DEFAULT_SLICE_BUDGET;
  const scheme = opts.requant ?? 'fp32';
  if (scheme !== 'fp32' && scheme !== 'gemmlowp') throw new InputError(`requant must be 'fp32' or 'gemmlowp', got ${JSON.stringify(scheme)}`);
  const shapes = inferShapes(graph);
  const keep = opts.keep ?? [];
  for (const v of keep) if (!shapes.has(v)) throw new ShapeError(`compile: cannot keep "${v}": the graph has no such value`);
  const parts = Math.max(1, opts.parts ?? 1);
  // Small maps fuse less (smallMapFusion), unless that would raise the peak (it never has for MobileNetV2).
  const fuse = opts.fuse ?? true;
  let units = partition(graph, { fuse, keep, fusion: smallMapFusion(shapes) });
  let records = usageRecords(graph, units, shapes, budget, parts, keep);
  let arenaBytes = planMemory([...records.values.values(), ...records.scratch]);
  if (fuse) {
    const whole = partition(graph, { fuse, keep });
    const wholeRecords = usageRecords(graph, whole, shapes, budget, parts, keep);
    const wholeBytes = planMemory([...wholeRecords.values.values(), ...wholeRecords.scratch]);
    if (wholeBytes < arenaBytes) [units, records, arenaBytes] = [whole, wholeRecords, wholeBytes];
  }
  const { values, scratch, root } = records;
  const arenaBytesUnfused = opts.fuse === false && parts === 1 ? arenaBytes : activationBytes(graph, false, budget);

  // Zero buffer: the widest row any float32 depthwise reads (+ slack).
  let zeroBytes = 64;
  for (const u of units) {
    if (u.kind === 'block' && !u.depthwise.q) zeroBytes = Math.max(zeroBytes, blockScratch(u, shapes, budget).rowBytes);
    else if (u.kind === 'node' && u.node.op === 'depthwise_conv2d' && !u.node.q) {
      const [, , w, c] = shapes.get(u.node.inputs[0])!;
      zeroBytes = Math.max(zeroBytes, w * c * 4);
    }
  }
  zeroBytes = alignUp(zeroBytes + SLACK);

  const consts = new ConstBlob();
  const zpRowBytes = new Map<number, number>();
  const ctx: LowerContext = {
    graph, shapes, typeOf: valueTypeOf(graph), scheme, parts, budget, consts,
    zpRow: (zp, bytes) => zpRowBytes.set(zp, Math.max(zpRowBytes.get(zp) ?? 0, bytes)),
  };
  const pending: Pending[] = [];
  const stepNodes: string[][] = [];
  for (const u of units) {
    const what = u.kind === 'block' ? `block "${u.output}"` : `${u.node.op} "${u.node.name}"`;
    try {
      if (u.kind === 'block') {
        pending.push(u.depthwise.q ? lowerQBlock(u, ctx) : lowerBlock(u, ctx));
        stepNodes.push([u.expand?.name, u.depthwise.name, u.project.name, u.add?.name].filter((x): x is string => !!x));
      } else {
        const p = isQuantizedOp(u.node, ctx) ? lowerQNode(u.node, ctx) : lowerNode(u.node, ctx);
        if (p) { pending.push(p); stepNodes.push([u.node.name]); }
      }
    } catch (e) {
      if (e instanceof EngineError && !e.message.includes(`"${u.kind === 'block' ? u.output : u.node.name}"`)) {
        const E = e.constructor as new (m: string, o?: ErrorOptions) => EngineError;
        throw new E(`cannot compile ${what}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }
  const zpAt = new Map<number, number>();
  for (const [zp, bytes] of zpRowBytes) zpAt.set(zp, consts.add(new Uint8Array(bytes + SLACK).fill(zp & 255)));

  const weights = consts.finish();
  const zero = RESERVED_BYTES;
  const weightsBase = zero + zeroBytes;
  const arenaBase = alignUp(weightsBase + weights.byteLength);
  const addr = (v: string) => arenaBase + values.get(root(v))!.offset!;
  const r: Resolve = {
    w: (at) => weightsBase + at,
    v: addr,
    s: (label) => arenaBase + scratch.find((s) => s.name === label)!.offset!,
    zp: (zp) => weightsBase + zpAt.get(zp)!,
    zero,
  };
  const steps = pending.map((f) => f(r));
  const typeOf = ctx.typeOf;
  const ref = (v: string): TensorRef => {
    const shape = shapes.get(v)!;
    const t = typeOf(v);
    return { address: addr(v), shape: [...shape], length: numel(shape), dtype: t.dtype, ...(t.quant ? { quant: { ...t.quant } } : {}) };
  };
  const emb = graph.meta.embeddingNode;
  return {
    steps, weights, weightsBase, arenaBase, arenaBytes, arenaBytesUnfused, zero, zeroBytes,
    totalBytes: arenaBase + arenaBytes,
    input: { ...ref(graph.input.name), shape: [...graph.input.shape] },
    output: ref(graph.output),
    embedding: emb && values.has(root(emb)) ? ref(emb) : null,
    kept: new Map(keep.map((v) => [v, ref(v)])),
    units,
    stepNodes,
    requant: scheme,
  };
}

// ---- float32 -----------------------------------------------------------------------------------------------

function lowerBlock(u: BlockUnit, ctx: LowerContext): Pending {
  const b = blockScratch(u, ctx.shapes, ctx.budget);
  const { consts, parts } = ctx;
  const dw = u.depthwise;
  const expand = u.expand ? { at: consts.add(packGemm(u.expand.weights, u.expand.bias, b.inC, b.expC)), clamp: clampOf(u.expand.activation) } : null;
  const dwAt = consts.add(packDwconv3x3(dw.weights, dw.bias, b.expC));
  const projAt = consts.add(packGemm(u.project.weights, u.project.bias, b.expC, u.project.outChannels));
  const [dwMin, dwMax] = clampOf(dw.activation);
  const [projMin, projMax] = clampOf(u.project.activation);
  return (r) => ({
    kind: 'block', name: u.output, inH: b.inH, inW: b.inW, inC: b.inC, input: r.v(u.input), expC: b.expC,
    expand: expand ? { packed: r.w(expand.at), min: expand.clamp[0], max: expand.clamp[1] } : null,
    stride: b.stride, padTop: dw.pad.top, padLeft: dw.pad.left, dwPacked: r.w(dwAt), dwMin, dwMax,
    outH: b.outH, outW: b.outW, outC: u.project.outChannels, projPacked: r.w(projAt), projMin, projMax,
    shortcut: u.shortcut ? r.v(u.shortcut) : 0, output: r.v(u.output), sliceRows: b.sliceRows, ringRows: b.ringRows,
    ring: Array.from({ length: parts }, (_, p) => (b.ringRows ? r.s(`${u.output}/ring${p}`) : 0)),
    dwBuf: Array.from({ length: parts }, (_, p) => r.s(`${u.output}/dw${p}`)), zero: r.zero,
  });
}

/** A float32 node that runs on its own (not part of a fused block); null for an alias (reshape). */
function lowerNode(n: Node, ctx: LowerContext): Pending | null {
  const { shapes, consts } = ctx;
  const inShape = shapes.get(n.inputs[0])!;
  const outShape = shapes.get(n.name)!;
  const noDilation = (d: [number, number] | undefined) => d === undefined || (d[0] === 1 && d[1] === 1);
  switch (n.op) {
    case 'conv2d': {
      const [, inH, inW, inC] = inShape;
      const [, outH, outW, outC] = outShape;
      const [min, max] = clampOf(n.activation);
      if (!noDilation(n.dilation)) throw new UnsupportedOpError(`cannot compile conv2d "${n.name}": dilation ${n.dilation!.join('×')} is not supported for float32 (only 1)`);
      if (n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && n.stride[0] <= 2) {
        const at = consts.add(packConv3x3(n.weights, n.bias, inC, outC));
        return (r) => ({
          kind: 'conv3x3', name: n.name, inH, inW, inC, input: r.v(n.inputs[0]), stride: n.stride[0], padTop: n.pad.top,
          padLeft: n.pad.left, packed: r.w(at), outC, output: r.v(n.name), outH, outW, min, max,
        });
      }
      if (isPlainPointwise(n)) {
        const at = consts.add(packGemm(n.weights, n.bias, inC, outC));
        return (r) => ({
          kind: 'gemm', name: n.name, m: inH * inW, n: outC, k: inC, a: r.v(n.inputs[0]), aStride: inC,
          packed: r.w(at), c: r.v(n.name), cStride: outC, r: 0, rStride: 0, min, max, byRows: gemmByRows(inH * inW, outC, inC, 'float32'),
        });
      }
      throw new UnsupportedOpError(`cannot compile conv2d "${n.name}": ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} is not supported (only 3×3 with stride 1 or 2, and unpadded 1×1 with stride 1)`);
    }
    case 'depthwise_conv2d': {
      const [, inH, inW, c] = inShape;
      const [, outH, outW] = outShape;
      if (!(n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && n.stride[0] <= 2 && n.pad.left <= 1 && n.pad.top <= 1 && noDilation(n.dilation))) {
        throw new UnsupportedOpError(`cannot compile depthwise_conv2d "${n.name}": ${n.kernel.join('×')} kernel, stride ${n.stride.join('×')}, pad ${n.pad.top}/${n.pad.left}, dilation ${(n.dilation ?? [1, 1]).join('×')} is not supported for float32 (only 3×3, stride 1 or 2, pad ≤ 1, no dilation)`);
      }
      const [min, max] = clampOf(n.activation);
      const at = consts.add(packDwconv3x3(n.weights, n.bias, c));
      return (r) => ({
        kind: 'dwconv', name: n.name, channels: c, inH, inW, input: r.v(n.inputs[0]), stride: n.stride[0], padTop: n.pad.top,
        padLeft: n.pad.left, packed: r.w(at), output: r.v(n.name), outH, outW, min, max, zero: r.zero,
      });
    }
    case 'add': {
      const [min, max] = clampOf(n.activation);
      return (r) => ({ kind: 'vadd', name: n.name, n: numel(outShape), a: r.v(n.inputs[0]), b: r.v(n.inputs[1]), output: r.v(n.name), min, max });
    }
    case 'global_avg_pool': {
      const [, h, w, c] = inShape;
      return (r) => ({ kind: 'gavgpool', name: n.name, pixels: h * w, channels: c, input: r.v(n.inputs[0]), output: r.v(n.name) });
    }
    case 'dense': {
      const k = numel(inShape);
      const [min, max] = clampOf(n.activation);
      const at = consts.add(packGemm(n.weights, n.bias, k, n.units));
      return (r) => ({
        kind: 'gemm', name: n.name, m: 1, n: n.units, k, a: r.v(n.inputs[0]), aStride: k, packed: r.w(at),
        c: r.v(n.name), cStride: n.units, r: 0, rStride: 0, min, max, byRows: false,
      });
    }
    case 'softmax':
      // The f32 kernel computes exp(x − max); TFLite's beta scales x first and has no kernel here yet.
      if (n.beta !== undefined && n.beta !== 1) throw new UnsupportedOpError(`cannot compile softmax "${n.name}": beta ${n.beta} is not supported for float32 (only 1)`);
      return (r) => ({ kind: 'softmax', name: n.name, n: numel(outShape), input: r.v(n.inputs[0]), output: r.v(n.name) });
    case 'reshape':
      return null;
    case 'pad':
      return lowerPad(n, ctx, 0);
    case 'concat':
      return lowerConcat(n, ctx);
    case 'resize_bilinear':
    case 'argmax':
      throw new UnsupportedOpError(`cannot compile ${n.op} "${n.name}": ${n.op} of a float32 tensor is not supported (only of uint8 / int8 tensors)`);
    default: {
      const op = (n as Node).op;
      throw new ShapeError(`cannot compile node "${(n as Node).name}": unknown op "${op}"`);
    }
  }
}

const isPlainPointwise = (n: Conv2DNode) =>
  n.kernel[0] === 1 && n.kernel[1] === 1 && n.stride[0] === 1 && n.stride[1] === 1 &&
  n.pad.top + n.pad.left + n.pad.bottom + n.pad.right === 0 && (n.dilation === undefined || (n.dilation[0] === 1 && n.dilation[1] === 1));

/** PAD (any dtype): the output's bytes outside the input are `fill`. */
function lowerPad(n: Extract<Node, { op: 'pad' }>, ctx: LowerContext, fill: number): Pending {
  const [, inH, inW, C] = ctx.shapes.get(n.inputs[0])!;
  const [, outH, outW] = ctx.shapes.get(n.name)!;
  const pixelBytes = C * ELEM_BYTES[ctx.typeOf(n.name).dtype];
  return (r) => ({
    kind: 'pad', name: n.name, inH, inW, pixelBytes, input: r.v(n.inputs[0]), padTop: n.pad.top, padLeft: n.pad.left,
    outH, outW, output: r.v(n.name), fill,
  });
}

/** CONCATENATION along channels: byte copies, or TFLite's float rescale for uint8 inputs of other quantization. */
function lowerConcat(n: Extract<Node, { op: 'concat' }>, ctx: LowerContext): Pending {
  const out = ctx.typeOf(n.name);
  const elem = ELEM_BYTES[out.dtype];
  const [, H, W, C] = ctx.shapes.get(n.name)!;
  let offset = 0;
  const slices = n.inputs.map((v) => {
    const t = ctx.typeOf(v);
    const c = ctx.shapes.get(v)![3];
    const p = t.quant && out.quant ? concatParams(t.quant, out.quant) : { copy: true, scale: 1, bias: 0, outZeroPoint: 0 };
    if (!p.copy && out.dtype !== 'uint8') {
      throw new UnsupportedOpError(`cannot compile concat "${n.name}": input "${v}" has quantization (${t.quant!.scale}, ${t.quant!.zeroPoint}) but the output (${out.quant!.scale}, ${out.quant!.zeroPoint}); an ${out.dtype} concatenation needs equal quantization (as in TFLite)`);
    }
    const s = { v, bytes: c * elem, offset, copy: p.copy, scale: p.scale, bias: p.bias, outZp: p.outZeroPoint };
    offset += c * elem;
    return s;
  });
  return (r) => ({
    kind: 'concat', name: n.name, pixels: H * W, output: r.v(n.name), outStride: C * elem,
    slices: slices.map(({ v, ...s }) => ({ input: r.v(v), ...s })),
  });
}

// ---- quantized -----------------------------------------------------------------------------------------------

const familyOf = (dtype: DType, what: string): 'qu8' | 'qs8' => {
  if (dtype === 'uint8') return 'qu8';
  if (dtype === 'int8') return 'qs8';
  throw new UnsupportedOpError(`${what}: a ${dtype} tensor has no int8 kernels`);
};

/** A node with integer weights, or whose values are quantized (its own output, or its input for dequantize / argmax). */
function isQuantizedOp(n: Node, ctx: LowerContext): boolean {
  const q = (v: string) => ctx.typeOf(v).quant !== undefined;
  return ('q' in n && n.q !== undefined) || q(n.name) || n.inputs.some(q);
}

/** The quantization of a quantized value (ShapeError naming it otherwise). */
function quantOf(ctx: LowerContext, v: string): Quant & { dtype: QDType } {
  const t = ctx.typeOf(v);
  if (!t.quant || (t.dtype !== 'uint8' && t.dtype !== 'int8')) throw new ShapeError(`value "${v}" is ${t.dtype}, expected a quantized uint8 / int8 value`);
  return { ...t.quant, dtype: t.dtype };
}

/**
 * Requantization of a conv / depthwise / dense output channel by channel, and the arithmetic that runs it: the
 * plan's, except that XNNPACK refuses scales outside [2^−32, 256) (TFLite's delegate then leaves the node to
 * TFLite's own kernel: gemmlowp).
 */
function convRq(ctx: LowerContext, inQ: Quant, q: QuantWeights, outQ: Quant, channels: number, dtype: QDType, dense = false): { rq: QRequant; scheme: QuantScheme } {
  if (ctx.scheme === 'fp32') {
    try {
      return { rq: convScalesFp32(inQ.scale, q.scale, outQ.scale, channels), scheme: 'fp32' };
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
    }
  }
  // TFLite: uint8 kernels and per-tensor int8 FULLY_CONNECTED multiply the scales in float first.
  const mode = dtype === 'uint8' || (dense && q.scale.length === 1) ? 'float-product' : 'double';
  return { rq: convRequant(inQ.scale, q.scale, outQ.scale, channels, dtype, mode), scheme: 'gemmlowp' };
}

const qout = (act: Activation, q: Quant & { dtype: QDType }): QOut => {
  const [qmin, qmax] = activationRange(act, q, q.dtype);
  return { outZp: q.zeroPoint, qmin, qmax };
};

/** ADD parameters and the scheme that runs them: XNNPACK's unless its scale ratios are out of range (TFLite's then). */
function addBlock(ctx: LowerContext, a: Quant, b: Quant, out: Quant & { dtype: QDType }, act: Activation): { params: Int32Array; scheme: QuantScheme } {
  if (ctx.scheme === 'fp32') {
    try {
      return { params: packMulShiftAddParams(addParamsMulShift(a, b, out, act, out.dtype)), scheme: 'fp32' };
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
    }
  }
  return { params: packAddParams(addParams(a, b, out, act, out.dtype)), scheme: 'gemmlowp' };
}

function lowerQBlock(u: BlockUnit, ctx: LowerContext): Pending {
  const b = blockScratch(u, ctx.shapes, ctx.budget);
  const { consts, parts } = ctx;
  const dw = u.depthwise;
  const dtype = dw.q!.dtype;
  const family = familyOf(dtype, `block "${u.output}"`);
  const inQ = quantOf(ctx, u.input);
  let expand: ({ at: number; scheme: QuantScheme } & QOut) | null = null;
  let dwInQ = inQ;
  if (u.expand) {
    const eq = quantOf(ctx, u.expand.name);
    const { rq, scheme } = convRq(ctx, inQ, u.expand.q!, eq, b.expC, dtype);
    expand = { at: consts.add(packQGemm(qweightsOf(u.expand.q!), b.inC, b.expC, inQ.zeroPoint, rq, family)), scheme, ...qout(u.expand.activation, eq) };
    dwInQ = eq;
  }
  const dwQ = quantOf(ctx, dw.name);
  const dwRq = convRq(ctx, dwInQ, dw.q!, dwQ, b.expC, dtype);
  const dwAt = consts.add(packQDwconv3x3(qweightsOf(dw.q!), b.expC, dwInQ.zeroPoint, dwRq.rq, family));
  const pq = quantOf(ctx, u.project.name);
  const outC = u.project.outChannels;
  const projRq = convRq(ctx, dwQ, u.project.q!, pq, outC, dtype);
  const projAt = consts.add(packQGemm(qweightsOf(u.project.q!), b.expC, outC, dwQ.zeroPoint, projRq.rq, family));
  // The projection writes the output buffer, then the ADD runs in place: a = the projection, b = the shortcut.
  const residual = u.add ? addBlock(ctx, pq, quantOf(ctx, u.shortcut!), quantOf(ctx, u.add.name), u.add.activation) : null;
  const resAt = residual ? consts.add(residual.params) : 0;
  ctx.zpRow(dwInQ.zeroPoint, b.rowBytes);
  return (r) => ({
    kind: 'qblock', name: u.output, family, scheme: ctx.scheme,
    inH: b.inH, inW: b.inW, inC: b.inC, input: r.v(u.input), expC: b.expC,
    expand: expand ? { packed: r.w(expand.at), scheme: expand.scheme, outZp: expand.outZp, qmin: expand.qmin, qmax: expand.qmax } : null,
    stride: b.stride, dilation: b.dilation, padTop: dw.pad.top, padLeft: dw.pad.left,
    dw: { packed: r.w(dwAt), scheme: dwRq.scheme, aZp: dwInQ.zeroPoint, ...qout(dw.activation, dwQ) },
    outH: b.outH, outW: b.outW, outC,
    project: { packed: r.w(projAt), scheme: projRq.scheme, ...qout(u.project.activation, pq) },
    residual: residual ? { params: r.w(resAt), scheme: residual.scheme, shortcut: r.v(u.shortcut!) } : null,
    output: r.v(u.output), sliceRows: b.sliceRows, ringRows: b.ringRows,
    ring: Array.from({ length: parts }, (_, p) => (b.ringRows ? r.s(`${u.output}/ring${p}`) : 0)),
    dwBuf: Array.from({ length: parts }, (_, p) => r.s(`${u.output}/dw${p}`)),
    zero: r.zp(dwInQ.zeroPoint),
    wide: Array.from({ length: parts }, (_, p) => r.s(`${u.output}/wide${p}`)),
  });
}

/** A quantized node that runs on its own; null for an alias (reshape). */
function lowerQNode(n: Node, ctx: LowerContext): Pending | null {
  const { shapes, consts } = ctx;
  const scheme = ctx.scheme;
  const inShape = shapes.get(n.inputs[0])!;
  const outShape = shapes.get(n.name)!;
  const unsupported = (why: string) => new UnsupportedOpError(`cannot compile ${n.op} "${n.name}": ${why}`);
  switch (n.op) {
    case 'conv2d': {
      const [, inH, inW, inC] = inShape;
      const [, outH, outW, outC] = outShape;
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `conv2d "${n.name}"`);
      const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, outC, oq.dtype);
      const o = qout(n.activation, oq);
      const [dh, dw] = n.dilation ?? [1, 1];
      if (n.kernel[0] === 3 && n.kernel[1] === 3 && n.stride[0] === n.stride[1] && dh === 1 && dw === 1) {
        const at = consts.add(packQConv3x3(qweightsOf(n.q!), inC, outC, inQ.zeroPoint, rq, family));
        return (r) => ({
          kind: 'qconv3x3', name: n.name, family, scheme, inH, inW, inC, input: r.v(n.inputs[0]), stride: n.stride[0],
          padTop: n.pad.top, padLeft: n.pad.left, packed: r.w(at), outC, output: r.v(n.name), outH, outW, aZp: inQ.zeroPoint, ...o,
          scratch: Array.from({ length: ctx.parts }, (_, p) => r.s(`${n.name}/im2col${p}`)),
        });
      }
      if (isPlainPointwise(n)) {
        const at = consts.add(packQGemm(qweightsOf(n.q!), inC, outC, inQ.zeroPoint, rq, family));
        return (r) => ({
          kind: 'qgemm', name: n.name, family, scheme, m: inH * inW, n: outC, k: inC, a: r.v(n.inputs[0]), aStride: inC,
          packed: r.w(at), c: r.v(n.name), cStride: outC, ...o, byRows: gemmByRows(inH * inW, outC, inC, 'int8'),
          wide: Array.from({ length: ctx.parts }, (_, p) => r.s(`${n.name}/wide${p}`)),
        });
      }
      throw unsupported(`a ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} and dilation ${dh}×${dw} is not supported for ${oq.dtype} (only 3×3 without dilation, and unpadded 1×1 with stride 1)`);
    }
    case 'depthwise_conv2d': {
      const [, inH, inW, c] = inShape;
      const [, outH, outW] = outShape;
      if (n.kernel[0] !== 3 || n.kernel[1] !== 3 || n.stride[0] !== n.stride[1]) {
        throw unsupported(`a ${n.kernel.join('×')} kernel with stride ${n.stride.join('×')} is not supported (only 3×3 with equal strides)`);
      }
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `depthwise_conv2d "${n.name}"`);
      const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, c, oq.dtype);
      const at = consts.add(packQDwconv3x3(qweightsOf(n.q!), c, inQ.zeroPoint, rq, family));
      ctx.zpRow(inQ.zeroPoint, inW * c);
      const o = qout(n.activation, oq);
      const dilation: [number, number] = [n.dilation?.[0] ?? 1, n.dilation?.[1] ?? 1];
      return (r) => ({
        kind: 'qdwconv', name: n.name, family, scheme, channels: c, inH, inW, input: r.v(n.inputs[0]), stride: n.stride[0], dilation,
        padTop: n.pad.top, padLeft: n.pad.left, packed: r.w(at), output: r.v(n.name), outH, outW, aZp: inQ.zeroPoint, zero: r.zp(inQ.zeroPoint), ...o,
      });
    }
    case 'dense': {
      const k = numel(inShape);
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `dense "${n.name}"`);
      const { rq, scheme } = convRq(ctx, inQ, n.q!, oq, n.units, oq.dtype, true);
      const at = consts.add(packQGemm(qweightsOf(n.q!), k, n.units, inQ.zeroPoint, rq, family));
      const o = qout(n.activation, oq);
      return (r) => ({
        kind: 'qgemm', name: n.name, family, scheme, m: 1, n: n.units, k, a: r.v(n.inputs[0]), aStride: k, packed: r.w(at),
        c: r.v(n.name), cStride: n.units, ...o, byRows: false,
        wide: Array.from({ length: ctx.parts }, (_, p) => r.s(`${n.name}/wide${p}`)),
      });
    }
    case 'add': {
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `add "${n.name}"`);
      const add = addBlock(ctx, quantOf(ctx, n.inputs[0]), quantOf(ctx, n.inputs[1]), oq, n.activation);
      const at = consts.add(add.params);
      return (r) => ({
        kind: 'qvadd', name: n.name, family, scheme: add.scheme, n: numel(outShape), a: r.v(n.inputs[0]), b: r.v(n.inputs[1]),
        output: r.v(n.name), params: r.w(at),
      });
    }
    case 'global_avg_pool': {
      const [, h, w, c] = inShape;
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `global_avg_pool "${n.name}"`);
      const same = inQ.zeroPoint === oq.zeroPoint && Math.fround(inQ.scale) === Math.fround(oq.scale);
      let mode: PoolMode;
      if ((n.rounding ?? (n.keepDims ? 'avgpool' : 'mean')) === 'avgpool') {
        if (!same) throw unsupported(`an AVERAGE_POOL_2D needs equal input and output quantization, got (${inQ.scale}, ${inQ.zeroPoint}) and (${oq.scale}, ${oq.zeroPoint})`);
        mode = 'avgpool';
      } else mode = n.keepDims ? 'mean-4d' : same ? 'mean-same' : 'mean-float';
      const at = consts.add(poolParams(mode, h * w, inQ, oq, oq.dtype));
      return (r) => ({ kind: 'qgavgpool', name: n.name, family, scheme, pixels: h * w, channels: c, input: r.v(n.inputs[0]), output: r.v(n.name), params: r.w(at) });
    }
    case 'softmax': {
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      const family = familyOf(oq.dtype, `softmax "${n.name}"`);
      const at = consts.add(softmaxTable(inQ.scale, n.beta ?? 1));
      return (r) => ({
        kind: 'qsoftmax', name: n.name, family, scheme, n: numel(outShape), input: r.v(n.inputs[0]), output: r.v(n.name),
        table: r.w(at), outScale: Math.fround(oq.scale), outZp: oq.zeroPoint,
      });
    }
    case 'quantize': {
      const oq = quantOf(ctx, n.name);
      const [qmin, qmax] = dtypeRange(oq.dtype);
      const inT = ctx.typeOf(n.inputs[0]);
      const count = numel(outShape);
      if (inT.dtype === 'float32') {
        const family = familyOf(oq.dtype, `quantize "${n.name}"`);
        return (r) => ({
          kind: 'quantize', name: n.name, family, scheme, n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
          scale: Math.fround(oq.scale), zp: oq.zeroPoint, qmin, qmax,
        });
      }
      const inQ = quantOf(ctx, n.inputs[0]);
      const family = familyOf(inQ.dtype, `quantize "${n.name}"`);
      // XNNPACK converts between two quantizations of one type; TFLite's own kernel does the rest.
      const xnn = scheme === 'fp32' && inQ.dtype === oq.dtype ? requantizeParamsMulShift(inQ, oq, oq.dtype) : null;
      const p = xnn ?? requantizeParams(inQ, oq, oq.dtype);
      return (r) => ({
        kind: 'requantize', name: n.name, family, scheme: xnn ? 'fp32' : 'gemmlowp', n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
        inZp: p.inZeroPoint, outZp: p.outZeroPoint, mult: p.mult, shift: p.shift, qmin: p.qmin, qmax: p.qmax,
      });
    }
    case 'dequantize': {
      const inQ = quantOf(ctx, n.inputs[0]);
      const family = familyOf(inQ.dtype, `dequantize "${n.name}"`);
      return (r) => ({
        kind: 'dequantize', name: n.name, family, scheme, n: numel(outShape), input: r.v(n.inputs[0]), output: r.v(n.name),
        scale: Math.fround(inQ.scale), zp: inQ.zeroPoint,
      });
    }
    case 'pad':
      return lowerPad(n, ctx, quantOf(ctx, n.name).zeroPoint);
    case 'concat':
      return lowerConcat(n, ctx);
    case 'resize_bilinear': {
      const [, inH, inW, c] = inShape;
      const [, outH, outW] = outShape;
      const inQ = quantOf(ctx, n.inputs[0]);
      const oq = quantOf(ctx, n.name);
      if (inQ.zeroPoint !== oq.zeroPoint || Math.fround(inQ.scale) !== Math.fround(oq.scale)) {
        throw unsupported(`input and output quantization differ ((${inQ.scale}, ${inQ.zeroPoint}) vs (${oq.scale}, ${oq.zeroPoint})); TFLite requires them equal`);
      }
      const family = familyOf(oq.dtype, `resize_bilinear "${n.name}"`);
      return (r) => ({
        kind: 'qresize', name: n.name, family, scheme, inH, inW, channels: c, input: r.v(n.inputs[0]), outH, outW, output: r.v(n.name),
        alignCorners: n.alignCorners, halfPixel: n.halfPixelCenters,
      });
    }
    case 'argmax': {
      const [, h, w, c] = inShape;
      const inQ = quantOf(ctx, n.inputs[0]);
      const family = familyOf(inQ.dtype, `argmax "${n.name}"`);
      return (r) => ({
        kind: 'argmax', name: n.name, family, scheme, pixels: h * w, channels: c, input: r.v(n.inputs[0]), output: r.v(n.name),
        int64: n.outputType === 'int64',
      });
    }
    case 'reshape':
      return null;
    default: {
      const op = (n as Node).op;
      throw new ShapeError(`cannot compile node "${(n as Node).name}": unknown op "${op}"`);
    }
  }
}
