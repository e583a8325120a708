/**
 * The symbolic gridworld kit: its exported MDP against its simulator (two code paths), against breadth-first
 * search on the structured state, and against hand-computed numbers; the noisy TV; the local-view observation
 * function; map parse errors.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { validateEnv } from '../../../src/testbeds/tabular/env/mdp';
import {
  exportSymbolicMdp,
  makeSymbolicGrid,
  parseSymbolicMap,
  renderSymbolicGrid,
  stepSymbolicGrid,
  symbolicDenseReward,
  symbolicPreset,
  symbolicStartState,
  SYMBOLIC_CELL,
  SYMBOLIC_PRESETS,
  type SymbolicGrid,
  type SymbolicMdp,
  type SymbolicPresetName,
  type SymbolicState,
} from '../../../src/testbeds/tabular/env/symbolic-grid';
import { makeSymbolicPomdp } from '../../../src/testbeds/tabular/env/symbolic-grid-pomdp';
import { expectedReward, valueIteration } from '../../../src/testbeds/tabular/solvers/exact';

const PRESETS = Object.keys(SYMBOLIC_PRESETS) as SymbolicPresetName[];
const UP = 0,
  RIGHT = 3,
  STAY = 4,
  OPEN = 5;

interface Comparison {
  /** Largest |count − N p| / sqrt(N p (1 − p)) over entries with 0 < p < 1. */
  maxZ: number;
  /** Pooled Pearson χ² over every stochastic row, and its degrees of freedom. */
  chi2: number;
  df: number;
  /** Simulated successors that are missing from the exported support (or not exported at all). */
  outsideSupport: number;
  /** Simulated steps whose reward differs from the exported entry's reward. */
  rewardMismatch: number;
  /** Simulated steps whose terminal flag differs from the exported terminal flag of the successor. */
  terminalMismatch: number;
}

/** Sample every (s, a) of the export `n` times with the simulator and compare with the exported row. */
function compareWithSimulator(mdp: SymbolicMdp, n: number, rng: Rng): Comparison {
  const { nS, nA, T } = mdp;
  const c: Comparison = { maxZ: 0, chi2: 0, df: 0, outsideSupport: 0, rewardMismatch: 0, terminalMismatch: 0 };
  for (let s = 0; s < nS; s++) {
    const state = mdp.stateOf(s);
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      const lo = T.rowPtr[r],
        hi = T.rowPtr[r + 1];
      const counts = new Float64Array(hi - lo);
      for (let i = 0; i < n; i++) {
        const step = stepSymbolicGrid(mdp.world, state, a, rng);
        const sp = mdp.indexOf(step.state);
        let k = lo;
        while (k < hi && T.col[k] !== sp) k++;
        if (sp < 0 || k === hi) {
          c.outsideSupport++;
          continue;
        }
        counts[k - lo]++;
        if (Math.abs(step.reward - mdp.entryReward[k]) > 1e-12) c.rewardMismatch++;
        if (step.terminal !== (mdp.terminal[sp] === 1)) c.terminalMismatch++;
      }
      if (hi - lo > 1) c.df += hi - lo - 1;
      for (let k = lo; k < hi; k++) {
        const p = T.prob[k];
        const e = n * p;
        if (p > 0 && p < 1) {
          c.maxZ = Math.max(c.maxZ, Math.abs(counts[k - lo] - e) / Math.sqrt(e * (1 - p)));
          c.chi2 += (counts[k - lo] - e) ** 2 / e;
        }
      }
    }
  }
  return c;
}

/**
 * The bound a correct export passes: every entry within 5.5 binomial standard deviations (two-sided tail
 * ≈ 4e-8 per entry under the normal approximation, so < 1e-3 over the ~10⁴ stochastic entries here), and the
 * pooled χ² below df + 6·sqrt(2 df) (χ²_df has mean df and standard deviation sqrt(2 df)).
 */
function passes(c: Comparison): boolean {
  return (
    c.maxZ < 5.5 &&
    c.chi2 < c.df + 6 * Math.sqrt(2 * c.df) &&
    c.outsideSupport === 0 &&
    c.rewardMismatch === 0 &&
    c.terminalMismatch === 0
  );
}

/** Lava wall with a gap at the bottom, the goal behind it. */
const LAVA_MAP = ['#######', '#S.L..#', '#..L.G#', '#.....#', '#######'].join('\n');

