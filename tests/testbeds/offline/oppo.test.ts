import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { lavaGridworld, ORIGINAL_7X7 } from '../../../src/testbeds/offline/env/lava-grid';
import { behaviourPolicy, collectDataset } from '../../../src/testbeds/offline/data/dataset';
import { episodeOffsets } from '../../../src/testbeds/offline/data/episodes';
import { concatDatasets } from '../../../src/testbeds/offline/data/imitation';
import { datasetEpisodeReturns, scriptedEpisodePairs } from '../../../src/testbeds/offline/data/trajectory-preferences';
import {
  contextPreferenceAccuracy,
  himLoss,
  newOppoModel,
  oppo,
  oppoEmbed,
  oppoPolicy,
  tripletTerm,
} from '../../../src/testbeds/offline/methods/oppo';
import {
  episodeCounts,
  fitTrajectoryBtReward,
  normaliseByReturnRange,
  relabelWithReward,
} from '../../../src/testbeds/offline/methods/trajectory-bt-reward';

const mdp = lavaGridworld({ ...ORIGINAL_7X7, slip: 0.1 });
const data = collectDataset(
  mdp,
  behaviourPolicy(mdp, { kind: 'random' }),
  { episodes: 40, horizon: 12, quality: 'random' },
  new Rng(3),
);
const off = episodeOffsets(data);

