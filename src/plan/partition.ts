// Groups graph nodes into execution units. The important unit is the fused inverted residual
// block (paper §5): [1×1 expand + act] → 3×3 depthwise + act → 1×1 project [+ residual add].
// Inside it, only the thin block input and output are materialized; the wide expanded tensor
// lives in a ring of a few rows (see exec/block.ts). A block may also be fused after its
// expansion, which is then a unit of its own (see BlockFusion). A block is all float32 or all
// quantized (every conv with integer weights `q` of one dtype); the quantized block also takes
// dilated depthwise convolutions (DeepLab) and any padding, which the int8 depthwise kernel handles.
import type { Conv2DNode, DepthwiseConv2DNode, AddNode, Graph, Node } from '../graph/ir.js';
import { graphOutputs } from '../graph/ir.js';

export interface BlockUnit {
  kind: 'block';
  /** Name of the thin input value. */
  input: string;
  expand: Conv2DNode | null;
  depthwise: DepthwiseConv2DNode;
  project: Conv2DNode;
  add: AddNode | null;
  /** The thin tensor the add joins (the block's input, or the expansion's input when `expand` is its own unit). */
  shortcut: string | null;
  /** Name of the value the unit produces (the add's, or the projection's). */
  output: string;
}

/**
 * How much of a block to fuse: all of it; all but the expansion, which then runs as its own GEMM with its
 * output materialized (threads then split the depthwise rows without recomputing shared expanded rows); or none.
 */
export type BlockFusion = 'whole' | 'after-expand' | 'none';

export interface NodeUnit {
  kind: 'node';
  node: Node;
  output: string;
}

export type Unit = BlockUnit | NodeUnit;

const isPointwise = (n: Node | undefined): n is Conv2DNode =>
  n?.op === 'conv2d' && n.kernel[0] === 1 && n.kernel[1] === 1 && n.stride[0] === 1 && n.stride[1] === 1 &&
  n.pad.top === 0 && n.pad.left === 0 && n.pad.bottom === 0 && n.pad.right === 0 &&
  (n.dilation === undefined || (n.dilation[0] === 1 && n.dilation[1] === 1));

/** A depthwise the fused block can run: float32 3×3, stride 1 or 2, pad ≤ 1, no dilation; int8 also dilated / wider pads. */
const isDepthwise3x3 = (n: Node | undefined): n is DepthwiseConv2DNode => {
  if (n?.op !== 'depthwise_conv2d' || n.kernel[0] !== 3 || n.kernel[1] !== 3 || n.stride[0] !== n.stride[1]) return false;
  if (n.stride[0] !== 1 && n.stride[0] !== 2) return false;
  const [dh, dw] = n.dilation ?? [1, 1];
  if (n.q) return dh === dw;
  return dh === 1 && dw === 1 && n.pad.left <= 1 && n.pad.top <= 1;
};

/** The convolutions of one block are all float32, or all quantized with one weight dtype. */
const sameKind = (...ns: (Node | null)[]) => {
  const kinds = ns.filter((n): n is Conv2DNode | DepthwiseConv2DNode => n !== null).map((n) => n.q?.dtype ?? 'float32');
  return kinds.every((k) => k === kinds[0]);
};

export interface PartitionOptions {
  fuse?: boolean;
  keep?: readonly string[];
  /** When given, how much of the block around this depthwise node to fuse (compile.ts: less on small maps). */
  fusion?: (depthwise: DepthwiseConv2DNode) => BlockFusion;
}

/**
 * Partitions a topologically ordered graph; `fuse: false` keeps every node as its own unit, and the
 * values named in `keep` are never fused away (they stay materialized for the caller to read).
 */
export function partition(graph: Graph, { fuse = true, keep = [], fusion }: PartitionOptions = {}): Unit[] {
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  // Values read from outside the chain (graph output, embedding) must stay materialized.
  const pinned = new Set([...graphOutputs(graph), graph.meta.embeddingNode ?? '', ...keep]);
  const private1 = (name: string) => consumers.get(name) === 1 && !pinned.has(name);

  const units: Unit[] = [];
  const nodes = graph.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (fuse) {
      // Optional expand, then depthwise, then projection, each feeding only the next.
      let j = i;
      let expand: Conv2DNode | null = null;
      if (isPointwise(nodes[j]) && isDepthwise3x3(nodes[j + 1]) && nodes[j + 1].inputs[0] === nodes[j].name && private1(nodes[j].name)) {
        expand = nodes[j] as Conv2DNode;
        j++;
      }
      const dw = nodes[j];
      const proj = nodes[j + 1];
      const how = isDepthwise3x3(dw) && fusion ? fusion(dw) : 'whole';
      if (how !== 'none' && isDepthwise3x3(dw) && isPointwise(proj) && proj.inputs[0] === dw.name && private1(dw.name) &&
          (expand === null || dw.inputs[0] === expand.name) && sameKind(expand, dw, proj)) {
        const input = expand ? expand.inputs[0] : dw.inputs[0];
        let add: AddNode | null = null;
        const next = nodes[j + 2];
        // The float block adds the residual inside the projection GEMM (after its clamp): only an add without
        // activation fits. The int8 block runs the ADD itself, with its own requantization and clamp.
        if (next?.op === 'add' && (next.activation === 'none' || proj.q !== undefined) && private1(proj.name) && dw.stride[0] === 1 &&
            next.inputs.includes(proj.name) && next.inputs.includes(input) && next.inputs[0] !== next.inputs[1]) {
          add = next;
        }
        const output = add ? add.name : proj.name;
        if (how === 'after-expand' && expand) {
          units.push({ kind: 'node', node: expand, output: expand.name });
          units.push({ kind: 'block', input: expand.name, expand: null, depthwise: dw, project: proj, add, shortcut: add ? input : null, output });
        } else {
          units.push({ kind: 'block', input, expand, depthwise: dw, project: proj, add, shortcut: add ? input : null, output });
        }
        i = j + (add ? 2 : 1);
        continue;
      }
    }
    units.push({ kind: 'node', node: n, output: n.name });
  }
  return units;
}

/** The value names a unit reads from outside itself. */
export function unitInputs(u: Unit): string[] {
  return u.kind === 'block' ? (u.shortcut && u.shortcut !== u.input ? [u.input, u.shortcut] : [u.input]) : u.node.inputs;
}
