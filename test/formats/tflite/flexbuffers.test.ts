// The FlexBuffers reader (src/formats/tflite/flexbuffers.ts) against the flatbuffers package's own encoder
// (an independent implementation): scalars at every width, indirect numbers, strings, blobs, nested maps and
// vectors, typed and fixed vectors; the real TFLite_Detection_PostProcess options of the SSD model; and every
// truncation and offset corruption of an options buffer is a ModelFormatError, never a RangeError.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builder, encode, toObject } from 'flatbuffers/mjs/flexbuffers.js';
import { readFlexBuffer, readFlexMap } from '../../../src/formats/tflite/flexbuffers.js';
import { parseTflite } from '../../../src/formats/tflite/schema.js';
import { ModelFormatError } from '../../../src/errors.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

/** Comparable JSON: 64-bit integers as numbers when exact (their decoder gives BigInt, ours a Number), bytes as arrays. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (
  typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : x instanceof Uint8Array ? [...x] : x instanceof DataView ? [...new Uint8Array(x.buffer, x.byteOffset, x.byteLength)] : x)));

describe('FlexBuffers reader', () => {
  it('reads what the flatbuffers encoder writes, as its own decoder does', () => {
    const cases: unknown[] = [
      0, 1, -1, 127, -128, 255, 256, 65535, -32769, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, 0.5, -3.25, 1e-30, 123456.789,
      true, false, null, '', 'nms', 'ünïcødé',
      [1, 2, 3], [1.5, -2.5], ['a', 'bb'], [true, false, true], [1, 'x', null, 2.5, [3, [4]]],
      { a: 1 }, { max_detections: 10, nms_iou_threshold: 0.6, use_regular_nms: false, y_scale: 10.0, name: 'x' },
      { nested: { deeper: { list: [1, 2, { k: 'v' }] } }, empty: {}, none: [] },
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key${i}`, i * 1000.5])),
    ];
    for (const c of cases) {
      const bytes = encode(c);
      const ours = readFlexBuffer(bytes, 'case');
      expect(plain(ours), JSON.stringify(c).slice(0, 80)).toEqual(plain(c));
      // Their decoder too, where it works (it throws mixing BigInt and Number on 64-bit offsets).
      let theirs: unknown;
      try {
        theirs = toObject(bytes.slice().buffer);
      } catch {
        continue;
      }
      expect(plain(ours)).toEqual(plain(theirs));
    }
  });

  it('reads indirect numbers, blobs and fixed-length typed vectors built by hand', () => {
    const b = builder();
    b.startMap();
    b.addKey('ii'); b.addInt(-123456789, true);
    b.addKey('iu'); b.addUInt(4000000000, true);
    b.addKey('if'); b.addFloat(0.1, true);
    b.addKey('blob'); b.add(new DataView(new Uint8Array([9, 8, 7]).buffer));
    b.addKey('v3'); b.startVector(); b.add(1.5); b.add(2.5); b.add(3.5); b.end();
    b.end();
    const bytes = b.finish();
    const m = readFlexMap(bytes, 'hand-built');
    expect(m.ii).toBe(-123456789);
    expect(m.iu).toBe(4000000000);
    expect(m.if).toBeCloseTo(0.1, 12);
    expect([...(m.blob as Uint8Array)]).toEqual([9, 8, 7]);
    expect(m.v3).toEqual([1.5, 2.5, 3.5]);
    expect(plain(m)).toEqual(plain(toObject(bytes.slice().buffer)));
  });

  it('a truncated or corrupted buffer is a ModelFormatError naming the byte, never another error', () => {
    const bytes = encode({ max_detections: 10, nms_iou_threshold: 0.6, labels: ['a', 'b'], nested: { x: [1, 2, 3] } });
    let typed = 0;
    const check = (b: Uint8Array) => {
      try {
        readFlexBuffer(b, 'mutant');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ModelFormatError);
        expect((e as Error).message).toMatch(/^mutant: FlexBuffer .*\(at byte \d+ of \d+\)$/);
        typed++;
      }
    };
    for (let n = 0; n < bytes.length; n++) check(bytes.subarray(0, n));
    for (let i = 0; i < bytes.length; i++) {
      for (const v of [0, 1, 0x7f, 0x80, 0xff]) {
        const m = bytes.slice();
        m[i] = v;
        check(m);
      }
    }
    expect(typed).toBeGreaterThan(bytes.length);
  });

  it('refuses nesting deeper than 32 levels', () => {
    let v: unknown = 1;
    for (let i = 0; i < 40; i++) v = [v];
    expect(() => readFlexBuffer(encode(v), 'deep')).toThrow(/nests deeper than 32 levels/);
  });
});

describeShared('FlexBuffers: the SSD detector\'s TFLite_Detection_PostProcess options', () => {
  it('reads every option the TFLite kernel reads', () => {
    const file = sharedPath('models/ssd_mobilenet_v2_coco_quant_postprocess.tflite');
    const m = parseTflite(new Uint8Array(readFileSync(file)), file);
    const g = m.subgraphs[0];
    const op = g.operators.find((o) => m.operatorCodes[o.opcodeIndex].customCode === 'TFLite_Detection_PostProcess')!;
    expect(op.customOptions).toBeDefined();
    const o = readFlexMap(op.customOptions!, 'TFLite_Detection_PostProcess');
    expect(o).toMatchObject({ max_detections: 20, max_classes_per_detection: 1, num_classes: 90, use_regular_nms: false });
    expect(o.nms_score_threshold).toBeCloseTo(1e-8, 12);
    expect(o.nms_iou_threshold).toBeCloseTo(0.6, 6);
    expect([o.y_scale, o.x_scale, o.h_scale, o.w_scale]).toEqual([10, 10, 5, 5]);
    expect(plain(o)).toEqual(plain(toObject(op.customOptions!.slice().buffer)));
  });
});
