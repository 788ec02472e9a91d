// The TFLite peer (bench/peers/tflite.ts) reproduces ../shared/data/oracle: same output bytes (±1) on the
// same input bytes, XNNPACK delegate active, SIMD build, one thread. Then a timing: median of 30
// inferences after warm-up (printed, not asserted: the machine is shared).
// Needs ../shared/data and the @tensorflow/tfjs-tflite package (node_modules, or TFLITE_WEB_DIR pointing at
// an unpacked `npm pack @tensorflow/tfjs-tflite@0.0.1-alpha.10`); skips with a message without either.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { findTflitePackage, loadTflitePeer, type TflitePeer } from '../../bench/peers/tflite.js';

const pkg = findTflitePackage();
if (!pkg) console.warn('[skip] @tensorflow/tfjs-tflite not found (node_modules or TFLITE_WEB_DIR): the TFLite peer tests are skipped');

const MODEL = 'mobilenet_v2_1.0_224_quant';
const CASES = ['cat', 'grace_hopper', 'hot_dog', 'dog_segmentation'];

describeShared('TFLite peer (tfjs-tflite wasm runtime in Node)', () => {
  let peer: TflitePeer;
  beforeAll(async () => {
    if (pkg) peer = await loadTflitePeer(new Uint8Array(readFileSync(sharedPath('models', `${MODEL}.tflite`))), { threads: 1 });
  });
  afterAll(() => peer?.dispose());

  it.skipIf(!pkg)('loads the SIMD build, one thread, with the XNNPACK delegate', () => {
    const { info } = peer;
    console.log(`[tflite peer] ${info.variant} from @tensorflow/tfjs-tflite ${info.version}; nodes ${JSON.stringify(info.nodes)}; ${info.log.join(' | ')}`);
    expect(info.simd).toBe(true);
    expect(info.threads).toBe(1);
    expect(info.xnnpack).toBe(true);
    expect(info.nodes.TfLiteXNNPackDelegate).toBeGreaterThan(0);
    expect(info.inputs).toEqual([{ name: 'input', dataType: 'uint8', shape: [1, 224, 224, 3], bytes: 224 * 224 * 3 }]);
    expect(info.outputs[0]).toMatchObject({ dataType: 'uint8', shape: [1, 1001], bytes: 1001 });
  });

  it.skipIf(!pkg).each(CASES)('output bytes equal the oracle (±1): %s', async (name) => {
    const x = new Uint8Array(readFileSync(sharedPath('oracle', 'inputs', `${name}.224x224.rgb.u8.bin`)));
    const ref = new Uint8Array(readFileSync(sharedPath('oracle', 'outputs', `${MODEL}.${name}.out.uint8.bin`)));
    const y = await peer.run(x);
    expect(y.length).toBe(ref.length);
    let maxDiff = 0, differing = 0;
    for (let i = 0; i < ref.length; i++) { const d = Math.abs(y[i] - ref[i]); maxDiff = Math.max(maxDiff, d); if (d) differing++; }
    console.log(`[tflite peer] ${name}: max |Δ| ${maxDiff} over ${ref.length} outputs (${differing} differ)`);
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it.skipIf(!pkg)('rejects an input of the wrong size', async () => {
    await expect(peer.run(new Uint8Array(10))).rejects.toThrow(/takes 150528/);
  });

  it.skipIf(!pkg)('times 30 inferences after warm-up', () => {
    const x = new Uint8Array(readFileSync(sharedPath('oracle', 'inputs', 'cat.224x224.rgb.u8.bin')));
    for (let i = 0; i < 10; i++) peer.runSync(x);
    const t: number[] = [];
    for (let i = 0; i < 30; i++) { const a = performance.now(); peer.runSync(x); t.push(performance.now() - a); }
    t.sort((a, b) => a - b);
    const median = (t[14] + t[15]) / 2;
    console.log(`[tflite peer] ${MODEL}, ${peer.info.variant}, 1 thread: median ${median.toFixed(2)} ms (min ${t[0].toFixed(2)}, max ${t[29].toFixed(2)}) over 30 runs after 10 warm-up`);
    expect(median).toBeGreaterThan(0);
  });
});
