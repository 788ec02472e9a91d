// Damaged .tflite files: every truncation, flipped bytes, absurd vector lengths and offsets that point
// outside the file give a ModelFormatError naming the file and a byte offset (or, for a flip that
// still decodes, a clean import or an UnsupportedOpError); never a TypeError / RangeError, a hang,
// or a huge allocation.
import { describe, expect, it } from 'vitest';
import * as flatbuffers from 'flatbuffers';
import { readFileSync } from 'node:fs';
import { ModelFormatError, UnsupportedOpError } from '../../../src/errors.js';
import { importTflite } from '../../../src/formats/tflite/import.js';
import { FbReader } from '../../../src/formats/tflite/flatbuffer.js';
import { AssociatedFileType } from '../../../src/formats/tflite/metadata.js';
import { mulberry32 } from '../../helpers/random.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import {
  TfliteBuilder,
  addOptions,
  convOptions,
  depthwiseOptions,
  metadataBuffer,
  poolOptions,
  reshapeOptions,
  seq,
  softmaxOptions,
  withZip,
} from '../../helpers/tflite-builder.js';

const FILE = 'damaged.tflite';
const AT_END = /\(at byte (\d+)\)$/;

/** A small uint8 classifier with metadata and a deflated labels zip: every part of the format. */
function sample(): Uint8Array {
  const b = new TfliteBuilder({ description: 'sample' });
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
  const x = b.input('input', [1, 6, 6, 3], 'UINT8', q(1 / 128, 128));
  const c = b.tensor('conv', [1, 3, 3, 4], 'UINT8', q(0.05, 0));
  b.op('CONV_2D', [x, b.constant('w', [4, 3, 3, 3], 'UINT8', seq(108, 0, 255, 1), q(0.02, 120)),
    b.constant('b', [4], 'INT32', [1, 2, 3, 4], q(0.02 / 128, 0))], [c], convOptions({ stride: 2, activation: 'RELU6' }));
  const d = b.tensor('dw', [1, 3, 3, 4], 'UINT8', q(0.05, 0));
  b.op('DEPTHWISE_CONV_2D', [c, b.constant('dw/w', [1, 3, 3, 4], 'UINT8', seq(36, 0, 255, 2), q(0.03, 128)),
    b.constant('dw/b', [4], 'INT32', [0, 0, 0, 0], q(0.0015, 0))], [d], depthwiseOptions({ dilation: 2 }));
  const s = b.tensor('add', [1, 3, 3, 4], 'UINT8', q(0.08, 2));
  b.op('ADD', [c, d], [s], addOptions());
  const p = b.tensor('pool', [1, 1, 1, 4], 'UINT8', q(0.08, 2));
  b.op('AVERAGE_POOL_2D', [s], [p], poolOptions({ filter: [3, 3] }));
  const r = b.tensor('flat', [1, 4], 'UINT8', q(0.08, 2));
  b.op('RESHAPE', [p, b.constant('shape', [2], 'INT32', [1, 4])], [r], reshapeOptions([1, 4]));
  const o = b.tensor('probs', [1, 4], 'UINT8', q(1 / 256, 0));
  b.op('SOFTMAX', [r], [o], softmaxOptions());
  b.output(o);
  b.addMetadata('TFLITE_METADATA', metadataBuffer({ mean: [127.5], std: [127.5], outputFiles: [['labels.txt', AssociatedFileType.TENSOR_AXIS_LABELS]] }));
  const model = b.finish();
  return withZip(model, [{ name: 'labels.txt', data: new TextEncoder().encode('a\nb\nc\nd\n'), method: 'deflate' }]);
}

/** What importing `bytes` gives: 'ok', or the error class; asserts the message of a format error. */
async function outcome(bytes: Uint8Array, file = FILE): Promise<'ok' | 'format' | 'unsupported'> {
  try {
    await importTflite(bytes, { fileName: file });
    return 'ok';
  } catch (e) {
    if (e instanceof ModelFormatError) {
      expect(e.message.startsWith(`${file}: `), e.message).toBe(true);
      const m = AT_END.exec(e.message);
      expect(m, e.message).not.toBeNull();
      expect(Number(m![1])).toBeLessThanOrEqual(bytes.length);
      return 'format';
    }
    if (e instanceof UnsupportedOpError) {
      expect(e.message.startsWith(`${file}: `), e.message).toBe(true);
      return 'unsupported';
    }
    throw e;
  }
}

