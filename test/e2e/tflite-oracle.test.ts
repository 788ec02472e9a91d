// The real TFLite models through the public API (loadModel → run / classify / segment) against the TensorFlow
// Lite runtime's own outputs in ../shared/data/oracle (TFLite with its default XNNPACK delegate, one thread):
// - MobileNetV2 1.0/224 uint8: every output byte of every case, with the default 'fp32' (XNNPACK) arithmetic
//   fused and unfused, on the scalar kernels and on 2 threads: identical (max byte difference 0); with
//   'gemmlowp' (TFLite's builtin arithmetic, which the oracle did not run) the same top-1, bytes within 8.
// - Mobile DeepLabv3 (dilated depthwise, ASPP, RESIZE_BILINEAR, int64 ARG_MAX): the 513×513 class map,
//   identical with 'fp32'; the agreement with 'gemmlowp' is reported.
// Each suite prints what it measured (max byte difference, differing bytes, pixel agreement).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadModel, type LoadOptions, type Model } from '../../src/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

interface OracleCase { input_bin: string; output_bin: string; image: string; top5: { index: number; label: string; q: number }[] }

const report: string[] = [];
afterAll(() => { if (report.length) console.info(`TFLite oracle agreement:\n  ${report.join('\n  ')}`); });

/** Indices of the 5 largest bytes, ties by lower index (the oracle's tie-break). */
const top5 = (a: ArrayLike<number>) => Array.from({ length: a.length }, (_, i) => i).sort((x, y) => a[y] - a[x] || x - y).slice(0, 5);

async function decode(file: string) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 as const };
}

describeShared('TFLite oracle: mobilenet_v2_1.0_224_quant', () => {
  const oracle = JSON.parse(readFileSync(sharedPath('oracle/mobilenet_v2_1.0_224_quant.json'), 'utf8')) as { cases: Record<string, OracleCase> };
  const cases = Object.entries(oracle.cases).map(([name, c]) => ({
    name, c, input: new Uint8Array(readFileSync(sharedPath('oracle', c.input_bin))), want: new Uint8Array(readFileSync(sharedPath('oracle', c.output_bin))),
  }));
  const file = sharedPath('models/mobilenet_v2_1.0_224_quant.tflite');

  const configs: [string, LoadOptions, number][] = [
    ['fp32 (default), fused', {}, 0],
    ['fp32, unfused', { fuse: false }, 0],
    ['fp32, isa scalar', { isa: 'scalar' }, 0],
    ['fp32, 2 threads', { threads: 2 }, 0],
  ];
  for (const [label, opts, tolerance] of configs) {
    it(`${label}: every output byte and the top 5 of all ${cases.length} cases`, async () => {
      const m = await loadModel(file, opts);
      expect(m.info.inputType).toBe('uint8');
      expect(m.info.outputType).toBe('uint8');
      if (opts.threads) expect(m.info.threads).toBe(opts.threads);
      const diffs: string[] = [];
      for (const { name, c, input, want } of cases) {
        const got = await m.run<Uint8Array>(input);
        expect(got).toBeInstanceOf(Uint8Array);
        let max = 0, n = 0;
        for (let i = 0; i < want.length; i++) {
          const d = Math.abs(got[i] - want[i]);
          max = Math.max(max, d);
          if (d) n++;
        }
        diffs.push(`${name} max ${max} (${n} bytes)`);
        expect(max, `${label} ${name}: max byte difference`).toBeLessThanOrEqual(tolerance);
        expect(top5(got), `${label} ${name}: top 5`).toEqual(c.top5.map((t) => t.index));
      }
      report.push(`mobilenet ${label}: ${diffs.join(', ')}`);
      m.dispose();
    });
  }

  it("gemmlowp (TFLite's builtin arithmetic): the same top 1, bytes within 8", async () => {
    const m = await loadModel(file, { requant: 'gemmlowp' });
    expect(m.info.requant).toBe('gemmlowp');
    const diffs: string[] = [];
    for (const { name, c, input, want } of cases) {
      const got = await m.run<Uint8Array>(input);
      let max = 0, n = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i] - want[i]);
        max = Math.max(max, d);
        if (d) n++;
      }
      const same5 = top5(got).join() === c.top5.map((t) => t.index).join();
      diffs.push(`${name} max ${max} (${n} bytes, top 5 ${same5 ? 'identical' : `${top5(got).join(',')} vs ${c.top5.map((t) => t.index).join(',')}`})`);
      expect(top5(got)[0]).toBe(c.top5[0].index);
      expect(max).toBeLessThanOrEqual(8);
    }
    report.push(`mobilenet gemmlowp: ${diffs.join(', ')}`);
    m.dispose();
  });

  it('classify(): cat.png decoded with sharp is an Egyptian cat; the oracle bytes as an image give the oracle scores', async () => {
    const m = await loadModel(file);
    // Output 286 of 1001 is class 285 of ImageNet's 1000: output 0 is "background" (labelOffset 1).
    expect(m.info.labelOffset).toBe(1);
    expect(m.info.labels[285]).toBe('Egyptian cat');
    const cat = await m.classify(await decode(sharedPath('images/cat.png')));
    expect(cat[0]).toMatchObject({ index: 285, label: 'Egyptian cat' });
    expect(cat[0].score).toBeGreaterThan(0.7);
    // A 224×224 image of exactly the oracle's input bytes: resize is the identity, the input quantization
    // (q = pixel) is applied directly, and the scores are the dequantized oracle bytes, q / 256.
    for (const { c, input } of cases) {
      // classify() leaves the background output out: the oracle's top 5 without it, shifted to class ids.
      const want = c.top5.filter((t) => t.index !== 0);
      const res = (await m.classify({ data: input, width: 224, height: 224, channels: 3 }, { topK: 5 })).slice(0, want.length);
      expect(res.map((r) => r.index)).toEqual(want.map((t) => t.index - 1));
      expect(res.map((r) => r.score)).toEqual(want.map((t) => t.q / 256));
    }
    m.dispose();
  });
});

