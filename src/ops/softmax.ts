// softmax over the last axis of a [1,N] tensor: exp(beta·x) normalized. Steps: `softmax` (float32, beta 1 only)
// and `qsoftmax` (int8, TFLite's float lookup table). Tiny and sequential: never shared between threads.
import type { SoftmaxNode } from '../graph/ir.js';
import { ShapeError, UnsupportedOpError, preview } from '../errors.js';
import { softmaxTable } from '../plan/requant.js';
import { expectInputs, fmt, NUMERIC } from './checks.js';
import { familyOf, numel, quantOf } from './lower.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const softmax: OpModule<SoftmaxNode> = {
  op: 'softmax',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    if (x.length !== 2 || x[0] !== 1) throw new ShapeError(`${c.where}: input "${n.inputs[0]}" has shape ${fmt(x)}, expected [1,N]`);
    if (n.beta !== undefined && !(typeof n.beta === 'number' && Number.isFinite(n.beta))) {
      throw new ShapeError(`${c.where}: beta must be a finite number, got ${String(n.beta)}`);
    }
    return [...x];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({ name: n.name, op: n.op, inputs: [...n.inputs], ...(n.beta !== undefined ? { beta: n.beta } : {}) }),
    read(c) {
      if (c.r.beta !== undefined && !c.finite(c.r.beta)) c.fail(`${c.where}: invalid beta ${preview(c.r.beta)}`);
      return { ...c.base, op: 'softmax', ...(c.r.beta !== undefined ? { beta: c.r.beta as number } : {}) };
    },
  },
  // Only as the graph output. 'float': dequantize the logits and keep the float softmax; 'int8' (TFLite): an
  // int8 softmax with TFLite's output quantization, then a dequantize that becomes the graph output.
  quantize(n, c) {
    if (!c.isOutput) throw new UnsupportedOpError(`${c.where}: a softmax that is not the graph output cannot be quantized`);
    if (c.softmax === 'int8') {
      c.emit({ ...n, inputs: c.inputs });
      c.setQ(n.name, c.softmaxInt8Quant);
      const dq = c.uniqueName(`${n.name}/dequantize`);
      c.emit({ op: 'dequantize', name: dq, inputs: [n.name] });
      c.rename(n.name, dq);
    } else {
      const dq = c.uniqueName(`${c.inputs[0]}/dequantize`);
      c.emit({ op: 'dequantize', name: dq, inputs: [c.inputs[0]] });
      c.emit({ ...n, inputs: [dq] });
    }
  },
  lowerF32(n, ctx) {
    // The f32 kernel computes exp(x − max); TFLite's beta scales x first and has no kernel here yet.
    if (n.beta !== undefined && n.beta !== 1) throw new UnsupportedOpError(`cannot compile softmax "${n.name}": beta ${n.beta} is not supported for float32 (only 1)`);
    const count = numel(ctx.shapes.get(n.name)!);
    return (r) => ({ kind: 'softmax', name: n.name, n: count, input: r.v(n.inputs[0]), output: r.v(n.name) });
  },
  lowerQ(n, ctx) {
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `softmax "${n.name}"`);
    const at = ctx.consts.add(softmaxTable(inQ.scale, n.beta ?? 1));
    const count = numel(ctx.shapes.get(n.name)!);
    const scheme = ctx.scheme;
    return (r) => ({
      kind: 'qsoftmax', name: n.name, family, scheme, n: count, input: r.v(n.inputs[0]), output: r.v(n.name),
      table: r.w(at), outScale: Math.fround(oq.scale), outZp: oq.zeroPoint,
    });
  },
};

export const SOFTMAX_STEPS: { softmax: StepRunner<StepOf<'softmax'>>; qsoftmax: StepRunner<StepOf<'qsoftmax'>> } = {
  softmax: { run: (k, s) => k.softmax(s.n, s.input, s.output) },
  qsoftmax: { run: (k, s) => k.quant[s.family][s.scheme].softmax(s.n, s.input, s.output, s.table, s.outScale, s.outZp) },
};
