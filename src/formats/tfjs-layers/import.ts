// TF.js layers-model importer: Keras functional / sequential topology (model.json "modelTopology")
// plus the weights manifest and its binary shards → Graph IR.
//
// Weights are decoded exactly as @tensorflow/tfjs-core io_utils.decodeWeights does (4.22), so a
// dequantized weight here has the same float32 bits as the tensor tfjs would build:
//   uint8/uint16 → float32: values[i] = q * scale + min, evaluated in float64 (JS numbers) and
//                           rounded once to float32 by the Float32Array store;
//   uint8/uint16 → int32:   Math.round(q * scale + min);
//   float16 → float32:      the fox-toolkit table conversion tfjs uses (exact IEEE half→single).
// The manifest format documents only {dtype, min, scale} for uint8/uint16 and {dtype} for
// float16; anything else is rejected.
//
// Batch norm is folded into the preceding conv / depthwise conv / dense in float64 and rounded
// once to float32; ReLU / ReLU6 / linear activations are fused into their producer; ZeroPadding2D
// becomes the explicit pads of the convolution that consumes it.


import type { Graph, ModelMeta, PaddingMode, Preprocess } from '../../graph/ir.js';
import { InputError, ModelFormatError, UnsupportedOpError, preview } from '../../errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-depth.js';
import { inferShapes } from '../../graph/shapes.js';
import { KerasImport, LayerContext, type ImportOptions, type ImportReport, type KerasLayer } from './context.js';
import { layerConverterFor } from './layers.js';
import { WeightStore, decodeWeights, type TfjsArtifacts, type WeightSpec } from './weights.js';

export type { ImportOptions, ImportReport } from './context.js';
export type { DecodedWeight, TfjsArtifacts, WeightSpec } from './weights.js';
export { decodeWeights } from './weights.js';

// ---------------------------------------------------------------------------------------------
// model.json (on-disk form)

/**
 * Turns a parsed (or raw) model.json plus its shard files into artifacts. `shards` are the files of
 * every manifest group's `paths`, in manifest order.
 */
