/**
 * The environment side of multi-turn episodes: a pure state machine `nextAction(problem, transcript,
 * config)` that reads the transcript (tokens and who wrote each) and says what happens next — the
 * model writes a token, the environment appends tokens, or the episode ends. Environment tokens
 * (the prompt included) are excluded from the loss: `lossMask` is 1 exactly on the model's tokens.
 *
 * Three wrappers, as configurations of the one machine (they compose: calculator calls inside
 * retried attempts work too):
 * - retry (`retry(n)`): after a wrong answer (a model turn ended by EOS that fails the verifier) the
 *   environment writes `{WR}:` and the model answers again, up to n attempts.
 * - step feedback (`stepFeedback(n)`): as retry, but the message names the first wrong step from the
 *   step checker, 1-based: `{W3R}:` (step 3 is wrong) or `{W>R}:` (every step is right, the answer is
 *   not).
 * - calculator (`calculator(k)`): when the model closes a call `[expr]`, the environment writes
 *   `{value}` (or `{W}` for a malformed expression or once the k calls of the attempt are spent).
 *
 * An attempt starts after the last environment-written `:` (the prompt's, or a retry message's) and
 * is verified with everything written since, calculator results included (a number may be written as
 * `[expr]{value}`). The episode ends when an attempt is correct, when the attempts are spent, or when
 * the transcript reaches `maxLength` (or the next environment message would not fit).
 *
 *   retry(2), addition level 1:  ^7+5: 7+5+0=13;>13$ {WR}: 7+5+0=12;>12$       (end: solved)
 *   calculator(2):              ^A=3+5;B=A*2;: A=[3+5]{8};B=[8*2]{16};>16$    (end: solved)
 */
import { taskOf } from './registry';
import { parseExpression } from './syntax';
import type { Problem, Transcript } from './task';
import { ANSWER, CALL, CALL_END, ENV, ENV_END, EOS, RETRY, THINK, WRONG, digitTokens, numberTokens } from './vocab';

/** How the environment interacts. */
export interface InteractionConfig {
  /** Attempts the model gets (≥ 1); each wrong answer before the last is answered with feedback. */
  attempts: number;
  /** The message after a wrong answer: 'wrong' → `{WR}:`; 'step' → `{W k R}:` with the first wrong step k. */
  feedback: 'wrong' | 'step';
  /** Calculator calls answered per attempt; 0 turns the calculator off (`[` and `]` are then plain tokens). */
  calls: number;
  /** Longest transcript; the episode ends unsolved when it is reached. */
  maxLength: number;
}

/** One attempt, no feedback, no calculator, 128 tokens. */
export const DEFAULTS: InteractionConfig = { attempts: 1, feedback: 'wrong', calls: 0, maxLength: 128 };

/** Retry after a wrong answer, up to `attempts` attempts in all. */
export function retry(attempts: number, overrides: Partial<InteractionConfig> = {}): InteractionConfig {
  return checkConfig({ ...DEFAULTS, attempts, feedback: 'wrong', ...overrides });
}

/** Retry with "step k is wrong" feedback from the step checker, up to `attempts` attempts. */
export function stepFeedback(attempts: number, overrides: Partial<InteractionConfig> = {}): InteractionConfig {
  return checkConfig({ ...DEFAULTS, attempts, feedback: 'step', ...overrides });
}

/** A calculator answering up to `calls` calls per attempt. */
export function calculator(calls: number, overrides: Partial<InteractionConfig> = {}): InteractionConfig {
  return checkConfig({ ...DEFAULTS, calls, ...overrides });
}

/** Throw on an invalid configuration (naming the field); return it otherwise. */
export function checkConfig(c: InteractionConfig): InteractionConfig {
  const int = (v: number, lo: number) => Number.isInteger(v) && v >= lo;
  if (!int(c.attempts, 1))
    throw new RangeError(`reasoning.interaction: attempts must be an integer ≥ 1, got ${c.attempts}`);
  if (!int(c.calls, 0)) throw new RangeError(`reasoning.interaction: calls must be an integer ≥ 0, got ${c.calls}`);
  if (!int(c.maxLength, 1)) {
    throw new RangeError(`reasoning.interaction: maxLength must be an integer ≥ 1, got ${c.maxLength}`);
  }
  if (c.feedback !== 'wrong' && c.feedback !== 'step') {
    throw new RangeError(`reasoning.interaction: feedback must be 'wrong' or 'step', got ${String(c.feedback)}`);
  }
  return c;
}

/** What happens next. */
export type EnvAction =
  | {
      /** The model writes the next token. */
      kind: 'model';
    }
  | {
      /** The environment appends `tokens` (masked out of the loss); then the model continues. */
      kind: 'write';
      /** The tokens to append. */
      tokens: number[];
      /** Why: a calculator result or a retry message. */
      reason: 'calculator' | 'retry';
    }
  | {
      /** The episode is over. */
      kind: 'end';
      /** Whether an attempt was correct. */
      solved: boolean;
      /** Attempts made (the last one included). */
      attempts: number;
      /** Why it ended. */
      reason: 'solved' | 'out of attempts' | 'length';
    };

