// global_avg_pool: mean over H and W, [1,H,W,C] → [1,C] (keepDims: [1,1,1,C]; TFLite MEAN / AVERAGE_POOL_2D).
// Steps: `gavgpool` (float32) and `qgavgpool` (int8, with the rounding of the TFLite op it came from: `rounding`).
// Tiny: never shared between threads.
import type { GlobalAvgPoolNode } from '../graph/ir.js';
import { ShapeError, preview } from '../errors.js';
import { poolParams, type PoolMode } from '../plan/requant.js';
import { expectInputs, expectRank4, NUMERIC } from './checks.js';
import { familyOf, quantOf, unsupported } from './lower.js';
import type { OpModule, StepOf, StepRunner } from './types.js';

export const globalAvgPool: OpModule<GlobalAvgPoolNode> = {
  op: 'global_avg_pool',
  shape(n, c) {
    expectInputs(n, 1);
    const x = c.lookup(n.inputs[0]!);
    expectRank4(n, n.inputs[0]!, x);
    if (n.keepDims !== undefined && typeof n.keepDims !== 'boolean') {
      throw new ShapeError(`${c.where}: keepDims must be a boolean, got ${preview(n.keepDims)}`);
    }
    if (n.rounding !== undefined && n.rounding !== 'avgpool' && n.rounding !== 'mean') {
      throw new ShapeError(`${c.where}: rounding must be 'avgpool' or 'mean', got ${preview(n.rounding)}`);
    }
    return n.keepDims ? [1, 1, 1, x[3]!] : [1, x[3]!];
  },
  types(_n, c) {
    const a = c.inType(0, NUMERIC);
    c.outIs(a.dtype, 'the input\'s dtype');
  },
  native: {
    arity: 1,
    write: (n) => ({
      name: n.name, op: n.op, inputs: [...n.inputs], ...(n.keepDims !== undefined ? { keepDims: n.keepDims } : {}),
      ...(n.rounding !== undefined ? { rounding: n.rounding } : {}),
    }),
    read(c) {
      const { r } = c;
      if (r.rounding !== undefined && r.rounding !== 'avgpool' && r.rounding !== 'mean') c.fail(`${c.where}: invalid rounding ${preview(r.rounding)}`);
      return {
        ...c.base, op: 'global_avg_pool', ...(r.keepDims !== undefined ? { keepDims: c.bool('keepDims') } : {}),
        ...(r.rounding !== undefined ? { rounding: r.rounding as 'avgpool' | 'mean' } : {}),
      };
    },
  },
  // 'avgpool' keeps the input's quantization (AVERAGE_POOL_2D's rounding); 'mean' gets its own range (MEAN's).
  quantize(n, c) {
    c.emit({ ...n, inputs: c.inputs, rounding: c.pool });
    c.setQ(n.name, c.pool === 'avgpool' ? c.quantOf(c.inputs[0]) : c.calibrated(n.name));
  },
  lowerF32(n, ctx) {
    const [, h, w, ch] = ctx.shapes.get(n.inputs[0])!;
    return (r) => ({ kind: 'gavgpool', name: n.name, pixels: h * w, channels: ch, input: r.v(n.inputs[0]), output: r.v(n.name) });
  },
  lowerQ(n, ctx) {
    const [, h, w, ch] = ctx.shapes.get(n.inputs[0])!;
    const inQ = quantOf(ctx, n.inputs[0]);
    const oq = quantOf(ctx, n.name);
    const family = familyOf(oq.dtype, `global_avg_pool "${n.name}"`);
    const same = inQ.zeroPoint === oq.zeroPoint && Math.fround(inQ.scale) === Math.fround(oq.scale);
    let mode: PoolMode;
    if ((n.rounding ?? (n.keepDims ? 'avgpool' : 'mean')) === 'avgpool') {
      if (!same) throw unsupported(n, `an AVERAGE_POOL_2D needs equal input and output quantization, got (${inQ.scale}, ${inQ.zeroPoint}) and (${oq.scale}, ${oq.zeroPoint})`);
      mode = 'avgpool';
    } else mode = n.keepDims ? 'mean-4d' : same ? 'mean-same' : 'mean-float';
    const at = ctx.consts.add(poolParams(mode, h * w, inQ, oq, oq.dtype));
    const scheme = ctx.scheme;
    return (r) => ({ kind: 'qgavgpool', name: n.name, family, scheme, pixels: h * w, channels: ch, input: r.v(n.inputs[0]), output: r.v(n.name), params: r.w(at) });
  },
};

export const GAVGPOOL_STEPS: { gavgpool: StepRunner<StepOf<'gavgpool'>>; qgavgpool: StepRunner<StepOf<'qgavgpool'>> } = {
  gavgpool: { run: (k, s) => k.gavgpool(s.pixels, s.channels, s.input, s.output) },
  qgavgpool: { run: (k, s) => k.quant[s.family][s.scheme].gavgpool(s.pixels, s.channels, s.input, s.output, s.params) },
};
