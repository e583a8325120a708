/**
 * Demonstrations of mixed quality on the key–door task (env/key-door-grid.ts), the tabular analogue of teleoperated
 * long-horizon data: each episode draws its own pace and care, so stage durations vary from demo to demo.
 *
 * Per episode: a stall rate ρ_k ∼ U(0, stallMax) for each stage k, a detour rate ε ∼ U(0, detourMax), and with
 * probability skipKeyProb the demonstrator forgets the key (in stage 0 it heads for the door, then the goal, and
 * waits there: the episode fails). Per step the intended action is: stay with probability ρ_k; else a uniform move
 * with probability ε; else a move that shortens the Manhattan distance to the current target (uniform among them;
 * stay on the target). The world then executes it with its slip. An episode ends on success or after `horizon`
 * steps. Frames are states s_0 … s_T, actions a_0 … a_{T−1}.
 */
import type { Rng } from '../../../core/rng';
import { KEY_DOOR_ACTIONS, KEY_DOOR_STAY, type KeyDoorTask } from '../env/key-door-grid';

export interface StagedDemoOptions {
  episodes: number;
  horizon: number;
  stallMax: number;
  detourMax: number;
  skipKeyProb: number;
}

export interface StagedEpisode {
  /** Frames s_0 … s_T (length T + 1). */
  states: Int32Array;
  /** Actions a_0 … a_{T−1} (length T). */
  actions: Int32Array;
  success: boolean;
  /** 1 if the demonstrator skipped the key. */
  skippedKey: boolean;
}

/** Moves (0–3) that shorten the Manhattan distance from `cell` to `target`; [stay] on the target. */
export function shorteningMoves(task: KeyDoorTask, cell: number, target: number): number[] {
  const n = task.spec.size;
  const d = (x: number) => Math.abs(Math.floor(x / n) - Math.floor(target / n)) + Math.abs((x % n) - (target % n));
  const here = d(cell);
  if (here === 0) return [KEY_DOOR_STAY];
  const out: number[] = [];
  for (let a = 0; a < 4; a++) if (d(task.move(cell, a)) < here) out.push(a);
  return out;
}

/** Draw one executed successor of (s, a) under the task's slip. */
export function stepKeyDoor(task: KeyDoorTask, s: number, a: number, rng: Rng): number {
  const b = rng.uniform() < task.spec.slip ? rng.int(KEY_DOOR_ACTIONS) : a;
  return task.nextState(s, b);
}

export function collectStagedDemos(task: KeyDoorTask, o: StagedDemoOptions, rng: Rng): StagedEpisode[] {
  const out: StagedEpisode[] = [];
  for (let e = 0; e < o.episodes; e++) {
    const r = rng.split(e);
    const stall = [0, 1, 2].map(() => r.uniform() * o.stallMax);
    const eps = r.uniform() * o.detourMax;
    const skip = r.uniform() < o.skipKeyProb;
    const states = [task.s0];
    const actions: number[] = [];
    let s = task.s0;
    let reachedDoor = false;
    for (let t = 0; t < o.horizon && s !== task.success; t++) {
      const k = task.stageOf[s];
      const cell = task.cellOf[s];
      let target = task.subgoal[k];
      if (skip && k === 0) {
        if (cell === task.subgoal[1]) reachedDoor = true;
        target = reachedDoor ? task.subgoal[2] : task.subgoal[1];
      }
      let a: number;
      if (r.uniform() < stall[k]) a = KEY_DOOR_STAY;
      else if (r.uniform() < eps) a = r.int(4);
      else {
        const m = shorteningMoves(task, cell, target);
        a = m[r.int(m.length)];
      }
      s = stepKeyDoor(task, s, a, r);
      actions.push(a);
      states.push(s);
    }
    out.push({
      states: Int32Array.from(states),
      actions: Int32Array.from(actions),
      success: s === task.success,
      skippedKey: skip,
    });
  }
  return out;
}
