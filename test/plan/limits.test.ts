// Resource limits (issue 14, defect 1): hostile sizes in a model file or an image are refused with a
// ResourceLimitError naming the limit, the requested value and how to raise it, before anything is allocated;
// every shipped and test model fits the defaults.
import { describe, it, expect } from 'vitest';
import {
  loadModel, buildMobileNetV2, writeNative, decodeImage, DEFAULT_LIMITS, EngineError, ModelFormatError, ResourceLimitError,
} from '../../src/index.js';
import { writeBmp } from '../helpers/bmp.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { editMetadataEntry } from '../helpers/native-header.js';

/** A native file with its graph JSON (metadata "graph") edited by `edit`: what a 30-byte header edit does. */
const editNative = (bytes: Uint8Array, edit: (g: any) => void): Uint8Array => editMetadataEntry(bytes, 'graph', edit);

const small = () => writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 5 }));

/** The error `p` rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    const m = await p;
    (m as { dispose?: () => void })?.dispose?.();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('resource limits', () => {
  it('refuse a header edit to a 2147483648×224 input before allocating (was a raw RangeError from WebAssembly.Memory)', async () => {
    const e = await failure(loadModel(editNative(small(), (g) => { g.input.shape = [1, 2147483648, 224, 3]; })));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/maxInputPixels 481036337152, above the limit 16777216; raise limits\.maxInputPixels/);
    expect((e as ResourceLimitError).limit).toBe('maxInputPixels');
  });

  it('refuse 8192×8192 (3.2 GB, 34 s per inference before) and 100000×224 inputs; raising the limit is the way round', async () => {
    for (const [h, w] of [[8192, 8192], [100000, 224]]) {
      const e = await failure(loadModel(editNative(small(), (g) => { g.input.shape = [1, h, w, 3]; })));
      expect(e).toBeInstanceOf(ResourceLimitError);
    }
    // 512×512 fits the defaults, and is refused under a lower limit, then loads with it raised.
    const bytes = editNative(small(), (g) => { g.input.shape = [1, 512, 512, 3]; });
    const e = await failure(loadModel(bytes, { limits: { maxInputPixels: 256 * 256 } }));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/input 1×512×512×3 needs maxInputPixels 262144, above the limit 65536/);
    const m = await loadModel(bytes);
    expect(m.info.inputShape).toEqual([1, 512, 512, 3]);
    m.dispose();
  });

  it('refuse a resize to 100000×100000 (was "Invalid typed array length") and a huge value as maxMemoryBytes', async () => {
    const bytes = editNative(small(), (g) => {
      const last = g.nodes[g.nodes.length - 1];
      g.nodes.splice(1, 0, { name: 'big', op: 'resize_bilinear', inputs: [g.nodes[0].name], size: [100000, 100000], alignCorners: false, halfPixelCenters: true });
      g.nodes[2].inputs = ['big'];
      void last;
    });
    const e = await failure(loadModel(bytes));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/value "big" \(1×100000×100000×16\) needs maxMemoryBytes 640000000000/);
  });

  it('refuse conv pads of 2^31 and 50000 (int8 too) as typed errors', async () => {
    for (const pad of [2 ** 31, 50000]) {
      const e = await failure(loadModel(editNative(small(), (g) => { g.nodes[0].pad = { top: pad, left: 1, bottom: 1, right: 1 }; })));
      expect(e).toBeInstanceOf(EngineError);
      expect(e.message).toMatch(/wider than|maxMemoryBytes|pad/);
    }
    const { loadGraph } = await import('../../src/index.js');
    const q = writeNative(await loadGraph('default'));
    const e = await failure(loadModel(editNative(q, (g) => { g.nodes[0].pad = { top: 50000, left: 0, bottom: 1, right: 1 }; })));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/pad .* is wider than 16×16/);
  });

  it('limit multiply-adds and memory when asked, and validate the option', async () => {
    const bytes = small();
    expect(await failure(loadModel(bytes, { limits: { maxMacs: 1000 } }))).toBeInstanceOf(ResourceLimitError);
    const mem = await failure(loadModel(bytes, { limits: { maxMemoryBytes: 100_000 } }));
    expect(mem).toBeInstanceOf(ResourceLimitError);
    expect(mem.message).toMatch(/maxMemoryBytes \d+, above the limit 100000/);
    expect((await failure(loadModel(bytes, { limits: { maxMacs: -1 } }))).name).toBe('InputError');
  });

  it('every shipped model fits the defaults with room to spare', async () => {
    for (const name of ['default', 'nsfw'] as const) {
      const m = await loadModel(name);
      expect(m.info.memoryBytes).toBeLessThan(DEFAULT_LIMITS.maxMemoryBytes / 50);
      expect(m.info.macs).toBeLessThan(DEFAULT_LIMITS.maxMacs / 50);
      m.dispose();
    }
  });

  it('apply to images: decoded, classified and segment() sizes', async () => {
    const m = await loadModel(small(), { limits: { maxImagePixels: 100 * 100 } });
    const px = (w: number, h: number) => ({ data: new Uint8Array(w * h * 3), width: w, height: h });
    expect((await m.classify(px(100, 100))).length).toBeGreaterThan(0);
    const e = await failure(m.classify(px(101, 100)));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/image 101×100 needs maxImagePixels 10100, above the limit 10000/);
    // An encoded image is refused from its header, before decoding.
    const bmp = writeBmp({ width: 200, height: 200, bpp: 24, pixel: () => [9, 9, 9] });
    expect(await failure(m.classify(bmp))).toBeInstanceOf(ResourceLimitError);
    const png = await (await import('sharp')).default({ create: { width: 300, height: 200, channels: 3, background: '#808080' } }).png().toBuffer();
    const d = await failure(decodeImage(png, { maxPixels: 1000 }));
    expect(d).toBeInstanceOf(ResourceLimitError);
    expect(d.message).toMatch(/300×200\) needs maxImagePixels 60000, above the limit 1000/);
    expect((await decodeImage(png)).width).toBe(300);
    m.dispose();
  });
});

describeShared('limits on a segmentation model (DeepLab)', () => {
  it('a segment() size beyond maxImagePixels is a ResourceLimitError; within it, the class map has that size', async () => {
    const m = await loadModel(sharedPath('models/deeplabv3_mnv2_dm05_pascal_quant.tflite'), { limits: { maxImagePixels: 600 * 600 } });
    const img = { data: new Uint8Array(64 * 48 * 3).fill(90), width: 64, height: 48 };
    const e = await failure(m.segment(img, { size: { width: 1000, height: 1000 } }));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/segment\(\): size 1000×1000 needs maxImagePixels 1000000, above the limit 360000/);
    const s = await m.segment(img, { size: { width: 600, height: 600 } });
    expect([s.width, s.height, s.classes.length]).toEqual([600, 600, 360000]);
    m.dispose();
  });
});
