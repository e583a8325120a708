import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as countdown from '../../../../src/testbeds/reasoning/tasks/countdown';
import { MINUS, PLUS, TIMES, decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const num = (index: number) => ({ kind: 'number' as const, index });
const stp = (index: number) => ({ kind: 'step' as const, index });
// 3, 7, 25, 4 → 79: 7*3 = 21; 25*4 = 100; 100 − 21 = 79
const p = countdown.makeCountdown(
  [3, 7, 25, 4],
  [
    { x: num(1), op: TIMES, y: num(0) },
    { x: num(2), op: TIMES, y: num(3) },
    { x: stp(1), op: MINUS, y: stp(0) },
  ],
);
const verify = (s: string) => countdown.countdownTask.verify(p, encode(s));
const why = (s: string) => countdown.answerError(p, encode(s));
const check = (s: string) => countdown.countdownTask.checkSteps(p, encode(s));

describe('reasoning Countdown', () => {
  it('writes the documented format', () => {
    expect(decode(p.prompt) + decode(p.reference)).toBe('____^3,7,25,4=79:7*3=21;25*4=100;100-21=79;>25*4-7*3$');
    const one = countdown.makeCountdown([7, 12], [{ x: num(0), op: TIMES, y: num(1) }]);
    expect(decode(one.prompt) + decode(one.reference)).toBe('__^7,12=84:7*12=84;>7*12$');
    expect(p.target).toBe(79);
  });

  it('parenthesises the answer only where precedence needs it', () => {
    // (5 + 3) * (9 − 2 − 1) ... built as 5+3 = 8; 9−2 = 7; 7−1 = 6; 8*6 = 48
    const q = countdown.makeCountdown(
      [5, 3, 9, 2, 1],
      [
        { x: num(0), op: PLUS, y: num(1) },
        { x: num(2), op: MINUS, y: num(3) },
        { x: stp(1), op: MINUS, y: num(4) },
        { x: stp(0), op: TIMES, y: stp(2) },
      ],
    );
    expect(q.answer).toBe('(5+3)*(9-2-1)');
    const r = countdown.makeCountdown(
      [9, 2, 1],
      [
        { x: num(1), op: MINUS, y: num(2) },
        { x: num(0), op: MINUS, y: stp(0) },
      ],
    );
    expect(r.answer).toBe('9-(2-1)');
    expect(countdown.countdownTask.verify(r, r.reference)).toBe(true);
  });

  it('accepts any valid expression, using any subset of the numbers', () => {
    expect(verify('>25*4-7*3$')).toBe(true);
    expect(verify('>4*25-3*7$')).toBe(true);
    expect(verify('>(25*4)-(7*3)$')).toBe(true);
    expect(verify('>25*3+4$')).toBe(true); // 7 unused
    expect(verify('7*3=21;>25*3+4$')).toBe(true); // the scratchpad does not matter
  });

  it('rejects reused numbers, numbers not given, wrong values and malformed answers', () => {
    expect(why('>25+25+25+4$')).toBe('25 is used more often than given');
    expect(why('>80-1$')).toBe('80 is not a given number');
    expect(why('>7325$')).toBe('7325 is not a given number'); // digits glued together
    expect(why('>25*4-7$')).toBe('the expression equals 93, not 79');
    expect(why('>25*4-$')).toMatch(/malformed expression/);
    expect(why('>(25*4-7*3$')).toMatch(/malformed expression/);
    expect(why('>-21+100$')).toMatch(/malformed expression/); // no unary minus
    expect(why('>$')).toMatch(/malformed expression/);
    expect(why('>25*4-7*3')).toBe('the answer does not end with EOS');
    expect(why('25*4-7*3$')).toBe('no answer marker ">"');
    expect(countdown.answerError(p, [19, 2, 5, 99, 21])).toMatch(/not in the vocabulary/);
    expect(why('>25*4-7*3$')).toBeNull();
  });

  it('lets a repeated number be used as often as it is given', () => {
    const q = countdown.makeCountdown(
      [5, 5, 3],
      [
        { x: num(0), op: TIMES, y: num(1) },
        { x: stp(0), op: PLUS, y: num(2) },
      ],
    );
    expect(countdown.countdownTask.verify(q, encode('>5*5+3$'))).toBe(true);
    expect(countdown.answerError(q, encode('>5*5*5-100+3$'))).toBe('5 is used more often than given');
  });

  it('checks steps against the available numbers, not against the reference', () => {
    expect(check('7*3=21;25*4=100;100-21=79;>25*4-7*3$').firstWrong).toBeNull();
    expect(check('25*3=75;75+4=79;>25*3+4$').firstWrong).toBeNull(); // another solution
    expect(check('3-7=-4;25+-4=21;>$').firstWrong).toBeNull(); // negative intermediates are numbers too
    expect(check('7*3=21;21*3=63;')).toMatchObject({ firstWrong: 1, reason: /3 is not available/ });
    expect(check('80-1=79;')).toMatchObject({ firstWrong: 0, reason: /80 is not available/ });
    expect(check('7*3=21;21+21=42;')).toMatchObject({ firstWrong: 1, reason: /21 is not available/ });
    expect(check('7*3=22;25*4=100;')).toMatchObject({ firstWrong: 0, reason: 'result is 22, should be 21' });
    expect(check('7*=21;')).toMatchObject({ firstWrong: 0, reason: /malformed/ });
    expect(check('7W3=21;')).toMatchObject({ firstWrong: 0, reason: /malformed/ });
    expect(check('7*3=21;25*4')).toMatchObject({ firstWrong: 1, reason: /unterminated/ });
    expect(check('7*3=21;25*4=100;100-21=79;79+1=80;')).toMatchObject({ firstWrong: 3, reason: /1 is not available/ });
    expect(check('>25*4-7*3$').firstWrong).toBeNull(); // no steps, none wrong
  });

  it('corrupts a step so that the step checker finds it; operand corruptions break the answer', () => {
    const rng = new Rng(9);
    let operand = 0;
    for (let i = 0; i < 100; i++) {
      const c = countdown.countdownTask.corrupt(p, rng, { step: i % 3 });
      expect(countdown.countdownTask.checkSteps(p, c.completion).firstWrong).toBe(i % 3);
      if (c.kind === 'operand') {
        operand++;
        expect(c.answerCorrect).toBe(false);
      } else expect(c.answerCorrect).toBe(true);
    }
    expect(operand).toBeGreaterThan(10);
  });

  it('rejects hand-made problems that are not well-formed', () => {
    expect(() => countdown.makeCountdown([3, 30], [{ x: num(0), op: PLUS, y: num(1) }])).toThrow(/\[1, 25\]/);
    expect(() => countdown.makeCountdown([3, 4], [{ x: num(0), op: PLUS, y: num(0) }])).toThrow(/not available/);
    expect(() => countdown.makeCountdown([3, 4, 5], [{ x: num(0), op: PLUS, y: num(1) }])).toThrow(/combine all 3/);
    expect(() => countdown.makeCountdown([3, 3], [{ x: num(0), op: MINUS, y: num(1) }])).toThrow(/\[1, 999\]/);
    expect(() => countdown.countdownTask.generate(new Rng(0), 6)).toThrow(/level must be an integer in \[1, 5\]/);
  });
});
