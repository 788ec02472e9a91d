// detection_postprocess: TFLite_Detection_PostProcess (src/detect/postprocess.ts). A host step (`detect`, run in
// JavaScript on the leader thread): quantized encodings and scores are dequantized in float32 as TFLite's kernel
// does, then decoded against the anchors and suppressed (fast or regular NMS). The node's one output packs the
// op's four: rows·4 boxes, rows classes, rows scores, the count (float32); `view` nodes expose them.
import type { DetectionPostProcessNode, ValueType } from '../graph/ir.js';
import { ShapeError } from '../errors.js';
import { checkDetectionOptions, detectionPostProcess, detectionPostProcessQ, detectionRows, dequantizeU8 } from '../detect/postprocess.js';
import { expectInputs, fmt, NUMERIC } from './checks.js';
import { hostMemory } from './logistic.js';
import type { OpModule, Pending, StepOf, StepRunner } from './types.js';

/** Elements of the packed output: rows·(4 + 1 + 1) + 1. */
export const packedLength = (n: Pick<DetectionPostProcessNode, 'options'>): number => detectionRows(n.options) * 6 + 1;

const qOf = (t: ValueType) => (t.quant && t.dtype !== 'float32' ? { dtype: t.dtype as 'uint8' | 'int8', scale: t.quant.scale, zeroPoint: t.quant.zeroPoint } : null);

function lower(n: DetectionPostProcessNode, ctx: Parameters<OpModule['lowerQ']>[1]): Pending {
  const [, count, encLen] = ctx.shapes.get(n.inputs[0])!;
  const classes = ctx.shapes.get(n.inputs[1])![2];
  const anchors = ctx.consts.add(n.anchors);
  const encQ = qOf(ctx.typeOf(n.inputs[0]));
  const scoreQ = qOf(ctx.typeOf(n.inputs[1]));
  return (r) => ({
    kind: 'detect', name: n.name, boxes: r.v(n.inputs[0]), scores: r.v(n.inputs[1]), anchors: r.w(anchors), output: r.v(n.name),
    count: count!, encLen: encLen!, classes: classes!, encQ, scoreQ, options: n.options,
  });
}

export const detectionPostprocess: OpModule<DetectionPostProcessNode> = {
  op: 'detection_postprocess',
  shape(n, c) {
    expectInputs(n, 2);
    const enc = c.lookup(n.inputs[0]!);
    const sc = c.lookup(n.inputs[1]!);
    if (enc.length !== 3 || enc[0] !== 1 || enc[2]! < 4) throw new ShapeError(`${c.where}: box encodings "${n.inputs[0]}" have shape ${fmt(enc)}, expected [1,N,≥4]`);
    if (sc.length !== 3 || sc[0] !== 1 || sc[1] !== enc[1]) throw new ShapeError(`${c.where}: scores "${n.inputs[1]}" have shape ${fmt(sc)}, expected [1,${enc[1]},C]`);
    try {
      checkDetectionOptions(n.options, c.where);
    } catch (e) {
      throw new ShapeError((e as Error).message);
    }
    const extra = sc[2]! - n.options.numClasses;
    if (extra !== 0 && extra !== 1) throw new ShapeError(`${c.where}: scores have ${sc[2]} classes for num_classes ${n.options.numClasses}`);
    if (!(n.anchors instanceof Float32Array) || n.anchors.length !== enc[1]! * 4) {
      throw new ShapeError(`${c.where}: anchors must be a Float32Array of ${enc[1]}×4 values`);
    }
    return [packedLength(n)];
  },
  types(_n, c) {
    c.inType(0, NUMERIC);
    c.inType(1, NUMERIC);
    c.outIs('float32', 'the post-process writes float32');
  },
  native: {
    arity: 2,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], options: { ...n.options, scales: { ...n.options.scales } }, anchors: [...n.anchors] }),
    read(c) {
      const { options, anchors } = c.r;
      if (!Array.isArray(anchors) || !anchors.every(c.finite)) c.fail(`${c.where}: anchors must be an array of numbers`);
      const o = options as Record<string, unknown> | null;
      const num = (k: string) => (o && c.finite(o[k]) ? (o[k] as number) : c.fail(`${c.where}: options.${k} must be a number`));
      const sc = (o?.scales ?? null) as Record<string, unknown> | null;
      const scale = (k: string) => (sc && c.finite(sc[k]) ? (sc[k] as number) : c.fail(`${c.where}: options.scales.${k} must be a number`));
      if (typeof o?.useRegularNms !== 'boolean') c.fail(`${c.where}: options.useRegularNms must be a boolean`);
      return {
        ...c.base, op: 'detection_postprocess', anchors: Float32Array.from(anchors as number[]),
        options: {
          maxDetections: num('maxDetections'), maxClassesPerDetection: num('maxClassesPerDetection'), detectionsPerClass: num('detectionsPerClass'),
          scoreThreshold: num('scoreThreshold'), iouThreshold: num('iouThreshold'), numClasses: num('numClasses'), useRegularNms: o!.useRegularNms as boolean,
          scales: { y: scale('y'), x: scale('x'), h: scale('h'), w: scale('w') },
        },
      };
    },
  },
  lowerF32: lower,
  lowerQ: lower,
};

export const DETECT_STEPS: { detect: StepRunner<StepOf<'detect'>> } = {
  detect: {
    run(k, s) {
      const buf = hostMemory(k, s.name);
      const real = (at: number, n: number, q: StepOf<'detect'>['encQ']) => (q
        ? dequantizeU8(q.dtype === 'uint8' ? new Uint8Array(buf, at, n) : new Int8Array(buf, at, n), q.scale, q.zeroPoint)
        : new Float32Array(buf, at, n));
      const enc = real(s.boxes, s.count * s.encLen, s.encQ);
      const anchors = new Float32Array(buf, s.anchors, s.count * 4);
      const sq = s.scoreQ;
      const r = sq
        ? detectionPostProcessQ(enc, s.encLen, new (sq.dtype === 'uint8' ? Uint8Array : Int8Array)(buf, s.scores, s.count * s.classes), sq.scale, sq.zeroPoint,
          s.classes, anchors, s.count, s.options)
        : detectionPostProcess(enc, s.encLen, new Float32Array(buf, s.scores, s.count * s.classes), s.classes, anchors, s.count, s.options);
      const rows = r.classes.length;
      const out = new Float32Array(buf, s.output, rows * 6 + 1);
      out.set(r.boxes, 0);
      out.set(r.classes, rows * 4);
      out.set(r.scores, rows * 5);
      out[rows * 6] = r.count;
    },
  },
};