async function formatError(bytes: Uint8Array, re?: RegExp): Promise<ModelFormatError> {
  const err = await importTflite(bytes, { fileName: FILE }).catch((e) => e);
  expect(err, String(err)).toBeInstanceOf(ModelFormatError);
  expect(err.message).toMatch(AT_END);
  if (re) expect(err.message).toMatch(re);
  return err;
}

/** Positions of a few structures of the sample, found with the reader itself. */
function locate(bytes: Uint8Array) {
  const r = new FbReader(bytes, 'x');
  const model = r.root('model');
  const subgraphs = model.vector(2, 4, 'subgraphs')!;
  const sg = model.tableAt(subgraphs, 0, 'subgraphs');
  const tensors = sg.vector(0, 4, 'tensors')!;
  const t0 = sg.tableAt(tensors, 0, 'tensors');
  const shape = t0.vector(0, 4, 'shape')!;
  const namePos = r.deref('name', t0.field(3, 4, 'name'));
  const buffers = model.vector(4, 4, 'buffers')!;
  const b1 = model.tableAt(buffers, 1, 'buffers');
  const data = b1.vector(0, 1, 'data')!;
  return {
    model, subgraphsField: model.field(2, 4, 'subgraphs'), tensorsLen: tensors.pos - 4, shapeLen: shape.pos - 4,
    nameLen: namePos, dataLen: data.pos - 4, t0,
  };
}

