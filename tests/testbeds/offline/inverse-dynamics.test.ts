import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { goalTask } from '../../../src/testbeds/offline/env/tasks';
import { behaviourPolicy, collectDataset } from '../../../src/testbeds/offline/data/dataset';
import { selectEpisodes } from '../../../src/testbeds/offline/data/episodes';
import { behaviourCloning } from '../../../src/testbeds/offline/methods/bc';
import {
  bcoLabel,
  behaviourCloningFromObservation,
  exactInverseDynamics,
  fitInverseDynamics,
  inverseDynamicsRow,
} from '../../../src/testbeds/offline/methods/inverse-dynamics';
import { PROTOCOL_DEFAULTS, type ProtocolTask } from '../../../src/testbeds/offline/protocol';
import * as bcoRecipe from '../../../src/testbeds/offline/protocol/recipes/bco';
import * as bcRecipe from '../../../src/testbeds/offline/protocol/recipes/bc';

const room = goalTask({ layout: 'open-room', size: 6, gamma: 0.9, slip: 0 });
const rooms = goalTask({ layout: 'four-rooms', size: 9, gamma: 0.95, slip: 0.1 });
const { nS, nA, T } = room.env;
const collect = (q: 'optimal' | 'random', episodes: number, seed: number) =>
  collectDataset(room, behaviourPolicy(room, { kind: q }), { episodes, horizon: 40, quality: q }, new Rng(seed));

/** Actions a with τ(s'|s, a) > 0. */
function actionsBetween(s: number, sp: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < nA; a++)
    for (let k = T.rowPtr[s * nA + a]; k < T.rowPtr[s * nA + a + 1]; k++)
      if (T.col[k] === sp && T.prob[k] > 0) out.push(a);
  return out;
}

