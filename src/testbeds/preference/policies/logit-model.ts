/**
 * Policies being trained by the online methods (PPO, P3O): a logit model — tabular (one free logit per
 * (x, y)) or log-linear in response features — with its parameters, a per-context critic V(x), their
 * optimisers, and on-policy sampling of responses.
 */
import type { Rng } from '../../../core/rng';
import { makeOptimiser, type Optimiser } from '../loops/full-batch';
import { logSoftmaxRows, sampleCategorical, type TableShape } from './logit-table';

/**
 * How parameters map to logits: tabular (logits = params) or log-linear in features
 * (logits[x,y] = base[x,y] + θ·φ(x,y), e.g. base = log π_ref). `backprop` maps a gradient in the logits to
 * one in the parameters.
 */
export interface LogitModel {
  nParams: number;
  logits(params: Float64Array): Float64Array;
  backprop(gLogits: Float64Array): Float64Array;
}

export function tabularModel(shape: TableShape): LogitModel {
  return { nParams: shape.nX * shape.nY, logits: (p) => p, backprop: (g) => g };
}

/** logits = base + Φθ with Φ the (nX·nY) × d feature table. */
export function logLinearModel(base: Float64Array, features: Float64Array, d: number): LogitModel {
  const n = base.length;
  return {
    nParams: d,
    logits: (th) => {
      const l = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = base[i];
        for (let k = 0; k < d; k++) s += th[k] * features[i * d + k];
        l[i] = s;
      }
      return l;
    },
    backprop: (g) => {
      const out = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        if (gi === 0) continue;
        for (let k = 0; k < d; k++) out[k] += gi * features[i * d + k];
      }
      return out;
    },
  };
}

/** A policy being trained: parameters of a logit model, critic, and their optimisers. */
export interface PolicyState {
  shape: TableShape;
  model: LogitModel;
  params: Float64Array;
  /** Current logits (kept in sync with params by the update functions). */
  logits: Float64Array;
  value: Float64Array;
  opt: Optimiser;
  criticOpt: Optimiser;
}

export function makePolicyState(
  shape: TableShape,
  initParams: Float64Array,
  cfg: { optimiser: 'adam' | 'sgd'; lr: number; criticLr: number },
  model: LogitModel = tabularModel(shape),
): PolicyState {
  if (initParams.length !== model.nParams)
    throw new RangeError(`makePolicyState: ${initParams.length} initial parameters for a model with ${model.nParams}.`);
  const params = Float64Array.from(initParams);
  return {
    shape,
    model,
    params,
    logits: Float64Array.from(model.logits(params)),
    value: new Float64Array(shape.nX),
    opt: makeOptimiser(cfg.optimiser, model.nParams, cfg.lr),
    criticOpt: makeOptimiser(cfg.optimiser, shape.nX, cfg.criticLr),
  };
}

/** One optimiser step of the policy on a gradient in the logits (keeps logits in sync). */
export function stepPolicy(state: PolicyState, gLogits: Float64Array): void {
  state.opt.step(state.params, state.model.backprop(gLogits));
  state.logits = Float64Array.from(state.model.logits(state.params));
}

/** Draw `perContext` responses for each listed context from the current policy. */
export function samplePolicy(
  rng: Rng,
  logits: Float64Array,
  shape: TableShape,
  contexts: ArrayLike<number>,
  perContext: number,
): { x: Int32Array; y: Int32Array; logp: Float64Array } {
  const logp = logSoftmaxRows(logits, shape);
  const p = logp.map(Math.exp);
  const n = contexts.length * perContext;
  const x = new Int32Array(n),
    y = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < contexts.length; i++)
    for (let j = 0; j < perContext; j++) {
      x[k] = contexts[i];
      y[k] = sampleCategorical(rng, p, contexts[i] * shape.nY, shape.nY);
      k++;
    }
  return { x, y, logp };
}
