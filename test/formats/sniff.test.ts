// Format recognition from bytes, and importModelBytes dispatching on it.
import { describe, expect, it } from 'vitest';
import { InputError, ModelFormatError, UnsupportedOpError } from '../../src/errors.js';
import { MAGIC, hexPrefix, sniffFormat } from '../../src/formats/sniff.js';
import { importModelBytes } from '../../src/formats/load-bytes.js';
import { writeNative } from '../../src/formats/native/write.js';
import { importTfjsLayers } from '../../src/formats/tfjs-layers/import.js';
import { KerasBuilder, conv } from './keras-builder.js';

const enc = (s: string) => new TextEncoder().encode(s);

function tinyArtifacts() {
  const b = new KerasBuilder(7);
  const x = b.input('img', 6, 6, 3);
  b.layer('Conv2D', 'c', { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu', use_bias: true }, [x]);
  conv(b, 'c', 3, 3, 4, true, { quant: 'uint8' });
  b.layer('GlobalAveragePooling2D', 'gap', {}, ['c']);
  b.layer('Dense', 'fc', { units: 2, activation: 'softmax', use_bias: true }, ['gap']);
  b.weight('fc/kernel', [4, 2]);
  b.weight('fc/bias', [2]);
  return b.build('img', 'fc');
}

function modelJson(a: ReturnType<typeof tinyArtifacts>, paths: string[]) {
  return JSON.stringify({
    format: 'layers-model',
    generatedBy: 'keras v2.2.4',
    convertedBy: 'TensorFlow.js Converter',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths, weights: a.weightSpecs }],
  });
}

describe('sniffFormat', () => {
  it('is driven by an as-const magic table', () => {
    expect(MAGIC.map((m) => m.format)).toContain('tflite');
  });

  it('recognizes the native format', () => {
    const a = tinyArtifacts();
    expect(sniffFormat(writeNative(importTfjsLayers(a)))).toBe('native');
    // Just the first bytes are enough.
    expect(sniffFormat(writeNative(importTfjsLayers(a)).subarray(0, 16))).toBe('native');
  });

  it('recognizes TF.js model.json, with or without BOM and leading whitespace', () => {
    const a = tinyArtifacts();
    expect(sniffFormat(enc(modelJson(a, ['w.bin'])))).toBe('tfjs-layers-json');
    expect(sniffFormat(enc(`\uFEFF\n  ${modelJson(a, ['w.bin'])}`))).toBe('tfjs-layers-json');
    expect(sniffFormat(enc('{"weightsManifest": []}'))).toBe('tfjs-layers-json');
    expect(sniffFormat(enc('{"hello": "world"}'))).toBe('unknown');
  });

  it('recognizes TFLite by "TFL3" at byte 4', () => {
    const b = new Uint8Array(32);
    b.set([0x1c, 0, 0, 0], 0);
    b.set(enc('TFL3'), 4);
    expect(sniffFormat(b)).toBe('tflite');
    expect(sniffFormat(enc('TFL3....'))).toBe('unknown');
  });

  it('recognizes an ONNX ModelProto by its leading fields', () => {
    // ir_version = 8, producer_name = "pytorch"
    expect(sniffFormat(new Uint8Array([0x08, 0x08, 0x12, 0x07, ...enc('pytorch'), 0x1a, 0x01, 0x32]))).toBe('onnx');
    // ir_version = 7, opset_import
    expect(sniffFormat(new Uint8Array([0x08, 0x07, 0x42, 0x04, 0x0a, 0x00, 0x10, 0x0d]))).toBe('onnx');
  });

  it('says unknown for everything else', () => {
    expect(sniffFormat(new Uint8Array(0))).toBe('unknown');
    expect(sniffFormat(new Uint8Array([1, 2, 3]))).toBe('unknown');
    expect(sniffFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe('unknown'); // PNG
    expect(sniffFormat(enc('PK\u0003\u0004 zip'))).toBe('unknown');
    // A u64 length that is absurd, or no "{" after it.
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigUint64(0, 2n ** 40n, true);
    b[8] = 0x7b;
    expect(sniffFormat(b)).toBe('unknown');
    const c = new Uint8Array(16);
    c[0] = 4;
    c[8] = 0x5b;
    expect(sniffFormat(c)).toBe('unknown');
  });
});

describe('importModelBytes', () => {
  it('reads native files', async () => {
    const g = importTfjsLayers(tinyArtifacts(), { labels: ['x', 'y'] });
    expect(await importModelBytes(writeNative(g), { fileName: 'tiny.safetensors' })).toEqual(g);
  });

  it('imports model.json, fetching the shards by their manifest paths', async () => {
    const a = tinyArtifacts();
    const data = new Uint8Array(a.weightData);
    const files: Record<string, Uint8Array> = { 'group1-shard1of2.bin': data.slice(0, 50), 'group1-shard2of2.bin': data.slice(50) };
    const asked: string[] = [];
    const readShard = async (p: string) => {
      asked.push(p);
      if (!files[p]) throw new Error('ENOENT');
      return files[p];
    };
    const json = enc(modelJson(a, Object.keys(files)));
    const g = await importModelBytes(json, { fileName: 'dir/model.json', readShard, labels: ['x', 'y'] });
    expect(asked).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect(g.nodes).toEqual(importTfjsLayers(a).nodes);
    expect(g.meta.labels).toEqual(['x', 'y']);
    expect(g.meta.source).toBe('dir/model.json');

    await expect(importModelBytes(json, { fileName: 'dir/model.json' })).rejects.toThrow(InputError);
    const missing = enc(modelJson(a, ['nope.bin']));
    await expect(importModelBytes(missing, { fileName: 'm.json', readShard })).rejects.toThrow(/m\.json: cannot read weight shard "nope\.bin": ENOENT/);
  });

  it('hands TFLite to the TFLite importer (a bare "TFL3" header is a corrupt FlatBuffer)', async () => {
    const b = new Uint8Array(32);
    b.set(enc('TFL3'), 4);
    await expect(importModelBytes(b, { fileName: 'm.tflite' })).rejects.toThrow(ModelFormatError);
    await expect(importModelBytes(b, { fileName: 'm.tflite' })).rejects.toThrow(/^m\.tflite: .*\(at byte \d+\)$/);
  });

  it('reports ONNX as unsupported', async () => {
    const b = new Uint8Array([0x08, 0x08, 0x12, 0x07, ...enc('pytorch')]);
    await expect(importModelBytes(b, { fileName: 'm.onnx' })).rejects.toThrow(UnsupportedOpError);
  });

  it('names the file and the first bytes of an unknown format', async () => {
    const b = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    expect(hexPrefix(b)).toBe('de ad be ef 01 02 03');
    await expect(importModelBytes(b, { fileName: 'cat.jpg' })).rejects.toThrow(ModelFormatError);
    await expect(importModelBytes(b, { fileName: 'cat.jpg' })).rejects.toThrow(/cat\.jpg: unrecognized model format \(7 bytes, starting de ad be ef 01 02 03\)/);
    await expect(importModelBytes(new Uint8Array(0), { fileName: 'empty' })).rejects.toThrow(/empty.*\(empty\)/);
  });

  it('rejects a corrupt model.json', async () => {
    await expect(importModelBytes(enc('{"modelTopology": {'), { fileName: 'bad.json' })).rejects.toThrow(
      /bad\.json: looks like a TF\.js model\.json but is not valid JSON/,
    );
  });
});
