/** Guarded access to the kit's typed neural engine (src/nn/bench.ts), which may not exist yet. */
import type {
  GruBenchResult,
  GruBenchSpec,
  MlpBenchResult,
  MlpBenchSpec,
  TransformerBenchResult,
  TransformerBenchSpec,
} from '../nn-spec';

export interface GemmBenchResult {
  ms: number;
  gflops: number;
}

export interface NnEngine {
  benchMlpStep?: (spec: MlpBenchSpec) => MlpBenchResult | Promise<MlpBenchResult>;
  benchGruGrpo?: (spec: GruBenchSpec) => GruBenchResult | Promise<GruBenchResult>;
  benchTransformerPg?: (
    spec: TransformerBenchSpec,
    gemm?: 'mul-add' | 'fma' | 'auto',
    kernel?: 'current' | 'next',
  ) => TransformerBenchResult | Promise<TransformerBenchResult>;
  /** Whether src/nn/gemm-wasm-next.ts differs from the library's kernel (the `…-next` rows run only then). */
  candidatePending?: () => boolean;
  benchGemm?: (
    M: number,
    N: number,
    K: number,
    path: 'mul-add' | 'fma',
    reps?: number,
    kernel?: 'current' | 'next',
  ) => GemmBenchResult | null;
}

/** The module dist/nn/bench.js, or null when it is absent (a load error of a present module is thrown). */
export function loadNnEngine(): NnEngine | null {
  let resolved: string;
  try {
    resolved = require.resolve('../../nn/bench');
  } catch {
    return null;
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(resolved) as NnEngine;
}
