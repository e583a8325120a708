/**
 * The objective slot: a method whose loss is not a composition of the fixed parts (advantage, aggregation, clipping,
 * importance, KL, filters, token control, off-policy terms) registers its own advantage and/or per-token surrogate
 * gradient here, in its own file under `trainer/objectives/` (one file per method, its equations cited), and a recipe
 * names it by kind with plain-data parameters: `{ ...RECIPES.grpo, objective: { kind: 'nft', epsHigh: 0.28 } }`.
 *
 * Recipes stay plain data because they cross worker threads and enter record keys; the registry maps a kind to its
 * code and is filled by importing the objective's file (`import '…/objectives/nft'`), so a paper's records are keyed
 * by exactly the objectives it imports, and adding an objective re-keys no other paper.
 *
 * What the slot replaces (update.ts):
 *   advantages   A_i for the batch, in place of the recipe's advantage part (the filters still apply);
 *   tokenGrads   w_it = ∂loss/∂log π(o_it) of the policy-gradient surrogate for one pass, in place of the clipped
 *                surrogate ℓ_clip(ρ, A) — the aggregation weights c_it are given, and the KL, entropy, token-control
 *                and off-policy terms of the recipe are still added on top.
 */
import type { Recipe } from './recipes';
import type { Rollouts } from './update';

/** A recipe's objective: its registered kind and plain-data parameters. */
export interface ObjectiveSpec {
  kind: string;
  [param: string]: number | string | boolean | null;
}

/** What an objective's advantage sees (once per update). */
export interface AdvantageContext {
  spec: ObjectiveSpec;
  recipe: Recipe;
  batch: Rollouts;
  /** Rewards after a KL-in-reward penalty (the verifier's rewards otherwise), B·G. */
  rewards: Float64Array;
  /** The recipe's own advantage part on those rewards (a base the objective may reshape), B·G. */
  base: Float64Array;
}

/** What an objective's token gradients see (once per gradient pass). */
export interface PassContext {
  spec: ObjectiveSpec;
  recipe: Recipe;
  batch: Rollouts;
  pass: number;
  /** log π_θ of each completion token under the current parameters, B·G × L. */
  logp: Float32Array;
  /** Per-token entropies when the policy reports them. */
  entropy?: Float32Array;
  /** Reference log-probabilities when the recipe has a KL part. */
  refLogp: Float32Array | null;
  /** Per-response advantages (after the objective's own advantage when it has one), B·G. */
  adv: Float64Array;
  /** Indices of the responses the filters kept. */
  kept: readonly number[];
  /** Aggregation weights c_i,t of kept responses (null for dropped ones), each of length L. */
  coef: readonly (Float64Array | null)[];
}

/** A registered objective. */
export interface ObjectiveParts {
  /** The paper and equation it implements (shown in errors and docs). */
  source: string;
  /** Per-response advantages (B·G) replacing the recipe's advantage part. */
  advantages?(ctx: AdvantageContext): Float64Array;
  /**
   * Writes w_it = ∂loss/∂log π(o_it) (aggregation weight included) into `w` (B·G × L, zeroed) for kept responses'
   * tokens, and 1 into `cut` where a clip removed the token's gradient (for the clip fraction).
   */
  tokenGrads?(ctx: PassContext, w: Float32Array, cut: Uint8Array): void;
}

const REGISTRY = new Map<string, ObjectiveParts>();

/** Registers an objective under `kind` (called once by the objective's own module). */
export function registerObjective(kind: string, objective: ObjectiveParts): void {
  const have = REGISTRY.get(kind);
  if (have && have !== objective)
    throw new Error(
      `reasoning.objective: the kind '${kind}' is registered twice (${have.source}; ${objective.source})`,
    );
  if (!objective.advantages && !objective.tokenGrads)
    throw new Error(`reasoning.objective: '${kind}' (${objective.source}) defines neither advantages nor tokenGrads`);
  REGISTRY.set(kind, objective);
}

/** The objective a recipe names; throws, naming the module to import, when it is not registered. */
export function objectiveFor(spec: ObjectiveSpec, recipeName: string): ObjectiveParts {
  const o = REGISTRY.get(spec.kind);
  if (!o)
    throw new Error(
      `reasoning.objective: the ${recipeName} recipe names objective '${spec.kind}', which is not registered; ` +
        `import its module (testbeds/reasoning/trainer/objectives/${spec.kind}) in the code that runs the recipe ` +
        `(registered: ${[...REGISTRY.keys()].join(', ') || 'none'})`,
    );
  return o;
}

/** The kinds registered so far (in this process). */
export function registeredObjectives(): string[] {
  return [...REGISTRY.keys()];
}