describeShared('TFLite oracle: deeplabv3_mnv2_dm05_pascal_quant', () => {
  const oracle = JSON.parse(readFileSync(sharedPath('oracle/deeplabv3_mnv2_dm05_pascal_quant.json'), 'utf8')) as {
    classes: string[]; cases: Record<string, { input_bin: string; class_map_bin: string; histogram: Record<string, number> }>;
  };
  const c = oracle.cases['dog_segmentation.png'];
  const input = new Uint8Array(readFileSync(sharedPath('oracle', c.input_bin)));
  const want = new Uint8Array(readFileSync(sharedPath('oracle', c.class_map_bin)));
  const file = sharedPath('models/deeplabv3_mnv2_dm05_pascal_quant.tflite');
  let model: Model;
  beforeAll(async () => { model = await loadModel(file); });
  afterAll(() => model?.dispose());

  const agreement = (got: ArrayLike<number | bigint>) => {
    let same = 0;
    for (let i = 0; i < want.length; i++) if (Number(got[i]) === want[i]) same++;
    return same;
  };

  it('fp32 (default): the 513×513 class map is identical to the TFLite runtime\'s', async () => {
    expect(model.info).toMatchObject({ task: 'segment', inputType: 'uint8', outputType: 'int64', outputShape: [1, 513, 513] });
    const got = await model.run<BigInt64Array>(input);
    expect(got).toBeInstanceOf(BigInt64Array);
    const same = agreement(got);
    report.push(`deeplab fp32: ${same} / ${want.length} pixels identical (${(100 * same / want.length).toFixed(4)} %)`);
    expect(same / want.length).toBeGreaterThanOrEqual(0.995);
    expect(same).toBe(want.length);
  });

  it('fused vs unfused, and 2 threads: identical class maps', async () => {
    const base = await model.run<BigInt64Array>(input);
    for (const opts of [{ fuse: false }, { threads: 2 }] as LoadOptions[]) {
      const m = await loadModel(file, opts);
      expect(await m.run(input)).toEqual(base);
      m.dispose();
    }
  });

  it("gemmlowp (TFLite's builtin arithmetic): agreement reported", async () => {
    const m = await loadModel(file, { requant: 'gemmlowp' });
    const same = agreement(await m.run<BigInt64Array>(input));
    report.push(`deeplab gemmlowp: ${same} / ${want.length} pixels identical (${(100 * same / want.length).toFixed(4)} %)`);
    expect(same / want.length).toBeGreaterThanOrEqual(0.98);
    m.dispose();
  });

  it('segment(): PASCAL VOC labels; the oracle bytes as an image give the oracle class map; the PNG segments the dog', async () => {
    expect(model.info.labels).toEqual(oracle.classes);
    const seg = await model.segment({ data: input, width: 513, height: 513, channels: 3 });
    expect(seg).toMatchObject({ width: 513, height: 513 });
    expect(seg.labels[12]).toBe('dog');
    expect(agreement(seg.classes)).toBe(want.length);
    const png = await model.segment(await decode(sharedPath('images/dog_segmentation.png')), { size: { width: 128, height: 128 } });
    expect(png.classes.length).toBe(128 * 128);
    const counts = new Map<string, number>();
    for (const k of png.classes) counts.set(png.labels[k], (counts.get(png.labels[k]) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([l]) => l);
    expect(ranked.slice(0, 2).sort()).toEqual(['background', 'dog']);
    await expect(model.classify({ data: input, width: 513, height: 513, channels: 3 })).rejects.toThrow(/segmentation model/);
  });
});