const keyOf = (x: SymbolicState) => `${x.pos},${x.keys},${x.doors},${x.landmarks}`;

/**
 * Breadth-first search on the structured state with the simulator (slip 0), the TV channel dropped from the node
 * (it changes nothing else): the fewest steps from every reachable node to a goal trap, and the nodes reached.
 */
function bfsToGoal(world: SymbolicGrid): Map<string, number> {
  const rng = new Rng(7);
  const start = symbolicStartState(world);
  const nodes = new Map<string, SymbolicState>([[keyOf(start), start]]);
  const preds = new Map<string, string[]>();
  const goals: string[] = [];
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i];
    for (let a = 0; a < 6; a++) {
      const step = stepSymbolicGrid(world, u, a, rng);
      const v = { ...step.state, tv: 0 };
      const kv = keyOf(v);
      if (kv === keyOf(u)) continue;
      if (!preds.has(kv)) preds.set(kv, []);
      (preds.get(kv) as string[]).push(keyOf(u));
      if (!nodes.has(kv)) {
        nodes.set(kv, v);
        queue.push(v);
        if (step.terminal && world.map.kind[v.pos] === SYMBOLIC_CELL.goal) goals.push(kv);
      }
    }
  }
  const dist = new Map<string, number>();
  for (const g of goals) dist.set(g, 0);
  const q = [...goals];
  for (let i = 0; i < q.length; i++)
    for (const p of preds.get(q[i]) ?? [])
      if (!dist.has(p)) {
        dist.set(p, (dist.get(q[i]) as number) + 1);
        q.push(p);
      }
  for (const k of nodes.keys()) if (!dist.has(k)) dist.set(k, -1);
  return dist;
}

