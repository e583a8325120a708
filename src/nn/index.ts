/** The kit's small dense engine: wasm SIMD GEMM, a GRU language model and an MLP with hand-written backprop, Adam. */
export { Arena, Buf, gemm, transpose, type MatRef } from './wasm';
export { Adam, type AdamOptions } from './adam';
export { GruLm, paramLayout, type GruLmShape, type GruForward, type SampleResult } from './gru-lm';
export { Mlp, mseLoss } from './mlp';
