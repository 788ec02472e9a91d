// logistic: 1 / (1 + exp(−x)) element-wise (TFLite LOGISTIC). A host step (`logistic`, computed in JavaScript on
// the leader thread: src/ops/README.md): uint8 / int8 through a 256-entry table built at compile time the way
// TFLite's runtime builds it, float32 with float32 arithmetic (TFLite's reference kernel, to the last bit of exp).
import type { LogisticNode, Quant } from '../graph/ir.js';
import { KernelError } from '../errors.js';
import { expectInputs, NUMERIC, QRANGE } from './checks.js';
import { numel, quantOf } from './lower.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

const f = Math.fround;

/**
 * The 256-byte table of a quantized LOGISTIC, indexed by the input byte. For the output quantization TFLite
 * requires (scale 1/256, zero point qmin) this is XNNPACK's qu8/qs8 sigmoid table, which the TFLite runtime runs
 * through its default delegate: the sigmoid scaled by 256 in float32 (computed from the side that loses no bits),
 * rounded half to even (lrintf). Any other output quantization: TFLite's own LUTPopulate (round half away from 0).
 * (For the SSD oracle's quantization the two constructions give the same table, so its bit-exact outputs cannot
 * tell which one the runtime ran.)
 */
export function logisticTable(dtype: 'uint8' | 'int8', inQ: Quant, outQ: Quant): Uint8Array {
  const [qmin, qmax] = QRANGE[dtype];
  const table = new Uint8Array(256);
  const s = f(inQ.scale);
  const xnn = f(outQ.scale) === 1 / 256 && outQ.zeroPoint === qmin;
  const inv = f(1 / f(outQ.scale));
  for (let v = qmin; v <= qmax; v++) {
    const x = f(s * f(v - inQ.zeroPoint));
    let q: number;
    if (xnn) {
      const y = x < 0 || Object.is(x, -0) ? f(256 / f(1 + f(Math.exp(-x)))) : f(256 - f(256 / f(1 + f(Math.exp(x)))));
      q = roundEven(y) + qmin;
    } else {
      const y = f(1 / f(1 + f(Math.exp(-x))));
      const r = f(y * inv);
      q = Math.sign(r) * Math.round(Math.abs(r)) + outQ.zeroPoint;
    }
    table[v & 255] = Math.min(qmax, Math.max(qmin, q)) & 255;
  }
  return table;
}

function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const logistic: OpModule<LogisticNode> = {
  op: 'logistic',
  shape(n, c) {
    expectInputs(n, 1);
    return [...c.lookup(n.inputs[0]!)];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs] }),
    read: (c) => ({ ...c.base, op: 'logistic' }),
  },
  lowerF32(n, ctx) {
    const count = numel(ctx.shapes.get(n.name)!);
    return (r) => ({ kind: 'logistic', name: n.name, n: count, input: r.v(n.inputs[0]), output: r.v(n.name), table: -1 });
  },
  lowerQ(n, ctx) {
    const inQ = quantOf(ctx, n.inputs[0]);
    const outQ = quantOf(ctx, n.name);
    const at = ctx.consts.add(logisticTable(outQ.dtype, inQ, outQ));
    const count = numel(ctx.shapes.get(n.name)!);
    return (r) => ({ kind: 'logistic', name: n.name, n: count, input: r.v(n.inputs[0]), output: r.v(n.name), table: r.w(at) });
  },
};

/** The linear memory of a host step (KernelSet.memory), or a KernelError naming the step. */
export function hostMemory(k: { memory?: WebAssembly.Memory }, step: string): ArrayBuffer {
  if (!k.memory) throw new KernelError(`step "${step}" runs on the host and needs the kernels' memory`);
  return k.memory.buffer as ArrayBuffer;
}

export const LOGISTIC_STEPS: { logistic: StepRunner<StepOf<'logistic'>> } = {
  logistic: {
    run(k, s) {
      const buf = hostMemory(k, s.name);
      if (s.table >= 0) {
        const mem = new Uint8Array(buf);
        const t = mem.subarray(s.table, s.table + 256);
        for (let i = 0; i < s.n; i++) mem[s.output + i] = t[mem[s.input + i]];
      } else {
        const x = new Float32Array(buf, s.input, s.n);
        const y = new Float32Array(buf, s.output, s.n);
        for (let i = 0; i < s.n; i++) y[i] = f(1 / f(1 + f(Math.exp(-x[i]))));
      }
    },
  },
};
