/**
 * Long-horizon mazes for offline goal-conditioned RL: a discrete, "giant"-style maze of one-cell corridors on the
 * tabular gridworld kit (`tabular/env/gridworld.ts`; walls are `house` cells, four moves, a move into a wall stays).
 *
 * Layout (the construction of OGBench's maze maps, Park et al., "OGBench: Benchmarking Offline Goal-Conditioned RL",
 * ICLR 2025, is a hand-drawn grid of corridors; here it is generated, with a fixed layout seed): a grid of
 * rooms × rooms junction cells at the odd coordinates of a (2·rooms + 1)² grid, joined by a spanning tree drawn by
 * randomised depth-first search (a perfect maze: exactly one path between two cells), then "braided": each wall
 * between two adjacent junctions that is still closed is opened with probability `braid`, which adds loops, so that
 * a far goal can be reached by more than one route, as in OGBench's giant maze. The outer ring is wall.
 *
 * `mazeWorld(spec)` is the goal-free world on which goal-reaching data are collected (data/dataset.ts
 * collectGoalReaching) and goal-conditioned learners are scored; goals are states of that world.
 */
import { Rng } from '../../../core/rng';
import { CELL, makeGridworld, type FeatureGridworld } from '../../tabular/env/gridworld';

export interface MazeSpec {
  /** Junction cells per side (the grid is (2·rooms + 1) cells on a side). */
  rooms: number;
  /** Probability of opening each remaining wall between adjacent junctions after the spanning tree (loops). */
  braid: number;
  /** Seed of the layout (fixed per experiment: the maze is part of the task, not of the run). */
  layoutSeed: number;
  gamma: number;
  /** Probability that the executed action is uniformly random (gridworld kit convention; 0: deterministic). */
  slip: number;
}

/** Side length of a maze's grid. */
export function mazeSize(spec: Pick<MazeSpec, 'rooms'>): number {
  return 2 * spec.rooms + 1;
}

/** Cell kinds (row-major, CELL.empty or CELL.house) of a maze layout. */
export function mazeCells(spec: Pick<MazeSpec, 'rooms' | 'braid' | 'layoutSeed'>): Int8Array {
  const { rooms, braid } = spec;
  if (!(Number.isInteger(rooms) && rooms >= 2))
    throw new RangeError(`mazeCells: rooms must be an integer ≥ 2, got ${rooms}`);
  if (!(braid >= 0 && braid <= 1)) throw new RangeError(`mazeCells: braid must lie in [0, 1], got ${braid}`);
  const size = 2 * rooms + 1;
  const cells = new Int8Array(size * size).fill(CELL.house);
  const cellOf = (i: number, j: number) => (2 * i + 1) * size + (2 * j + 1);
  const rng = new Rng(spec.layoutSeed).split('maze-layout');
  const seen = new Uint8Array(rooms * rooms);
  const stack: number[] = [0];
  seen[0] = 1;
  cells[cellOf(0, 0)] = CELL.empty;
  const dirs: [number, number][] = [
    [-1, 0],
    [1, 0],
    [0, -1],
    [0, 1],
  ];
  while (stack.length > 0) {
    const cur = stack[stack.length - 1];
    const i = Math.floor(cur / rooms),
      j = cur % rooms;
    const open: number[] = [];
    for (let d = 0; d < 4; d++) {
      const i2 = i + dirs[d][0],
        j2 = j + dirs[d][1];
      if (i2 >= 0 && i2 < rooms && j2 >= 0 && j2 < rooms && !seen[i2 * rooms + j2]) open.push(d);
    }
    if (open.length === 0) {
      stack.pop();
      continue;
    }
    const d = open[rng.int(open.length)];
    const i2 = i + dirs[d][0],
      j2 = j + dirs[d][1];
    seen[i2 * rooms + j2] = 1;
    cells[cellOf(i2, j2)] = CELL.empty;
    cells[(2 * i + 1 + dirs[d][0]) * size + (2 * j + 1 + dirs[d][1])] = CELL.empty;
    stack.push(i2 * rooms + j2);
  }
  // Braid: open each remaining wall between adjacent junctions with probability `braid` (right and down walls).
  for (let i = 0; i < rooms; i++)
    for (let j = 0; j < rooms; j++) {
      if (j + 1 < rooms) {
        const w = (2 * i + 1) * size + (2 * j + 2);
        if (cells[w] === CELL.house && rng.uniform() < braid) cells[w] = CELL.empty;
      }
      if (i + 1 < rooms) {
        const w = (2 * i + 2) * size + (2 * j + 1);
        if (cells[w] === CELL.house && rng.uniform() < braid) cells[w] = CELL.empty;
      }
    }
  return cells;
}

/** The maze as a goal-free gridworld (no terminal state). */
export function mazeWorld(spec: MazeSpec): FeatureGridworld {
  const size = mazeSize(spec);
  return makeGridworld({ height: size, width: size, cells: mazeCells(spec), gamma: spec.gamma, slip: spec.slip });
}

/** A maze as text: '#' wall, '.' open (rows top to bottom). */
export function renderMaze(world: FeatureGridworld): string {
  const rows: string[] = [];
  for (let r = 0; r < world.height; r++) {
    let line = '';
    for (let c = 0; c < world.width; c++) line += world.cells[r * world.width + c] === CELL.house ? '#' : '.';
    rows.push(line);
  }
  return rows.join('\n');
}