/** The transcript of a new episode: the prompt, written by the environment. */
export function startTranscript(p: Problem): Transcript {
  return { tokens: Array.from(p.prompt), env: Array.from(p.prompt, () => 1) };
}

/** 1 on the model's tokens (trained on), 0 on the environment's (the prompt included). */
export function lossMask(t: Transcript): Uint8Array {
  return Uint8Array.from(t.env, (e) => 1 - e);
}

/** Index where the current attempt starts: after the last environment-written `:`. */
function attemptStart(t: Transcript): number {
  for (let i = t.tokens.length - 1; i >= 0; i--) if (t.env[i] === 1 && t.tokens[i] === THINK) return i + 1;
  return 0;
}

/** The environment's answer to the call just closed at the end of the transcript. */
function calculatorReply(t: Transcript, start: number, calls: number): number[] {
  const n = t.tokens.length;
  let used = 0;
  for (let i = start + 1; i < n; i++) if (t.env[i] === 1 && t.tokens[i] === ENV && t.tokens[i - 1] === CALL_END) used++;
  let open = -1;
  for (let i = n - 2; i >= start && open < 0; i--) {
    if (t.tokens[i] === CALL_END) break;
    if (t.tokens[i] === CALL && t.env[i] === 0) open = i;
  }
  const fail = [ENV, WRONG, ENV_END];
  if (used >= calls || open < 0) return fail;
  const body = t.tokens.slice(open + 1, n - 1);
  if (t.env.slice(open + 1, n - 1).some((e) => e === 1)) return fail;
  const e = parseExpression(body);
  return typeof e === 'string' ? fail : [ENV, ...numberTokens(e.value), ENV_END];
}

/** The next step of the episode (see the module comment). Pure: the same transcript gives the same action. */
export function nextAction(p: Problem, t: Transcript, config: InteractionConfig = DEFAULTS): EnvAction {
  const n = t.tokens.length;
  if (t.env.length !== n) throw new Error(`reasoning.interaction: ${n} tokens but ${t.env.length} mask entries`);
  if (n < p.prompt.length || p.prompt.some((v, i) => t.tokens[i] !== v || t.env[i] !== 1)) {
    throw new Error('reasoning.interaction: the transcript does not start with the problem prompt');
  }
  const attempts = 1 + t.tokens.filter((v, i) => v === RETRY && t.env[i] === 1).length;
  const end = (solved: boolean, reason: 'solved' | 'out of attempts' | 'length'): EnvAction => ({
    kind: 'end',
    solved,
    attempts,
    reason,
  });
  const write = (tokens: number[], reason: 'calculator' | 'retry'): EnvAction =>
    n + tokens.length > config.maxLength ? end(false, 'length') : { kind: 'write', tokens, reason };
  const last = t.tokens[n - 1];
  const start = attemptStart(t);
  if (t.env[n - 1] === 0 && last === EOS) {
    const task = taskOf(p);
    const completion = t.tokens.slice(start);
    if (task.verify(p, completion)) return end(true, 'solved');
    if (attempts >= config.attempts) return end(false, 'out of attempts');
    let where: number[] = [];
    if (config.feedback === 'step') {
      const k = task.checkSteps(p, completion).firstWrong;
      where = k === null ? [ANSWER] : digitTokens(k + 1);
    }
    return write([ENV, WRONG, ...where, RETRY, ENV_END, THINK], 'retry');
  }
  if (t.env[n - 1] === 0 && last === CALL_END && config.calls > 0) {
    return write(calculatorReply(t, start, config.calls), 'calculator');
  }
  return n >= config.maxLength ? end(false, 'length') : { kind: 'model' };
}

/** A policy: the next model token given the transcript so far. */
export type TranscriptPolicy = (t: Transcript) => number;

/** A finished episode. */
export interface Episode {
  /** The whole transcript. */
  transcript: Transcript;
  /** 1 on the model's tokens, 0 on the environment's. */
  lossMask: Uint8Array;
  /** Whether an attempt was correct. */
  solved: boolean;
  /** Attempts made. */
  attempts: number;
  /** Why it ended. */
  reason: 'solved' | 'out of attempts' | 'length';
}

/** Run one episode: the policy writes model tokens, the environment acts, until the episode ends. */
export function runEpisode(p: Problem, policy: TranscriptPolicy, config: InteractionConfig = DEFAULTS): Episode {
  checkConfig(config);
  const t = startTranscript(p);
  for (;;) {
    const a = nextAction(p, t, config);
    if (a.kind === 'end')
      return { transcript: t, lossMask: lossMask(t), solved: a.solved, attempts: a.attempts, reason: a.reason };
    if (a.kind === 'write') {
      for (const v of a.tokens) {
        t.tokens.push(v);
        t.env.push(1);
      }
    } else {
      t.tokens.push(policy(t));
      t.env.push(0);
    }
  }
}

/** A policy that writes `tokens` in order (then EOS forever): scripted model turns for tests and demos. */
export function scriptedPolicy(tokens: ArrayLike<number>): TranscriptPolicy {
  let i = 0;
  return () => (i < tokens.length ? tokens[i++] : EOS);
}