export function parseModelJson(json: unknown, shards: Uint8Array[], fileName = 'model.json'): TfjsArtifacts {
  const file = fileName;
  let obj: unknown = json;
  if (typeof json === 'string' || json instanceof Uint8Array) {
    const text = typeof json === 'string' ? json : new TextDecoder('utf-8').decode(json);
    if (jsonTooDeep(text) >= 0) throw new ModelFormatError(`${file}: JSON nests deeper than ${MAX_JSON_DEPTH}`);
    try {
      obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      throw new ModelFormatError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ModelFormatError(`${file}: model.json must be a JSON object`);
  }
  const o = obj as Record<string, unknown>;
  if (o.modelTopology === null || typeof o.modelTopology !== 'object') {
    throw new ModelFormatError(`${file}: model.json has no "modelTopology" object`);
  }
  const manifest = o.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${file}: model.json has no "weightsManifest" array`);
  const weightSpecs: WeightSpec[] = [];
  const paths: string[] = [];
  for (const [g, group] of manifest.entries()) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(`${file}: weightsManifest[${g}] must have "paths" and "weights" arrays`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new ModelFormatError(`${file}: weightsManifest[${g}].paths has a non-string`);
      paths.push(p);
    }
    weightSpecs.push(...(group.weights as WeightSpec[]));
  }
  if (shards.length !== paths.length) {
    throw new ModelFormatError(
      `${file}: the weights manifest lists ${paths.length} shard file(s) (${paths.join(', ')}) but ${shards.length} were given`,
    );
  }
  let total = 0;
  for (const s of shards) total += s.byteLength;
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    weightData.set(s, off);
    off += s.byteLength;
  }
  return { modelTopology: o.modelTopology as object, weightSpecs, weightData };
}

/** Shard paths of a model.json, in order (for loaders that have to fetch them). */
export function shardPaths(json: unknown, fileName = 'model.json'): string[] {
  const o = json as { weightsManifest?: { paths?: unknown }[] } | null;
  if (!o || !Array.isArray(o.weightsManifest)) {
    throw new ModelFormatError(`${fileName}: model.json has no "weightsManifest" array`);
  }
  const out: string[] = [];
  for (const [g, group] of o.weightsManifest.entries()) {
    if (!group || !Array.isArray(group.paths)) {
      throw new ModelFormatError(`${fileName}: weightsManifest[${g}] must have a "paths" array`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new ModelFormatError(`${fileName}: weightsManifest[${g}].paths has a non-string`);
      out.push(p);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Topology walk
const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

/** Parses Keras 2 (`[[[name, node, tensor, kwargs], …]]`) and Keras 3 (`[{args: [...]}]`) inbound nodes. */
function parseInbound(raw: unknown, ctx: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ModelFormatError(`${ctx}: inbound_nodes must be an array`);
  if (raw.length === 0) return [];
  if (raw.length > 1) {
    throw new UnsupportedOpError(`${ctx}: the layer is called ${raw.length} times (shared layers are not supported)`);
  }
  const node = raw[0];
  const names: string[] = [];
  const addRef = (name: unknown, nodeIndex: unknown, tensorIndex: unknown) => {
    if (typeof name !== 'string') throw new ModelFormatError(`${ctx}: malformed inbound node ${preview(node)}`);
    if ((nodeIndex ?? 0) !== 0 || (tensorIndex ?? 0) !== 0) {
      throw new UnsupportedOpError(
        `${ctx}: input ${name}[${nodeIndex}][${tensorIndex}] refers to a shared layer or a multi-output layer (not supported)`,
      );
    }
    names.push(name);
  };
  if (Array.isArray(node)) {
    for (const ref of node) {
      if (!Array.isArray(ref)) throw new ModelFormatError(`${ctx}: malformed inbound node ${preview(node)}`);
      addRef(ref[0], ref[1], ref[2]);
    }
  } else if (node && typeof node === 'object') {
    // Keras 3: { args: [ {class_name: '__keras_tensor__', config: {keras_history: [name, node, tensor]}} | [...] ] }
    const visit = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(visit);
      else if (x && typeof x === 'object') {
        const h = (x as any).config?.keras_history;
        if ((x as any).class_name === '__keras_tensor__' && Array.isArray(h)) addRef(h[0], h[1], h[2]);
      }
    };
    visit((node as any).args);
  } else {
    throw new ModelFormatError(`${ctx}: malformed inbound node ${preview(node)}`);
  }
  return names;
}

function refName(ref: unknown, ctx: string): string {
  if (Array.isArray(ref) && typeof ref[0] === 'string') {
    if ((ref[1] ?? 0) !== 0 || (ref[2] ?? 0) !== 0) {
      throw new UnsupportedOpError(`${ctx}: model input/output ${preview(ref)} refers to a shared layer`);
    }
    return ref[0];
  }
  throw new ModelFormatError(`${ctx}: malformed model input/output reference ${preview(ref)}`);
}

interface ParsedTopology {
  modelName: string;
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

function parseTopology(topology: unknown, file: string): ParsedTopology {
  if (topology === null || typeof topology !== 'object') {
    throw new ModelFormatError(`${file}: modelTopology must be an object`);
  }
  const t = topology as Record<string, any>;
  if (Array.isArray(t.node) || t.format === 'graph-model') {
    throw new UnsupportedOpError(`${file}: this is a TF.js graph model (GraphDef); only layers models are supported`);
  }
  const mc = t.model_config ?? (t.class_name ? t : undefined);
  if (!mc || typeof mc !== 'object') {
    throw new ModelFormatError(`${file}: modelTopology has no model_config`);
  }
  const cls = mc.class_name;
  const cfg = mc.config;
  if (cls === 'Model' || cls === 'Functional') {
    if (!cfg || !Array.isArray(cfg.layers)) throw new ModelFormatError(`${file}: model_config.config.layers missing`);
    const layers: KerasLayer[] = cfg.layers.map((l: any, i: number) => {
      if (!l || typeof l !== 'object' || typeof l.class_name !== 'string') {
        throw new ModelFormatError(`${file}: layer #${i} is malformed`);
      }
      const name = typeof l.name === 'string' ? l.name : l.config?.name;
      if (typeof name !== 'string') throw new ModelFormatError(`${file}: layer #${i} (${l.class_name}) has no name`);
      const ctx = `${file}: layer "${name}" (${l.class_name})`;
      return { name, className: l.class_name, config: l.config ?? {}, inputs: parseInbound(l.inbound_nodes, ctx) };
    });
    const ins = (cfg.input_layers ?? []) as unknown[];
    const outs = (cfg.output_layers ?? []) as unknown[];
    if (!Array.isArray(ins) || !Array.isArray(outs)) throw new ModelFormatError(`${file}: model_config.config input_layers / output_layers must be arrays`);
    // Keras 3 stores a single ref without the outer list.
    const norm = (a: unknown[]) => (a.length > 0 && typeof a[0] === 'string' ? [a] : a);
    return {
      modelName: typeof cfg.name === 'string' ? cfg.name : 'model',
      layers,
      inputs: norm(ins).map((r) => refName(r, file)),
      outputs: norm(outs).map((r) => refName(r, file)),
    };
  }
  if (cls === 'Sequential') {
    const list = Array.isArray(cfg) ? cfg : cfg?.layers;
    if (!Array.isArray(list) || list.length === 0) throw new ModelFormatError(`${file}: Sequential model has no layers`);
    const layers: KerasLayer[] = [];
    let prev: string | undefined;
    for (const [i, l] of list.entries()) {
      if (!l || typeof l !== 'object' || typeof l.class_name !== 'string') {
        throw new ModelFormatError(`${file}: layer #${i} is malformed`);
      }
      const name = l.config?.name ?? l.name;
      if (typeof name !== 'string') throw new ModelFormatError(`${file}: layer #${i} (${l.class_name}) has no name`);
      if (prev === undefined && l.class_name !== 'InputLayer') {
        const shape = l.config?.batch_input_shape ?? l.config?.batch_shape;
        if (!Array.isArray(shape)) {
          throw new ModelFormatError(`${file}: the first layer of the Sequential model has no batch_input_shape`);
        }
        layers.push({ name: 'input', className: 'InputLayer', config: { batch_input_shape: shape }, inputs: [] });
        prev = 'input';
      }
      layers.push({ name, className: l.class_name, config: l.config ?? {}, inputs: prev === undefined ? [] : [prev] });
      prev = name;
    }
    return {
      modelName: typeof cfg?.name === 'string' ? cfg.name : 'sequential',
      layers,
      inputs: [layers[0].name],
      outputs: [prev!],
    };
  }
  throw new UnsupportedOpError(`${file}: model class ${preview(cls)} is not supported (Model, Functional, Sequential)`);
}

