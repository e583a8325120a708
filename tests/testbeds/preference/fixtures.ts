/** Shared fixtures of the preference testbed's tests. */
import { Rng } from '../../../src/core/rng';
import { makeComparisons, type Comparisons } from '../../../src/testbeds/preference/data/comparisons';
import type { TableShape } from '../../../src/testbeds/preference/policies/logit-table';

/** The contexts × responses shape of the offline-method tests. */
export const shape: TableShape = { nX: 3, nY: 5 };

export function randomVec(rng: Rng, n: number, s = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = s * rng.normal();
  return v;
}

/** Soft-labelled comparisons on every pair of every context, with labels that are NOT Bradley–Terry consistent. */
export function inconsistentSoftData(rng: Rng, sh: TableShape = shape): Comparisons {
  const rows: { x: number; a: number; b: number; p: number; w: number }[] = [];
  for (let x = 0; x < sh.nX; x++)
    for (let a = 0; a < sh.nY; a++)
      for (let b = a + 1; b < sh.nY; b++) rows.push({ x, a, b, p: 0.1 + 0.8 * rng.uniform(), w: 0.5 + rng.uniform() });
  return makeComparisons(rows);
}