describe('symbolic grid: the exported MDP', () => {
  it('is a valid stochastic matrix; terminal rows absorb with reward 0; r̄ = Σ τ R', () => {
    for (const name of PRESETS) {
      const mdp = exportSymbolicMdp(symbolicPreset(name, { slip: 0.2, stepCost: 0.1, landmarkReward: 0.5 }));
      expect(() => validateEnv(mdp)).not.toThrow();
      expect(mdp.init[mdp.start]).toBe(1);
      const { nS, nA, T } = mdp;
      for (let s = 0; s < nS; s++) {
        for (let a = 0; a < nA; a++) {
          const r = s * nA + a;
          let sum = 0;
          for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) sum += T.prob[k];
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
          if (mdp.terminal[s]) {
            expect(T.rowPtr[r + 1] - T.rowPtr[r]).toBe(1);
            expect(T.col[T.rowPtr[r]]).toBe(s);
            expect(mdp.entryReward[T.rowPtr[r]]).toBe(0);
          }
        }
        // decode ∘ encode is the identity
        expect(mdp.indexOf(mdp.stateOf(s))).toBe(s);
      }
      if (nS < 120) {
        const rbar = expectedReward(mdp, symbolicDenseReward(mdp));
        for (let i = 0; i < nS * nA; i++) expect(rbar[i]).toBeCloseTo(mdp.reward[i], 12);
      }
    }
  });

  it('has the hand-counted states of the key-door room: 11 + 12 + 25 = 48', () => {
    // Left room 12 cells (one holds the key), right room 12, the door 1. Without the key: 11 cells (entering the
    // key cell picks it up); with the key, door closed: the 12 left cells; door open: 12 + 1 + 12.
    const mdp = exportSymbolicMdp(symbolicPreset('key-door-room'));
    expect(mdp.nS).toBe(48);
    let noKey = 0,
      keyClosed = 0,
      open = 0;
    for (let s = 0; s < mdp.nS; s++) {
      if (mdp.keys[s] === 0) noKey++;
      else if (mdp.doors[s] === 0) keyClosed++;
      else open++;
    }
    expect([noKey, keyClosed, open]).toEqual([11, 12, 25]);
  });

  it('agrees with simulated transition frequencies on every preset (slip 0.2, 1500 samples per (s, a))', () => {
    const rng = new Rng(2024);
    for (const name of PRESETS) {
      const world = symbolicPreset(name, { slip: 0.2, stepCost: 0.1, landmarkReward: 0.5, tvChannels: 3 });
      const c = compareWithSimulator(exportSymbolicMdp(world), 1500, rng.split(name));
      expect(c.outsideSupport, name).toBe(0);
      expect(c.rewardMismatch, name).toBe(0);
      expect(c.terminalMismatch, name).toBe(0);
      expect(c.maxZ, name).toBeLessThan(5.5);
      expect(c.chi2, name).toBeLessThan(c.df + 6 * Math.sqrt(2 * c.df));
    }
    // Lava, and traps that keep paying ('continuing'), on a small map.
    for (const traps of ['terminal', 'continuing'] as const) {
      const world = makeSymbolicGrid(LAVA_MAP, { slip: 0.2, stepCost: 0.1, lavaReward: -2, traps });
      const c = compareWithSimulator(exportSymbolicMdp(world), 1500, rng.split(traps));
      expect(passes(c), `lava map, ${traps}: ${JSON.stringify(c)}`).toBe(true);
    }
  });

  it('slips as the gridworld kit does: a hand-computed row (slip 0.3, right from the key-door room start)', () => {
    // Executed action uniform over 6 with probability 0.3: right 0.7 + 0.05; down 0.05; up (wall), left (wall),
    // stay and open (no door beside) keep the agent in place: 4 × 0.05.
    const world = symbolicPreset('key-door-room', { slip: 0.3 });
    const mdp = exportSymbolicMdp(world);
    const W = world.map.width;
    const at = (pos: number) => mdp.indexOf({ pos, keys: 0, doors: 0, landmarks: 0, tv: 0 });
    const start = world.map.start;
    const want = new Map([
      [at(start), 0.2],
      [at(start + 1), 0.75],
      [at(start + W), 0.05],
    ]);
    const r = mdp.start * mdp.nA + RIGHT;
    expect(mdp.T.rowPtr[r + 1] - mdp.T.rowPtr[r]).toBe(3);
    for (let k = mdp.T.rowPtr[r]; k < mdp.T.rowPtr[r + 1]; k++)
      expect(mdp.T.prob[k]).toBeCloseTo(want.get(mdp.T.col[k]) as number, 14);
  });

  it("continuing traps absorb and keep paying (goal − stepCost each step), as gridworld.ts's 'continuing'", () => {
    const gamma = 0.9;
    const world = makeSymbolicGrid(LAVA_MAP, { traps: 'continuing', stepCost: 0.1, lavaReward: -2, gamma });
    const mdp = exportSymbolicMdp(world);
    expect(mdp.terminal.every((x) => x === 0)).toBe(true);
    const { V } = valueIteration(mdp, mdp.reward, { tol: 1e-11 });
    let traps = 0;
    for (let s = 0; s < mdp.nS; s++) {
      if (!mdp.trap[s]) continue;
      traps++;
      const pay = world.map.kind[mdp.pos[s]] === SYMBOLIC_CELL.goal ? 1 : -2;
      expect(V[s]).toBeCloseTo((pay - 0.1) / (1 - gamma), 8);
      for (let a = 0; a < mdp.nA; a++) expect(mdp.T.col[mdp.T.rowPtr[s * mdp.nA + a]]).toBe(s);
    }
    expect(traps).toBe(3); // two lava cells and the goal
  });

  it('the comparison has power: it rejects an export with slightly wrong probabilities or rewards', () => {
    const world = symbolicPreset('key-door-room', { slip: 0.2 });
    const good = exportSymbolicMdp(world);
    expect(passes(compareWithSimulator(good, 600, new Rng(1)))).toBe(true);
    // Move 0.03 of probability from the first to the last successor of every stochastic row.
    const prob = Float64Array.from(good.T.prob);
    for (let r = 0; r < good.nS * good.nA; r++) {
      const lo = good.T.rowPtr[r],
        hi = good.T.rowPtr[r + 1];
      if (hi - lo > 1 && prob[lo] > 0.03) {
        prob[lo] -= 0.03;
        prob[hi - 1] += 0.03;
      }
    }
    const badProb: SymbolicMdp = { ...good, T: { ...good.T, prob } };
    expect(passes(compareWithSimulator(badProb, 600, new Rng(1)))).toBe(false);
    const entryReward = Float64Array.from(good.entryReward);
    entryReward[entryReward.length >> 1] += 0.5;
    const badReward: SymbolicMdp = { ...good, entryReward };
    expect(compareWithSimulator(badReward, 600, new Rng(1)).rewardMismatch).toBeGreaterThan(0);
  });
});

