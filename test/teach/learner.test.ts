// Teaching the default ImageNet model three classes from the Open Images photos in ../shared/data/images/imprinting
// (cat, dog, hotdog: *_train_* to teach, *_test_* to check): the k-NN and the trained head both name every test
// photo right; the taught model is an ordinary model (classify in-process and in a worker); saving and loading
// the examples gives the same head; augmentation is seeded.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel, writeNative, decodeImage } from '../../src/index.js';
import { Learner, augmented } from '../../src/teach/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { mulberry32 } from '../helpers/random.js';
import { workerBundle } from '../worker/bundle.js';

const DIR = sharedPath('images/imprinting');
const photos = (kind: 'train' | 'test') => readdirSync(DIR).filter((f) => f.includes(`_${kind}_`)).sort().map((f) => ({ file: `${DIR}/${f}`, label: f.split('_')[0] }));

describeShared('Learner on the default model (imprinting photos)', () => {
  it('k-NN and a trained head name every test photo; the taught model runs in-process and in a worker', async () => {
    const learner = await Learner.create('default', { seed: 1 });
    for (const p of photos('train')) expect(await learner.addImage(p.label, p.file, { augment: 4 })).toBe(5);
    expect(learner.labels).toEqual(['cat', 'dog', 'hotdog']);
    const tests = photos('test');
    for (const p of tests) expect((await learner.predict(p.file)).label, `k-NN ${p.file}`).toBe(p.label);
    const taught = await learner.train({ holdout: 0.2, epochs: 100 });
    expect(taught.model.info.labels).toEqual(['cat', 'dog', 'hotdog']);
    console.log(`taught head: held-out accuracy ${taught.head.holdoutAccuracy}, best epoch ${taught.head.bestEpoch} of ${taught.head.epochsRun}`);
    for (const p of tests) {
      const [top] = await taught.model.classify(p.file, { topK: 1 });
      expect(top.label, p.file).toBe(p.label);
    }
    // An ordinary model: native bytes, loaded in a worker, same answers.
    const bundle = await workerBundle();
    try {
      const remote = await loadModel(writeNative(taught.graph), { worker: { url: bundle.url } });
      for (const p of tests) expect(await remote.classify(p.file, { topK: 3 })).toEqual(await taught.model.classify(p.file, { topK: 3 }));
      await remote.dispose();
    } finally {
      bundle.cleanup();
    }
    // Saved examples give the same head.
    const again = await Learner.create('default', { seed: 1 });
    again.load(JSON.parse(JSON.stringify(learner.save())));
    const head2 = (await again.train({ holdout: 0.2, epochs: 100 })).head;
    expect(head2.layers.map((l) => [...l.weights])).toEqual(taught.head.layers.map((l) => [...l.weights]));
    learner.remove('hotdog');
    expect(learner.labels).toEqual(['cat', 'dog']);
    await expect(Learner.create('default').then((l) => l.train())).rejects.toThrow(/at least 2 labels/);
    taught.model.dispose();
    learner.dispose();
    again.dispose();
  }, 120_000);
});

describe('augmentation', () => {
  it('is seeded, keeps 70–100 % of each side and changes the pixels', async () => {
    const r = mulberry32(3);
    const img = { data: Uint8Array.from({ length: 40 * 30 * 4 }, () => Math.floor(r() * 256)), width: 40, height: 30, channels: 4 as const };
    const a = augmented(img, mulberry32(7));
    const b = augmented(img, mulberry32(7));
    expect(a).toEqual(b);
    expect(a.width).toBeGreaterThanOrEqual(28);
    expect(a.height).toBeGreaterThanOrEqual(21);
    expect(a.data.length).toBe(a.width * a.height * 3);
    expect(augmented(img, mulberry32(8))).not.toEqual(a);
    void decodeImage;
  });
});
