/**
 * The grammar every task shares: how a completion splits into scratchpad steps and a final answer,
 * how numbers and calculator calls are read, and how an arithmetic expression is parsed and evaluated.
 *
 * A completion (the tokens a model writes after the prompt's `:`) is
 *
 *   step `;` step `;` … step `;` `>` answer `$`
 *
 * Everything after the first EOS `$` is ignored (PAD, say). A number is a run of 1–12 digits read by
 * value (leading zeros allowed: fixed-width fields like `06` are numbers too), or a calculator call
 * with the environment's result, `[expr]{value}`, which reads as `value` (and must equal `expr`).
 * Expressions use `+ - *` and parentheses over plain numbers, with the usual precedence and no unary
 * minus; every intermediate must stay a safe integer.
 */
import { ANSWER, CALL, CALL_END, ENV, ENV_END, EOS, LPAREN, MINUS, PLUS, RPAREN, STEP, TIMES } from './vocab';
import { isDigit, isToken, show } from './vocab';

/** Longest digit run read as one number. */
export const MAX_DIGITS = 12;

/** A completion cut at its markers. */
export interface CompletionParts {
  /** The complete steps in order, each without its closing `;`. */
  steps: Int32Array[];
  /** Tokens after the last `;` and before `>` (or the end): a step missing its `;` when non-empty. */
  tail: Int32Array;
  /** Tokens between `>` and EOS (or the end); null when there is no `>`. */
  answer: Int32Array | null;
  /** Whether an EOS ends the completion. */
  ended: boolean;
  /** Position of the first token id outside the vocabulary before EOS, or -1. */
  badToken: number;
}

/** Cut a completion into steps, tail and answer (see the module comment). */
export function splitCompletion(tokens: ArrayLike<number>): CompletionParts {
  let end = tokens.length;
  let badToken = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === EOS) {
      end = i;
      break;
    }
    if (badToken < 0 && !isToken(tokens[i])) badToken = i;
  }
  const all = Int32Array.from(Array.from({ length: end }, (_, i) => tokens[i]));
  let marker = all.indexOf(ANSWER);
  const answer = marker < 0 ? null : all.slice(marker + 1);
  if (marker < 0) marker = end;
  const steps: Int32Array[] = [];
  let start = 0;
  for (let i = 0; i < marker; i++) {
    if (all[i] === STEP) {
      steps.push(all.slice(start, i));
      start = i + 1;
    }
  }
  return { steps, tail: all.slice(start, marker), answer, ended: end < tokens.length, badToken };
}

/** A syntax error inside a step or an answer. */
export class ParseError extends Error {}

/** A cursor over a token slice with the shared number and expression readers. */
export class Reader {
  /** Position of the next token. */
  pos = 0;

  /** @param tokens the slice to read (one step, one answer, one calculator expression) */
  constructor(readonly tokens: ArrayLike<number>) {}

  /** Whether every token has been read. */
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** The next token, or -1 at the end. */
  peek(): number {
    return this.atEnd() ? -1 : this.tokens[this.pos];
  }

  /** Read `tok` if it is next. */
  accept(tok: number): boolean {
    if (this.peek() !== tok) return false;
    this.pos++;
    return true;
  }

  /** Read `tok` or fail. */
  expect(tok: number, what: string): void {
    if (!this.accept(tok)) this.fail(`expected ${what}`);
  }

  /** Fail unless every token has been read. */
  end(): void {
    if (!this.atEnd()) this.fail('expected the end');
  }

  /** Throw a ParseError naming the position and the tokens. */
  fail(message: string): never {
    throw new ParseError(`${message} at position ${this.pos} of "${show(this.tokens)}"`);
  }

  /** A plain digit run (1–MAX_DIGITS digits) by value. */
  digits(): number {
    const start = this.pos;
    let v = 0;
    while (isDigit(this.peek())) v = v * 10 + this.tokens[this.pos++];
    if (this.pos === start) this.fail('expected a number');
    if (this.pos - start > MAX_DIGITS) this.fail(`a number longer than ${MAX_DIGITS} digits`);
    return v;
  }

  /** A number: a digit run, or a calculator call `[expr]{value}` whose value must equal expr. */
  number(): number {
    if (!this.accept(CALL)) return this.digits();
    const expr = this.expression();
    this.expect(CALL_END, '"]" closing the calculator call');
    this.expect(ENV, '"{" with the calculator result');
    const neg = this.accept(MINUS);
    const v = neg ? -this.digits() : this.digits();
    this.expect(ENV_END, '"}" closing the calculator result');
    if (v !== expr.value) this.fail(`a calculator result ${v} that is not ${expr.value}`);
    return v;
  }

  /** A number with an optional leading minus. */
  signed(): number {
    return this.accept(MINUS) ? -this.number() : this.number();
  }

  /** An expression over plain numbers: its value and its number literals in order of appearance. */
  expression(): Expression {
    const literals: number[] = [];
    const value = this.sum(literals, 0);
    return { value, literals };
  }

  private sum(literals: number[], depth: number): number {
    let v = this.product(literals, depth);
    for (;;) {
      if (this.accept(PLUS)) v = safe(this, v + this.product(literals, depth));
      else if (this.accept(MINUS)) v = safe(this, v - this.product(literals, depth));
      else return v;
    }
  }

  private product(literals: number[], depth: number): number {
    let v = this.factor(literals, depth);
    while (this.accept(TIMES)) v = safe(this, v * this.factor(literals, depth));
    return v;
  }

  private factor(literals: number[], depth: number): number {
    if (this.accept(LPAREN)) {
      if (depth >= 32) this.fail('parentheses nested deeper than 32');
      const v = this.sum(literals, depth + 1);
      this.expect(RPAREN, '")"');
      return v;
    }
    const v = this.digits();
    literals.push(v);
    return v;
  }
}

/** A parsed expression. */
export interface Expression {
  /** Its integer value. */
  value: number;
  /** The number literals it uses, in order of appearance. */
  literals: number[];
}

function safe(r: Reader, v: number): number {
  if (!Number.isSafeInteger(v)) r.fail('an intermediate value beyond 2^53');
  return v;
}

/** Parse a whole token slice as one expression, or return the error message. */
export function parseExpression(tokens: ArrayLike<number>): Expression | string {
  try {
    const r = new Reader(tokens);
    const e = r.expression();
    r.end();
    return e;
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}

/** The answer of a completion as a plain non-negative number, or null when it is missing or malformed. */
export function numericAnswer(parts: CompletionParts): number | null {
  if (!parts.ended || parts.badToken >= 0 || parts.answer === null) return null;
  try {
    const r = new Reader(parts.answer);
    const v = r.digits();
    r.end();
    return v;
  } catch (e) {
    if (e instanceof ParseError) return null;
    throw e;
  }
}
