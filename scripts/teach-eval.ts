// Teaching, evaluated on photos it never saw: accuracy of each head on a held-out set.
//
//   npx esbuild scripts/teach-eval.ts --bundle --platform=node --format=esm \
//     --outfile=build/teach-eval.mjs --packages=external && node build/teach-eval.mjs [--seed S] [--views N] [--json]
//
// Classes cat, dog, hotdog. Training: the imprinting *_train_* photos (../shared/data/images/imprinting: 1 cat,
// 1 dog, 2 hotdogs), each with 4 of the Learner's augmented copies (mirror, 70–100 % crop, colour jitter).
// Held out, never trained on: the *_test_* photos (1 each) and the classifier photos of ../shared/data/images
// that show one of the classes (cat.png; dog_segmentation.png and pets.jpg, two dogs; hot_dog.jpg): 7 photos,
// each as it is plus N (default 15) seeded augmentations of another, stronger family (test/helpers/ptq-data.ts:
// rotation ±25°, 45–100 % crops, flips, brightness / saturation / hue, contrast, grayscale or blur, resize) with
// seeds from 300 000 + 1000·seed. The backbone is the default model's float32 twin (the graph an int8 export is
// quantized from). Heads: the k-NN (k = 3, and k = 1), the k-NN as a graph (soft vote), the dense softmax head,
// the dense head with 64 hidden units, and the dense head quantized to int8 (PTQ on the training photos).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/api.js';
import { decodeImage } from '../src/image/decode-node.js';
import { readFileBytes } from '../src/io.js';
import { KnnClassifier } from '../src/teach/knn.js';
import { Learner } from '../src/teach/learner.js';
import { quantizeTaught } from '../src/teach/quantize.js';
import { augment, loadPhotos, type RawImage } from '../test/helpers/ptq-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '../shared/data/images');
const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const seed = arg('seed', 0);
const views = arg('views', 15);
const LABELS = ['cat', 'dog', 'hotdog'];
const TEST_PHOTOS: Record<string, string> = {
  'imprinting/cat_test_0.jpg': 'cat', 'imprinting/dog_test_0.jpg': 'dog', 'imprinting/hotdog_test_0.jpg': 'hotdog',
  'cat.png': 'cat', 'dog_segmentation.png': 'dog', 'pets.jpg': 'dog', 'hot_dog.jpg': 'hotdog',
};
const TRAIN = ['cat_train_0.jpg', 'dog_train_0.jpg', 'hotdog_train_0.jpg', 'hotdog_train_1.jpg'];

const t0 = performance.now();
const learner = await Learner.create('default', { seed: 1, precision: 'float32' });
const calibration = [];
for (const f of TRAIN) {
  const img = await decodeImage(await readFileBytes(path.join(SHARED, 'imprinting', f)), { name: f });
  calibration.push(img);
  await learner.addImage(f.split('_')[0]!, img, { augment: 4 });
}
const knn = new KnnClassifier();
const state = learner.save();
for (const e of state.examples) knn.add(e.label, e.embedding);
const dense = await learner.train({ holdout: 0.2, epochs: 200 });
const hidden = await learner.train({ holdout: 0.2, epochs: 200, hidden: 64 });
const knnGraph = await learner.knnModel();
const int8 = await loadModel(await quantizeTaught(dense.graph, calibration));
const backbone = await loadModel(learner.backbone);

// The held-out views: each test photo as it is and `views` augmentations of it.
const test: { image: RawImage; label: string; photo: string }[] = [];
const photos = [...await loadPhotos(SHARED), ...await loadPhotos(path.join(SHARED, 'imprinting'))];
for (const [file, label] of Object.entries(TEST_PHOTOS)) {
  const photo = photos.find((p) => p.label === path.basename(file))!;
  test.push({ image: photo, label, photo: file });
  for (let v = 0; v < views; v++) test.push({ image: await augment([photo], 300_000 + 1000 * seed + 37 * Object.keys(TEST_PHOTOS).indexOf(file) + v), label, photo: file });
}

const heads = ['k-NN (k=3)', 'k-NN (k=1)', 'k-NN as a graph (soft vote)', 'dense', 'dense, 64 hidden', 'dense, int8'] as const;
const right: Record<string, number> = Object.fromEntries(heads.map((h) => [h, 0]));
const perClass: Record<string, Record<string, [number, number]>> = Object.fromEntries(heads.map((h) => [h, Object.fromEntries(LABELS.map((l) => [l, [0, 0]]))]));
for (const t of test) {
  const emb = await backbone.embed(t.image);
  const top = async (m: typeof dense.model) => (await m.classify(t.image, { topK: 1 }))[0]!.label;
  const got: Record<string, string> = {
    'k-NN (k=3)': knn.predict(emb, 3).label, 'k-NN (k=1)': knn.predict(emb, 1).label,
    'k-NN as a graph (soft vote)': await top(knnGraph.model), dense: await top(dense.model), 'dense, 64 hidden': await top(hidden.model),
    'dense, int8': await top(int8),
  };
  for (const h of heads) {
    const ok = got[h] === t.label;
    right[h] += ok ? 1 : 0;
    perClass[h]![t.label]![0] += ok ? 1 : 0;
    perClass[h]![t.label]![1]++;
  }
}
const result = {
  seed, views: test.length, photos: Object.keys(TEST_PHOTOS).length, trainExamples: state.examples.length,
  accuracy: Object.fromEntries(heads.map((h) => [h, right[h]! / test.length])),
  perClass: Object.fromEntries(heads.map((h) => [h, Object.fromEntries(LABELS.map((l) => [l, `${perClass[h]![l]![0]}/${perClass[h]![l]![1]}`]))])),
  seconds: (performance.now() - t0) / 1000,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`held-out views: ${test.length} (${result.photos} photos × (1 + ${views} augmentations)), seed ${seed}; trained on ${state.examples.length} examples (4 photos × 5 views)`);
  for (const h of heads) console.log(`  ${h.padEnd(28)} ${(100 * result.accuracy[h]!).toFixed(1).padStart(5)} %   ${LABELS.map((l) => `${l} ${result.perClass[h]![l]}`).join('  ')}`);
  console.log(`(${result.seconds.toFixed(0)} s)`);
}
for (const m of [dense.model, hidden.model, knnGraph.model, int8, backbone]) m.dispose();
learner.dispose();
