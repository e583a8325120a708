import { describe, expect, it } from 'vitest';
import { calibrationError } from '../../src/stats/calibration';

describe('calibration error (equal-width bins)', () => {
  it('matches a hand computation', () => {
    // 2 bins: [0, 0.5] gets 0.2, 0.4, 0.5 (an edge goes to the lower bin); (0.5, 1] gets 0.9
    const p = [0.2, 0.4, 0.5, 0.9],
      y = [0, 1, 1, 1];
    const r = calibrationError(y, p, 2);
    // bin 0: |1.1 − 2| = 0.9 over 3; bin 1: |0.9 − 1| = 0.1 over 1
    expect(r.ece).toBeCloseTo((0.9 + 0.1) / 4, 14);
    expect(r.ace).toBeCloseTo((0.9 / 3 + 0.1) / 2, 14);
    expect(r.mce).toBeCloseTo(0.3, 14);
  });

  it('is zero for predictions equal to the outcome frequencies, and 0.5 for a confident coin', () => {
    expect(calibrationError([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 10).ece).toBe(0);
    expect(calibrationError([1, 0], [1, 1], 10).ece).toBeCloseTo(0.5, 14);
  });

  it('rejects a probability outside [0, 1] and mismatched lengths, naming what is wrong', () => {
    expect(() => calibrationError([1], [1.2])).toThrow(/probability 1.2 at index 0/);
    expect(() => calibrationError([1, 0], [0.5])).toThrow(/2 outcomes but 1/);
  });
});