describe('symbolic grid: optimal values', () => {
  const gamma = 0.95,
    c = 0.1,
    g = 1;
  /** Return of reaching the goal in d steps: −c(1 − γ^d)/(1 − γ) + γ^(d−1) g. */
  const valueOfDistance = (d: number) => (-c * (1 - gamma ** d)) / (1 - gamma) + gamma ** (d - 1) * g;

  it('value iteration on the export equals the BFS shortest-path return on every preset and a lava map', () => {
    const worlds: [string, SymbolicGrid][] = PRESETS.map((n) => [
      n,
      symbolicPreset(n, { gamma, stepCost: c, goalReward: g }),
    ]);
    worlds.push(['lava', makeSymbolicGrid(LAVA_MAP, { gamma, stepCost: c, goalReward: g, lavaReward: -1 })]);
    for (const [name, world] of worlds) {
      const mdp = exportSymbolicMdp(world);
      const dist = bfsToGoal(world);
      // The BFS on the simulator reaches exactly the exported states (channel dropped).
      const exported = new Set<string>();
      for (let s = 0; s < mdp.nS; s++) exported.add(keyOf(mdp.stateOf(s)));
      expect(new Set(dist.keys()), name).toEqual(exported);
      const { V } = valueIteration(mdp, mdp.reward, { tol: 1e-10 });
      for (let s = 0; s < mdp.nS; s++) {
        const d = dist.get(keyOf(mdp.stateOf(s))) as number;
        if (mdp.trap[s]) expect(V[s], `${name} s=${s}`).toBe(0);
        else {
          expect(d, `${name}: every non-trap state can reach the goal`).toBeGreaterThan(0);
          expect(V[s], `${name} s=${s} d=${d}`).toBeCloseTo(valueOfDistance(d), 8);
        }
      }
      if (name in SYMBOLIC_PRESETS)
        expect(dist.get(keyOf(symbolicStartState(world))), name).toBe(
          SYMBOLIC_PRESETS[name as SymbolicPresetName].shortestPath,
        );
    }
  });

  it('key-door room, hand count: V*(start) = γ^7 with goal reward 1 (3 to the key, 1, open, door, 2 to goal)', () => {
    const mdp = exportSymbolicMdp(symbolicPreset('key-door-room', { gamma: 0.9 }));
    const { V } = valueIteration(mdp, mdp.reward, { tol: 1e-12 });
    expect(V[mdp.start]).toBeCloseTo(0.9 ** 7, 10);
  });

  it('doors: closed doors block, open needs the key and a neighbouring door', () => {
    const world = symbolicPreset('key-door-room');
    const W = world.map.width;
    const rng = new Rng(3);
    const beside = 3 * W + 3; // left of the door
    const noKey = { pos: beside, keys: 0, doors: 0, landmarks: 0, tv: 0 };
    expect(stepSymbolicGrid(world, noKey, OPEN, rng).state).toEqual(noKey);
    expect(stepSymbolicGrid(world, noKey, RIGHT, rng).state).toEqual(noKey);
    const withKey = { ...noKey, keys: 1 };
    expect(stepSymbolicGrid(world, withKey, RIGHT, rng).state).toEqual(withKey);
    const opened = stepSymbolicGrid(world, withKey, OPEN, rng).state;
    expect(opened.doors).toBe(1);
    expect(stepSymbolicGrid(world, opened, RIGHT, rng).state.pos).toBe(beside + 1);
    // `open` from a cell with no door beside it changes nothing.
    const far = { ...withKey, pos: 1 * W + 1 };
    expect(stepSymbolicGrid(world, far, OPEN, rng).state).toEqual(far);
    expect(stepSymbolicGrid(world, far, UP, rng).state).toEqual(far);
  });
});

