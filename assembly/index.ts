// The SIMD module's export list: every kernel file, SIMD and scalar (the scalar twins are the references the
// tests compare against and the fallback the planner can pick per op). One `export *` per kernel file;
// src/plan/registry.ts lists the same names and test/plan/registry.test.ts fails when the two drift.

export * from "./f32/f32-gemm-4x8-minmax-simd";
export * from "./f32/f32-gemm-4x8-minmax-scalar";
export * from "./f32/f32-dwconv-3x3-minmax-simd";
export * from "./f32/f32-dwconv-3x3-minmax-scalar";
export * from "./f32/f32-conv-3x3-hwc-minmax-simd";
export * from "./f32/f32-conv-3x3-hwc-minmax-scalar";
export * from "./f32/f32-gavgpool-simd";
export * from "./f32/f32-gavgpool-scalar";
export * from "./f32/f32-vadd-minmax-simd";
export * from "./f32/f32-vadd-minmax-scalar";
export * from "./f32/f32-softmax-scalar";
export * from "./u8/u8-resize-bilinear-norm-f32-simd";
export * from "./u8/u8-resize-bilinear-norm-f32-scalar";
