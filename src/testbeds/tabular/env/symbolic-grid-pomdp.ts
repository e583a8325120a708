/**
 * The local-view POMDP of a symbolic gridworld (`./symbolic-grid`): the agent sees the k×k window of cells
 * centred on itself (k odd) and its inventory (keys held), and, while it stands on a TV, the TV's channel.
 *
 * The window is allocentric: centred on the agent but always north-up (the agent has no heading, so there is no
 * egocentric rotation). Cells off the map read as walls. Each cell shows what is there now, as the renderer's
 * glyphs: '#' wall, '.' floor (also the start cell and a picked-up key), 'G' goal, 'L' lava, 'T' TV, 'a'–'f' a key
 * still on the map, 'A'–'F' a closed door, '/' an opened door, '0'–'9' a landmark (visited or not: the view does
 * not show which). The agent's own cell shows the cell under it. Not observed: the agent's absolute position, the
 * doors and landmarks out of view, which landmarks were visited.
 *
 * Import path (not re-exported from the testbed index):
 *   import { makeSymbolicPomdp } from '<src>/testbeds/tabular/env/symbolic-grid-pomdp';
 */
import { SYMBOLIC_CELL, type SymbolicGrid, type SymbolicMdp, type SymbolicState } from './symbolic-grid';

/** The observation function of an exported symbolic MDP. */
export interface SymbolicPomdp {
  readonly mdp: SymbolicMdp;
  /** Side k of the view window (odd). */
  readonly view: number;
  /** Observation id of each state (ids in order of first appearance over states 0, 1, …). */
  readonly obsOf: Int32Array;
  readonly nObs: number;
  /** A readable key of each observation: the k rows of the window joined by '/', then `|keys|tv`. */
  readonly obsKey: readonly string[];
  /** Number of states with each observation. */
  readonly statesPerObs: Int32Array;
  readonly aliasing: SymbolicAliasing;
}

/** How much the observation function aliases states. */
export interface SymbolicAliasing {
  /** Observations shared by at least two states. */
  readonly aliasedObs: number;
  /** States whose observation is shared with another state. */
  readonly aliasedStates: number;
  /** aliasedStates / nS. */
  readonly aliasedFraction: number;
  /** Largest number of states with one observation. */
  readonly maxStatesPerObs: number;
  /** nS / nObs. */
  readonly meanStatesPerObs: number;
}

/** The k×k window around the state's position, row-major, as one glyph per cell (see the file header). */
export function symbolicLocalView(world: SymbolicGrid, state: SymbolicState, view: number): string[] {
  if (!(Number.isInteger(view) && view >= 1 && view % 2 === 1))
    throw new RangeError(`symbolicLocalView: view must be an odd positive integer (1, 3, 5, …), got ${view}`);
  const { map } = world;
  const h = (view - 1) / 2;
  const r0 = Math.floor(state.pos / map.width),
    c0 = state.pos % map.width;
  const out: string[] = [];
  for (let dr = -h; dr <= h; dr++)
    for (let dc = -h; dc <= h; dc++) {
      const r = r0 + dr,
        c = c0 + dc;
      if (r < 0 || r >= map.height || c < 0 || c >= map.width) {
        out.push('#');
        continue;
      }
      const cell = r * map.width + c;
      const k = map.kind[cell],
        a = map.arg[cell];
      let g = '.';
      if (k === SYMBOLIC_CELL.wall) g = '#';
      else if (k === SYMBOLIC_CELL.goal) g = 'G';
      else if (k === SYMBOLIC_CELL.lava) g = 'L';
      else if (k === SYMBOLIC_CELL.tv) g = 'T';
      else if (k === SYMBOLIC_CELL.landmark) g = String(a);
      else if (k === SYMBOLIC_CELL.key) g = (state.keys >> a) & 1 ? '.' : String.fromCharCode(97 + a);
      else if (k === SYMBOLIC_CELL.door)
        g = (state.doors >> map.doorIndex[cell]) & 1 ? '/' : String.fromCharCode(65 + a);
      out.push(g);
    }
  return out;
}

/** The observation key of a state: the window's rows joined by '/', then '|' keys-held mask '|' TV channel. */
export function symbolicObservationKey(world: SymbolicGrid, state: SymbolicState, view: number): string {
  const cells = symbolicLocalView(world, state, view);
  const rows: string[] = [];
  for (let i = 0; i < view; i++) rows.push(cells.slice(i * view, (i + 1) * view).join(''));
  return `${rows.join('/')}|${state.keys}|${state.tv}`;
}

/** The observation function of `mdp` with a k×k view (default k = 3), with aliasing statistics. */
export function makeSymbolicPomdp(mdp: SymbolicMdp, opts: { view?: number } = {}): SymbolicPomdp {
  const view = opts.view ?? 3;
  const ids = new Map<string, number>();
  const obsKey: string[] = [];
  const obsOf = new Int32Array(mdp.nS);
  for (let s = 0; s < mdp.nS; s++) {
    const key = symbolicObservationKey(mdp.world, mdp.stateOf(s), view);
    let o = ids.get(key);
    if (o === undefined) {
      o = obsKey.length;
      ids.set(key, o);
      obsKey.push(key);
    }
    obsOf[s] = o;
  }
  const nObs = obsKey.length;
  const statesPerObs = new Int32Array(nObs);
  for (let s = 0; s < mdp.nS; s++) statesPerObs[obsOf[s]]++;
  let aliasedObs = 0,
    aliasedStates = 0,
    maxStatesPerObs = 0;
  for (let o = 0; o < nObs; o++) {
    if (statesPerObs[o] >= 2) {
      aliasedObs++;
      aliasedStates += statesPerObs[o];
    }
    maxStatesPerObs = Math.max(maxStatesPerObs, statesPerObs[o]);
  }
  return {
    mdp,
    view,
    obsOf,
    nObs,
    obsKey,
    statesPerObs,
    aliasing: {
      aliasedObs,
      aliasedStates,
      aliasedFraction: aliasedStates / mdp.nS,
      maxStatesPerObs,
      meanStatesPerObs: mdp.nS / nObs,
    },
  };
}
