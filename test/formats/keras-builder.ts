// Builds small hand-written Keras functional / sequential models (TF.js layers format) with
// deterministic random weights, for importer tests that compare against TensorFlow.js itself.
import type { TfjsArtifacts, WeightSpec } from '../../src/formats/tfjs-layers/import.js';
import { mulberry32 } from '../helpers/random.js';

export interface WeightOpts {
  /** Store quantized like the tfjs converter does. */
  quant?: 'uint8' | 'uint16' | 'float16';
  /** Values in [lo, hi). */
  lo?: number;
  hi?: number;
}

function f32ToF16Bits(v: number): number {
  // Round-to-nearest-even float32 → float16 (finite, normal range is all we need here).
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) return sign; // flush tiny values to zero
  if (exp >= 31) return sign | 0x7c00;
  let h = sign | (exp << 10) | (mant >> 13);
  mant &= 0x1fff;
  if (mant > 0x1000 || (mant === 0x1000 && (h & 1))) h++;
  return h;
}

export class KerasBuilder {
  readonly layers: Record<string, unknown>[] = [];
  readonly specs: WeightSpec[] = [];
  private chunks: Uint8Array[] = [];
  private rnd: () => number;

  constructor(seed = 1) {
    this.rnd = mulberry32(seed);
  }

  input(name: string, h: number | null, w: number | null, c: number): string {
    this.layers.push({
      name,
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, h, w, c], dtype: 'float32', sparse: false, name },
      inbound_nodes: [],
    });
    return name;
  }

  layer(className: string, name: string, config: Record<string, unknown>, inputs: string[]): string {
    this.layers.push({
      name,
      class_name: className,
      config: { name, trainable: true, ...config },
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
    });
    return name;
  }

  weight(name: string, shape: number[], o: WeightOpts = {}): void {
    const n = shape.reduce((a, b) => a * b, 1);
    const lo = o.lo ?? -1;
    const hi = o.hi ?? 1;
    const r = () => lo + (hi - lo) * this.rnd();
    if (!o.quant) {
      const f = Float32Array.from({ length: n }, r);
      this.specs.push({ name, shape, dtype: 'float32' });
      this.chunks.push(new Uint8Array(f.buffer));
    } else if (o.quant === 'float16') {
      const u = Uint16Array.from({ length: n }, () => f32ToF16Bits(r()));
      this.specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      this.chunks.push(new Uint8Array(u.buffer));
    } else {
      const levels = o.quant === 'uint8' ? 255 : 65535;
      const scale = (hi - lo) / levels;
      const q = o.quant === 'uint8'
        ? Uint8Array.from({ length: n }, () => Math.floor(this.rnd() * 256))
        : new Uint8Array(Uint16Array.from({ length: n }, () => Math.floor(this.rnd() * 65536)).buffer);
      this.specs.push({ name, shape, dtype: 'float32', quantization: { dtype: o.quant, min: lo, scale } });
      this.chunks.push(q);
    }
  }

  private data(): ArrayBuffer {
    const total = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out.buffer;
  }

  /** Functional model ("Model" class, Keras 2.2 style topology). */
  build(inputName: string, outputName: string, name = 'tiny'): TfjsArtifacts & { weightData: ArrayBuffer } {
    return {
      modelTopology: {
        keras_version: '2.2.4',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Model',
          config: { name, layers: this.layers, input_layers: [[inputName, 0, 0]], output_layers: [[outputName, 0, 0]] },
        },
      },
      weightSpecs: this.specs,
      weightData: this.data(),
    };
  }

  /** Sequential model from the layers added (without InputLayer; the first carries batch_input_shape). */
  buildSequential(name = 'seq'): TfjsArtifacts & { weightData: ArrayBuffer } {
    return {
      modelTopology: {
        keras_version: '2.2.4',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: { name, layers: this.layers.map((l) => ({ class_name: l.class_name, config: l.config })) },
        },
      },
      weightSpecs: this.specs,
      weightData: this.data(),
    };
  }
}

/** Conv / BN / dense weight helpers with the names Keras gives them. */
export const conv = (b: KerasBuilder, name: string, k: number, cin: number, cout: number, bias: boolean, o: WeightOpts = {}) => {
  b.weight(`${name}/kernel`, [k, k, cin, cout], o);
  if (bias) b.weight(`${name}/bias`, [cout], o);
};
export const bn = (b: KerasBuilder, name: string, c: number, center = true, scale = true) => {
  if (scale) b.weight(`${name}/gamma`, [c], { lo: 0.5, hi: 1.5 });
  if (center) b.weight(`${name}/beta`, [c], { lo: -0.5, hi: 0.5 });
  b.weight(`${name}/moving_mean`, [c], { lo: -0.5, hi: 0.5 });
  b.weight(`${name}/moving_variance`, [c], { lo: 0.2, hi: 2 });
};
