import { describe, expect, it } from 'vitest';
import {
  parseExpression,
  Reader,
  splitCompletion,
  numericAnswer,
} from '../../../../src/testbeds/reasoning/tasks/syntax';
import { decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const parts = (s: string) => splitCompletion(encode(s));
const value = (s: string) => {
  const e = parseExpression(encode(s));
  return typeof e === 'string' ? e : e.value;
};

describe('reasoning completion grammar', () => {
  it('cuts a completion into steps, tail and answer, ignoring everything after EOS', () => {
    const p = parts('1+2=03;4+5=09;>93$__');
    expect(p.steps.map(decode)).toEqual(['1+2=03', '4+5=09']);
    expect(decode(p.tail)).toBe('');
    expect(decode(p.answer!)).toBe('93');
    expect(p.ended).toBe(true);
    const q = parts('1+2=03;4+5');
    expect(q.steps.map(decode)).toEqual(['1+2=03']);
    expect(decode(q.tail)).toBe('4+5');
    expect(q.answer).toBeNull();
    expect(q.ended).toBe(false);
    expect(parts('>1$9').answer).toEqual(Int32Array.from([1]));
    expect(splitCompletion([1, 77, 21, 99]).badToken).toBe(1);
    expect(splitCompletion([1, 21, 99]).badToken).toBe(-1);
  });

  it('reads a numeric answer only when it is plain digits closed by EOS', () => {
    expect(numericAnswer(parts('>120$'))).toBe(120);
    expect(numericAnswer(parts('>0120$'))).toBe(120); // numbers are read by value
    expect(numericAnswer(parts('>120'))).toBeNull();
    expect(numericAnswer(parts('120$'))).toBeNull();
    expect(numericAnswer(parts('>$'))).toBeNull();
    expect(numericAnswer(parts('>12>12$'))).toBeNull();
    expect(numericAnswer(parts('>-12$'))).toBeNull();
    expect(numericAnswer(parts('>1234567890123$'))).toBeNull(); // 13 digits
    expect(numericAnswer(splitCompletion([19, 1, 99, 21]))).toBeNull();
  });

  it('evaluates expressions with precedence and parentheses, and lists their literals', () => {
    expect(value('2+3*4')).toBe(14);
    expect(value('(2+3)*4')).toBe(20);
    expect(value('10-4-3')).toBe(3); // left associative
    expect(value('10-(4-3)')).toBe(9);
    expect(value('3-7')).toBe(-4);
    const e = parseExpression(encode('25*4-7*3'));
    expect(e).toEqual({ value: 79, literals: [25, 4, 7, 3] });
  });

  it('rejects malformed expressions with the position', () => {
    expect(value('2+')).toMatch(/expected a number at position 2/);
    expect(value('(2+3')).toMatch(/expected "\)"/);
    expect(value('-2+3')).toMatch(/expected a number at position 0/); // no unary minus
    expect(value('2 3')).toBe(23); // spaces are not tokens: this is the number 23
    expect(value('2)')).toMatch(/expected the end/);
    expect(value('')).toMatch(/expected a number/);
    expect(value('999999999*999999999')).toMatch(/beyond 2\^53/);
    expect(value('('.repeat(40) + '1' + ')'.repeat(40))).toMatch(/nested deeper/);
  });

  it('reads a calculator call with its result as a number, only when the result is right', () => {
    const r = new Reader(encode('[12*3]{36}+1'));
    expect(r.number()).toBe(36);
    const bad = new Reader(encode('[12*3]{35}'));
    expect(() => bad.number()).toThrow(/calculator result 35 that is not 36/);
    expect(new Reader(encode('[3-5]{-2}')).number()).toBe(-2);
    expect(() => new Reader(encode('[3+]{3}')).number()).toThrow(/expected a number/);
    expect(() => new Reader(encode('[3+5]{W}')).number()).toThrow(/expected a number/);
    expect(new Reader(encode('-[2*3]{6}')).signed()).toBe(-6);
  });
});
