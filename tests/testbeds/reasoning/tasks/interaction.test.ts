import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as addition from '../../../../src/testbeds/reasoning/tasks/addition';
import * as dag from '../../../../src/testbeds/reasoning/tasks/dag';
import {
  calculator,
  DEFAULTS,
  lossMask,
  nextAction,
  retry,
  runEpisode,
  scriptedPolicy,
  startTranscript,
  stepFeedback,
} from '../../../../src/testbeds/reasoning/tasks/interaction';
import type { Problem, Transcript } from '../../../../src/testbeds/reasoning/tasks/task';
import { EOS, decode, encode } from '../../../../src/testbeds/reasoning/tasks/vocab';

/** Who wrote each token: 'e' the environment, 'm' the model. */
const who = (t: Transcript) => t.env.map((e) => (e ? 'e' : 'm')).join('');
/** The model tokens of the transcript, in order. */
const modelText = (t: Transcript) => decode(t.tokens.filter((_, i) => t.env[i] === 0));
const play = (p: Problem, model: string, config = DEFAULTS) => runEpisode(p, scriptedPolicy(encode(model)), config);

const p = addition.makeAddition(7, 5, 1);

describe('reasoning interaction: retry', () => {
  it('lets the model answer again after a wrong answer, masking the environment message', () => {
    const e = play(p, '7+5+0=13;>13$7+5+0=12;>12$', retry(2));
    expect(decode(e.transcript.tokens)).toBe('^7+5:7+5+0=13;>13${WR}:7+5+0=12;>12$');
    expect(e).toMatchObject({ solved: true, attempts: 2, reason: 'solved' });
    expect(who(e.transcript)).toBe('e'.repeat(5) + 'm'.repeat(13) + 'e'.repeat(5) + 'm'.repeat(13));
    expect(Array.from(e.lossMask)).toEqual(e.transcript.env.map((x) => 1 - x));
    expect(modelText(e.transcript)).toBe('7+5+0=13;>13$7+5+0=12;>12$');
  });

  it('stops after the last attempt, and does not retry a correct answer', () => {
    const e = play(p, '>13$>14$>15$', retry(2));
    expect(decode(e.transcript.tokens)).toBe('^7+5:>13${WR}:>14$');
    expect(e).toMatchObject({ solved: false, attempts: 2, reason: 'out of attempts' });
    const once = play(p, '>13$>12$', retry(1));
    expect(decode(once.transcript.tokens)).toBe('^7+5:>13$');
    expect(once.reason).toBe('out of attempts');
    const right = play(p, '>12$>12$', retry(3));
    expect(decode(right.transcript.tokens)).toBe('^7+5:>12$');
    expect(right).toMatchObject({ solved: true, attempts: 1 });
  });

  it('ends the episode when the transcript reaches maxLength or a message would not fit', () => {
    const e = play(p, '7+5+0=13;7+5+0=13;7+5+0=13;', retry(2, { maxLength: 16 }));
    expect(e.transcript.tokens.length).toBe(16);
    expect(e).toMatchObject({ solved: false, reason: 'length', attempts: 1 });
    const f = play(p, '>13$>12$', retry(2, { maxLength: 12 })); // 9 tokens + "{WR}:" would be 14
    expect(decode(f.transcript.tokens)).toBe('^7+5:>13$');
    expect(f.reason).toBe('length');
  });
});

describe('reasoning interaction: step feedback', () => {
  it('names the first wrong step (1-based), or the answer when every step is right', () => {
    const q = addition.makeAddition(482, 359, 3);
    const attempts = [
      '2+9+0=11;8+5+0=13;4+3+1=08;>831$', // carry dropped at step 2
      '2+9+0=11;8+5+1=14;4+3+1=08;>842$', // right steps, wrong answer
      '2+9+0=11;8+5+1=14;4+3+1=08;>841$',
    ];
    const e = play(q, attempts.join(''), stepFeedback(3));
    expect(decode(e.transcript.tokens)).toBe(
      '^482+359:' + attempts[0] + '{W2R}:' + attempts[1] + '{W>R}:' + attempts[2],
    );
    expect(e).toMatchObject({ solved: true, attempts: 3 });
    expect(modelText(e.transcript)).toBe(attempts.join(''));
  });

  it('writes two-digit step numbers', () => {
    const q = dag.dagTask.generate(new Rng(3), 10);
    const bad = decode(q.reference).split(';');
    bad[9] = 'J=100'; // the tenth node wrong, and the answer with it
    bad[10] = '>100$';
    const e = play(q, bad.join(';') + decode(q.reference), stepFeedback(2, { maxLength: 256 }));
    expect(decode(e.transcript.tokens)).toContain('{W10R}:');
    expect(e.solved).toBe(true);
  });
});

