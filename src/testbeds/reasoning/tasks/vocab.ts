/**
 * The one vocabulary every reasoning task writes in: 39 tokens, one printable character each, so a
 * token string reads like the text it stands for (`^12+34:2+4+0=06;1+3+0=04;>46$`).
 *
 * | ids   | symbols        | role                                                                  |
 * |-------|----------------|-----------------------------------------------------------------------|
 * | 0–9   | `0`–`9`        | digits (token id = digit value)                                       |
 * | 10–15 | `+ - * = ( )`  | operators: plus, minus (−), times (×), equals, parentheses            |
 * | 16    | `,`            | separates the numbers of a list (Countdown) and two results of a step |
 * | 17    | `;`            | ends one scratchpad step                                              |
 * | 18    | `:`            | scratchpad marker: the prompt ends here, the chain of thought starts  |
 * | 19    | `>`            | answer marker: the final answer follows, up to EOS                    |
 * | 20–22 | `^ $ _`        | BOS, EOS (ends a model turn), PAD                                     |
 * | 23–24 | `[ ]`          | calculator call, written by the model: `[12*34]`                      |
 * | 25–26 | `{ }`          | environment message, written by the environment: `{408}`, `{W}`       |
 * | 27–28 | `W R`          | feedback: wrong, retry                                                |
 * | 29–38 | `A`–`J`        | node names of the arithmetic DAG task                                 |
 *
 * `encode` also accepts `−` for `-` and `×` for `*`, and skips spaces; any other character is an
 * error that names it and its position. `decode` rejects ids outside the vocabulary.
 */

/** Every symbol, indexed by token id. */
export const SYMBOLS: readonly string[] = Array.from('0123456789+-*=(),;:>^$_[]{}WRABCDEFGHIJ');

/** Number of tokens (the model's vocabulary size). */
export const VOCAB_SIZE = SYMBOLS.length;

export const PLUS = 10;
export const MINUS = 11;
export const TIMES = 12;
export const EQUALS = 13;
export const LPAREN = 14;
export const RPAREN = 15;
/** `,` separates list items (Countdown numbers) and the two results of a multiplication step. */
export const COMMA = 16;
/** `;` ends a scratchpad step. */
export const STEP = 17;
/** `:` the scratchpad marker: the last prompt token (and the last token of a retry message). */
export const THINK = 18;
/** `>` the answer marker. */
export const ANSWER = 19;
export const BOS = 20;
/** `$` ends a model turn (an attempt). */
export const EOS = 21;
export const PAD = 22;
/** `[` opens a calculator call (model-written). */
export const CALL = 23;
/** `]` closes a calculator call; the environment answers with `{value}`. */
export const CALL_END = 24;
/** `{` opens an environment message. */
export const ENV = 25;
/** `}` closes an environment message. */
export const ENV_END = 26;
/** `W` feedback: wrong (also a failed calculator call `{W}`). */
export const WRONG = 27;
/** `R` feedback: retry (another attempt follows). */
export const RETRY = 28;
/** `A` — the first DAG node name; node i is `NODE_A + i`. */
export const NODE_A = 29;
/** Number of DAG node names (`A`–`J`). */
export const NODE_COUNT = 10;

const ALIASES: Record<string, string> = { '−': '-', '×': '*' };
const ID = new Map<string, number>(SYMBOLS.map((s, i) => [s, i]));

/** Whether `t` is a token id of this vocabulary. */
export function isToken(t: number): boolean {
  return Number.isInteger(t) && t >= 0 && t < VOCAB_SIZE;
}

/** Whether `t` is a digit token (its value is the token id). */
export function isDigit(t: number): boolean {
  return Number.isInteger(t) && t >= 0 && t <= 9;
}

/** Token ids of a text; spaces are skipped, `−`/`×` read as `-`/`*`. Throws on any other unknown character. */
export function encode(text: string): Int32Array {
  const out: number[] = [];
  let pos = 0;
  for (const ch of text) {
    if (ch !== ' ') {
      const id = ID.get(ALIASES[ch] ?? ch);
      if (id === undefined) {
        throw new Error(
          `reasoning.vocab.encode: unknown symbol ${JSON.stringify(ch)} at position ${pos} of ` +
            `${JSON.stringify(text)}; the vocabulary is ${SYMBOLS.join('')} (spaces are skipped)`,
        );
      }
      out.push(id);
    }
    pos++;
  }
  return Int32Array.from(out);
}

/** The text of token ids. Throws on an id outside the vocabulary, naming it and its position. */
export function decode(tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isToken(t)) {
      throw new Error(
        `reasoning.vocab.decode: token ${t} at position ${i} is not in the vocabulary (ids 0–${VOCAB_SIZE - 1})`,
      );
    }
    s += SYMBOLS[t];
  }
  return s;
}

/** Like `decode`, but never throws: unknown ids show as `?` (for logs and error messages). */
export function show(tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) s += isToken(tokens[i]) ? SYMBOLS[tokens[i]] : '?';
  return s;
}

/** Digit tokens of a non-negative integer, most significant first, left-padded with zeros to `width`. */
export function digitTokens(n: number, width = 1): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`reasoning.vocab: ${n} is not a non-negative integer`);
  return Array.from(String(n).padStart(width, '0'), (c) => c.charCodeAt(0) - 48);
}

/** Tokens of an integer, with a leading `-` when negative. */
export function numberTokens(n: number): number[] {
  return n < 0 ? [MINUS, ...digitTokens(-n)] : digitTokens(n);
}

/** `tokens` followed by PAD up to `length`; throws when they do not fit. */
export function padTo(tokens: ArrayLike<number>, length: number): Int32Array {
  if (tokens.length > length) {
    throw new RangeError(`reasoning.vocab.padTo: ${tokens.length} tokens do not fit length ${length}`);
  }
  const out = new Int32Array(length).fill(PAD);
  out.set(Array.from(tokens));
  return out;
}
