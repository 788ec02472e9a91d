// The TF2 post-training-quantized MobileNetV2 (int8 per-channel weights, uint8 input converted to int8 by a
// QUANTIZE op, uint8 output) against the TensorFlow Lite runtime itself (@tensorflow/tfjs-tflite, XNNPACK
// delegate, one thread: bench/peers/tflite.ts) on the oracle's input images: every output byte identical, on
// the SIMD kernels (fused and unfused), the scalar kernels and 2 threads. The shared data has no oracle output
// for this model, so the runtime computes it here. Needs ../shared/data and @tensorflow/tfjs-tflite.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadModel, type LoadOptions, type Model } from '../../src/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { findTflitePackage, loadTflitePeer, type TflitePeer } from '../../bench/peers/tflite.js';

const pkg = findTflitePackage();
if (!pkg) console.warn('[skip] @tensorflow/tfjs-tflite not found: the TF2 PTQ model is not compared with the TFLite runtime');

const CASES = ['cat', 'grace_hopper', 'hot_dog', 'dog_segmentation'];
const CONFIGS: [string, LoadOptions][] = [
  ['simd, fused', { isa: 'simd' }],
  ['simd, unfused', { isa: 'simd', fuse: false }],
  ['scalar', { isa: 'scalar' }],
  ['2 threads', { isa: 'simd', threads: 2 }],
];

describeShared('TF2 PTQ MobileNetV2 (int8 per-channel) against the TFLite runtime', () => {
  const bytes = () => new Uint8Array(readFileSync(sharedPath('models', 'tf2_mobilenet_v2_1.0_224_ptq.tflite')));
  const inputs = CASES.map((name) => new Uint8Array(readFileSync(sharedPath('oracle', 'inputs', `${name}.224x224.rgb.u8.bin`))));
  let peer: TflitePeer | undefined;
  const want: Uint8Array[] = [];
  const models: Model[] = [];
  beforeAll(async () => {
    if (!pkg) return;
    peer = await loadTflitePeer(bytes(), { threads: 1 });
    for (const x of inputs) want.push(Uint8Array.from(await peer.run(x)));
  });
  afterAll(async () => {
    peer?.dispose();
    for (const m of models) await m.dispose();
  });

  it.skipIf(!pkg).each(CONFIGS)('output bytes identical: %s', async (_label, opts) => {
    const m = await loadModel(bytes(), opts);
    models.push(m);
    expect(m.info.inputType).toBe('uint8');
    for (let i = 0; i < CASES.length; i++) {
      const y = await m.run<Uint8Array>(inputs[i]);
      let differing = 0;
      for (let j = 0; j < y.length; j++) if (y[j] !== want[i][j]) differing++;
      expect(differing, `${CASES[i]}: output bytes differing from the TFLite runtime`).toBe(0);
      expect(y.length).toBe(want[i].length);
    }
  });
});