describe('symbolic grid: the noisy TV', () => {
  const C = 5;
  const world = symbolicPreset('noisy-tv-room', { tvChannels: C });
  const mdp = exportSymbolicMdp(world);
  const tvCell = world.map.tvCells[0];

  it('exports a uniform, reward-free channel: C successors of 1/C, equal rewards, equal values', () => {
    const { T, nA } = mdp;
    let onTv = 0;
    for (let s = 0; s < mdp.nS; s++) {
      expect(mdp.tv[s] > 0).toBe(mdp.pos[s] === tvCell);
      if (mdp.pos[s] !== tvCell) continue;
      onTv++;
      const r = s * nA + STAY;
      expect(T.rowPtr[r + 1] - T.rowPtr[r]).toBe(C);
      const channels: number[] = [];
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) {
        expect(T.prob[k]).toBeCloseTo(1 / C, 14);
        expect(mdp.pos[T.col[k]]).toBe(tvCell);
        expect(mdp.entryReward[k]).toBe(0);
        channels.push(mdp.tv[T.col[k]]);
      }
      expect(channels.sort()).toEqual([1, 2, 3, 4, 5]);
    }
    expect(onTv).toBe(C);
    // Entries of one row that differ only in the channel pay the same reward (the channel is reward-irrelevant).
    const withCost = exportSymbolicMdp(symbolicPreset('noisy-tv-room', { tvChannels: C, stepCost: 0.3, slip: 0.3 }));
    for (let r = 0; r < withCost.nS * withCost.nA; r++) {
      const seen = new Map<number, number>();
      for (let k = withCost.T.rowPtr[r]; k < withCost.T.rowPtr[r + 1]; k++) {
        const sp = withCost.T.col[k];
        const prev = seen.get(withCost.pos[sp]);
        if (prev !== undefined) expect(withCost.entryReward[k]).toBe(prev);
        seen.set(withCost.pos[sp], withCost.entryReward[k]);
      }
    }
    // V* is the same on every channel, and the same as in the room with the TV replaced by floor.
    const { V } = valueIteration(withCost, withCost.reward, { tol: 1e-11 });
    const tvValues: number[] = [];
    for (let s = 0; s < withCost.nS; s++) if (withCost.tv[s] > 0) tvValues.push(V[s]);
    expect(Math.max(...tvValues) - Math.min(...tvValues)).toBeLessThan(1e-9);
    const plain = exportSymbolicMdp(
      makeSymbolicGrid(SYMBOLIC_PRESETS['noisy-tv-room'].map.replace('T', '.'), { stepCost: 0.3, slip: 0.3 }),
    );
    const Vp = valueIteration(plain, plain.reward, { tol: 1e-11 }).V;
    expect(V[withCost.start]).toBeCloseTo(Vp[plain.start], 8);
    expect(Vp[plain.indexOf({ pos: tvCell, keys: 0, doors: 0, landmarks: 0, tv: 0 })]).toBeCloseTo(tvValues[0], 8);
  });

  it('simulates a uniform channel (χ² over 20,000 stays, df = 4, below the 99.9% quantile 18.47)', () => {
    const rng = new Rng(11);
    const counts = new Float64Array(C + 1);
    let state: SymbolicState = { pos: tvCell, keys: 0, doors: 0, landmarks: 0, tv: 1 };
    const n = 20000;
    let rewardSum = 0;
    for (let i = 0; i < n; i++) {
      const step = stepSymbolicGrid(world, state, STAY, rng);
      rewardSum += Math.abs(step.reward);
      state = step.state;
      counts[state.tv]++;
    }
    expect(rewardSum).toBe(0);
    expect(counts[0]).toBe(0);
    let chi2 = 0;
    for (let ch = 1; ch <= C; ch++) chi2 += (counts[ch] - n / C) ** 2 / (n / C);
    expect(chi2).toBeLessThan(18.47);
    // Leaving the TV switches it off.
    expect(stepSymbolicGrid(world, state, UP, rng).state.tv).toBe(0);
  });
});

