// The scalar module's export list (compiled without SIMD, for engines without SIMD128): only the scalar
// kernel files. Must stay the scalar subset of assembly/index.ts; test/plan/registry.test.ts checks it.

export * from "./f32/f32-gemm-4x8-minmax-scalar";
export * from "./f32/f32-dwconv-3x3-minmax-scalar";
export * from "./f32/f32-conv-3x3-hwc-minmax-scalar";
export * from "./f32/f32-gavgpool-scalar";
export * from "./f32/f32-vadd-minmax-scalar";
export * from "./f32/f32-softmax-scalar";
export * from "./u8/u8-resize-bilinear-norm-f32-scalar";
// int8 kernels (qu8: uint8 per-tensor, TFLite TF1 QAT; qs8: int8 with per-channel weights, TF2 PTQ)
export * from "./qu8/qu8-argmax-scalar";
export * from "./qu8/qu8-argmax-i64-scalar";
export * from "./qu8/qu8-concat-scalar";
export * from "./qu8/qu8-conv-3x3-hwc-minmax-fp32-scalar";
export * from "./qu8/qu8-conv-3x3-hwc-minmax-gemmlowp-scalar";
export * from "./qu8/qu8-dequantize-scalar";
export * from "./qu8/qu8-dwconv-3x3-minmax-fp32-scalar";
export * from "./qu8/qu8-dwconv-3x3-minmax-gemmlowp-scalar";
export * from "./qu8/qu8-gavgpool-minmax-scalar";
export * from "./qu8/qu8-gemm-4x8c2-minmax-fp32-scalar";
export * from "./qu8/qu8-gemm-4x8c2-minmax-gemmlowp-scalar";
export * from "./qu8/qu8-quantize-scalar";
export * from "./qu8/qu8-requantize-gemmlowp-scalar";
export * from "./qu8/qu8-requantize-mulshift-scalar";
export * from "./qu8/qu8-pad-scalar";
export * from "./qu8/qu8-resize-bilinear-scalar";
export * from "./qu8/qu8-softmax-lut-scalar";
export * from "./qu8/qu8-vadd-minmax-gemmlowp-scalar";
export * from "./qu8/qu8-vadd-minmax-mulshift-scalar";
export * from "./qs8/qs8-argmax-scalar";
export * from "./qs8/qs8-argmax-i64-scalar";
export * from "./qs8/qs8-dequantize-scalar";
export * from "./qs8/qs8-gavgpool-minmax-scalar";
export * from "./qs8/qs8-qc8w-conv-3x3-hwc-minmax-fp32-scalar";
export * from "./qs8/qs8-qc8w-conv-3x3-hwc-minmax-gemmlowp-scalar";
export * from "./qs8/qs8-qc8w-dwconv-3x3-minmax-fp32-scalar";
export * from "./qs8/qs8-qc8w-dwconv-3x3-minmax-gemmlowp-scalar";
export * from "./qs8/qs8-qc8w-gemm-4x8c2-minmax-fp32-scalar";
export * from "./qs8/qs8-qc8w-gemm-4x8c2-minmax-gemmlowp-scalar";
export * from "./qs8/qs8-quantize-scalar";
export * from "./qs8/qs8-requantize-gemmlowp-scalar";
export * from "./qs8/qs8-requantize-mulshift-scalar";
export * from "./qs8/qs8-resize-bilinear-scalar";
export * from "./qs8/qs8-softmax-lut-scalar";
export * from "./qs8/qs8-vadd-minmax-gemmlowp-scalar";
export * from "./qs8/qs8-vadd-minmax-mulshift-scalar";
