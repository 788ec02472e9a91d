// Builds models/nsfw.safetensors (the native format; loadModel('nsfw')) from the MobileNetV2 model that ships in
// the nsfwjs npm package. Offline: reads only node_modules/nsfwjs.
//
//   npx esbuild scripts/build-nsfw-model.ts --bundle --platform=node --format=esm \
//     --outfile=build/build-nsfw-model.mjs --packages=external && node build/build-nsfw-model.mjs [out]

import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Preprocess } from '../src/graph/ir.js';
import { loadNsfwjsArtifacts, loadNsfwjsLabels, nsfwjsModelDir, nsfwjsVersion } from '../src/formats/nsfwjs.js';
import { importTfjsLayersWithReport } from '../src/formats/tfjs-layers/import.js';
import { writeNative } from '../src/formats/native/write.js';
import { readNative } from '../src/formats/native/read.js';

const EXPECTED_NSFWJS = '4.4.0';

// What nsfwjs really feeds its model: pixels / 255, i.e. [0, 1], not [-1, 1].
// Evidence (nsfwjs 4.4.0, dist/cjs/core.js):
//   constructor:  this.normalizationOffset = tf.scalar(255);
//   infer():      var normalized = img.toFloat().div(_this.normalizationOffset);
//                 ... tf.image.resizeBilinear(normalized, [size, size], alignCorners = true) when not 224×224
// There is no subtraction anywhere, so x = pixel · (1/255) + 0 for every channel and no central crop.
// (The issue text said "[-1, 1]", which is Keras's own MobileNetV2 preprocess_input; the nsfw_model
// fine-tune was trained and is served with /255.) Note nsfwjs divides before it resizes, and divides
// rather than multiplies by 1/255, which can differ from x·(1/255) by one float32 ulp.
const NSFWJS_PREPROCESS: Preprocess = {
  scale: [1 / 255, 1 / 255, 1 / 255],
  offset: [0, 0, 0],
  centralCrop: 1,
};

function main(): void {
  const out = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../models/nsfw.safetensors', import.meta.url)));
  const version = nsfwjsVersion();
  if (version !== EXPECTED_NSFWJS) {
    console.warn(`warning: nsfwjs ${version} is installed; this script was written against ${EXPECTED_NSFWJS}`);
  }
  const dir = nsfwjsModelDir('mobilenet_v2');
  const artifacts = loadNsfwjsArtifacts(dir);
  const labels = loadNsfwjsLabels();
  const keras = (artifacts.modelTopology as { keras_version?: string }).keras_version ?? '?';
  const { graph, report } = importTfjsLayersWithReport(artifacts, {
    fileName: path.join(dir, 'model.min.js'),
    labels,
    preprocess: NSFWJS_PREPROCESS,
    name: 'nsfwjs-mobilenet-v2',
    source: 'pending',
  });
  if (graph.meta.architecture !== 'mobilenet_v2') throw new Error(`expected a Keras MobileNetV2, got ${graph.meta.architecture}`);
  graph.meta.source =
    `nsfwjs@${version} dist/models/mobilenet_v2 (Keras ${keras} MobileNetV2 α=${graph.meta.alpha?.toFixed(1)} ` +
    `${graph.meta.resolution}, fine-tuned by GantMan/nsfw_model)`;

  const bytes = writeNative(graph);
  // Read it back before replacing anything: the file must load and re-serialize to the same bytes.
  const again = writeNative(readNative(bytes, out));
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new Error('internal error: the written model does not read back identically');
  }
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, out);

  const sha = createHash('sha256').update(bytes).digest('hex');
  const ops = Object.entries(report.ops).map(([k, v]) => `${v} ${k}`).join(', ');
  console.log(`wrote ${path.relative(process.cwd(), out) || out}: ${bytes.length} bytes (${(bytes.length / 2 ** 20).toFixed(2)} MiB)`);
  console.log(`sha256 ${sha}`);
  console.log(`${report.layers} Keras layers → ${graph.nodes.length} nodes (${ops}); ${report.foldedBatchNorms.length} batch norms folded`);
  console.log(`labels ${labels.join(', ')}; source ${graph.meta.source}`);
}

main();
