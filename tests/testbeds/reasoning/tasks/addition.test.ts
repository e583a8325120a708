import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as addition from '../../../../src/testbeds/reasoning/tasks/addition';
import { decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const p = addition.makeAddition(482, 359, 3);
const verify = (s: string) => addition.additionTask.verify(p, encode(s));
const check = (s: string) => addition.additionTask.checkSteps(p, encode(s));

describe('reasoning addition', () => {
  it('writes the documented format (per-digit sums with carries, least significant first)', () => {
    expect(decode(p.prompt) + decode(p.reference)).toBe('^482+359:2+9+0=11;8+5+1=14;4+3+1=08;>841$');
    const one = addition.makeAddition(7, 5, 1);
    expect(decode(one.prompt) + decode(one.reference)).toBe('^7+5:7+5+0=12;>12$');
    expect(decode(addition.makeAddition(0, 0, 1).reference)).toBe('0+0+0=00;>0$');
    expect(p.steps).toBe(3);
    expect(p.answer).toBe('841');
  });

  it('verifies the final answer only', () => {
    expect(verify('2+9+0=11;8+5+1=14;4+3+1=08;>841$')).toBe(true);
    expect(verify('>841$')).toBe(true); // no scratchpad: the answer alone decides
    expect(verify('2+9+0=11;8+5+1=14;4+3+1=08;>842$')).toBe(false);
    expect(verify('2+9+0=11;8+5+1=14;4+3+1=08;>841')).toBe(false); // no EOS
    expect(verify('2+9+0=11;8+5+1=14;4+3+1=08;841$')).toBe(false); // no answer marker
    expect(verify('2+9+0=11;>841>841$')).toBe(false);
    expect(verify('>84 1$')).toBe(true); // spaces are not tokens
    expect(verify('>8A1$')).toBe(false);
    expect(verify('>841$_____')).toBe(true);
    expect(verify('>0841$')).toBe(true); // numbers are read by value
    expect(addition.additionTask.verify(p, [19, 8, 4, 1, 99, 21])).toBe(false); // an id outside the vocabulary
  });

  it('finds the first wrong step: off-by-one carries, wrong sums, misread digits', () => {
    expect(check('2+9+0=11;8+5+1=14;4+3+1=08;>841$')).toEqual({ firstWrong: null, reason: '', written: 3 });
    const carryDropped = check('2+9+0=11;8+5+0=13;4+3+1=08;>831$');
    expect(carryDropped.firstWrong).toBe(1);
    expect(carryDropped.reason).toBe('carry in is 0, should be 1');
    expect(check('2+9+0=11;8+5+1=14;4+3+0=07;>741$').firstWrong).toBe(2); // carry not passed on
    expect(check('2+9+0=01;8+5+0=13;4+3+1=08;>831$').firstWrong).toBe(0); // carry out lost in the sum
    expect(check('2+9+0=12;8+5+1=14;4+3+1=08;>842$').firstWrong).toBe(0);
    expect(check('2+9+0=11;8+6+1=15;4+3+1=08;>851$').reason).toBe('operand digit y is 6, should be 5');
    expect(check('9+2+0=11;8+5+1=14;4+3+1=08;>841$').firstWrong).toBe(0); // operands swapped
  });

  it('reports right steps with a wrong answer, and a right answer after a wrong step', () => {
    expect(check('2+9+0=11;8+5+1=14;4+3+1=08;>842$').firstWrong).toBeNull();
    expect(verify('2+9+0=11;8+5+1=14;4+3+1=08;>842$')).toBe(false);
    expect(check('2+9+0=11;8+5+1=15;4+3+1=08;>841$').firstWrong).toBe(1);
    expect(verify('2+9+0=11;8+5+1=15;4+3+1=08;>841$')).toBe(true);
  });

  it('flags malformed, missing, extra and unterminated steps', () => {
    expect(check('2+9=11;8+5+1=14;4+3+1=08;>841$')).toMatchObject({ firstWrong: 0, reason: /malformed/ });
    expect(check('2+9+0=11;8+5+1=14;>841$')).toMatchObject({ firstWrong: 2, reason: /missing step/ });
    expect(check('>841$')).toMatchObject({ firstWrong: 0, reason: /missing/ });
    expect(check('2+9+0=11;8+5+1=14;4+3+1=08;0+0+0=00;>841$')).toMatchObject({ firstWrong: 3, reason: /extra/ });
    expect(check('2+9+0=11;8+5+1=14;4+3+1=08>841$')).toMatchObject({ firstWrong: 2, reason: /unterminated/ });
    expect(check('2+9+0=11;8+5+1=14;4+3+1=08;')).toMatchObject({ firstWrong: null }); // truncated before the answer
    expect(check('2+9+0=11;8+5+1=1')).toMatchObject({ firstWrong: 1, reason: /unterminated/ });
    expect(check('2+9+0=11;;4+3+1=08;>841$')).toMatchObject({ firstWrong: 1, reason: /malformed/ });
    expect(addition.additionTask.checkSteps(p, [2, 10, 9, 10, 0, 13, 1, 1, 17, 8, 10, 77])).toMatchObject({
      firstWrong: 1,
    });
  });

  it('accepts a calculator call as a number inside a step, when its result is right', () => {
    expect(check('2+9+0=[2+9]{11};8+5+1=14;4+3+1=08;>841$').firstWrong).toBeNull();
    expect(check('2+9+0=[2+9]{12};8+5+1=14;4+3+1=08;>841$').firstWrong).toBe(0);
  });

  it('builds only well-formed problems', () => {
    expect(() => addition.makeAddition(12, 5, 2)).toThrow(/exactly 2 digits/);
    expect(() => addition.makeAddition(1, 5, 11)).toThrow(/level must be an integer in \[1, 10\]/);
    expect(() => addition.additionTask.generate(new Rng(1), 0)).toThrow(RangeError);
  });

  it('corrupts the chosen step with a carried-through slip, or that step alone', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const c = addition.additionTask.corrupt(p, rng, { step: 1 });
      expect(addition.additionTask.checkSteps(p, c.completion).firstWrong).toBe(1);
      expect(c.answerCorrect).toBe(false); // a carried-through slip always changes a + b
      const d = addition.additionTask.corrupt(p, rng, { step: 2, propagate: false });
      expect(addition.additionTask.checkSteps(p, d.completion).firstWrong).toBe(2);
      expect(d.answerCorrect).toBe(true);
      expect(decode(d.completion).endsWith('>841$')).toBe(true);
    }
    expect(() => addition.additionTask.corrupt(p, rng, { step: 3 })).toThrow(/step must be an integer in \[0, 2\]/);
  });
});
