// The TFLite converter table and the OpContext a converter works through: table rows resolve to the
// operator codes of the schema, unknown operators find no row, and the context hands a converter what
// the next operators need (custom options, which outputs are graph outputs, several nodes per operator).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OpContext, TfliteImport, type TfliteImportReport } from '../../../src/formats/tflite/context.js';
import { TFLITE_CONVERTERS, TFLITE_CUSTOM_CONVERTERS, converterFor, type TfliteOp } from '../../../src/formats/tflite/converters.js';
import { Op, opName, parseTflite } from '../../../src/formats/tflite/schema.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const emptyReport = (): TfliteImportReport => ({
  schemaVersion: 3,
  operatorCodes: [],
  opCounts: {},
  deadOperators: [],
  perChannelTensors: [],
  foldedDequantize: [],
  dequantizedWeights: [],
  labelsSource: 'default',
  zipEntries: [],
  metadataEntries: [],
  preprocessSource: 'default',
  warnings: [],
});

describe('TFLITE_CONVERTERS', () => {
  it('every row names a builtin whose code resolves back to that row', () => {
    const names = Object.keys(TFLITE_CONVERTERS) as TfliteOp[];
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) {
      const code = Op[name];
      expect(opName(code), name).toBe(name);
      expect(converterFor(code, undefined), name).toBe(TFLITE_CONVERTERS[name]);
    }
  });

  it('finds no converter for unsupported builtins, unknown codes, or unknown custom operators', () => {
    expect(converterFor(28 /* TANH */, undefined)).toBeUndefined();
    expect(converterFor(Op.CONV_3D, undefined)).toBeUndefined();
    expect(converterFor(9999, undefined)).toBeUndefined();
    expect(converterFor(Op.CUSTOM, undefined)).toBeUndefined();
    expect(converterFor(Op.CUSTOM, 'TFLite_Detection_PostProcess')).toBe(TFLITE_CUSTOM_CONVERTERS.TFLite_Detection_PostProcess);
    expect(converterFor(Op.CUSTOM, 'MyCustomOp')).toBeUndefined();
    // Names of Object.prototype are not rows.
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(converterFor(Op.CUSTOM, k)).toBeUndefined();
  });
});

describeShared('OpContext on ssd_mobilenet_v2_coco_quant_postprocess.tflite', () => {
  const model = parseTflite(new Uint8Array(readFileSync(sharedPath('models', 'ssd_mobilenet_v2_coco_quant_postprocess.tflite'))), 'ssd.tflite');
  const sg = model.subgraphs[0]!;
  const imp = new TfliteImport(model, 'ssd.tflite', emptyReport());
  const ctxOf = (pred: (customCode: string | undefined, code: number) => boolean) => {
    const op = sg.operators.find((o) => pred(model.operatorCodes[o.opcodeIndex]!.customCode, model.operatorCodes[o.opcodeIndex]!.code))!;
    return new OpContext(imp, op, model.operatorCodes[op.opcodeIndex]!);
  };
  const post = ctxOf((c) => c === 'TFLite_Detection_PostProcess');
  const conv = ctxOf((_c, code) => code === Op.CONV_2D);

  it('names a custom operator by its custom code', () => {
    expect(post.name).toBe('CUSTOM "TFLite_Detection_PostProcess"');
    expect(post.describe()).toMatch(/^operator #\d+ CUSTOM "TFLite_Detection_PostProcess" \(code 32, version 1\)$/);
  });

  it('reads the custom options (a FlexBuffer map of the post-process parameters)', () => {
    const bytes = post.customOptions()!;
    expect(bytes).toBeInstanceOf(Uint8Array);
    const text = new TextDecoder('latin1').decode(bytes);
    for (const key of ['max_detections', 'max_classes_per_detection', 'nms_score_threshold', 'nms_iou_threshold', 'num_classes', 'y_scale']) {
      expect(text).toContain(key);
    }
    // A FlexBuffer ends with the root's packed type and its byte width.
    expect([1, 2, 4, 8]).toContain(bytes[bytes.length - 1]);
    expect(conv.customOptions()).toBeUndefined();
  });

  it('tells a converter which of its outputs are graph outputs', () => {
    expect(post.op.outputs).toHaveLength(4);
    for (let k = 0; k < 4; k++) expect(post.isGraphOutput(k)).toBe(true);
    expect(conv.isGraphOutput()).toBe(false);
  });

  it('commits the several nodes a converter declares, binding outputs to tensors, and refuses undeclared ones', () => {
    const local = new TfliteImport(model, 'ssd.tflite', emptyReport());
    const ctx = new OpContext(local, post.op, post.code);
    const a = ctx.inner({ op: 'softmax', name: ctx.innerName('/a'), inputs: ['x'] }, [1, 10], { dtype: 'float32' });
    const b = ctx.out({ op: 'quantize', name: ctx.outName(1), inputs: [a.name] }, [1, 10], { dtype: 'int8', quant: { scale: 0.5, zeroPoint: 1 } }, 1);
    local.commit(ctx, [a, b]);
    expect(local.nodes.map((n) => n.name)).toEqual([a.name, b.name]);
    expect(a.name).toBe(`${ctx.output(0).name}/a`);
    expect(local.valueName.get(post.op.outputs[1]!)).toBe(b.name);
    expect(local.valueName.has(post.op.outputs[0]!)).toBe(false);
    expect(local.shapeOfValue.get(b.name)).toEqual([1, 10]);
    expect(local.values[b.name]).toEqual({ dtype: 'int8', quant: { scale: 0.5, zeroPoint: 1 } });
    expect(local.values[a.name]).toBeUndefined();
    expect(local.nodeTensor.get(b.name)?.tensor.index).toBe(post.op.outputs[1]);

    const again = new OpContext(local, post.op, post.code);
    const stray = { op: 'softmax' as const, name: 'stray', inputs: ['x'] };
    expect(() => local.commit(again, [stray])).toThrow(/returned nodes it did not declare/);
    const declaredOnly = new OpContext(local, post.op, post.code);
    declaredOnly.inner(stray, [1, 10], { dtype: 'float32' });
    expect(() => local.commit(declaredOnly, [])).toThrow(/returned nodes it did not declare/);
  });
});
