// The scalar module's export list (compiled without SIMD, for engines without SIMD128): only the scalar
// kernel files. Must stay the scalar subset of assembly/index.ts; test/plan/registry.test.ts checks it.

export * from "./f32/f32-gemm-4x8-minmax-scalar";
export * from "./f32/f32-dwconv-3x3-minmax-scalar";
export * from "./f32/f32-conv-3x3-hwc-minmax-scalar";
export * from "./f32/f32-gavgpool-scalar";
export * from "./f32/f32-vadd-minmax-scalar";
export * from "./f32/f32-softmax-scalar";
export * from "./u8/u8-resize-bilinear-norm-f32-scalar";
