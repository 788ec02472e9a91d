// qu8_gemm_4x8c2_minmax_gemmlowp_* against reference_ops::Conv (uint8, 1×1) ported in test/helpers/reference-q.ts.
import { describe, it } from 'vitest';
import { QU8 } from './q8-kit.js';
import { describeQGemm, expectQGemmVariants } from './q8-gemm-cases.js';

describe('qu8 gemm variants', () => it('SIMD and scalar variants in both modules', () => expectQGemmVariants(QU8)));
describeQGemm(QU8);