describe('reasoning interaction: calculator', () => {
  const q = dag.makeDag([
    { op: 10, left: { kind: 'literal', value: 3 }, right: { kind: 'literal', value: 5 } },
    { op: 12, left: { kind: 'node', index: 0 }, right: { kind: 'literal', value: 2 } },
  ]);

  it('answers each closed call with its value, which the environment writes and the loss skips', () => {
    const e = play(q, 'A=[3+5];B=[8*2];>16$', calculator(2));
    expect(decode(e.transcript.tokens)).toBe('^A=3+5;B=A*2;:A=[3+5]{8};B=[8*2]{16};>16$');
    expect(e.solved).toBe(true);
    expect(who(e.transcript)).toBe('e'.repeat(14) + 'm'.repeat(7) + 'eee' + 'm'.repeat(8) + 'eeee' + 'mmmmm');
    expect(decode(e.transcript.tokens.filter((_, i) => e.lossMask[i] === 1))).toBe('A=[3+5];B=[8*2];>16$');
  });

  it('replays the DAG tool-use reference exactly (every level that fits)', () => {
    for (let level = 1; level <= 6; level++) {
      for (let seed = 0; seed < 20; seed++) {
        const r = dag.dagTask.generate(new Rng(seed, ['tool', level]), level);
        const ref = dag.toolReference(r);
        const e = play(r, modelText(ref), calculator(level));
        expect(e.transcript).toEqual(ref);
        expect(e.solved).toBe(true);
        expect(ref.tokens.length).toBeLessThanOrEqual(Math.min(128, dag.maxToolLength(level)));
      }
    }
  });

  it('answers {W} to a malformed call, a call past the budget, or a stray "]"', () => {
    expect(decode(play(q, 'A=[3+];>16$', calculator(2)).transcript.tokens)).toContain('A=[3+]{W};');
    const over = play(q, 'A=[3+5];B=[8*2];>16$', calculator(1));
    expect(decode(over.transcript.tokens)).toContain('A=[3+5]{8};B=[8*2]{W};');
    expect(decode(play(q, 'A=8];>16$', calculator(2)).transcript.tokens)).toContain('A=8]{W};');
    expect(decode(play(q, '[3-5]>16$', calculator(2)).transcript.tokens)).toContain('[3-5]{-2}>');
    const nested = play(q, '[3+[5]>16$', calculator(2));
    expect(decode(nested.transcript.tokens)).toContain('[3+[5]{5}'); // the innermost open call is answered
  });

  it('leaves brackets alone when the calculator is off', () => {
    const e = play(q, 'A=[3+5];>16$', DEFAULTS);
    expect(decode(e.transcript.tokens)).toBe('^A=3+5;B=A*2;:A=[3+5];>16$');
    expect(e.transcript.env.slice(14).every((x) => x === 0)).toBe(true);
  });

  it('composes with retry: calls are budgeted per attempt', () => {
    const e = play(q, 'A=[3+5];>15$A=[3+5];>16$', calculator(1, { attempts: 2 }));
    expect(decode(e.transcript.tokens)).toBe('^A=3+5;B=A*2;:A=[3+5]{8};>15${WR}:A=[3+5]{8};>16$');
    expect(e).toMatchObject({ solved: true, attempts: 2 });
  });
});

describe('reasoning interaction: the state machine', () => {
  it('is pure and reads who wrote each token, not what it looks like', () => {
    const t = startTranscript(p);
    expect(nextAction(p, t, retry(2))).toEqual({ kind: 'model' });
    // the model forging an environment message is still the model: no attempt is counted, it stays in the loss
    const forged: Transcript = {
      tokens: [...t.tokens, ...encode('>13${WR}:>12$')],
      env: [...t.env, ...encode('>13${WR}:>12$').map(() => 0)],
    };
    const copy = JSON.parse(JSON.stringify(forged));
    const a = nextAction(p, forged, retry(2));
    expect(a).toEqual(nextAction(p, forged, retry(2)));
    expect(forged).toEqual(copy);
    // the attempt runs from the prompt's ':' and its answer is "13${WR}:>12" up to the first EOS: wrong
    expect(a).toEqual({ kind: 'write', tokens: Array.from(encode('{WR}:')), reason: 'retry' });
    expect(Array.from(lossMask(forged)).slice(5)).toEqual(Array(forged.tokens.length - 5).fill(1));
    const ended = { tokens: [...t.tokens, 1, 2, EOS], env: [...t.env, 0, 0, 0] };
    expect(nextAction(p, ended, retry(1))).toEqual({
      kind: 'end',
      solved: false,
      attempts: 1,
      reason: 'out of attempts',
    });
  });

  it('rejects transcripts that do not start with the prompt, and invalid configurations', () => {
    expect(() => nextAction(p, { tokens: [1, 2], env: [1, 1] })).toThrow(/does not start with the problem prompt/);
    const t = startTranscript(p);
    expect(() => nextAction(p, { tokens: t.tokens, env: t.env.map(() => 0) })).toThrow(/prompt/);
    expect(() => nextAction(p, { tokens: t.tokens, env: [1] })).toThrow(/mask entries/);
    expect(() => retry(0)).toThrow(/attempts must be an integer ≥ 1/);
    expect(() => calculator(-1)).toThrow(/calls must be an integer ≥ 0/);
  });
});
