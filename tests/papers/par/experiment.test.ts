import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseMethod, runSeed } from '../../../src/papers/par/experiment';
import { expectWellFormed } from '../run-result';

describe('the PAR experiment', () => {
  it('method names: shapings and par-M with M ≤ nRefs', () => {
    expect(parseMethod('par-3', 10)).toEqual({ kind: 'par', maxRefs: 3 });
    expect(parseMethod('lsc', 10)).toEqual({ kind: 'lsc' });
    expect(() => parseMethod('par-11', 10)).toThrow(/nRefs = 10/);
    expect(() => parseMethod('par', 10)).toThrow(/unknown method/);
  });

  it('a seed of a tiny configuration returns finite metrics', () => {
    const r = runSeed({ ...DEFAULTS, nX: 6, iterations: 10, methods: ['vanilla', 'par-2'] }, 0);
    expectWellFormed(r);
    expect(Object.keys(r.metrics)).toContain('par-2/win');
  });
});
