// Graph → Plan: validate shapes, partition into units (fusing inverted residual blocks: ./fusion.ts decides
// which), plan the activation arena from the units' usage records, then lower each unit through its op module
// (src/ops/: packs the weights in kernel tile order and emits the step) and resolve every step's absolute
// addresses. All allocation decisions happen here; the executor never allocates.
//
// Quantized units (integer weights `q`, or uint8 / int8 values in Graph.values) lower through their op module's
// lowerQ: each node is packed with its own requantization (src/plan/pack-q.ts, src/plan/requant.ts), the fused
// activation becomes a clamp in the output's quantized domain, and the kernel family follows the values' dtype
// (uint8 → qu8, int8 → qs8). CompileOptions.requant picks the arithmetic: 'fp32' (XNNPACK's, what TensorFlow Lite
// runs by default) or 'gemmlowp' (TFLite's builtin kernels).
//
// Memory: each value's arena record has its dtype's element size (float32 4, uint8 / int8 1, int32 4, int64 8
// bytes). A RESHAPE output is an alias of its input's buffer (no step, no record: the input's lifetime
// covers the alias's readers). Constants (packed weights, requantization parameter blocks, softmax tables,
// and one row of each zero point the quantized depthwise convolutions pad with) form one blob below the arena.
import { graphOutputs, type DType, type Graph, type Node, type Quant, type ValueType } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { EngineError, InputError, ShapeError, preview } from '../errors.js';
import { partition, unitInputs, type Unit } from './partition.js';
import { alignUp, planMemory, type UsageRecord } from './memory-planner.js';
import { DEFAULT_SLICE_BUDGET, smallMapFusion } from './fusion.js';
import type { QuantScheme } from './registry.js';
import type { RelaxedDot } from './pack-q.js';
import type { Packing } from './pack.js';
import type { Step } from './steps.js';
import { OPS } from '../ops/index.js';
import { blockScratch, blockZeroBytes, lowerBlock } from '../ops/block.js';
import { ELEM_BYTES, numel, SLACK } from '../ops/lower.js';
import { checkGraphLimits, checkLimit, resolveLimits, type Limits } from './limits.js';
import type { LowerContext, OpModule, Pending, Resolve, ScratchNeed } from '../ops/types.js';

export { DEFAULT_SLICE_BUDGET } from './fusion.js';
export { ELEM_BYTES } from '../ops/lower.js';

/** Bytes at the bottom of memory left to the module's own static data (the kernels have none today). */
export const RESERVED_BYTES = 1024;

export interface CompileOptions {
  /** Fuse inverted residual blocks (default true; ./fusion.ts decides how much of each). */
  fuse?: boolean;
  /** Target bytes for a block's expanded-row ring plus depthwise slice (drives slice height). */
  sliceBudgetBytes?: number;
  /**
   * Threads that will share each step (a team's size): every step with per-thread scratch gets this many
   * buffers. (Named `parts` because LoadOptions extends CompileOptions and has its own `threads: number | 'auto'`.)
   */
  parts?: number;
  /** Values to keep materialized and alive to the end of a run, readable through Plan.kept (calibration, debugging). */
  keep?: readonly string[];
  /**
   * Requantization arithmetic of a quantized graph: 'fp32' (default) is XNNPACK's, which TensorFlow Lite runs
   * through its default XNNPACK delegate (float32 requantization, multiply-shift ADD and int8 → int8 QUANTIZE);
   * 'gemmlowp' is TFLite's builtin integer kernels (MultiplyByQuantizedMultiplier). No effect on float32 graphs.
   */
  requant?: QuantScheme;
  /** Resource limits checked before planning (./limits.ts; defaults there). */
  limits?: Limits;
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
   * The constants (packed weights, requantization parameters, lookup tables and zero-point rows), each written
   * at weightsBase + at by writeConstants: Runtime.create packs the weights straight into its memory, with no
   * packed copy in between (constantsBlob assembles one, for inspection). The packings read the graph's weights
   * then: they must not change between compile and Runtime.create.
   */
  constants: ConstPiece[];
  /** Bytes of the constants region at weightsBase (64-byte aligned). */
  weightBytes: number;
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
  /** The first graph output (outputs[0]). */
  output: TensorRef;
  /** Every graph output, in Graph.outputs order. */
  outputs: TensorRef[];
  embedding: TensorRef | null;
  /** Addresses of the values asked for with CompileOptions.keep. */
  kept: Map<string, TensorRef>;
  units: Unit[];
  /** The requantization arithmetic of the quantized steps. */
  requant: QuantScheme;
}

