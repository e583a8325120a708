import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as multiplication from '../../../../src/testbeds/reasoning/tasks/multiplication';
import { decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const p = multiplication.makeMultiplication(47, 86, 2);
const verify = (s: string) => multiplication.multiplicationTask.verify(p, encode(s));
const check = (s: string) => multiplication.multiplicationTask.checkSteps(p, encode(s));

describe('reasoning multiplication', () => {
  it('writes the documented format (digit, padded partial product, padded running total)', () => {
    expect(decode(p.prompt) + decode(p.reference)).toBe('^47*86:*6=282,282;*8=376,4042;>4042$');
    const one = multiplication.makeMultiplication(3, 7, 1);
    expect(decode(one.prompt) + decode(one.reference)).toBe('^3*7:*7=21,21;>21$');
    const three = multiplication.makeMultiplication(875, 164, 3);
    expect(decode(three.reference)).toBe('*4=3500,3500;*6=5250,56000;*1=0875,143500;>143500$');
    expect(decode(multiplication.makeMultiplication(10, 10, 2).reference)).toBe('*0=000,000;*1=010,0100;>100$');
  });

  it('verifies the final answer', () => {
    expect(verify('*6=282,282;*8=376,4042;>4042$')).toBe(true);
    expect(verify('>4042$')).toBe(true);
    expect(verify('*6=282,282;*8=376,4042;>4043$')).toBe(false);
    expect(verify('*6=282,282;*8=376,4042;>4042')).toBe(false);
    expect(verify('*6=282,282;*8=376,4042;>40*42$')).toBe(false);
    expect(verify('*6=282,282;*8=376,4042;>$')).toBe(false);
  });

  it('finds the first wrong step: misread digit, wrong partial product, wrong running total', () => {
    expect(check('*6=282,282;*8=376,4042;>4042$').firstWrong).toBeNull();
    expect(check('*6=0282,00282;*8=376,4042;>4042$').firstWrong).toBeNull(); // padding is free
    expect(check('*5=235,235;*8=376,3995;>3995$')).toMatchObject({ firstWrong: 0, reason: /digit of b is 5/ });
    expect(check('*6=282,282;*8=366,3942;>3942$')).toMatchObject({ firstWrong: 1, reason: /partial product/ });
    expect(check('*6=282,282;*8=376,4142;>4142$')).toMatchObject({ firstWrong: 1, reason: /running total/ });
    // the total forgot to shift the partial product by one place
    expect(check('*6=282,282;*8=376,658;>658$')).toMatchObject({ firstWrong: 1, reason: /running total is 658/ });
    expect(check('*6=282,282;*8=376,4042;>4043$').firstWrong).toBeNull(); // right steps, wrong answer
    expect(check('6=282,282;*8=376,4042;>4042$')).toMatchObject({ firstWrong: 0, reason: /malformed/ });
    expect(check('*6=282,282;>4042$')).toMatchObject({ firstWrong: 1, reason: /missing/ });
    expect(check('*6=282,282;*8=376,4042;*0=000,4042;>4042$')).toMatchObject({ firstWrong: 2, reason: /extra/ });
  });

  it('corrupts the chosen step and keeps every field within its width', () => {
    const rng = new Rng(4);
    const q = multiplication.makeMultiplication(99999, 99999, 5);
    for (let i = 0; i < 200; i++) {
      const step = i % 5;
      const c = multiplication.multiplicationTask.corrupt(q, rng, { step });
      expect(multiplication.multiplicationTask.checkSteps(q, c.completion).firstWrong).toBe(step);
      expect(q.prompt.length + c.completion.length).toBeLessThanOrEqual(multiplication.multiplicationTask.maxLength(5));
    }
  });
});
