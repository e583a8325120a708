import { fdCheck } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { sftLoss } from '../../../../src/testbeds/preference/methods/sft';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

describe('SFT on a tabular policy', () => {
  const rng = new Rng(21);
  const c = inconsistentSoftData(rng);

  it('the gradient of the SFT loss (chosen responses, soft labels) matches finite differences', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    expect(fdCheck((t) => sftLoss(t, shape, { kind: 'chosen' }, c), th)).toBeLessThan(1e-6);
  });
});