/** dtype and quantization of a value (the graph input included; a value absent from Graph.values is float32). */
export function valueTypeOf(graph: Graph): (name: string) => ValueType {
  const input: ValueType = graph.input.dtype !== undefined
    ? { dtype: graph.input.dtype, ...(graph.input.quant ? { quant: graph.input.quant } : {}) }
    : { dtype: 'float32' };
  return (v) => graph.values?.[v] ?? (v === graph.input.name ? input : { dtype: 'float32' });
}

/** The buffer a value lives in: RESHAPE and VIEW outputs alias their input's buffer. */
function aliasRoot(graph: Graph): (v: string) => string {
  const parent = new Map<string, string>();
  for (const n of graph.nodes) if (n.op === 'reshape' || n.op === 'view') parent.set(n.name, n.inputs[0]);
  return (v) => {
    while (parent.has(v)) v = parent.get(v)!;
    return v;
  };
}

/** Bytes from the start of a value's buffer (aliasRoot) to the value: a VIEW's begin, summed along the chain. */
function aliasOffset(graph: Graph, typeOf: (v: string) => ValueType): (v: string) => number {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  return (v) => {
    let off = 0;
    for (let n = byName.get(v); n && (n.op === 'reshape' || n.op === 'view'); n = byName.get(n.inputs[0])) {
      if (n.op === 'view') off += n.begin * ELEM_BYTES[typeOf(n.name).dtype];
    }
    return off;
  };
}

const moduleOf = (n: Node) => OPS[n.op] as OpModule;

/** A node with integer weights, or whose values are quantized (its own output, or its input for dequantize / argmax). */
function isQuantizedOp(n: Node, typeOf: (v: string) => ValueType): boolean {
  const q = (v: string) => typeOf(v).quant !== undefined;
  return ('q' in n && n.q !== undefined) || q(n.name) || n.inputs.some(q);
}