describe('inverse dynamics', () => {
  it('recovers the true action wherever (s, s′) identifies it, on a deterministic room', () => {
    const data = collect('random', 80, 1);
    const idm = fitInverseDynamics(data);
    let identified = 0,
      ambiguous = 0;
    for (let i = 0; i < data.size; i++) {
      const acts = actionsBetween(data.s[i], data.sp[i]);
      const row = inverseDynamicsRow(idm, data.s[i], data.sp[i]);
      if (acts.length === 1) {
        identified++;
        expect(row[data.a[i]]).toBe(1);
        expect(acts[0]).toBe(data.a[i]);
      } else {
        // wall bumps in a corner: two actions leave s in place; the model spreads over exactly those
        ambiguous++;
        for (let a = 0; a < nA; a++) if (!acts.includes(a)) expect(row[a]).toBe(0);
      }
    }
    expect(identified).toBeGreaterThan(0.8 * data.size);
    expect(ambiguous).toBeGreaterThan(0);
  });

  it('the count model converges to the exact Bayes inverse dynamics of the behaviour (slippery world)', () => {
    const pi = behaviourPolicy(rooms, { kind: 'epsilon', epsilon: 0.5 });
    const data = collectDataset(rooms, pi, { episodes: 3000, horizon: 40, quality: 'e' }, new Rng(2));
    const fit = fitInverseDynamics(data);
    const exact = exactInverseDynamics(rooms.env, pi);
    const count = new Map<number, number>();
    for (let i = 0; i < data.size; i++) {
      const key = data.s[i] * rooms.env.nS + data.sp[i];
      count.set(key, (count.get(key) ?? 0) + 1);
    }
    let compared = 0;
    for (const [key, row] of fit.table) {
      const n = count.get(key)!;
      if (n < 200) continue;
      compared++;
      const ex = exact.table.get(key)!;
      // within 5 binomial standard errors of the exact posterior
      for (let a = 0; a < nA; a++)
        expect(Math.abs(row[a] - ex[a])).toBeLessThanOrEqual(5 * Math.sqrt((ex[a] * (1 - ex[a])) / n) + 1e-12);
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('population identity: Σ_{s′} P_π(s′|s) p(a|s, s′) = π(a|s) for the exact inverse dynamics of π', () => {
    const pi = behaviourPolicy(rooms, { kind: 'epsilon', epsilon: 0.3 });
    const env = rooms.env;
    const idm = exactInverseDynamics(env, pi);
    for (let s = 0; s < env.nS; s++) {
      const back = new Float64Array(env.nA);
      for (let a = 0; a < env.nA; a++)
        for (let k = env.T.rowPtr[s * env.nA + a]; k < env.T.rowPtr[s * env.nA + a + 1]; k++) {
          const row = inverseDynamicsRow(idm, s, env.T.col[k]);
          for (let b = 0; b < env.nA; b++) back[b] += pi[s * env.nA + a] * env.T.prob[k] * row[b];
        }
      for (let a = 0; a < env.nA; a++) expect(back[a]).toBeCloseTo(pi[s * env.nA + a], 12);
    }
  });
});

describe('behavioural cloning from observation', () => {
  it('with the true inverse dynamics, BCO on optimal demonstrations equals BC on the labelled data', () => {
    // optimal moves never bump a wall, so every (s, s′) names its action: the labels are the hidden actions
    const demo = collect('optimal', 40, 3);
    const trueIdm = exactInverseDynamics(room.env, new Float64Array(nS * nA).fill(1 / nA));
    const bco = behaviourCloningFromObservation(trueIdm, demo);
    for (let i = 0; i < demo.size; i++) expect(bco.labels[i * nA + demo.a[i]]).toBe(1);
    expect(Array.from(bco.policy)).toEqual(Array.from(behaviourCloning(demo).policy));
  });

  it('soft labels from a model fitted on the same data give BC exactly (Σ n(s,s′) n(s,a,s′)/n(s,s′) = n(s,a))', () => {
    const data = collectDataset(
      rooms,
      behaviourPolicy(rooms, { kind: 'random' }),
      {
        episodes: 20,
        horizon: 40,
        quality: 'r',
      },
      new Rng(4),
    );
    const bco = behaviourCloningFromObservation(fitInverseDynamics(data), data, 'soft');
    const bc = behaviourCloning(data).policy;
    for (let k = 0; k < bc.length; k++) expect(bco.policy[k]).toBeCloseTo(bc[k], 12);
  });

  it('argmax labels share ties; the protocol recipe matches BC on optimal data in the deterministic room', () => {
    expect(Array.from(bcoLabel(Float64Array.from([0.4, 0.4, 0.2, 0]), 'argmax'))).toEqual([0.5, 0.5, 0, 0]);
    const cfg = { ...PROTOCOL_DEFAULTS, tasks: ['open-room:optimal'] as ProtocolTask[] };
    // exploration covers every move the demonstrations make, each identified: BCO's labels are the hidden actions
    expect(bcoRecipe.run(cfg, 1).metrics['bco/score@open-room:optimal']).toBeCloseTo(
      bcRecipe.run(cfg, 1).metrics['bc/score@open-room:optimal'],
      12,
    );
  });

  it('names bad inputs', () => {
    const data = collect('random', 3, 1);
    const empty = selectEpisodes(data, [false, false, false], 'none');
    expect(() => fitInverseDynamics(empty)).toThrow(/dataset is empty/);
    const idm = fitInverseDynamics(data);
    expect(() => inverseDynamicsRow(idm, -1, 0)).toThrow(/not a pair of states/);
    expect(() => bcoLabel(new Float64Array(4), 'max' as 'soft')).toThrow(/labels must be 'argmax' or 'soft'/);
    expect(() => exactInverseDynamics(room.env, new Float64Array(3))).toThrow(/behaviour must have length/);
    const other = collectDataset(
      rooms,
      behaviourPolicy(rooms, { kind: 'random' }),
      {
        episodes: 2,
        horizon: 5,
        quality: 'r',
      },
      new Rng(1),
    );
    expect(() => behaviourCloningFromObservation(idm, other)).toThrow(/observations are/);
  });
});
