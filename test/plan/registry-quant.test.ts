// selectQuantKernels / quantKernelFor: the int8 kernel sets per family, isa and requantization scheme.
import { describe, expect, it } from 'vitest';
import { quantKernelFor, selectQuantKernels } from '../../src/plan/registry.js';
import { instantiate } from '../helpers/wasm.js';

describe('selectQuantKernels', () => {
  it('qu8 simd fp32 (default): XNNPACK-arithmetic kernels, SIMD where they exist', () => {
    const { exports } = instantiate('simd', 1);
    const set = selectQuantKernels(exports, 'simd', 'qu8');
    expect(set.scheme).toBe('fp32');
    expect(set.gemm).toBe(exports.qu8_gemm_4x8c2_minmax_fp32_simd);
    expect(set.dwconv).toBe(exports.qu8_dwconv_3x3_minmax_fp32_simd);
    expect(set.vadd).toBe(exports.qu8_vadd_minmax_mulshift_simd);
    expect(set.softmax).toBe(exports.qu8_softmax_lut_scalar);
    expect(set.concat).toBe(exports.qu8_concat_scalar);
  });
  it('qs8 scalar gemmlowp from the scalar module', () => {
    const { exports } = instantiate('scalar', 1);
    const set = selectQuantKernels(exports, 'scalar', 'qs8', 'gemmlowp');
    expect(set.gemm).toBe(exports.qs8_qc8w_gemm_4x8c2_minmax_gemmlowp_scalar);
    expect(set.vadd).toBe(exports.qs8_vadd_minmax_gemmlowp_scalar);
    expect(set.resize).toBe(exports.qs8_resize_bilinear_scalar);
    expect(set.concat).toBe(exports.qu8_concat_scalar);
  });
  it('throws naming the missing export', () => {
    const { exports } = instantiate('scalar', 1);
    expect(() => selectQuantKernels(exports, 'simd', 'qu8')).toThrow(/does not export 'qu8_gemm_4x8c2_minmax_fp32_simd'/);
  });
  it('quantKernelFor falls back to scalar', () => {
    expect(quantKernelFor('argmax', 'qs8', 'simd').name).toBe('qs8_argmax_scalar');
    expect(quantKernelFor('requantize', 'qu8', 'simd', 'fp32').name).toBe('qu8_requantize_mulshift_scalar');
    expect(quantKernelFor('requantize', 'qs8', 'scalar', 'gemmlowp').name).toBe('qs8_requantize_gemmlowp_scalar');
    expect(quantKernelFor('pad', 'qs8', 'simd').name).toBe('qu8_pad_scalar');
  });
  it('quantKernelFor takes the isa variant where there is one', () => {
    expect(quantKernelFor('requantize', 'qs8', 'simd', 'gemmlowp').name).toBe('qs8_requantize_gemmlowp_simd');
    expect(quantKernelFor('requantize', 'qu8', 'simd', 'gemmlowp').name).toBe('qu8_requantize_gemmlowp_simd');
  });
});
