/**
 * The kit's small dense engine: wasm SIMD GEMM, a GRU and a transformer language model and an MLP with
 * hand-written backprop, Adam (float32; Adam64 for the float64 parameters of the tabular testbeds).
 */
export {
  Arena,
  Buf,
  gemm,
  gemmBatched,
  probeFma,
  transpose,
  type GemmChoice,
  type GemmPath,
  type MatRef,
} from './wasm';
export { Adam, Adam64, type AdamOptions } from './adam';
export { GruLm, paramLayout, type GruLmShape, type GruForward, type SampleResult } from './gru-lm';
export { Mlp, mseLoss } from './mlp';
export {
  TransformerLm,
  TRANSFORMER_LM_DEFAULTS,
  parameterGroups,
  resolveTransformerConfig,
  transformerLayout,
  type BlockSlices,
  type ResolvedTransformerLmConfig,
  type TransformerForward,
  type TransformerLayout,
  type TransformerLmConfig,
  type TransformerSample,
  type TransformerSampleOptions,
} from './transformer-lm';
