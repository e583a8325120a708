import { describe, expect, it } from 'vitest';
import {
  ANSWER,
  BOS,
  EOS,
  NODE_A,
  PAD,
  SYMBOLS,
  THINK,
  VOCAB_SIZE,
  decode,
  digitTokens,
  encode,
  numberTokens,
  padTo,
  show,
} from '../../../../src/testbeds/reasoning/tasks/vocab';

describe('reasoning vocabulary', () => {
  it('is small (≤ 48 tokens), one distinct printable character per token, digits at their own value', () => {
    expect(VOCAB_SIZE).toBe(39);
    expect(VOCAB_SIZE).toBeLessThanOrEqual(48);
    expect(new Set(SYMBOLS).size).toBe(VOCAB_SIZE);
    for (const s of SYMBOLS) expect(s).toHaveLength(1);
    for (let d = 0; d <= 9; d++) expect(Array.from(encode(String(d)))).toEqual([d]);
    expect([BOS, EOS, PAD, THINK, ANSWER, NODE_A].map((t) => SYMBOLS[t])).toEqual(['^', '$', '_', ':', '>', 'A']);
  });

  it('round-trips every symbol; skips spaces; reads − and × as - and *', () => {
    const all = SYMBOLS.join('');
    expect(decode(encode(all))).toBe(all);
    expect(Array.from(encode(all))).toEqual(Array.from({ length: VOCAB_SIZE }, (_, i) => i));
    expect(decode(encode('12 − 3 × 4'))).toBe('12-3*4');
  });

  it('rejects unknown symbols and ids with the symbol, the position and what is allowed', () => {
    expect(() => encode('12/3')).toThrow(/unknown symbol "\/" at position 2 of "12\/3"/);
    expect(() => encode('a')).toThrow(/vocabulary is 0123456789/);
    expect(() => decode([1, 2, 39])).toThrow(/token 39 at position 2 is not in the vocabulary/);
    expect(() => decode([-1])).toThrow(/token -1 at position 0/);
    expect(() => decode([1.5])).toThrow(/token 1.5/);
    expect(show([1, 99, EOS])).toBe('1?$');
  });

  it('writes numbers as digit tokens, padded or signed', () => {
    expect(digitTokens(42)).toEqual([4, 2]);
    expect(digitTokens(7, 3)).toEqual([0, 0, 7]);
    expect(decode(numberTokens(-15))).toBe('-15');
    expect(() => digitTokens(-1)).toThrow(RangeError);
    expect(Array.from(padTo([1, 2], 4))).toEqual([1, 2, PAD, PAD]);
    expect(() => padTo([1, 2, 3], 2)).toThrow(/3 tokens do not fit length 2/);
  });
});
