/**
 * Countdown's verifier against an independent evaluator: every expression over a subset of the given numbers (each
 * at most once, any order, any bracketing, +, − and ×) is accepted exactly when its value is the target. Countdown
 * problems have many valid answers, so a gate's pass@k counts any of them; this enumerates them all on one problem.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as countdown from '../../../../src/testbeds/reasoning/tasks/countdown';
import { MINUS, TIMES, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const num = (index: number) => ({ kind: 'number' as const, index });
const stp = (index: number) => ({ kind: 'step' as const, index });

interface Expr {
  text: string;
  value: number;
  used: number[];
}

/**
 * Fully bracketed expressions over the numbers, each index used at most once: grown from one number by combining it, on
 * either side, with one unused number or a bracketed pair of them (which reaches every tree shape over ≤ 4 numbers).
 */
function expressions(numbers: readonly number[]): Expr[] {
  const out: Expr[] = [];
  const grow = (e: Expr, rest: number[]) => {
    out.push(e);
    for (let i = 0; i < rest.length; i++) {
      const others = rest.filter((_, j) => j !== i);
      for (const sub of subtrees(rest[i], others)) {
        for (const [op, f] of [
          ['+', (a: number, b: number) => a + b],
          ['-', (a: number, b: number) => a - b],
          ['*', (a: number, b: number) => a * b],
        ] as [string, (a: number, b: number) => number][]) {
          const remaining = others.filter((j) => !sub.used.includes(j));
          grow(
            { text: `(${e.text}${op}${sub.text})`, value: f(e.value, sub.value), used: [...e.used, ...sub.used] },
            remaining,
          );
          grow(
            { text: `(${sub.text}${op}${e.text})`, value: f(sub.value, e.value), used: [...sub.used, ...e.used] },
            remaining,
          );
        }
      }
    }
  };
  // The operands added to a grown expression: number i alone, or bracketed with another unused number.
  function subtrees(i: number, others: number[]): Expr[] {
    const leaf: Expr = { text: `${numbers[i]}`, value: numbers[i], used: [i] };
    const subs: Expr[] = [leaf];
    for (const j of others)
      for (const [op, v] of [
        ['+', numbers[i] + numbers[j]],
        ['-', numbers[i] - numbers[j]],
        ['*', numbers[i] * numbers[j]],
      ] as [string, number][])
        subs.push({ text: `(${numbers[i]}${op}${numbers[j]})`, value: v, used: [i, j] });
    return subs;
  }
  numbers.forEach((v, i) =>
    grow(
      { text: `${v}`, value: v, used: [i] },
      numbers.map((_, j) => j).filter((j) => j !== i),
    ),
  );
  return out;
}

describe('reasoning Countdown: many valid answers', () => {
  // 3, 7, 25, 4 → 79 (7*3 = 21; 25*4 = 100; 100 − 21 = 79)
  const p = countdown.makeCountdown(
    [3, 7, 25, 4],
    [
      { x: num(1), op: TIMES, y: num(0) },
      { x: num(2), op: TIMES, y: num(3) },
      { x: stp(1), op: MINUS, y: stp(0) },
    ],
  );

  it('accepts exactly the expressions whose value is the target, however they reach it', () => {
    const all = expressions(p.numbers);
    expect(all.length).toBeGreaterThan(10000);
    const right = all.filter((e) => e.value === p.target);
    for (const e of all) {
      const err = countdown.answerError(p, encode(`>${e.text}$`));
      if (e.value === p.target) expect(err, e.text).toBeNull();
      else expect(err, e.text).toBe(`the expression equals ${e.value}, not ${p.target}`);
    }
    // Many different answers: among them, ones using different subsets of the numbers (25*3+4 leaves 7 unused).
    expect(right.length).toBeGreaterThan(5);
    const subsets = new Set(right.map((e) => [...e.used].sort().join(',')));
    expect(subsets.size).toBeGreaterThan(1);
    expect(countdown.countdownTask.verify(p, encode('>25*3+4$'))).toBe(true);
    expect(countdown.countdownTask.verify(p, encode('>(25-4)*3+7+(0)$'))).toBe(false); // 0 is not given
    expect(countdown.countdownTask.verify(p, encode('>4*(25-7)+3$'))).toBe(false); // 75, not 79
  });

  it('verifies generated problems at every level by their reference, and not with the target moved by one', () => {
    const rng = new Rng(15);
    for (let level = 1; level <= 5; level++) {
      for (let i = 0; i < 20; i++) {
        const q = countdown.countdownTask.generate(rng.split(`${level}-${i}`), level);
        expect(countdown.countdownTask.verify(q, q.reference)).toBe(true);
        const moved = { ...q, target: q.target + 1 };
        expect(countdown.answerError(moved, q.reference)).toBe(
          `the expression equals ${q.target}, not ${q.target + 1}`,
        );
      }
    }
  });
});
