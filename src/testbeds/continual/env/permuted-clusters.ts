/**
 * A procedural stream of permuted-feature classification tasks, the synthetic analogue of permuted MNIST
 * (Goodfellow et al. 2013; Kirkpatrick et al. 2017): one base problem, a Gaussian-mixture classification in `dim`
 * dimensions (`classes` classes, `centresPerClass` centres each, centres μ ~ N(0, centreScale²·I), inputs
 * x = μ + noise·N(0, I)), and task k sees it through a fixed random permutation π_k of the input features
 * (π_0 = identity). Labels are shared by all tasks (domain-incremental: one output head). Every task draws its own
 * train and test samples; the tasks' inputs overlap (all are centred near 0), so fitting one task overwrites another.
 */
import type { Rng } from '../../../core/rng';

export interface PermutedClustersSpec {
  /** Input dimension. */
  dim: number;
  classes: number;
  centresPerClass: number;
  /** Standard deviation of the cluster centres around 0. */
  centreScale: number;
  /** Standard deviation of the isotropic noise around a centre. */
  noise: number;
  /** Number of tasks in the stream. */
  tasks: number;
  trainPerTask: number;
  testPerTask: number;
}

/** One classification data set: x (n × dim, row-major) and integer labels y. */
export interface LabelledSet {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** One task of the stream: its permutation (task input j = base feature perm[j]) and its data. */
export interface StreamTask {
  perm: Int32Array;
  train: LabelledSet;
  test: LabelledSet;
}

/** n samples of the base mixture seen through perm (class balanced in expectation: a uniform class per sample). */
function sampleSet(spec: PermutedClustersSpec, centres: Float64Array, perm: Int32Array, n: number, rng: Rng) {
  const { dim, classes, centresPerClass, noise } = spec;
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  const z = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    const m = rng.int(centresPerClass);
    const mu = (c * centresPerClass + m) * dim;
    for (let j = 0; j < dim; j++) z[j] = centres[mu + j] + noise * rng.normal();
    for (let j = 0; j < dim; j++) x[i * dim + j] = z[perm[j]];
    y[i] = c;
  }
  return { x, y, n };
}

/** The task stream of one seed: the base problem's centres, then each task's permutation and samples. */
export function permutedClusterStream(spec: PermutedClustersSpec, rng: Rng): StreamTask[] {
  const { dim, classes, centresPerClass, centreScale } = spec;
  const centres = rng.split('centres').normals(classes * centresPerClass * dim, 0, centreScale);
  const out: StreamTask[] = [];
  for (let k = 0; k < spec.tasks; k++) {
    const r = rng.split(`task${k}`);
    const idx = Array.from({ length: dim }, (_, j) => j);
    const perm = Int32Array.from(k === 0 ? idx : r.split('perm').shuffle(idx));
    out.push({
      perm,
      train: sampleSet(spec, centres, perm, spec.trainPerTask, r.split('train')),
      test: sampleSet(spec, centres, perm, spec.testPerTask, r.split('test')),
    });
  }
  return out;
}

/** The union of several sets (rows concatenated in order): the joint-training data. */
export function concatSets(sets: readonly LabelledSet[], dim: number): LabelledSet {
  const n = sets.reduce((s, d) => s + d.n, 0);
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  let o = 0;
  for (const d of sets) {
    x.set(d.x, o * dim);
    y.set(d.y, o);
    o += d.n;
  }
  return { x, y, n };
}
