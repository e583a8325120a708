import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as dag from '../../../../src/testbeds/reasoning/tasks/dag';
import { MINUS, PLUS, TIMES, decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

const lit = (value: number) => ({ kind: 'literal' as const, value });
const node = (index: number) => ({ kind: 'node' as const, index });
// A = 3 + 5; B = A * 2; C = B - A
const p = dag.makeDag([
  { op: PLUS, left: lit(3), right: lit(5) },
  { op: TIMES, left: node(0), right: lit(2) },
  { op: MINUS, left: node(1), right: node(0) },
]);
const verify = (s: string) => dag.dagTask.verify(p, encode(s));
const check = (s: string) => dag.dagTask.checkSteps(p, encode(s));

describe('reasoning arithmetic DAG', () => {
  it('writes the documented format', () => {
    expect(decode(p.prompt) + decode(p.reference)).toBe('^A=3+5;B=A*2;C=B-A;:A=8;B=16;C=8;>8$');
    const one = dag.makeDag([{ op: PLUS, left: lit(3), right: lit(5) }]);
    expect(decode(one.prompt) + decode(one.reference)).toBe('^A=3+5;:A=8;>8$');
    expect(p.values).toEqual([8, 16, 8]);
  });

  it('verifies the value of the last node', () => {
    expect(verify('A=8;B=16;C=8;>8$')).toBe(true);
    expect(verify('A=8;B=16;C=8;>16$')).toBe(false); // the value of another node
    expect(verify('A=8;B=16;C=8;>C$')).toBe(false);
    expect(verify('A=8;B=16;C=8;>8')).toBe(false);
    expect(verify('A=8;B=16;C=8;8$')).toBe(false);
  });

  it('finds the first wrong node value', () => {
    expect(check('A=8;B=16;C=8;>8$').firstWrong).toBeNull();
    expect(check('A=8;B=15;C=7;>7$')).toMatchObject({ firstWrong: 1, reason: 'value is 15, should be 16' });
    expect(check('A=9;B=18;C=9;>9$').firstWrong).toBe(0);
    expect(check('A=8;B=16;C=24;>24$').firstWrong).toBe(2); // B+A instead of B−A
    expect(check('A=8;C=16;B=8;>8$')).toMatchObject({ firstWrong: 1, reason: 'node is 2, should be 1' });
    expect(check('A=8;B=16;C=8;>9$').firstWrong).toBeNull(); // right steps, wrong answer
    expect(check('A=8;B=16;>8$')).toMatchObject({ firstWrong: 2, reason: /missing/ });
    expect(verify('A=8;B=16;>8$')).toBe(true); // a skipped step does not change the answer's verdict
    expect(check('A=8;B16;C=8;>8$')).toMatchObject({ firstWrong: 1, reason: /malformed/ });
    expect(check('8;16;8;>8$')).toMatchObject({ firstWrong: 0, reason: /expected a node name/ });
  });

  it('reads calculator calls inside steps', () => {
    expect(check('A=[3+5]{8};B=[8*2]{16};C=[16-8]{8};>8$').firstWrong).toBeNull();
    expect(check('A=[3+5]{8};B=[8*3]{24};C=[24-8]{16};>16$').firstWrong).toBe(1);
  });

  it('writes the reference as a calculator transcript with the results marked as environment tokens', () => {
    const t = dag.toolReference(p);
    expect(decode(t.tokens)).toBe('^A=3+5;B=A*2;C=B-A;:A=[3+5]{8};B=[8*2]{16};C=[16-8]{8};>8$');
    const who = t.env.map((e) => (e ? 'e' : 'm')).join('');
    // model: "A=[3+5]", env: "{8}", model: ";B=[8*2]", env: "{16}", model: ";C=[16-8]", env: "{8}", model: ";>8$"
    const runs = [7, 3, 8, 4, 9, 3, 4].map((n, i) => (i % 2 ? 'e' : 'm').repeat(n)).join('');
    expect(who).toBe('e'.repeat(p.prompt.length) + runs);
    expect(t.tokens.length).toBeLessThanOrEqual(dag.maxToolLength(3));
  });

  it('keeps generated values in [0, 99] with node i using node i − 1', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 300; i++) {
      const q = dag.dagTask.generate(rng, 10);
      for (const v of q.values) expect(v >= 0 && v <= 99).toBe(true);
      q.nodes.forEach((n, k) => {
        if (k > 0) expect([n.left, n.right]).toContainEqual({ kind: 'node', index: k - 1 });
      });
    }
  });

  it('shares sub-results (a DAG, not a chain) and uses every operator', () => {
    const rng = new Rng(2);
    let skip = 0;
    let nodes = 0;
    const ops = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      dag.dagTask.generate(rng, 10).nodes.forEach((n, k) => {
        ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
        if (k < 2) return;
        nodes++;
        if ([n.left, n.right].some((o) => o.kind === 'node' && o.index < k - 1)) skip++;
      });
    }
    expect(skip / nodes).toBeGreaterThan(0.3); // about 0.45: half the draws, less the redrawn ones
    expect(skip / nodes).toBeLessThan(0.6);
    for (const op of [PLUS, MINUS, TIMES]) expect(ops.get(op)! / 3000).toBeGreaterThan(0.1);
  });

  it('rejects hand-made DAGs that are not well-formed', () => {
    expect(() => dag.makeDag([{ op: PLUS, left: node(0), right: lit(1) }])).toThrow(/invalid operand/);
    expect(() => dag.makeDag([{ op: PLUS, left: lit(0), right: lit(1) }])).toThrow(/invalid operand/);
    expect(() =>
      dag.makeDag([
        { op: TIMES, left: lit(9), right: lit(9) },
        { op: TIMES, left: node(0), right: lit(2) },
      ]),
    ).toThrow(/leave \[0, 99\]/);
    expect(() => dag.makeDag([])).toThrow(/level must be an integer in \[1, 10\]/);
  });

  it('corrupts the chosen node and carries the wrong value through', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 100; i++) {
      const c = dag.dagTask.corrupt(p, rng, { step: i % 3 });
      expect(dag.dagTask.checkSteps(p, c.completion).firstWrong).toBe(i % 3);
      const d = dag.dagTask.corrupt(p, rng, { step: i % 3, propagate: false });
      expect(dag.dagTask.checkSteps(p, d.completion).firstWrong).toBe(i % 3);
      expect(d.answerCorrect).toBe(true);
    }
  });
});
