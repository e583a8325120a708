/**
 * RLHF by sampled policy gradients on the reward model, on the protocol's tabular softmax policy: a Bradley–Terry
 * reward model r̂ fitted on the whole label budget (pairs from π_ref, the rlhf-bt recipe's fit), then
 * `ITERATIONS` on-policy iterations that sample responses from π_old and score them with r̂ only (no further
 * labels), with the KL penalty τ·log π_old/π_ref in the reward (β = τ, the protocol's target):
 *   PPO (Ouyang et al. 2022; methods/rlhf.ts ppoUpdate: critic V(x), whitened advantages, clipped ratio);
 *   P3O V1 / V2 (Wu et al. 2023; methods/p3o.ts p3oUpdate, separate / joint clipping, no critic);
 *   PPO with PAR shaping (Fu et al. 2025; methods/reward-shaping.ts, (1/M) Σ_m σ(r̂ − r̂_ref,m) over M = 10
 *   reference responses per prompt drawn once from π_ref) in place of the raw r̂.
 * Optimiser and schedule are the p3o notebook's (its tabular-policy runs): 200 iterations × 2 responses per prompt,
 * 4 epochs × 4 minibatches, clip 0.2, Adam lr 0.02, critic lr 0.05, whitened advantages; PAR changes only the
 * reward (the par notebook's M = 10), so the PPO and PPO-PAR rows differ by the shaping alone.
 */
import type { Rng } from '../../../../core/rng';
import type { ProtocolRecipe } from '../core';
import { offlineData, type Oracle, type ProtocolWorld } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { fitBTTabularRidge } from '../../methods/bradley-terry';
import { p3oUpdate, type P3oVariant } from '../../methods/p3o';
import { RewardShaper } from '../../methods/reward-shaping';
import { ppoUpdate, type PpoConfig } from '../../methods/rlhf';
import { makePolicyState, samplePolicy } from '../../policies/logit-model';
import { logProbs, sampleResponse, tabularPolicyFromLogits, type TabularPolicy } from '../../policies/tabular-policy';
import { RM_L2 } from './rlhf-bt';

export const ITERATIONS = 200,
  RESPONSES = 2,
  EPOCHS = 4,
  MINIBATCHES = 4,
  CLIP = 0.2,
  PG_LR = 0.02,
  CRITIC_LR = 0.05,
  PAR_REFS = 10;

type Variant = 'ppo' | 'ppo-par' | P3oVariant;

/** Train one policy-gradient variant from π_ref on r̂ (fitted on the whole budget); `iterations` for tests. */
export function trainPolicyGradient(
  variant: Variant,
  w: ProtocolWorld,
  oracle: Oracle,
  rng: Rng,
  iterations = ITERATIONS,
): TabularPolicy {
  const { nX, nY } = w.game;
  const shape = { nX, nY };
  const rHat = fitBTTabularRidge(nX, nY, comparisonsFromPairs(offlineData(w, oracle, rng)), RM_L2);
  const logpRef = logProbs(w.ref);
  const beta = w.config.tau;
  const state = makePolicyState(shape, logpRef, { optimiser: 'adam', lr: PG_LR, criticLr: CRITIC_LR });
  const sampler = rng.split('sample'),
    shuffler = rng.split('shuffle');
  const contexts = Array.from({ length: nX }, (_, i) => i);
  // PAR's reference rewards: PAR_REFS responses per prompt drawn once from π_ref, scored by r̂.
  const refRng = rng.split('par-refs');
  const refs = contexts.map((x) =>
    Float64Array.from({ length: PAR_REFS }, () => rHat[x * nY + sampleResponse(w.ref, x, refRng)]),
  );
  const shaper = variant === 'ppo-par' ? new RewardShaper('par') : null;
  const ppoCfg: PpoConfig = {
    beta,
    clip: CLIP,
    epochs: EPOCHS,
    minibatches: MINIBATCHES,
    optimiser: 'adam',
    lr: PG_LR,
    criticLr: CRITIC_LR,
    whiten: true,
  };
  for (let it = 0; it < iterations; it++) {
    const s = samplePolicy(sampler, state.logits, shape, contexts, RESPONSES);
    const n = s.x.length;
    if (variant === 'ppo' || variant === 'ppo-par') {
      const raw = new Float64Array(n),
        logpOld = new Float64Array(n),
        logpR = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const k = s.x[i] * nY + s.y[i];
        raw[i] = rHat[k];
        logpOld[i] = s.logp[k];
        logpR[i] = logpRef[k];
      }
      const score = shaper ? shaper.shape(raw, s.x, (x) => refs[x]) : raw;
      ppoUpdate(state, { n, x: s.x, y: s.y, score, logpOld, logpRef: logpR }, ppoCfg, shuffler);
    } else {
      const m = n / 2;
      const b = {
        n: m,
        x: new Int32Array(m),
        y1: new Int32Array(m),
        y2: new Int32Array(m),
        score1: new Float64Array(m),
        score2: new Float64Array(m),
        logpOld1: new Float64Array(m),
        logpOld2: new Float64Array(m),
        logpRef1: new Float64Array(m),
        logpRef2: new Float64Array(m),
      };
      for (let i = 0; i < m; i++) {
        const x = s.x[2 * i],
          k1 = x * nY + s.y[2 * i],
          k2 = x * nY + s.y[2 * i + 1];
        b.x[i] = x;
        b.y1[i] = s.y[2 * i];
        b.y2[i] = s.y[2 * i + 1];
        b.score1[i] = rHat[k1];
        b.score2[i] = rHat[k2];
        b.logpOld1[i] = s.logp[k1];
        b.logpOld2[i] = s.logp[k2];
        b.logpRef1[i] = logpRef[k1];
        b.logpRef2[i] = logpRef[k2];
      }
      p3oUpdate(state, b, { beta, clip: CLIP, epochs: EPOCHS, minibatches: MINIBATCHES, variant }, shuffler);
    }
  }
  return tabularPolicyFromLogits(nX, nY, state.logits);
}

const schedule = `${ITERATIONS} iterations × ${RESPONSES} responses/prompt, ${EPOCHS}×${MINIBATCHES} Adam steps`;

export const rlhfPpo: ProtocolRecipe = {
  name: 'rlhf-ppo',
  summary: `methods/bradley-terry.ts r̂ on all labels from π_ref → methods/rlhf.ts ppoUpdate (β = τ), ${schedule}`,
  budget: 'labels',
  train: (w, oracle, rng) => trainPolicyGradient('ppo', w, oracle, rng),
};

export const ppoPar: ProtocolRecipe = {
  name: 'ppo-par',
  summary:
    `rlhf-ppo with methods/reward-shaping.ts PAR (M = ${PAR_REFS} π_ref references per prompt) on r̂, ` +
    'the same schedule',
  budget: 'labels',
  train: (w, oracle, rng) => trainPolicyGradient('ppo-par', w, oracle, rng),
};

export const p3oSeparate: ProtocolRecipe = {
  name: 'p3o-v1',
  summary: `r̂ on all labels from π_ref → methods/p3o.ts p3oUpdate (V1, separate clipping, β = τ), ${schedule}`,
  budget: 'labels',
  train: (w, oracle, rng) => trainPolicyGradient('separate', w, oracle, rng),
};

export const p3oJoint: ProtocolRecipe = {
  name: 'p3o-v2',
  summary: `r̂ on all labels from π_ref → methods/p3o.ts p3oUpdate (V2, joint clipping, β = τ), ${schedule}`,
  budget: 'labels',
  train: (w, oracle, rng) => trainPolicyGradient('joint', w, oracle, rng),
};
