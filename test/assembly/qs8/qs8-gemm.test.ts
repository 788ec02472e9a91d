// qs8_qc8w_gemm_4x8c2_minmax_gemmlowp_* against reference_integer_ops::ConvPerChannel (1×1) ported in
// test/helpers/reference-q.ts; per-channel weight scales spread so the channels of a vector have different shifts.
import { describe, it } from 'vitest';
import { QS8 } from '../qu8/q8-kit.js';
import { describeQGemm, expectQGemmVariants } from '../qu8/q8-gemm-cases.js';

describe('qs8 gemm variants', () => it('SIMD and scalar variants in both modules', () => expectQGemmVariants(QS8)));
describeQGemm(QS8);
