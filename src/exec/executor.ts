// The only loop over a Plan. It calls kernels with precomputed addresses and never allocates.
import type { Plan } from '../plan/compile.js';
import type { Step } from '../plan/steps.js';
import type { KernelSet } from '../plan/registry.js';
import { runBlock } from './block.js';

export function runStep(k: KernelSet, s: Step): void {
  switch (s.kind) {
    case 'block':
      return runBlock(k, s);
    case 'gemm':
      return k.gemm(s.m, s.n, s.k, s.a, s.aStride, s.packed, s.c, s.cStride, s.r, s.rStride, s.min, s.max);
    case 'conv3x3':
      return k.conv3x3(s.inH, s.inW, s.inC, s.input, s.stride, s.padTop, s.padLeft, s.packed, s.outC, s.output, s.outW, 0, s.outH, s.min, s.max);
    case 'dwconv': {
      const rowBytes = s.inW * s.channels * 4;
      const row = (iy: number) => (iy < 0 || iy >= s.inH ? s.zero : s.input + iy * rowBytes);
      for (let oy = 0; oy < s.outH; oy++) {
        const iy = oy * s.stride - s.padTop;
        k.dwconv3x3(s.channels, s.inW, row(iy), row(iy + 1), row(iy + 2), s.stride, s.padLeft, s.packed,
          s.output + oy * s.outW * s.channels * 4, s.outW, s.min, s.max);
      }
      return;
    }
    case 'gavgpool':
      return k.gavgpool(s.pixels, s.channels, s.input, s.output);
    case 'vadd':
      return k.vadd(s.n, s.a, s.b, s.output, s.min, s.max);
    case 'softmax':
      return k.softmax(s.n, s.input, s.output);
  }
}

/** Runs every step; with `times`, records milliseconds per step (index-aligned with plan.steps). */
export function execute(plan: Plan, k: KernelSet, times?: Float64Array): void {
  const steps = plan.steps;
  if (!times) {
    for (let i = 0; i < steps.length; i++) runStep(k, steps[i]);
    return;
  }
  for (let i = 0; i < steps.length; i++) {
    const t0 = performance.now();
    runStep(k, steps[i]);
    times[i] += performance.now() - t0;
  }
}