describe('symbolic grid: the local-view POMDP', () => {
  it('aliases exactly the hand-listed states of a corridor with a key (3×3 view)', () => {
    // Columns 1..7: S . . a . . G. Without the key: columns 1, 2, 3 (entering 4 picks the key up).
    const world = makeSymbolicGrid(['#########', '#S..a..G#', '#########']);
    const mdp = exportSymbolicMdp(world);
    const pomdp = makeSymbolicPomdp(mdp, { view: 3 });
    const W = world.map.width;
    const label = (s: number) => `${mdp.pos[s] % W}${mdp.keys[s] ? 'k' : ''}`;
    const labels = Array.from({ length: mdp.nS }, (_, s) => label(s)).sort();
    expect(labels).toEqual(['1', '1k', '2', '2k', '3', '3k', '4k', '5k', '6k', '7k']);
    // Hand partition: with the key the picked-up key cell reads as floor, so columns 2–5 all see '...' between
    // walls; column 1 sees the west wall; 6 sees the goal; 7 stands on it. Without the key, 3 sees the key and
    // 2 sees floor but differs from 2k by the inventory.
    const groups = [['1'], ['2'], ['3'], ['1k'], ['2k', '3k', '4k', '5k'], ['6k'], ['7k']];
    const groupOf = new Map<string, number>();
    groups.forEach((gr, i) => gr.forEach((l) => groupOf.set(l, i)));
    for (let s = 0; s < mdp.nS; s++)
      for (let t = 0; t < mdp.nS; t++)
        expect(pomdp.obsOf[s] === pomdp.obsOf[t], `${label(s)} vs ${label(t)}`).toBe(
          groupOf.get(label(s)) === groupOf.get(label(t)),
        );
    expect(pomdp.nObs).toBe(7);
    expect(pomdp.aliasing).toMatchObject({ aliasedObs: 1, aliasedStates: 4, maxStatesPerObs: 4 });
    expect(pomdp.obsKey[pomdp.obsOf[mdp.start]]).toBe('###/#../###|0|0');
  });

  it('is north-up (allocentric), shows the TV channel, and a larger view aliases less', () => {
    const mdp = exportSymbolicMdp(symbolicPreset('four-rooms-tv'));
    const p3 = makeSymbolicPomdp(mdp, { view: 3 });
    const p5 = makeSymbolicPomdp(mdp, { view: 5 });
    expect(p3.obsKey[p3.obsOf[mdp.start]]).toBe('###/#../#..|0|0');
    expect(p5.aliasing.aliasedStates).toBeLessThan(p3.aliasing.aliasedStates);
    // The C channel states on the TV get C distinct observations.
    const tvObs = new Set<number>();
    for (let s = 0; s < mdp.nS; s++) if (mdp.tv[s] > 0) tvObs.add(p3.obsOf[s]);
    expect(tvObs.size).toBe(4);
    expect(() => makeSymbolicPomdp(mdp, { view: 4 })).toThrow(/odd positive integer/);
  });
});

describe('symbolic grid: maps, options and rendering', () => {
  const parseError = (rows: string[]) => {
    try {
      parseSymbolicMap(rows);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('names the line, column and remedy of every parse error', () => {
    expect(parseError(['#####', '#S.x#', '#####'])).toMatch(/line 2, column 4: unknown glyph 'x' \(use '#' wall/);
    expect(parseError(['#####', '#S.#', '#####'])).toMatch(/line 2: 4 columns, but line 1 has 5 \(make every row/);
    expect(parseError(['#####', '#...#', '#####'])).toMatch(/no start 'S'; mark exactly one floor cell/);
    expect(parseError(['#####', '#S.S#', '#####'])).toMatch(
      /line 2, column 4: a second start 'S' \(the first is at line 2, column 2\); keep exactly one/,
    );
    expect(parseError(['#####', '#SaA#', '#.a.#'])).toMatch(/line 3, column 3: a second key 'a' .* one key per colour/);
    expect(parseError(['#####', '#S.B#', '#####'])).toMatch(/line 2, column 4: door 'B' has no key 'b' .* add the key/);
    expect(parseError(['#####', '#S01#', '#.3.#'])).toMatch(/line 3, column 3: landmark '3' but no landmark '2'/);
    expect(parseError(['#####', '#S00#', '#####'])).toMatch(/line 2, column 4: landmark '0' appears twice/);
    expect(parseError([])).toMatch(/the map is empty/);
    expect(() => makeSymbolicGrid('S.G', { slip: 1.5 })).toThrow(/option slip = 1.5 is invalid; use a probability/);
    expect(() => makeSymbolicGrid('S.G', { tvChannels: 0 })).toThrow(/option tvChannels = 0/);
  });

  it('accepts indented template-literal maps; renders maps back to the same map', () => {
    const indented = parseSymbolicMap(`
      #####
      #S.G#
      #####
    `);
    expect(indented).toEqual(parseSymbolicMap(['#####', '#S.G#', '#####']));
    for (const name of PRESETS) {
      const world = symbolicPreset(name);
      expect(renderSymbolicGrid(world)).toBe(SYMBOLIC_PRESETS[name].map);
      expect(parseSymbolicMap(renderSymbolicGrid(world))).toEqual(world.map);
    }
    const world = symbolicPreset('key-door-room');
    const W = world.map.width;
    const pic = renderSymbolicGrid(world, { pos: 3 * W + 3, keys: 1, doors: 1, landmarks: 0, tv: 0 });
    expect(pic.split('\n')[3]).toBe('#..@/.G.#');
    expect(pic.split('\n')[6]).toBe('keys: a · doors open: 1/1 · landmarks: - · tv: off');
  });
});
