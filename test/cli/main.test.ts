// The CLI, run in-process through main(argv) with console output captured.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { describeShared, sharedPath, ROOT } from '../helpers/shared.js';
import { SLIM_TABLE } from '../helpers/slim-table.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(a.join(' ')); });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('mobilenet-wasm info', () => {
  it('--alpha 1 --resolution 224 --json gives integer totals and per-layer rows', async () => {
    const r = await cli('info', '--alpha', '1', '--resolution', '224', '--classes', '1001', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Number.isInteger(j.macs) && Number.isInteger(j.params) && Number.isInteger(j.peakActivationBytes)).toBe(true);
    expect(Math.round(j.macs / 1e6)).toBeGreaterThanOrEqual(300);
    expect(j.layers.length).toBeGreaterThan(50);
    expect(j.layers[0]).toMatchObject({ name: 'Conv1', outputShape: [1, 112, 112, 32] });
  });

  it('prints a readable table for the built-in nsfw model (Keras layer names)', async () => {
    const r = await cli('info', '--model', 'nsfw');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/block_16_project/);
    expect(r.out).toMatch(/peak activation memory/);
  });

  it('rejects a bad alpha with a clear message', async () => {
    const r = await cli('info', '--alpha', '0.6', '--resolution', '224');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/InputError.*alpha/);
  });
});

describe('mobilenet-wasm classify', () => {
  it('classifies the bundled sample with the default model (--json)', async () => {
    const r = await cli('classify', path.join(ROOT, 'models/sample.svg'), '--top', '3', '--json');
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.out);
    expect(res.results).toHaveLength(3);
    expect(res.results[0]).toHaveProperty('label');
    expect(typeof res.ms).toBe('number');
  });

  it('names a missing image file', async () => {
    const r = await cli('classify', '/no/such/image.png');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\/no\/such\/image\.png/);
  });
});

describe('mobilenet-wasm convert', () => {
  it('converts a native model to native and the result loads', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-'));
    const out = path.join(dir, 'copy.safetensors');
    const r = await cli('convert', path.join(ROOT, 'models/nsfw.safetensors'), out);
    expect(r.code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(1_000_000);
    const c = await cli('classify', path.join(ROOT, 'models/sample.svg'), '--model', out, '--json');
    expect(c.code).toBe(0);
  });
});

describeShared('mobilenet-wasm classify on ../shared images', () => {
  it('decodes PNG and JPEG and prints a table', async () => {
    const r = await cli('classify', sharedPath('images', 'cat.png'), sharedPath('images', 'hot_dog.jpg'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cat\.png/);
    expect(r.out).toMatch(/Egyptian cat/);
    expect(r.out).toMatch(/hotdog/);
  });
});

describe('mobilenet-wasm info --json against the TF-Slim checkpoint table', () => {
  it.each(SLIM_TABLE)('mobilenet_v2_%s_%i: %i M MACs, %s M params', async (alpha, resolution, macsM, paramsM) => {
    const r = await cli('info', '--alpha', String(alpha), '--resolution', String(resolution), '--classes', '1001', '--json');
    const j = JSON.parse(r.out);
    expect(j.slim.macsM).toBe(macsM);
    expect(j.slim.paramsM).toBe(paramsM);
    expect(Math.floor(j.macs / 1e6)).toBe(macsM);
  });
});

describe('mobilenet-wasm convert from a TF.js layers model.json with a binary shard', () => {
  it('writes a native model that computes exactly what the model.json computes', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const { loadNsfwjsArtifacts } = await import('../../src/formats/nsfwjs.js');
    const { loadModel } = await import('../../src/index.js');
    const a = loadNsfwjsArtifacts(path.join(ROOT, 'node_modules/nsfwjs/dist/models/mobilenet_v2'));
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-json-'));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(a.weightData));
    const out = path.join(dir, 'converted.safetensors');
    const r = await cli('convert', path.join(dir, 'model.json'), out);
    expect(r.code, r.err).toBe(0);
    const fromJson = await loadModel(path.join(dir, 'model.json'));
    const fromNative = await loadModel(new Uint8Array(readFileSync(out)));
    const x = new Float32Array(224 * 224 * 3).map((_, i) => ((i * 7919) % 255) / 255);
    expect(await fromNative.run(x)).toEqual(await fromJson.run(x));
  });
});