describe('damaged TFLite files', () => {
  const good = sample();

  it('the undamaged sample imports', async () => {
    const g = await importTflite(good, { fileName: FILE });
    expect(g.meta.labels).toEqual(['a', 'b', 'c', 'd']);
  });

  it('every truncation is a ModelFormatError with a byte offset', async () => {
    const t0 = performance.now();
    for (let n = 0; n < good.length; n++) {
      const r = await outcome(good.subarray(0, n));
      expect(r, `truncated to ${n} of ${good.length} bytes`).toBe('format');
    }
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('flipped bytes never crash or hang', async () => {
    const t0 = performance.now();
    const seen = { ok: 0, format: 0, unsupported: 0 };
    for (let i = 0; i < good.length; i++) {
      for (const mask of [0xff, 0x80]) {
        const bad = good.slice();
        bad[i] ^= mask;
        seen[await outcome(bad)]++;
      }
    }
    // Most flips in the weights leave a valid model; structure flips are caught.
    expect(seen.format).toBeGreaterThan(100);
    expect(seen.ok).toBeGreaterThan(100);
    expect(performance.now() - t0).toBeLessThan(60_000);
  });

  it('random multi-byte corruption never crashes', async () => {
    const rnd = mulberry32(42);
    for (let k = 0; k < 500; k++) {
      const bad = good.slice();
      for (let j = 0; j < 8; j++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      await outcome(bad);
    }
  });

  it('absurd vector lengths (0x7fffffff) are reported where they are, without allocating', async () => {
    const at = locate(good);
    for (const [what, pos] of [['tensors', at.tensorsLen], ['shape', at.shapeLen], ['name', at.nameLen], ['buffer data', at.dataLen]] as const) {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(pos, 0x7fffffff, true);
      const err = await formatError(bad, /2147483647 × \d-byte elements runs past the end of the file/);
      expect(err.message, what).toContain(`(at byte ${pos})`);
    }
  });

  it('offsets that point outside the file', async () => {
    const at = locate(good);
    const set = (pos: number, v: number) => {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(pos, v >>> 0, true);
      return bad;
    };
    // root offset
    let err = await formatError(set(0, 0x7ffffff0), /model: offset 2147483632 at byte 0 points to/);
    expect(err.message).toMatch(/\(at byte 0\)$/);
    // the subgraphs offset field of the root table
    err = await formatError(set(at.subgraphsField, good.length), /model\.subgraphs: offset/);
    expect(err.message).toContain(`(at byte ${at.subgraphsField})`);
    // the root table's vtable offset
    await formatError(set(at.model.pos, -0x40000000), /model: vtable offset .* outside the file/);
    // a vtable entry that points past its table
    const bad = good.slice();
    new DataView(bad.buffer).setUint16(at.t0.vt + 4 + 2 * 3, 0x7ff0, true); // tensor 0 "name" field
    await formatError(bad, /tensors\[0\]\.name: field offset 32752 .* lies outside the \d+-byte table/);
    // a vtable size that is odd
    const odd = good.slice();
    new DataView(odd.buffer).setUint16(at.t0.vt, 7, true);
    await formatError(odd, /vtable size 7 is invalid/);
  });

  it('not a TFLite file at all', async () => {
    await formatError(new Uint8Array(0), /too short/);
    await formatError(new Uint8Array(7), /too short/);
    const wrongId = good.slice();
    wrongId[7] = 0x34; // TFL4
    await formatError(wrongId, /file identifier is "TFL4", expected "TFL3" \(at byte 4\)/);
  });

  it('a broken appended zip is a ModelFormatError', async () => {
    const eocd = good.length - 22;
    const cd = new DataView(good.buffer, good.byteOffset).getUint32(eocd + 16, true);
    const bad = good.slice();
    bad[cd] ^= 0xff; // central directory signature
    await formatError(bad, /appended zip archive: central directory entry 0 has a bad signature/);
    const crc = good.slice();
    crc[cd + 16] ^= 0x01;
    await formatError(crc, /entry "labels.txt" (fails its CRC-32 check|does not inflate)/);
  });
});

describe('int64 vectors (zero points)', () => {
  /** A FlatBuffer whose root table holds one [long] vector in field 0. */
  function longs(xs: bigint[]): FbReader {
    const b = new flatbuffers.Builder(64);
    b.startVector(8, xs.length, 8);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt64(xs[i]!);
    const v = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, v, 0);
    b.finish(b.endObject());
    return new FbReader(b.asUint8Array(), 'longs.fb');
  }
  const max = BigInt(Number.MAX_SAFE_INTEGER);

  it('reads every value within ±(2^53 − 1) exactly, across both 32-bit halves', () => {
    const xs = [0n, 1n, -1n, 127n, -128n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n, -(2n ** 32n), 2n ** 32n + 5n, -(2n ** 40n) + 3n, max, -max];
    expect(longs(xs).root('root').i64Array(0, 'zero_point')).toEqual(xs.map(Number));
  });

  it('values beyond ±(2^53 − 1) are corrupt, reported with their index and byte offset', () => {
    for (const x of [max + 1n, -max - 1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const r = longs([5n, x]);
      expect(() => r.root('root').i64Array(0, 'zero_point'), String(x)).toThrow(new RegExp(`zero_point\\[1\\]: value ${x} is out of range \\(at byte \\d+\\)$`));
    }
  });
});

describeShared('damaged real model (mobilenet_v2_1.0_224_quant.tflite)', () => {
  const real = new Uint8Array(readFileSync(sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite')));

  it('truncations across the FlatBuffer and inside the appended zip are ModelFormatErrors', async () => {
    const rnd = mulberry32(7);
    const cuts = [0, 4, 8, 16, 100, 1000, real.length - 1, real.length - 22, real.length - 100, real.length - 21000, 3588976, 3588975];
    for (let k = 0; k < 60; k++) cuts.push(Math.floor(rnd() * real.length));
    const t0 = performance.now();
    for (const n of cuts) expect(await outcome(real.subarray(0, n), 'mnv2.tflite'), `cut at ${n}`).toBe('format');
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it('flipped bytes in the structure never crash', async () => {
    const rnd = mulberry32(9);
    // The first 64 KiB hold the tables; the rest is mostly weight data.
    for (let k = 0; k < 100; k++) {
      const bad = real.slice();
      bad[Math.floor(rnd() * 65536)] ^= 1 << Math.floor(rnd() * 8);
      await outcome(bad, 'mnv2.tflite');
    }
  });
});
