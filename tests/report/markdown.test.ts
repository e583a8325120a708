/** Markdown with math typeset on the server by KaTeX: offline, no script, nothing that reaches outside. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { copyKatexAssets, hasMath, inlineMarkdownHtml, markdownHtml } from '../../src/report/markdown';

describe('math in markdown', () => {
  it('typesets $…$ and $$…$$ with KaTeX, leaving the TeX out of the text', () => {
    const html = markdownHtml('For $p(q)=\\mathbb E_{o\\sim\\pi}[R(q,o)]$ we have\n\n$$H(\\pi^{k+1}) - H(\\pi^k)$$\n');
    expect(hasMath(html)).toBe(true);
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
    expect(html).toContain('<div class="math-display">');
    // The TeX source is in the MathML annotation only, never as visible text with dollars.
    expect(html).not.toMatch(/>\s*\$/);
    expect(html).toContain(
      '<annotation encoding="application/x-tex">p(q)=\\mathbb E_{o\\sim\\pi}[R(q,o)]</annotation>',
    );
    // Markdown inside math is left alone: underscores and stars are TeX, not emphasis.
    const sub = markdownHtml('$a_1 * b_2 * c$ and *emph*');
    expect(sub).not.toMatch(/<em>1/);
    expect(sub).toContain('<em>emph</em>');
  });

  it('dollar amounts, escaped dollars and code spans stay text', () => {
    expect(hasMath(markdownHtml('It costs $5 and $10 per run.'))).toBe(false);
    expect(hasMath(markdownHtml('A literal \\$x\\$ here.'))).toBe(false);
    expect(hasMath(markdownHtml('Code `$x$` here.'))).toBe(false);
    expect(markdownHtml('Code `$x$` here.')).toContain('<code>$x$</code>');
  });

  it('math cannot produce links, HTML or runaway output', () => {
    const html = markdownHtml(
      '$\\href{javascript:alert(1)}{x}$ $\\url{https://example.org}$ $\\htmlClass{x}{y}$ ' +
        '$\\def\\a{\\a\\a}\\a$ $<img src=x onerror=1>$',
    );
    expect(html).not.toContain('<a ');
    expect(html).not.toMatch(/(href|src)="/); // the TeX source is only text (in the MathML annotation)
    expect(html).not.toMatch(/<img/);
    expect(html.length).toBeLessThan(20_000);
    // Raw HTML in markdown is text; only http(s), relative and anchor links survive.
    const raw = markdownHtml('x <script>alert(1)</script> [a](javascript:alert(1)) [b](https://ok.org)');
    expect(raw).toContain('&lt;script&gt;');
    expect(raw).toContain('<a href="#">a</a>');
    expect(raw).toContain('<a href="https://ok.org">b</a>');
    expect(inlineMarkdownHtml('one *line* with $x$')).not.toContain('<p>');
  });

  it('the KaTeX stylesheet and fonts are copied for offline use, only when missing or changed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-katex-'));
    try {
      const copied: string[] = [];
      const copy = (from: string, to: string) => {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
        copied.push(path.relative(dir, to));
      };
      copyKatexAssets(dir, copy);
      expect(copied).toContain(path.join('katex', 'katex.min.css'));
      const css = fs.readFileSync(path.join(dir, 'katex', 'katex.min.css'), 'utf8');
      const fonts = [...css.matchAll(/url\((fonts\/[^)]+)\)/g)].map((m) => m[1]);
      expect(fonts.length).toBeGreaterThan(20);
      for (const f of fonts) expect(fs.existsSync(path.join(dir, 'katex', f)), f).toBe(true);
      expect(css).not.toMatch(/url\((https?:)?\/\//); // nothing loaded from elsewhere
      copied.length = 0;
      copyKatexAssets(dir, copy);
      expect(copied).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
