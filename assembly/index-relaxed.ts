// The relaxed modules' export list (mobilenet-relaxed.wasm and its -mt twin): everything the SIMD module
// exports, plus the kernels that exist only with relaxed SIMD (registry isa 'relaxed'; the host runs them only
// where src/wasm/load.ts relaxedDotMode finds them exact).
export * from "./index";
export * from "./qs8/qs8-qc8w-gemm-4x8c4-minmax-fp32-relaxed";
export * from "./qs8/qs8-qc8w-conv-3x3-hwc-minmax-fp32-relaxed";
