// TFLite converters that only detectors need, registered by ./index.ts (the detection entry) as rows of
// TFLITE_CONVERTERS / TFLITE_CUSTOM_CONVERTERS: LOGISTIC, PACK, and TFLite_Detection_PostProcess (a custom
// operator: its flexbuffer options, its anchors dequantized as TFLite's kernel does, one detection_postprocess node
// and a view per output tensor).
import type { DetectionOptions, Node } from '../graph/ir.js';
import { f32Of, fmt, type OpContext } from '../formats/tflite/context.js';
import { joinShape } from '../formats/tflite/converters.js';
import { readFlexMap } from '../formats/tflite/flexbuffers.js';
import { Options, TensorType, tensorTypeName, type TfliteOperator } from '../formats/tflite/schema.js';
import { detectionRows, dequantizeU8 } from './postprocess.js';

/**
 * TFLite_Detection_PostProcess: box encodings [1,N,≥4], class scores [1,N,C], constant anchors [N,4] → one packed
 * detection_postprocess node and a view per output tensor (boxes [1,R,4], classes [1,R], scores [1,R], count [1]).
 */
export function detectionPostProcess(op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(3, 4);
  const raw = ctx.customOptions();
  if (!raw) ctx.bad('has no custom options');
  const m = readFlexMap(raw!, `${ctx.file}: ${ctx.describe()} custom options`);
  const num = (k: string, dflt?: number): number => {
    const v = m[k];
    if (v === undefined || v === null) return dflt ?? ctx.bad(`custom option ${k} is missing`);
    if (typeof v !== 'number' && typeof v !== 'bigint') ctx.bad(`custom option ${k} is not a number`);
    return Number(v);
  };
  const options: DetectionOptions = {
    maxDetections: num('max_detections'),
    maxClassesPerDetection: num('max_classes_per_detection'),
    detectionsPerClass: num('detections_per_class', 100),
    scoreThreshold: Math.fround(num('nms_score_threshold')),
    iouThreshold: Math.fround(num('nms_iou_threshold')),
    numClasses: num('num_classes'),
    useRegularNms: m.use_regular_nms === undefined || m.use_regular_nms === null ? false : Boolean(m.use_regular_nms),
    scales: { y: Math.fround(num('y_scale')), x: Math.fround(num('x_scale')), h: Math.fround(num('h_scale')), w: Math.fround(num('w_scale')) },
  };
  const enc = ctx.act(0);
  const scores = ctx.act(1);
  const a = ctx.constant(2, 'anchors');
  const n = enc.shape[1] ?? 0;
  if (fmt(a.shape) !== fmt([n, 4])) ctx.bad(`anchors "${a.tensor.name}" have shape ${fmt(a.shape)}, expected ${fmt([n, 4])}`, a.tensor.pos);
  let anchors: Float32Array;
  if (a.f32) anchors = a.f32;
  else if (a.type === TensorType.FLOAT32) anchors = f32Of(a.raw!);
  else if (a.type === TensorType.UINT8 || a.type === TensorType.INT8) {
    const q = a.tensor.quant;
    if (!q?.scale?.length) ctx.unsupported(`anchors "${a.tensor.name}" have no quantization parameters`);
    const bytes = a.type === TensorType.UINT8 ? new Uint8Array(a.raw!) : new Int8Array(a.raw!.buffer.slice(a.raw!.byteOffset, a.raw!.byteOffset + a.count));
    anchors = dequantizeU8(bytes, q!.scale![0]!, q!.zeroPoint?.[0] ?? 0);
  } else return ctx.unsupported(`anchors have type ${tensorTypeName(a.type)}`);
  for (let k = 0; k < 4; k++) if (ctx.outType(k).dtype !== 'float32') ctx.unsupported(`output ${k} has type ${ctx.outType(k).dtype}; expected float32`);
  const rows = detectionRows(options);
  const node: Node = { op: 'detection_postprocess', name: ctx.innerName('/packed'), inputs: [enc.name, scores.name], options, anchors };
  const shapes = [[1, rows, 4], [1, rows], [1, rows], [1]];
  const begins = [0, rows * 4, rows * 5, rows * 6];
  const views = shapes.map((shape, k) => ctx.out<Node>({ op: 'view', name: ctx.outName(k), inputs: [node.name], begin: begins[k]!, shape }, shape, { dtype: 'float32' }, k));
  return [ctx.inner(node, [rows * 6 + 1], { dtype: 'float32' }), ...views];
}


/** PACK: each input gets a dimension of 1 at `axis` (a reshape), then one concatenation along it. */
export function pack(op: TfliteOperator, ctx: OpContext): Node[] {
  if (op.inputs.length < 1 || op.outputs.length !== 1) ctx.bad(`has ${op.inputs.length} inputs and ${op.outputs.length} outputs`);
  const o = ctx.options(Options.PackOptions);
  // PackOptions: 0 values_count, 1 axis
  const count = o ? o.i32(0, 'values_count') : op.inputs.length;
  const axis = o ? o.i32(1, 'axis') : 0;
  if (count !== op.inputs.length) ctx.bad(`values_count ${count} but ${op.inputs.length} inputs`);
  const xs = op.inputs.map((_, k) => ctx.act(k));
  const rank = xs[0]!.shape.length + 1;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) ctx.bad(`axis ${axis} is outside the rank ${rank} of its output`);
  const ot = ctx.outType();
  const nodes: Node[] = [];
  const parts = xs.map((x) => {
    ctx.sameDtype(x.type, ot, 'PACK');
    const shape = [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)];
    nodes.push(ctx.inner({ op: 'reshape', name: ctx.innerName('/pack'), inputs: [x.name], shape }, shape, x.type));
    return shape;
  });
  const [, shape] = joinShape(ctx, parts, ax, 'PACK');
  return [...nodes, ctx.out({ op: 'concat', name: ctx.outName(), inputs: nodes.map((n) => n.name), axis: ax }, shape, ot)];
}

/** LOGISTIC (sigmoid), float32 or quantized. */
export function logistic(_op: TfliteOperator, ctx: OpContext): Node[] {
  ctx.arity(1);
  const x = ctx.act(0);
  const ot = ctx.outType();
  ctx.sameDtype(x.type, ot, 'LOGISTIC');
  return [ctx.out({ op: 'logistic', name: ctx.outName(), inputs: [x.name] }, [...x.shape], ot)];
}

