/** Rows and reports of `npm run bench` (see bench/README.md). */

/** Which side of a comparison a row is on. */
export type BenchSide = 'kit' | 'reference';

export interface Agreement {
  /** true: the kit and the reference computed the same result within `text`'s tolerance. */
  ok: boolean;
  text: string;
}

export interface BenchRow {
  /** Stable key (the baseline compares rows by id), e.g. 'vi/jacobi/kit'. */
  id: string;
  /** Workload group, e.g. 'value iteration'. */
  workload: string;
  /** Implementation, e.g. 'kit (typed arrays, Jacobi)' or 'NumPy 1.24 (Jacobi, 1 thread)'. */
  impl: string;
  side: BenchSide;
  /** Median wall time of one unit of work (see `unit`), milliseconds; NaN when the row failed. */
  ms: number;
  /** What one timing covers: 'per solve', 'per step', ... */
  unit: string;
  throughput?: { value: number; unit: string };
  /** Compute backend of the row (kit: tfjs backend or 'typed-arrays'; reference: numpy / torch). */
  backend: string;
  /** Threads the row's computation may use. */
  threads: number;
  /** Kit rows: the id of the reference row the ratio is taken against. */
  refId?: string;
  /** Kit rows: ms / reference ms (< 1: the kit is faster). */
  ratio?: number;
  agreement?: Agreement;
  detail: string;
}

export interface MachineInfo {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  /** tfjs backend of the kit's tensor rows ('typed-arrays' when none ran). */
  backend: string;
  python: string | null;
  numpy: string | null;
  torch: string | null;
  /** Threads given to the 1-thread reference rows (the 2-thread torch rows say so in their impl). */
  referenceThreads: number;
}

export interface BenchReport {
  date: string;
  machine: MachineInfo;
  /** Flags the run was made with (e.g. ['--quick']). */
  flags: string[];
  rows: BenchRow[];
  /** Wall time of the whole bench run, seconds. */
  totalS: number;
}
