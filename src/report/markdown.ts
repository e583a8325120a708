/**
 * Markdown for report pages (notebook cells, readings, paper metadata), with math rendered offline:
 * `$…$` (inline) and `$$…$$` (display) are typeset on the server by KaTeX (`renderToString`), so a page
 * needs only the KaTeX stylesheet and fonts copied into reports/assets/katex/ — no script, no network.
 * Raw HTML in markdown is shown as text; links are kept only when they are http(s), relative or anchors.
 */
import * as fs from 'fs';
import * as path from 'path';
import katex from 'katex';
import { Marked, type TokenizerAndRendererExtension } from 'marked';
import { escapeHtml } from '../core/escape';

/** Longest TeX source typeset (longer math is shown as code). */
export const MAX_MATH_CHARS = 4000;

/** KaTeX with everything that could reach outside the page or run away switched off. */
export function mathHtml(tex: string, display: boolean): string {
  if (tex.length > MAX_MATH_CHARS) return `<code class="math-too-long">${escapeHtml(tex)}</code>`;
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      strict: 'ignore',
      trust: false,
      maxSize: 20,
      maxExpand: 200,
      output: 'htmlAndMathml',
    });
  } catch {
    // throwOnError: false renders parse errors in place; anything else (an internal error) is shown as code.
    return `<code class="math-error">${escapeHtml(tex)}</code>`;
  }
}

interface MathToken {
  type: string;
  raw: string;
  text: string;
  display: boolean;
}

/** First `$` that is not escaped with a backslash. */
function firstDollar(src: string): number | undefined {
  const m = /(?<!\\)\$/.exec(src);
  return m ? m.index : undefined;
}

const mathBlock: TokenizerAndRendererExtension = {
  name: 'mathBlock',
  level: 'block',
  start: (src: string) => {
    const m = /(^|\n)[ ]{0,3}\$\$/.exec(src);
    return m ? m.index + m[1].length : undefined;
  },
  tokenizer(src: string) {
    const m = /^[ ]{0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
    if (m) return { type: 'mathBlock', raw: m[0], text: m[1].trim(), display: true } as MathToken;
    return undefined;
  },
  renderer: (t) => `<div class="math-display">${mathHtml((t as unknown as MathToken).text, true)}</div>\n`,
};

const mathInline: TokenizerAndRendererExtension = {
  name: 'mathInline',
  level: 'inline',
  start: firstDollar,
  tokenizer(src: string) {
    const d = /^\$\$((?:\\[\s\S]|[^\\$])+?)\$\$/.exec(src);
    if (d) return { type: 'mathInline', raw: d[0], text: d[1].trim(), display: true } as MathToken;
    // $…$: not opened by a space, not closed after a space, not followed by a digit ("$5 and $10" is text).
    const m = /^\$(?![\s$])((?:\\[\s\S]|[^\\$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (m) return { type: 'mathInline', raw: m[0], text: m[1], display: false } as MathToken;
    return undefined;
  },
  renderer: (t) => mathHtml((t as unknown as MathToken).text, (t as unknown as MathToken).display),
};

const md = new Marked({
  gfm: true,
  renderer: {
    html(token: unknown) {
      const t = token as string | { text?: string; raw?: string };
      return escapeHtml(typeof t === 'string' ? t : (t.raw ?? t.text ?? ''));
    },
  },
});
md.use({ extensions: [mathBlock, mathInline] });
// Links: only http(s), relative and anchors.
md.use({
  walkTokens(token: { type: string; href?: string }) {
    if (
      (token.type === 'link' || token.type === 'image') &&
      token.href &&
      !/^(https?:|#|\.{0,2}\/|[a-zA-Z0-9_-]+\.)/.test(token.href)
    )
      token.href = '#';
  },
});

/** Markdown (with math) as HTML that is safe to put in a page. */
export function markdownHtml(text: string): string {
  return md.parse(String(text ?? ''), { async: false }) as string;
}

/** One line of markdown (a claim, a deviation) without the wrapping paragraph. */
export function inlineMarkdownHtml(text: string): string {
  return md.parseInline(String(text ?? ''), { async: false }) as string;
}

/** Whether a page's HTML holds typeset math (it then links the KaTeX stylesheet). */
export function hasMath(html: string): boolean {
  return html.includes('class="katex');
}

/** The KaTeX distribution folder (stylesheet and fonts). */
export function katexDist(): string {
  return path.join(path.dirname(require.resolve('katex/package.json')), 'dist');
}

/**
 * Copy the KaTeX stylesheet and fonts to `<assetsDir>/katex/` (only files that are missing or differ in
 * size), so pages with math render offline from file://.
 */
export function copyKatexAssets(assetsDir: string, copy: (from: string, to: string) => void): void {
  const dist = katexDist();
  const out = path.join(assetsDir, 'katex');
  const files = ['katex.min.css', ...fs.readdirSync(path.join(dist, 'fonts')).map((f) => `fonts/${f}`)];
  for (const f of files) {
    const from = path.join(dist, f);
    const to = path.join(out, f);
    if (fs.existsSync(to) && fs.statSync(to).size === fs.statSync(from).size) continue;
    copy(from, to);
  }
}