/** Kahn's algorithm over the layer list; throws on cycles and dangling references. */
function topoSort(layers: KerasLayer[], file: string): KerasLayer[] {
  const byName = new Map<string, KerasLayer>();
  for (const l of layers) {
    if (byName.has(l.name)) throw new ModelFormatError(`${file}: two layers are named "${l.name}"`);
    byName.set(l.name, l);
  }
  const indeg = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const l of layers) {
    indeg.set(l.name, l.inputs.length);
    for (const i of l.inputs) {
      if (!byName.has(i)) throw new ModelFormatError(`${file}: layer "${l.name}" takes input from unknown layer "${i}"`);
      users.set(i, [...(users.get(i) ?? []), l.name]);
    }
  }
  const ready = layers.filter((l) => l.inputs.length === 0).map((l) => l.name);
  const order: KerasLayer[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(byName.get(n)!);
    for (const u of users.get(n) ?? []) {
      const d = indeg.get(u)! - 1;
      indeg.set(u, d);
      if (d === 0) ready.push(u);
    }
  }
  if (order.length !== layers.length) {
    const stuck = layers.filter((l) => indeg.get(l.name)! > 0).map((l) => l.name);
    throw new ModelFormatError(`${file}: the layer graph has a cycle through ${stuck.slice(0, 5).join(', ')}`);
  }
  return order;
}


function isMobileNetV2(layers: Map<string, KerasLayer>): boolean {
  const need: [string, string][] = [
    ['Conv1', 'Conv2D'],
    ['expanded_conv_depthwise', 'DepthwiseConv2D'],
    ['expanded_conv_project', 'Conv2D'],
    ['Conv_1', 'Conv2D'],
  ];
  for (let i = 1; i <= 16; i++) {
    need.push([`block_${i}_expand`, 'Conv2D'], [`block_${i}_depthwise`, 'DepthwiseConv2D'], [`block_${i}_project`, 'Conv2D']);
  }
  return need.every(([n, c]) => layers.get(n)?.className === c);
}

/** Imports a TF.js layers model (Keras topology + weights) into the Graph IR. */
export function importTfjsLayers(artifacts: TfjsArtifacts, opts: ImportOptions = {}): Graph {
  return importTfjsLayersWithReport(artifacts, opts).graph;
}

