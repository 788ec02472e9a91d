// The built-in 'nsfw' model (nsfwjs MobileNetV2, imported, BN folded, blocks fused) against
// TensorFlow.js (CPU backend) running the very same nsfwjs layers model on the same input tensors.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { loadModel, type Model } from '../../src/index.js';
import { loadNsfwjsArtifacts } from '../../src/formats/nsfwjs.js';
import { describeShared, sharedPath, ROOT } from '../helpers/shared.js';
import { mulberry32 } from '../helpers/random.js';

const TOL = 1e-4;
let tfModel: tf.LayersModel;
let models: Record<string, Model>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const a = loadNsfwjsArtifacts(path.join(ROOT, 'node_modules/nsfwjs/dist/models/mobilenet_v2'));
  tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
  models = {
    simd: await loadModel('nsfw', { isa: 'simd' }),
    scalar: await loadModel('nsfw', { isa: 'scalar' }),
    unfused: await loadModel('nsfw', { isa: 'simd', fuse: false }),
  };
});

function tfPredict(input: Float32Array): Float32Array {
  return tf.tidy(() => (tfModel.predict(tf.tensor4d(input, [1, 224, 224, 3])) as tf.Tensor).dataSync() as Float32Array);
}

async function compareAll(input: Float32Array) {
  const ref = tfPredict(input);
  for (const [name, m] of Object.entries(models)) {
    const out = await m.run(input);
    let worst = 0, at = -1;
    for (let i = 0; i < ref.length; i++) { const d = Math.abs(out[i] - ref[i]); if (d > worst) { worst = d; at = i; } }
    expect(worst, `${name}: max |Δp| = ${worst} at class ${at} (ours ${out[at]}, tfjs ${ref[at]})`).toBeLessThanOrEqual(TOL);
    expect(argmax(out), `${name}: top-1`).toBe(argmax(ref));
  }
  return ref;
}

const argmax = (a: ArrayLike<number>) => { let b = 0; for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i; return b; };

describe('default model vs TensorFlow.js (CPU backend, same nsfwjs layers model)', () => {
  it('reports its shape, labels and memory', () => {
    const info = models.simd.info;
    expect(info.inputShape).toEqual([1, 224, 224, 3]);
    expect(info.outputShape).toEqual([1, 5]);
    expect(info.labels).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
    expect(info.peakActivationBytes).toBeLessThan(info.peakActivationBytesUnfused);
  });

  it.each([1, 2, 3])('agrees on random input (seed %i)', async (seed) => {
    const r = mulberry32(seed);
    const x = new Float32Array(224 * 224 * 3);
    for (let i = 0; i < x.length; i++) x[i] = r();
    await compareAll(x);
  });
});

describeShared('default model vs TensorFlow.js on ../shared/data/images', () => {
  it.each(['cat.png', 'grace_hopper.png', 'hot_dog.jpg', 'dog_segmentation.png'])('%s', async (file) => {
    // Preprocess once (tfjs bilinear resize with half-pixel centers, x/255) and feed both engines.
    const { data, info } = await sharp(sharedPath('images', file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const input = tf.tidy(() => {
      const img = tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32').toFloat();
      return tf.image.resizeBilinear(img, [224, 224], false, true).div(255).dataSync() as Float32Array;
    });
    await compareAll(Float32Array.from(input));
  });
});
