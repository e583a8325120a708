/**
 * SPIN, self-play fine-tuning (Chen et al. 2024, "Self-Play Fine-Tuning Converts Weak Language Models
 * to Strong Language Models"), as a pair construction for a DPO step: the teacher's (target) response
 * is preferred over one of the policy's own samples. DNO's baseline (Rosset et al. 2024).
 */
import type { Rng } from '../../../core/rng';
import type { PreferenceGame, PreferencePairs } from '../data/game';
import { sampleResponse, type TabularPolicy } from '../policies/tabular-policy';

/**
 * SPIN-style pairs (Chen et al. 2024): the teacher's response preferred over one of the policy's own (skipped when
 * equal).
 */
export function teacherVsSelfPairs(
  g: PreferenceGame,
  pi: TabularPolicy,
  teacher: TabularPolicy,
  rng: Rng,
): PreferencePairs {
  const xs: number[] = [],
    ws: number[] = [],
    ls: number[] = [];
  for (let x = 0; x < g.nX; x++) {
    const yw = sampleResponse(teacher, x, rng);
    const yl = sampleResponse(pi, x, rng);
    if (yw === yl) continue;
    xs.push(x);
    ws.push(yw);
    ls.push(yl);
  }
  return { n: xs.length, x: Int32Array.from(xs), yw: Int32Array.from(ws), yl: Int32Array.from(ls) };
}