/** Same as importTfjsLayers, plus a report of what was folded and fused. */
export function importTfjsLayersWithReport(
  artifacts: TfjsArtifacts,
  opts: ImportOptions = {},
): { graph: Graph; report: ImportReport } {
  const file = opts.fileName ?? 'model.json';
  if (!artifacts || typeof artifacts !== 'object') throw new ModelFormatError(`${file}: no model artifacts`);
  const topo = parseTopology(artifacts.modelTopology, file);
  const weights = new WeightStore(decodeWeights(artifacts.weightSpecs ?? [], artifacts.weightData ?? new Uint8Array(0), file), file);

  if (topo.inputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${topo.inputs.length} inputs (exactly one is supported)`);
  }
  if (topo.outputs.length !== 1) {
    throw new UnsupportedOpError(`${file}: the model has ${topo.outputs.length} outputs (exactly one is supported)`);
  }
  const order = topoSort(topo.layers, file);
  const byName = new Map(topo.layers.map((l) => [l.name, l] as const));

  // How many layers read each layer's output (+1 for the model output): fusion needs exactly one.
  const consumers = new Map<string, number>();
  for (const l of topo.layers) for (const i of l.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of topo.outputs) consumers.set(o, (consumers.get(o) ?? 0) + 1);

  const report: ImportReport = {
    layers: topo.layers.length,
    foldedBatchNorms: [],
    fusedActivations: [],
    foldedPads: [],
    noOps: [],
    ops: {},
  };
  const imp = new KerasImport(file, opts, weights, consumers, report);

  // Each layer, in topological order, through its converter (./layers.ts).
  for (const layer of order) {
    const ctx = new LayerContext(imp, layer);
    const convert = layerConverterFor(layer.className);
    if (!convert) throw new UnsupportedOpError(`${ctx.where}: layer class "${layer.className}" is not supported`);
    for (const n of convert(layer, ctx)) imp.addNode(n);
  }

  const { nodes, vals, input, sawZeroPadding, embeddingNode } = imp;
  if (!input) throw new ModelFormatError(`${file}: the model has no InputLayer`);
  if (topo.inputs[0] !== input.name) {
    throw new ModelFormatError(`${file}: input_layers names "${topo.inputs[0]}" but the InputLayer is "${input.name}"`);
  }
  const outVal = vals.get(topo.outputs[0]);
  if (!outVal) throw new ModelFormatError(`${file}: output layer "${topo.outputs[0]}" does not exist`);
  if (outVal.pad || outVal.ir === input.name) {
    throw new UnsupportedOpError(`${file}: output layer "${topo.outputs[0]}" does not compute anything`);
  }
  const extra = weights.unused();
  if (extra.length > 0) {
    throw new ModelFormatError(
      `${file}: ${extra.length} weight(s) in the manifest are not used by any layer: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''}`,
    );
  }
  // Layers that do not feed the output would still be computed by the engine: drop them.
  const live = new Set<string>([outVal.ir]);
  for (let i = nodes.length - 1; i >= 0; i--) if (live.has(nodes[i].name)) nodes[i].inputs.forEach((x) => live.add(x));
  const liveNodes = nodes.filter((n) => live.has(n.name));

  const mobilenet = isMobileNetV2(byName);
  let alpha: number | undefined;
  if (mobilenet) {
    const f16 = byName.get('block_16_project')!.config.filters / 320;
    alpha = MOBILENET_V2_ALPHAS.find((a) => Math.abs(a - f16) < 1e-9) ?? byName.get('Conv1')!.config.filters / 32;
  }
  const output = liveNodes.find((n) => n.name === outVal.ir)!;
  const outShape = outVal.shape;
  const outUnits = outVal.flat ? outShape[outShape.length - 1] : undefined;
  let labels = opts.labels;
  if (labels !== undefined) {
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw new InputError('labels must be an array of strings');
    if (outUnits !== undefined && labels.length !== outUnits) {
      throw new InputError(`${file}: ${labels.length} labels given but the model has ${outUnits} outputs`);
    }
  } else {
    labels = Array.from({ length: outUnits ?? 0 }, (_, i) => `class_${i}`);
  }
  const preprocess: Preprocess = opts.preprocess ?? (mobilenet
    ? { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], offset: [-1, -1, -1], centralCrop: 1 }
    : { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 1 });
  const paddingMode: PaddingMode = sawZeroPadding ? 'keras' : 'same';
  const meta: ModelMeta = {
    architecture: mobilenet ? 'mobilenet_v2' : 'unknown',
    ...(alpha !== undefined ? { alpha } : {}),
    ...(mobilenet && input.shape[1] === input.shape[2] ? { resolution: input.shape[1] } : {}),
    paddingMode,
    labels: [...labels],
    preprocess,
    source: opts.source ?? file,
    ...(embeddingNode && live.has(embeddingNode) ? { embeddingNode } : {}),
    outputIsProbabilities: output.op === 'softmax',
  };
  const graph: Graph = {
    name: opts.name ?? topo.modelName,
    input,
    output: outVal.ir,
    nodes: liveNodes,
    meta,
  };
  // The engine's own validation: the importer's shape bookkeeping must agree with it.
  inferShapes(graph);
  return { graph, report };
}
