// Native format: write → read identity, layout (64-byte alignment, safetensors tiling), and a hostile
// reader: every corruption is a ModelFormatError that names the file and a byte offset.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../../src/graph/ir.js';
import { ModelFormatError } from '../../../src/errors.js';
import { writeNative } from '../../../src/formats/native/write.js';
import { jsonErrorIndex, readNative, readNativeHeader } from '../../../src/formats/native/read.js';
import { importTfjsLayers } from '../../../src/formats/tfjs-layers/import.js';
import { loadNsfwjsArtifacts, loadNsfwjsLabels, nsfwjsModelDir } from '../../../src/formats/nsfwjs.js';
import { mulberry32 } from '../../helpers/random.js';

const FILE = 'model.safetensors';

function rand(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Small graph with every op (odd sizes, so tensors are not multiples of 64 bytes). */
function smallGraph(): Graph {
  return {
    name: 'small',
    input: { name: 'in', shape: [1, 9, 9, 3] },
    output: 'probs',
    nodes: [
      { op: 'conv2d', name: 'c1', inputs: ['in'], kernel: [3, 3], stride: [2, 2], pad: { top: 0, left: 0, bottom: 1, right: 1 }, activation: 'relu6', weights: rand(3 * 3 * 3 * 5, 1), bias: rand(5, 2), outChannels: 5 },
      { op: 'depthwise_conv2d', name: 'd1', inputs: ['c1'], kernel: [3, 3], stride: [1, 1], pad: { top: 1, left: 1, bottom: 1, right: 1 }, activation: 'relu', weights: rand(9 * 5, 3), bias: rand(5, 4) },
      { op: 'add', name: 'a1', inputs: ['c1', 'd1'], activation: 'none' },
      { op: 'global_avg_pool', name: 'pool', inputs: ['a1'] },
      { op: 'dense', name: 'fc', inputs: ['pool'], activation: 'none', weights: rand(5 * 3, 5), bias: rand(3, 6), units: 3 },
      { op: 'softmax', name: 'probs', inputs: ['fc'] },
    ],
    meta: {
      architecture: 'test',
      paddingMode: 'same',
      labels: ['α', 'b', 'ç'],
      preprocess: { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0], centralCrop: 0.875 },
      source: 'hand-written \u{1F600}',
      embeddingNode: 'pool',
      outputIsProbabilities: true,
    },
  };
}

function headerOf(bytes: Uint8Array) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { n, text, json: JSON.parse(text) as Record<string, any> };
}

