/** `npm run bench`: canonical workloads side by side with NumPy / PyTorch; see src/bench/run.ts and bench/README.md. */
export { runBench } from '../bench/run';
export type { BenchRow } from '../bench/types';