/** Usage records for the values and scratch of a partition (sizes include slack). */
function usageRecords(graph: Graph, units: Unit[], shapes: Map<string, number[]>, budget: number, threads = 1, keep: readonly string[] = []) {
  const typeOf = valueTypeOf(graph);
  const root = aliasRoot(graph);
  const lastUse = new Map<string, number>();
  units.forEach((u, i) => { for (const v of unitInputs(u)) lastUse.set(root(v), i); });
  const end = units.length - 1;
  for (const pinned of [...graphOutputs(graph), graph.meta.embeddingNode, ...keep]) if (pinned) lastUse.set(root(pinned), end);
  const bytes = (v: string) => alignUp(numel(shapes.get(v)!) * ELEM_BYTES[typeOf(v).dtype] + SLACK);
  const values = new Map<string, UsageRecord>();
  const scratch: UsageRecord[] = [];
  values.set(graph.input.name, { name: graph.input.name, first: 0, last: lastUse.get(graph.input.name) ?? 0, size: bytes(graph.input.name) });
  units.forEach((u, i) => {
    if (u.kind === 'node' && (u.node.op === 'reshape' || u.node.op === 'view')) return; // an alias: no buffer of its own
    values.set(u.output, { name: u.output, first: i, last: Math.max(i, lastUse.get(u.output) ?? i), size: bytes(u.output) });
    const needs: ScratchNeed[] = u.kind === 'block'
      ? blockScratch(u, shapes, budget)
      : moduleOf(u.node).scratch?.(u.node, { shapes, typeOf }, isQuantizedOp(u.node, typeOf)) ?? [];
    for (let t = 0; t < threads; t++) {
      for (const s of needs) scratch.push({ name: `${u.output}/${s.label}${t}`, first: i, last: i, size: alignUp(s.bytes) });
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

/** A constant of the plan: `write` fills its `bytes` bytes at weightsBase + `at` (zero-filled memory). */
export interface ConstPiece extends Packing { at: number }

/** The constants under construction: 64-byte aligned pieces, byte offsets. */
class ConstBlob {
  readonly pieces: ConstPiece[] = [];
  size = 0;
  add(data: Uint8Array | Float32Array | Int32Array | Packing): number {
    const at = this.size;
    const p: Packing = 'write' in data ? data : copyOf(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.pieces.push({ at, bytes: p.bytes, write: p.write });
    this.size = alignUp(at + p.bytes);
    return at;
  }
}

const copyOf = (bytes: Uint8Array): Packing => ({ bytes: bytes.length, write: (dst) => dst.set(bytes) });

/**
 * Writes a plan's constants into `memory` (zero-filled, at least weightsBase + weightBytes long). Runtime.create
 * does it into the kernels' memory.
 */
export function writeConstants(plan: Plan, memory: ArrayBuffer | SharedArrayBuffer): void {
  for (const c of plan.constants) c.write(new Uint8Array(memory, plan.weightsBase + c.at, c.bytes));
}

/** The constants region of a plan as one blob (bytes, viewed as float32 words, which keeps every bit). */
export function constantsBlob(plan: Plan): Float32Array {
  const out = new Uint8Array(plan.weightBytes);
  for (const c of plan.constants) c.write(out.subarray(c.at, c.at + c.bytes));
  return new Float32Array(out.buffer);
}

/**
 * `relaxedDot`: how the relaxed module's i8 dot product behaves on this engine (src/wasm/load.ts relaxedDotMode),
 * when the plan will run on it: the int8 GEMMs with fp32 requantization are then packed for the dot kernel.
 */
export function compile(graph: Graph, opts: CompileOptions = {}, relaxedDot: RelaxedDot | null = null): Plan {
  const budget = opts.sliceBudgetBytes ?? DEFAULT_SLICE_BUDGET;
  const scheme = opts.requant ?? 'fp32';
  if (scheme !== 'fp32' && scheme !== 'gemmlowp') throw new InputError(`requant must be 'fp32' or 'gemmlowp', got ${preview(scheme)}`);
  const shapes = inferShapes(graph);
  const limits = resolveLimits(opts.limits);
  checkGraphLimits(graph, shapes, valueTypeOf(graph), limits);
  const keep = opts.keep ?? [];
  for (const v of keep) if (!shapes.has(v)) throw new ShapeError(`compile: cannot keep "${v}": the graph has no such value`);
  const threads = Math.max(1, opts.parts ?? 1);
  // Small maps fuse less (./fusion.ts), unless that would raise the peak (it never has for MobileNetV2).
  const fuse = opts.fuse ?? true;
  let units = partition(graph, { fuse, keep, fusion: smallMapFusion(shapes) });
  let records = usageRecords(graph, units, shapes, budget, threads, keep);
  let arenaBytes = planMemory([...records.values.values(), ...records.scratch]);
  if (fuse) {
    const whole = partition(graph, { fuse, keep });
    const wholeRecords = usageRecords(graph, whole, shapes, budget, threads, keep);
    const wholeBytes = planMemory([...wholeRecords.values.values(), ...wholeRecords.scratch]);
    if (wholeBytes < arenaBytes) [units, records, arenaBytes] = [whole, wholeRecords, wholeBytes];
  }
  const { values, scratch, root } = records;
  const arenaBytesUnfused = opts.fuse === false && threads === 1 ? arenaBytes : activationBytes(graph, false, budget);

  // Zero buffer: the widest row any float32 depthwise reads (+ slack).
  let zeroBytes = 64;
  for (const u of units) {
    const need = u.kind === 'block' ? blockZeroBytes(u, shapes, budget) : moduleOf(u.node).zeroBytes?.(u.node, shapes, false) ?? 0;
    zeroBytes = Math.max(zeroBytes, need);
  }
  zeroBytes = alignUp(zeroBytes + SLACK);

  const consts = new ConstBlob();
  const zpRowBytes = new Map<number, number>();
  const ctx: LowerContext = {
    graph, shapes, typeOf: valueTypeOf(graph), scheme, threads, budget, consts, relaxedDot,
    zpRow: (zp, bytes) => zpRowBytes.set(zp, Math.max(zpRowBytes.get(zp) ?? 0, bytes)),
  };
  const pending: Pending[] = [];
  const stepNodes: string[][] = [];
  for (const u of units) {
    const what = u.kind === 'block' ? `block "${u.output}"` : `${u.node.op} "${u.node.name}"`;
    try {
      if (u.kind === 'block') {
        pending.push(lowerBlock(u, ctx));
        stepNodes.push([u.expand?.name, u.depthwise.name, u.project.name, u.add?.name].filter((x): x is string => !!x));
      } else {
        const m = moduleOf(u.node);
        const p = isQuantizedOp(u.node, ctx.typeOf) ? m.lowerQ(u.node, ctx) : m.lowerF32(u.node, ctx);
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

  const weightBytes = consts.size;
  const zero = RESERVED_BYTES;
  const weightsBase = zero + zeroBytes;
  const arenaBase = alignUp(weightsBase + weightBytes);
  checkLimit(limits, 'maxMemoryBytes', arenaBase + arenaBytes, `model "${graph.name}": weights and activations`);
  const within = aliasOffset(graph, valueTypeOf(graph));
  const addr = (v: string) => arenaBase + values.get(root(v))!.offset! + within(v);
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
    steps, constants: consts.pieces, weightBytes, weightsBase, arenaBase, arenaBytes, arenaBytesUnfused, zero, zeroBytes,
    totalBytes: arenaBase + arenaBytes,
    input: { ...ref(graph.input.name), shape: [...graph.input.shape] },
    output: ref(graph.output),
    outputs: graphOutputs(graph).map(ref),
    embedding: emb && values.has(root(emb)) ? ref(emb) : null,
    kept: new Map(keep.map((v) => [v, ref(v)])),
    units,
    stepNodes,
    requant: scheme,
  };
}

