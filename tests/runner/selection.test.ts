/** `--only` selection: an unknown id is refused before any work, with the nearest id suggested. */
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, SelectionError, validateSelection } from '../../src/runner/run-all';

describe('--only selection', () => {
  it('edit distance: insertions, deletions and substitutions each cost one', () => {
    expect(editDistance('starc', 'starc')).toBe(0);
    expect(editDistance('starcc', 'starc')).toBe(1);
    expect(editDistance('stark', 'starc')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests the nearest known id, and nothing for an unrelated one', () => {
    expect(didYouMean('starcc', ['starc', 'cpl', 'barfi'])).toBe('starc');
    expect(didYouMean('nashmd', ['nash-md', 'dno'])).toBe('nash-md');
    expect(didYouMean('zzzzzzzzzzzz', ['starc', 'cpl'])).toBeNull();
  });
  it('refuses an unknown id naming the suggestion', () => {
    expect(() => validateSelection(['starcc'], ['starc', 'cpl'])).toThrow(SelectionError);
    expect(() => validateSelection(['starcc'], ['starc', 'cpl'])).toThrow(/Did you mean starc\?/);
    expect(() => validateSelection(['starc'], ['starc', 'cpl'])).not.toThrow();
  });
});
