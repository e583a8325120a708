/**
 * The contract between the bench and a kit neural engine (src/nn/bench.ts exports
 * `benchMlpStep(spec)` and `benchGruGrpo(spec)`; the tfjs implementations in ./workloads/mlp.ts and
 * ./workloads/gru.ts follow the same contract). All weights use PyTorch's layouts, row-major float32,
 * so that the reference scripts load them unchanged.
 */

/** MLP step: batch 512, 64 → 256 → 256 → 4, ReLU, MSE (mean over batch × outputs) to fixed targets, Adam. */
export interface MlpBenchSpec {
  batch: number;
  /** Layer widths, input first: [64, 256, 256, 4]. */
  sizes: number[];
  /** The same widths under the name src/nn/bench.ts uses. */
  dims: number[];
  lr: number;
  /** Untimed steps first, then `steps` timed steps, all from the given weights on the same batch. */
  warmup: number;
  steps: number;
  /** Inputs, batch × sizes[0]. */
  x: Float32Array;
  /** Targets, batch × sizes[last]. */
  y: Float32Array;
  /** Layer l: W[l] is sizes[l+1] × sizes[l] (nn.Linear.weight), b[l] has sizes[l+1] entries. */
  W: Float32Array[];
  b: Float32Array[];
}

export interface MlpBenchResult {
  /** Median wall time of one timed step (forward + backward + Adam update), ms. */
  msPerStep: number;
  /** Loss of every step (warm-up included), each at the weights the step starts from. */
  losses: number[];
  /** What ran it, e.g. 'wasm' or 'typed-arrays'. */
  backend: string;
}

/**
 * GRU GRPO workload: vocab V = 14, one-hot input, one GRU layer (PyTorch gate order r, z, n),
 * hidden H = 64, linear head H → V; B = 64 prompts × G = 8 = 512 sequences; prompts of P = 8 tokens
 * (teacher-forced), responses of L = 8 tokens.
 * - sampling pass: feed the prompts, then sample L tokens from softmax(logits) (no early stop, no grad);
 * - update: one teacher-forced forward over prompt + response, log-softmax at the L response
 *   positions, loss = −Σ_{i,t} adv_i · log π(resp_{i,t}) / (N·L), backward, one Adam(lr) step.
 */
export interface GruBenchSpec {
  vocab: number;
  hidden: number;
  prompts: number; // B
  group: number; // G
  promptLen: number; // P
  responseLen: number; // L
  lr: number;
  /** Timed repetitions of each of sampling and update (after one warm-up each). */
  reps: number;
  /** B × P prompt tokens; the engine repeats prompt i for sequences i·G … i·G + G − 1 (N = B·G). */
  promptTokens: Int32Array;
  /** N × L fixed response tokens for the update. */
  responseTokens: Int32Array;
  /** N advantages. */
  advantages: Float32Array;
  /**
   * weight_ih_l0 (3H × V), weight_hh_l0 (3H × H), bias_ih_l0 (3H), bias_hh_l0 (3H), head weight (V × H),
   * head bias (V).
   */
  wIh: Float32Array;
  wHh: Float32Array;
  bIh: Float32Array;
  bHh: Float32Array;
  wOut: Float32Array;
  bOut: Float32Array;
  /** Seed for the sampler. */
  seed: number;
}

export interface GruBenchResult {
  /** Median of `reps` sampling passes (N × L generated tokens each), ms. */
  sampleMs: number;
  /** Median of `reps` updates, ms. */
  updateMs: number;
  /** Agreement pass on the given weights: the update's loss before its step, ... */
  loss0: number;
  /** ... the same loss recomputed after that one Adam step, ... */
  loss1: number;
  /** ... and the mean log π of the tokens of one sampling pass on the given weights. */
  meanSampledLogp: number;
  backend: string;
}

/**
 * Transformer policy-gradient workload (src/nn/transformer-lm.ts, bench/reference/transformer.py): a GPT-2
 * style decoder (token + learned positions, pre-LN blocks with causal multi-head attention and a GELU-tanh
 * MLP, final LayerNorm, untied head without bias). B prompts × G samples = N sequences; prompts of P tokens,
 * responses of L tokens.
 * - sampling pass: the prompts, then L tokens drawn from softmax(logits) with a key/value cache (no early stop);
 * - update: one teacher-forced forward over prompt + response, log-softmax at the L response positions,
 *   loss = −Σ_{n,t} w[n,t] · log π(resp[n,t]) / (N·L) with per-token weights w (advantage × mask), backward,
 *   global gradient-norm clipping, one Adam(lr) step.
 * Weights in PyTorch's layouts (nn.Linear.weight is out × in); per-block arrays stack the blocks first.
 */
export interface TransformerBenchSpec {
  vocab: number;
  context: number;
  layers: number;
  dModel: number;
  heads: number;
  mlp: number;
  prompts: number; // B
  group: number; // G
  promptLen: number; // P
  responseLen: number; // L
  lr: number;
  maxGradNorm: number;
  /** Timed repetitions of each of sampling and update (after one warm-up each). */
  reps: number;
  /** Seed for the sampler. */
  seed: number;
  /** B × P prompt tokens; prompt i is repeated for sequences i·G … i·G + G − 1. */
  promptTokens: Int32Array;
  /** N × L fixed response tokens for the update. */
  responseTokens: Int32Array;
  /** N × L per-token loss weights (advantage × mask; masked tokens are 0). */
  weights: Float32Array;
  wte: Float32Array; // V × d
  wpe: Float32Array; // context × d
  ln1W: Float32Array; // layers × d
  ln1B: Float32Array;
  attnW: Float32Array; // layers × 3d × d
  attnB: Float32Array; // layers × 3d
  projW: Float32Array; // layers × d × d
  projB: Float32Array; // layers × d
  ln2W: Float32Array;
  ln2B: Float32Array;
  fcW: Float32Array; // layers × F × d
  fcB: Float32Array; // layers × F
  mprojW: Float32Array; // layers × d × F
  mprojB: Float32Array; // layers × d
  lnfW: Float32Array; // d
  lnfB: Float32Array;
  headW: Float32Array; // V × d
}

export interface TransformerBenchResult {
  /** Median of `reps` sampling passes (N × L generated tokens each), ms. */
  sampleMs: number;
  /** Median of `reps` updates, ms. */
  updateMs: number;
  /** Agreement pass on the given weights: the update's loss before its step, its gradient norm (unclipped), ... */
  loss0: number;
  gradNorm0: number;
  /** ... the same loss recomputed after that one Adam step, ... */
  loss1: number;
  /** ... and the mean log π of the tokens of one sampling pass on the given weights, ... */
  meanSampledLogp: number;
  /** ... with its standard error (standard deviation of the per-sequence means / √N). */
  sampledLogpSe: number;
  backend: string;
}
