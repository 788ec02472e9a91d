// The relaxed modules' export list (mobilenet-relaxed.wasm and its -mt twin): everything the SIMD module
// exports, plus the kernels that exist only with relaxed SIMD (registry isa 'relaxed') and the probe that
// tells the host which of them are exact on this engine.
export * from "./index";
export * from "./q8/q8-relaxed-dot-probe";
export * from "./qs8/qs8-qc8w-gemm-4x8c4-minmax-fp32-relaxed";