describe('OPPO losses', () => {
  it('L_HIM: the analytic gradient matches central finite differences', () => {
    const m = newOppoModel(data.nS, data.nA, 3, 0.7, new Rng(1));
    const r = new Rng(2);
    for (let k = m.theta.length - data.nS * data.nA * 3; k < m.theta.length; k++) m.theta[k] = r.normal(0, 0.5);
    for (let k = data.nS * data.nA * 3; k < data.nS * data.nA * 4; k++) m.theta[k] = r.normal(0, 0.5);
    const eps = [0, 3, 7, 11];
    const g = new Float64Array(m.theta.length);
    himLoss(m, data, off, eps, g);
    const h = 1e-6;
    let checked = 0;
    for (let k = 0; k < m.theta.length; k++) {
      if (g[k] === 0 && k % 17 !== 0) continue;
      const x = m.theta[k];
      m.theta[k] = x + h;
      const up = himLoss(m, data, off, eps);
      m.theta[k] = x - h;
      const dn = himLoss(m, data, off, eps);
      m.theta[k] = x;
      expect(g[k]).toBeCloseTo((up - dn) / (2 * h), 6);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('the triplet term: gradients match finite differences, and it is zero once the margin is met', () => {
    const r = new Rng(5);
    const a = r.normals(4),
      p = r.normals(4),
      n = r.normals(4);
    const margin = 5; // active
    const ga = new Float64Array(4),
      gp = new Float64Array(4),
      gn = new Float64Array(4);
    tripletTerm(a, p, n, margin, 1, ga, gp, gn);
    const h = 1e-6;
    for (const [v, g] of [
      [a, ga],
      [p, gp],
      [n, gn],
    ] as const)
      for (let k = 0; k < 4; k++) {
        const x = v[k];
        v[k] = x + h;
        const up = tripletTerm(a, p, n, margin);
        v[k] = x - h;
        const dn = tripletTerm(a, p, n, margin);
        v[k] = x;
        expect(g[k]).toBeCloseTo((up - dn) / (2 * h), 6);
      }
    // anchor at the positive, negative far away: inactive
    expect(tripletTerm([0, 0], [0, 0], [10, 0], 1)).toBe(0);
    // d(a, p) − d(a, n) + m exactly
    expect(tripletTerm([0, 0], [3, 0], [1, 0], 1)).toBeCloseTo(3 - 1 + 1, 5);
  });

  it('the context policy is a distribution at every state; z* accuracy flips with the labels', () => {
    const m = newOppoModel(data.nS, data.nA, 3, 0.7, new Rng(1));
    const pi = oppoPolicy(m, [0.3, -1, 2]);
    for (let s = 0; s < data.nS; s++) {
      let sum = 0;
      for (let a = 0; a < data.nA; a++) sum += pi[s * data.nA + a];
      expect(sum).toBeCloseTo(1, 12);
    }
    const G = datasetEpisodeReturns(data, off);
    const pairs = scriptedEpisodePairs(G, 60, new Rng(9));
    const flipped = { ...pairs, label: pairs.label.map((p) => 1 - p) };
    const z = Float64Array.from([0.1, 0.2, -0.3]);
    const acc = contextPreferenceAccuracy(m, data, off, pairs, z);
    expect(acc + contextPreferenceAccuracy(m, data, off, flipped, z)).toBeCloseTo(1, 12);
  });

  it('training lowers L_PT and z* ranks held-out pairs better than chance on a two-behaviour mixture', () => {
    const good = collectDataset(
      mdp,
      behaviourPolicy(mdp, { kind: 'epsilon', epsilon: 0.2 }),
      { episodes: 60, horizon: 12, quality: 'good' },
      new Rng(4),
    );

    const mix = concatDatasets([good, data], 'mix');
    const o2 = episodeOffsets(mix);
    const G = datasetEpisodeReturns(mix, o2);
    const pairs = scriptedEpisodePairs(G, 150, new Rng(10));
    const test = scriptedEpisodePairs(G, 300, new Rng(11));
    const opts = {
      dim: 4,
      steps: 300,
      batch: 16,
      lr: 0.01,
      zLr: 0.01,
      margin: 1,
      prefWeight: 0.1,
      normWeight: 0.1,
      initScale: 0.5,
      zInitScale: 2,
    };
    const res = oppo(mix, pairs, opts, new Rng(12), 10);
    expect(res.triplet[res.triplet.length - 1]).toBeLessThan(res.triplet[0]);
    expect(res.him[res.him.length - 1]).toBeLessThan(res.him[0]);
    expect(contextPreferenceAccuracy(res.model, mix, o2, test, res.zStar)).toBeGreaterThan(0.7);
    expect(oppoEmbed(res.model, mix, o2[0], o2[1]).length).toBe(4);
  });
});

describe('scripted labels and the Bradley–Terry trajectory reward', () => {
  it('labels follow the true returns; pairs are of distinct episodes', () => {
    const G = datasetEpisodeReturns(data, off);
    let total = 0;
    for (let t = 0; t < data.size; t++) total += data.r[t];
    expect(G.reduce((u, x) => u + x, 0)).toBeCloseTo(total, 10);
    const pairs = scriptedEpisodePairs(G, 200, new Rng(7));
    for (let k = 0; k < pairs.n; k++) {
      expect(pairs.i[k]).not.toBe(pairs.j[k]);
      const d = G[pairs.i[k]] - G[pairs.j[k]];
      expect(pairs.label[k]).toBe(d > 1e-9 ? 1 : d < -1e-9 ? 0 : 0.5);
    }
  });

  it('counts sum to episode lengths; relabelled returns span exactly the stated range', () => {
    const C = episodeCounts(data, off);
    const d = data.nS * data.nA;
    for (let e = 0; e + 1 < off.length; e++) {
      let s = 0;
      for (let x = 0; x < d; x++) s += C[e * d + x];
      expect(s).toBe(off[e + 1] - off[e]);
    }
    const G = datasetEpisodeReturns(data, off);
    const pairs = scriptedEpisodePairs(G, 300, new Rng(8));
    const bt = fitTrajectoryBtReward(data, pairs, 1e-3);
    expect(bt.converged).toBe(true);
    const re = relabelWithReward(data, bt.reward, 'x', 1000);
    const Gh = datasetEpisodeReturns(re, off);
    expect(Math.max(...Gh) - Math.min(...Gh)).toBeCloseTo(1000, 8);
    const rt = normaliseByReturnRange(data, data.r, 1);
    const Gt = datasetEpisodeReturns({ ...data, r: rt }, off);
    expect(Math.max(...Gt) - Math.min(...Gt)).toBeCloseTo(1, 12);
    // the learned return orders most training pairs as labelled
    let right = 0,
      n = 0;
    for (let k = 0; k < pairs.n; k++) {
      if (pairs.label[k] === 0.5) continue;
      n++;
      if ((Gh[pairs.i[k]] - Gh[pairs.j[k]]) * (pairs.label[k] === 1 ? 1 : -1) > 0) right++;
    }
    expect(right / n).toBeGreaterThan(0.9);
  });
});