/** Re-encodes a file with an edited header (data unchanged; the header is padded to keep the data start). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void, keepLength = true): Uint8Array {
  const { n, json } = headerOf(bytes);
  edit(json);
  const enc = new TextEncoder().encode(JSON.stringify(json));
  const len = keepLength ? Math.max(n, enc.length) : enc.length;
  if (keepLength && len !== n) throw new Error('edited header got longer; use a smaller edit');
  const out = new Uint8Array(8 + len + (bytes.length - 8 - n));
  new DataView(out.buffer).setBigUint64(0, BigInt(len), true);
  out.set(enc, 8);
  out.fill(0x20, 8 + enc.length, 8 + len);
  out.set(bytes.subarray(8 + n), 8 + len);
  return out;
}

function expectFormatError(f: () => unknown, re?: RegExp): ModelFormatError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a ModelFormatError').toBeInstanceOf(ModelFormatError);
  const msg = (err as Error).message;
  expect(msg).toContain(FILE);
  expect(msg).toMatch(/\(at byte \d+\)$/);
  if (re) expect(msg).toMatch(re);
  return err as ModelFormatError;
}

let nsfwGraph: Graph;
let nsfwBytes: Uint8Array;

beforeAll(() => {
  nsfwGraph = importTfjsLayers(loadNsfwjsArtifacts(nsfwjsModelDir()), { labels: loadNsfwjsLabels(), name: 'nsfw' });
  nsfwBytes = writeNative(nsfwGraph);
});

describe('write → read', () => {
  it('gives back an identical graph (small graph, every op, non-ASCII strings)', () => {
    const g = smallGraph();
    const bytes = writeNative(g);
    expect(readNative(bytes, FILE)).toEqual(g);
  });

  it('gives back an identical graph for the nsfwjs MobileNetV2, and rewrites to the same bytes', () => {
    const g = readNative(nsfwBytes, FILE);
    // Structure first (weights as lengths: deep-equal on 3.5 M floats is slow), then the bits.
    const shape = (x: Graph) => JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Float32Array ? `f32×${v.length}` : v)));
    expect(shape(g)).toEqual(shape(nsfwGraph));
    for (const [i, n] of g.nodes.entries()) {
      if (!('weights' in n)) continue;
      const a = nsfwGraph.nodes[i] as typeof n;
      for (const k of ['weights', 'bias'] as const) {
        expect(n[k].byteOffset, `${n.name}.${k}`).toBe(0); // fresh arrays, not views of the file
        const x = new Uint32Array(n[k].buffer, 0, n[k].length);
        const y = new Uint32Array(a[k].buffer, a[k].byteOffset, a[k].length);
        let same = x.length === y.length;
        for (let j = 0; same && j < x.length; j++) same = x[j] === y[j];
        expect(same, `${n.name}.${k} bits`).toBe(true);
      }
    }
    expect(Buffer.compare(writeNative(g), nsfwBytes)).toBe(0);
  });

  it('stores the metadata keys of the format', () => {
    const { json } = headerOf(writeNative(smallGraph()));
    const md = json.__metadata__;
    expect(Object.keys(md)).toEqual(['format', 'format_version', 'architecture', 'graph', 'meta']);
    expect(md.format).toBe('mobilenet-wasm');
    expect(md.format_version).toBe('1');
    expect(md.architecture).toBe('test');
    const graph = JSON.parse(md.graph);
    expect(graph.nodes[0]).toMatchObject({ name: 'c1', weights: 'c1/weights', bias: 'c1/bias' });
    expect(graph.meta).toBeUndefined();
    expect(JSON.parse(md.meta).labels).toEqual(['α', 'b', 'ç']);
    expect(json['c1/weights']).toMatchObject({ dtype: 'F32', shape: [3, 3, 3, 5] });
    expect(json['d1/weights'].shape).toEqual([3, 3, 5]);
    expect(json['fc/weights'].shape).toEqual([5, 3]);
  });

  it('aligns the data start and every tensor to 64 bytes, and tiles the data with no gap', () => {
    for (const bytes of [writeNative(smallGraph()), nsfwBytes]) {
      const { n, text, json } = headerOf(bytes);
      expect((8 + n) % 64).toBe(0);
      expect(text.trimEnd().length).toBeLessThanOrEqual(text.length);
      expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
      const entries = Object.entries(json).filter(([k]) => k !== '__metadata__') as [string, any][];
      entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
      let cursor = 0;
      for (const [name, e] of entries) {
        expect(e.data_offsets[0], name).toBe(cursor);
        if (e.dtype === 'F32') expect(e.data_offsets[0] % 64, name).toBe(0);
        else expect(name).toMatch(/^__pad_\d+__$/);
        cursor = e.data_offsets[1];
      }
      expect(cursor).toBe(bytes.length - 8 - n);
    }
  });

  it('reads unaligned files (odd header length, tensors at odd file offsets, Uint8Array at an odd byteOffset)', () => {
    const g = smallGraph();
    const bytes = writeNative(g);
    const { n, json } = headerOf(bytes);
    // Re-lay the data contiguously with no padding and an odd header length.
    const entries = Object.entries(json).filter(([k]) => k !== '__metadata__' && !k.startsWith('__pad')) as [string, any][];
    const parts: Uint8Array[] = [];
    let cursor = 0;
    for (const [, e] of entries) {
      const [b, end] = e.data_offsets;
      parts.push(bytes.subarray(8 + n + b, 8 + n + end));
      e.data_offsets = [cursor, cursor + (end - b)];
      cursor += end - b;
    }
    for (const k of Object.keys(json)) if (k.startsWith('__pad')) delete json[k];
    let text = JSON.stringify(json);
    if ((text.length + 8) % 2 === 0) text += ' ';
    const enc = new TextEncoder().encode(text);
    const buf = new Uint8Array(1 + 8 + enc.length + cursor);
    const file = buf.subarray(1);
    new DataView(file.buffer, file.byteOffset).setBigUint64(0, BigInt(enc.length), true);
    file.set(enc, 8);
    let o = 8 + enc.length;
    for (const p of parts) {
      file.set(p, o);
      o += p.length;
    }
    expect(readNative(file, FILE)).toEqual(g);
  });
});

describe('corrupt files → ModelFormatError with the byte offset', () => {
  it('rejects truncation at every interesting offset', () => {
    const bytes = writeNative(smallGraph());
    const { n } = headerOf(bytes);
    const cuts = new Set<number>([0, 1, 7, 8, 9, 20, n >> 1, n, n + 7, 8 + n - 1, 8 + n, 8 + n + 1, 8 + n + 63, bytes.length - 4, bytes.length - 1]);
    for (let i = 0; i < bytes.length; i += 97) cuts.add(i);
    for (const cut of cuts) {
      if (cut >= bytes.length) continue;
      expectFormatError(() => readNative(bytes.subarray(0, cut), FILE));
    }
    expectFormatError(() => readNative(bytes.subarray(0, 5), FILE), /5 bytes, shorter than the 8-byte header length \(at byte 0\)/);
    expectFormatError(() => readNative(bytes.subarray(0, 100), FILE), /runs past the end of the 100-byte file/);
    expectFormatError(() => readNative(bytes.subarray(0, bytes.length - 1), FILE), /run past the end of the data/);
    // The big model too, cut inside its data.
    expectFormatError(() => readNative(nsfwBytes.subarray(0, nsfwBytes.length >> 1), FILE), /truncated file\?/);
  });

  it('rejects absurd header lengths without allocating', () => {
    const bytes = writeNative(smallGraph());
    for (const len of [2n ** 63n, 2n ** 40n, 2n ** 32n, 200n * 1024n * 1024n]) {
      const b = bytes.slice();
      new DataView(b.buffer).setBigUint64(0, len, true);
      expectFormatError(() => readNative(b, FILE), /absurd .*\(at byte 0\)/);
    }
    const b = bytes.slice();
    new DataView(b.buffer).setBigUint64(0, 1n, true);
    expectFormatError(() => readNative(b, FILE), /too small/);
  });

  it('flipped header bytes never crash, hang or slip through as another error type', () => {
    const bytes = writeNative(smallGraph());
    const { n } = headerOf(bytes);
    let rejected = 0;
    let total = 0;
    for (let i = 0; i < 8 + n; i++) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const b = bytes.slice();
        b[i] ^= mask;
        total++;
        try {
          readNative(b, FILE);
        } catch (e) {
          expect(e, `byte ${i} ^ ${mask}`).toBeInstanceOf(ModelFormatError);
          expect((e as Error).message).toMatch(/\(at byte \d+\)$/);
          rejected++;
        }
      }
    }
    // Most flips break something; the rest change a string (a label, a name) and still read.
    expect(rejected / total).toBeGreaterThan(0.8);
  });

  it('points at the offending byte for invalid UTF-8 and invalid JSON', () => {
    const bytes = writeNative(smallGraph());
    const b = bytes.slice();
    b[30] = 0xff;
    expectFormatError(() => readNative(b, FILE), /not valid UTF-8.*\(at byte 30\)/);
    const c = bytes.slice();
    c[8] = 0x5b; // '['
    expectFormatError(() => readNative(c, FILE), /does not start with "\{"/);
    const d = bytes.slice();
    const colon = 8 + '{"__metadata__":'.length;
    d[colon] = 0x7d; // {"__metadata__":}…
    expectFormatError(() => readNative(d, FILE), new RegExp(`not valid JSON.*\\(at byte ${colon}\\)`));
  });

  it.each([
    ['offsets out of range', (h: any) => { h['fc/bias'].data_offsets[1] += 64; }, /"fc\/bias".*run past the end/],
    ['reversed offsets', (h: any) => { h['fc/bias'].data_offsets.reverse(); }, /"fc\/bias".*reversed/],
    ['overlapping tensors', (h: any) => {
      const [b, e] = h['c1/bias'].data_offsets;
      h['c1/bias'].data_offsets = [b - 64, e - 64];
    }, /overlaps/],
    ['offsets that do not match dtype × shape', (h: any) => { h['c1/weights'].shape = [3, 3, 3, 4]; }, /"c1\/weights": shape \[3, 3, 3, 4\] × F32 is 432 bytes but data_offsets/],
    ['an unsupported dtype', (h: any) => { h['c1/weights'].dtype = 'F16'; h['c1/weights'].shape = [3, 3, 3, 10]; }, /"c1\/weights".*dtype F16/],
    ['an unknown dtype', (h: any) => { h['c1/weights'].dtype = 'Q4'; }, /"c1\/weights": unknown dtype "Q4"/],
    ['a non-integer shape', (h: any) => { h['c1/bias'].shape = [2.5]; }, /"c1\/bias": invalid shape/],
    ['huge shape numbers', (h: any) => { h['c1/bias'].shape = [1e15, 1e15]; }, /"c1\/bias".*larger than the whole data/],
    ['missing __metadata__', (h: any) => { delete h.__metadata__; }, /no "__metadata__"/],
    ['an unknown format_version', (h: any) => { h.__metadata__.format_version = '2'; }, /unknown format_version "2"/],
    ['another format', (h: any) => { h.__metadata__.format = 'pt'; }, /"format" is "pt"/],
    ['a non-string metadata value', (h: any) => { h.__metadata__.format_version = 1; }, /"format_version" is not a string/],
    ['missing graph', (h: any) => { delete h.__metadata__.graph; }, /metadata "graph" is missing/],
    ['graph that is not JSON', (h: any) => { h.__metadata__.graph = '{nodes'; }, /metadata "graph" is not valid JSON/],
    ['a node referencing a missing tensor', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.nodes[0].weights = 'nope/weights';
      h.__metadata__.graph = JSON.stringify(g);
    }, /node "c1" references tensor "nope\/weights", which is not in the file/],
    ['a tensor nobody uses', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.nodes[4].bias = 'c1/bias';
      g.nodes[4].units = 5;
      g.nodes[4].weights = 'c1/bias';
      h.__metadata__.graph = JSON.stringify(g);
    }, /node "fc" needs \[\?, 5\]|not used by any node/],
    ['a tensor of the wrong shape for its node', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.nodes[0].outChannels = 3;
      h.__metadata__.graph = JSON.stringify(g);
    }, /tensor "c1\/weights" has shape \[3, 3, 3, 5\] but node "c1" needs \[3, 3, \?, 3\]/],
    ['an unknown op', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.nodes[3].op = 'max_pool';
      h.__metadata__.graph = JSON.stringify(g);
    }, /node "pool": unknown op "max_pool"/],
    ['a forward reference', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.nodes[0].inputs = ['d1'];
      h.__metadata__.graph = JSON.stringify(g);
    }, /node "c1": input "d1" is not defined before it/],
    ['a graph that does not fit together', (h: any) => {
      const g = JSON.parse(h.__metadata__.graph);
      g.input.shape = [1, 9, 9, 4];
      h.__metadata__.graph = JSON.stringify(g);
    }, /stored graph is inconsistent/],
    ['bad meta', (h: any) => {
      const m = JSON.parse(h.__metadata__.meta);
      m.preprocess.scale = [1, 2];
      h.__metadata__.meta = JSON.stringify(m);
    }, /meta\.preprocess/],
    ['a gap in the data', (h: any) => { delete h.__pad_0__; }, /gap/],
  ])('rejects %s', (_what, edit, re) => {
    const bytes = writeNative(smallGraph());
    expect(Object.keys(headerOf(bytes).json).some((k) => k === '__pad_0__')).toBe(true);
    expectFormatError(() => readNative(withHeader(bytes, edit, false), FILE), re);
  });

  it('rejects trailing bytes after the last tensor', () => {
    const bytes = writeNative(smallGraph());
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expectFormatError(() => readNative(longer, FILE), /3 bytes after the last tensor/);
  });

  it('names the tensor and its absolute byte offset', () => {
    const bytes = writeNative(smallGraph());
    const h = readNativeHeader(bytes, FILE);
    const t = h.tensors.get('c1/weights')!;
    const err = expectFormatError(() => readNative(withHeader(bytes, (j) => { j['c1/weights'].dtype = 'I32'; }), FILE));
    expect(err.message).toContain(`(at byte ${t.fileOffset})`);
  });

  it('rejects a plain safetensors file and non-files', () => {
    const text = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const f = new Uint8Array(8 + text.length + 4);
    new DataView(f.buffer).setBigUint64(0, BigInt(text.length), true);
    f.set(text, 8);
    expectFormatError(() => readNative(f, FILE), /plain safetensors file/);
    expectFormatError(() => readNative(new Uint8Array(0), FILE), /0 bytes/);
  });
});

describe('JSON error locator', () => {
  it('agrees with JSON.parse on mutated documents and survives deep nesting', () => {
    const r = mulberry32(11);
    const base = '{"__metadata__":{"format":"x","n":[1,-2.5e3,true,false,null]},"w":{"dtype":"F32","s":"\\u00e9\\n"}}';
    const alphabet = '{}[],:"\\ 0123456789-+.eEtrufalsn x\u00e9\n';
    for (let k = 0; k < 5000; k++) {
      let t = base;
      for (let o = 0; o < 2; o++) {
        const p = Math.floor(r() * (t.length + 1));
        const c = alphabet[Math.floor(r() * alphabet.length)];
        t = r() < 0.5 ? t.slice(0, p) + c + t.slice(p) : t.slice(0, p) + c + t.slice(p + 1);
      }
      let ok = true;
      try {
        JSON.parse(t);
      } catch {
        ok = false;
      }
      expect(jsonErrorIndex(t) === -1, t).toBe(ok);
    }
    expect(jsonErrorIndex('{"a":}')).toBe(5);
    expect(jsonErrorIndex('['.repeat(1_000_000))).toBe(1_000_000);
  });
});