describeShared('mobilenet-wasm with the TFLite models of ../shared', () => {
  it('classify with the uint8 MobileNetV2 .tflite prints "Egyptian cat" first (labels from the file)', async () => {
    const r = await cli('classify', sharedPath('images', 'cat.png'), '--model', sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite'));
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l));
    expect(rows[0]).toMatch(/^1\s+285\s+Egyptian cat\s/);
  });

  it('detect prints one line per object (COCO labels), --json gives boxes in pixels, --out draws them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-det-'));
    const out = path.join(dir, 'annotated.png');
    const model = sharedPath('models', 'ssd_mobilenet_v2_coco_quant_postprocess.tflite');
    const labels = sharedPath('labels', 'coco_labels.txt');
    const r = await cli('detect', sharedPath('images', 'kite_and_cold.jpg'), '--model', model, '--labels', labels, '--threshold', '0.5', '--out', out);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/kite_and_cold\.jpg .*1352×900.*: 9 objects → .*annotated\.png$/);
    expect(lines[1]).toMatch(/^ {2}kite {2}0\.953 {2}x \d+, y \d+, \d+×\d+$/);
    expect(new Set(lines.slice(1).map((l) => l.trim().split(/\s+/)[0]))).toEqual(new Set(['kite', 'person']));
    const { default: sharp } = await import('sharp');
    expect(await sharp(out).metadata()).toMatchObject({ format: 'png', width: 1352, height: 900 });
    const j = await cli('detect', sharedPath('images', 'pets.jpg'), '--model', model, '--labels', labels, '--json', '--max', '1');
    expect(j.code, j.err).toBe(0);
    const [row] = JSON.parse(j.out);
    expect(row.detections).toHaveLength(1);
    expect(row.detections[0]).toMatchObject({ label: 'dog', index: 17 });
    expect(row.detections[0].box.width).toBeCloseTo(row.detections[0].normalized.width * row.width, 9);
  }, 60_000);

  it('segment writes a PNG overlay of the image size and lists the classes (PASCAL VOC names)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-seg-'));
    const out = path.join(dir, 'mask.png');
    const r = await cli('segment', sharedPath('images', 'dog_segmentation.png'), '--model', sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite'),
      '--out', out, '--alpha', '0.6', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ width: 128, height: 128, modelOutput: [1, 513, 513], out });
    expect(j.classes.slice(0, 2).map((c: { label: string }) => c.label).sort()).toEqual(['background', 'dog']);
    const { default: sharp } = await import('sharp');
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 128, height: 128 });
    // The overlay is 0.4·image + 0.6·colour: the background's colour is black, so background pixels keep 40 % of
    // the image; the dog's colour (64, 0, 128) lifts blue above that at the centre of the picture.
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const { data: src } = await sharp(sharedPath('images', 'dog_segmentation.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(data.length).toBe(src.length);
    const centre = 3 * (64 * 128 + 64);
    expect(data[centre + 2]).toBe(Math.round(0.4 * src[centre + 2] + 0.6 * 128));
  });

  it('segment prints a colour legend: each class present with its PASCAL VOC colour', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mnw-seg-'));
    const r = await cli('segment', sharedPath('images', 'dog_segmentation.png'), '--model', sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite'),
      '--out', path.join(dir, 'overlay.png'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^index\s+label\s+colour\s+pixels\s+share$/m);
    expect(r.out).toMatch(/^\s*0\s+background\s+#000000\s+\d+\s+[\d.]+%$/m);
    expect(r.out).toMatch(/^\s*12\s+dog\s+#400080\s+\d+\s+[\d.]+%$/m);
    const j = JSON.parse((await cli('segment', sharedPath('images', 'dog_segmentation.png'), '--model', sharedPath('models', 'deeplabv3_mnv2_dm05_pascal_quant.tflite'),
      '--out', path.join(dir, 'overlay.png'), '--json')).out);
    expect(j.classes.find((c: { label: string }) => c.label === 'dog').color).toEqual([64, 0, 128]);
  });

  it('segment needs --model and --out; a classifier is refused', async () => {
    expect((await cli('segment', sharedPath('images', 'cat.png'), '--out', '/tmp/x.png')).err).toMatch(/--model/);
    const r = await cli('segment', sharedPath('images', 'cat.png'), '--model', sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite'), '--out', '/tmp/x.png');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/InputError.*not a segmentation model/);
  });

  it('bench runs a uint8 model on uint8 input', async () => {
    const r = await cli('bench', '--model', sharedPath('models', 'mobilenet_v2_1.0_224_quant.tflite'), '--runs', '2', '--warmup', '0', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ inputType: 'uint8', outputs: 1001 });
  });
});

describe('mobilenet-wasm bench', () => {
  it('prints median/p10/p90 and, with --profile, per-step MACs against the measured peak', async () => {
    const r = await cli('bench', '--alpha', '0.35', '--resolution', '96', '--runs', '3', '--warmup', '1', '--profile');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/median [\d.]+ ms, p10 [\d.]+ ms, p90 [\d.]+ ms/);
    expect(r.out).toMatch(/% peak/);
    expect(r.out).toMatch(/measured peak \(1 thread, register-resident\): f32_muladd [\d.]+ GMAC\/s/);
  });
});
