/**
 * `--param name=value` checked before any kernel starts. A notebook's parameters are the variables
 * of its `parameters` cell (`const seeds: number | null = null;`); an override of another name is
 * rejected, and so is a value that does not fit the declared type. When the notebook's
 * `startNotebook({ spec: { … }, overrides: { … } })` call is written with literals (as the template
 * is), the value is also checked against the spec (integer, range, allowed strings), with the same
 * message `startNotebook` would give after the kernel had started.
 */
import * as path from 'path';
import type * as tsT from 'typescript';
import { cellSource, hasTag, readNotebook, type Notebook } from '../core/ipynb';
import { ParameterError, resolveParameters, type ParamSpec, type Profile } from '../core/params';

export interface DeclaredParameter {
  name: string;
  /** The declared TypeScript type as written (null when there is none). */
  type: string | null;
}

export interface NotebookParameters {
  /** The parameters cell's variables, in order; null when the notebook has no parameters cell. */
  declared: DeclaredParameter[] | null;
  /** Specs from startNotebook({ spec }) by parameters-cell variable name (only those written as literals). */
  specs: Record<string, ParamSpec>;
}

let tsMod: typeof tsT | null | undefined;
function typescript(): typeof tsT | null {
  if (tsMod === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      tsMod = require('typescript') as typeof tsT;
    } catch {
      tsMod = null;
    }
  }
  return tsMod;
}

/** Variables declared by a parameters cell (`const|let|var name[: type] = value;`). */
export function parseParametersCell(source: string): DeclaredParameter[] {
  const ts = typescript();
  if (!ts) {
    // Fallback without the TypeScript parser: one declaration per line.
    const out: DeclaredParameter[] = [];
    for (const line of source.split('\n')) {
      const m = /^\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=/.exec(line);
      if (m) out.push({ name: m[1], type: m[2]?.trim() ?? null });
    }
    return out;
  }
  const sf = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.ES2022, true);
  const out: DeclaredParameter[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name)) out.push({ name: d.name.text, type: d.type ? d.type.getText(sf).trim() : null });
    }
  }
  return out;
}

class NotLiteral extends Error {}

function literalValue(ts: typeof tsT, e: tsT.Expression, consts: Map<string, tsT.Expression>, depth = 0): unknown {
  if (depth > 20) throw new NotLiteral();
  if (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e)
  )
    return literalValue(ts, e.expression, consts, depth + 1);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand))
    return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((x) => literalValue(ts, x, consts, depth + 1));
  if (ts.isObjectLiteralExpression(e)) {
    const o: Record<string, unknown> = {};
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
        throw new NotLiteral();
      o[p.name.text] = literalValue(ts, p.initializer, consts, depth + 1);
    }
    return o;
  }
  if (ts.isIdentifier(e) && consts.has(e.text)) return literalValue(ts, consts.get(e.text)!, consts, depth + 1);
  if (ts.isPropertyAccessExpression(e)) {
    const o = literalValue(ts, e.expression, consts, depth + 1);
    if (o && typeof o === 'object' && !Array.isArray(o) && e.name.text in o)
      return (o as Record<string, unknown>)[e.name.text];
  }
  throw new NotLiteral();
}

function isParamSpec(v: unknown): v is ParamSpec {
  const t = (v as { type?: unknown })?.type;
  return typeof t === 'string' && ['int', 'number', 'boolean', 'string', 'int[]', 'number[]'].includes(t);
}

/** The notebook's `startNotebook({ … })` calls with an object-literal argument, and its cells' top-level constants. */
function startNotebookCalls(
  nb: Notebook,
): { ts: typeof tsT; consts: Map<string, tsT.Expression>; calls: tsT.CallExpression[] } | null {
  const ts = typescript();
  if (!ts) return null;
  const files = nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c, i) => ts.createSourceFile(`cell${i}.ts`, cellSource(c), ts.ScriptTarget.ES2022, true));
  const consts = new Map<string, tsT.Expression>();
  const calls: tsT.CallExpression[] = [];
  for (const sf of files) {
    const visit = (n: tsT.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer)
        consts.set(n.name.text, n.initializer);
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const name = ts.isIdentifier(callee)
          ? callee.text
          : ts.isPropertyAccessExpression(callee)
            ? callee.name.text
            : '';
        if (name === 'startNotebook' && n.arguments[0] && ts.isObjectLiteralExpression(n.arguments[0])) calls.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { ts, consts, calls };
}

/** The property `name` of an object literal (`name: …` or shorthand `name`). */
function propOf(
  ts: typeof tsT,
  o: tsT.ObjectLiteralExpression,
  name: string,
): tsT.ObjectLiteralElementLike | undefined {
  return o.properties.find(
    (p) =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
      (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
      p.name.text === name,
  );
}

/**
 * The profiles a notebook declares defaults for (the keys of `startNotebook({ defaults: { … } })`), or null when they
 * cannot be read without running it (no parser, no such call, or defaults not written as an object literal).
 */
export function declaredProfiles(nb: Notebook): string[] | null {
  const parsed = startNotebookCalls(nb);
  if (!parsed) return null;
  const { ts, consts, calls } = parsed;
  for (const call of calls) {
    const d = propOf(ts, call.arguments[0] as tsT.ObjectLiteralExpression, 'defaults');
    let e: tsT.Expression | undefined =
      d && ts.isPropertyAssignment(d)
        ? d.initializer
        : d && ts.isShorthandPropertyAssignment(d)
          ? consts.get('defaults')
          : undefined;
    while (e && (ts.isAsExpression(e) || ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e)))
      e = e.expression;
    if (e && ts.isIdentifier(e)) e = consts.get(e.text);
    if (!e || !ts.isObjectLiteralExpression(e)) continue;
    const keys: string[] = [];
    for (const p of e.properties) {
      if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) return null;
      if (!(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return null;
      keys.push(p.name.text);
    }
    return keys;
  }
  return null;
}

/**
 * The specs of startNotebook({ spec, overrides }) keyed by the parameters-cell variable each spec
 * entry reads (`overrides: { seeds: seeds }`, or the same name when overrides is not literal).
 */
export function extractSpecs(nb: Notebook): Record<string, ParamSpec> {
  const parsed = startNotebookCalls(nb);
  if (!parsed) return {};
  const { ts, consts, calls } = parsed;
  const out: Record<string, ParamSpec> = {};
  for (const call of calls) {
    const arg = call.arguments[0] as tsT.ObjectLiteralExpression;
    const prop = (name: string) => propOf(ts, arg, name);
    const specProp = prop('spec');
    let specExpr: tsT.Expression | undefined;
    if (specProp && ts.isPropertyAssignment(specProp)) specExpr = specProp.initializer;
    else if (specProp && ts.isShorthandPropertyAssignment(specProp)) specExpr = consts.get(specProp.name.text);
    while (
      specExpr &&
      (ts.isAsExpression(specExpr) || ts.isParenthesizedExpression(specExpr) || ts.isSatisfiesExpression(specExpr))
    )
      specExpr = specExpr.expression;
    if (specExpr && ts.isIdentifier(specExpr)) specExpr = consts.get(specExpr.text);
    if (!specExpr || !ts.isObjectLiteralExpression(specExpr)) continue;
    // spec name → parameters-cell variable, from `overrides: { name: variable }`.
    const varOf = new Map<string, string>();
    const ovProp = prop('overrides');
    if (ovProp && ts.isPropertyAssignment(ovProp) && ts.isObjectLiteralExpression(ovProp.initializer)) {
      for (const p of ovProp.initializer.properties) {
        if (ts.isShorthandPropertyAssignment(p)) varOf.set(p.name.text, p.name.text);
        else if (
          ts.isPropertyAssignment(p) &&
          (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
          ts.isIdentifier(p.initializer)
        )
          varOf.set(p.name.text, p.initializer.text);
      }
    }
    for (const p of specExpr.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      let v: unknown;
      try {
        v = literalValue(ts, p.initializer, consts);
      } catch (e) {
        if (e instanceof NotLiteral) continue; // checked by startNotebook in the kernel instead
        throw e;
      }
      if (isParamSpec(v)) out[varOf.get(p.name.text) ?? p.name.text] = v;
    }
  }
  return out;
}

export function notebookParameters(nb: Notebook): NotebookParameters {
  const cell = nb.cells.find((c) => c.cell_type === 'code' && hasTag(c, 'parameters'));
  return { declared: cell ? parseParametersCell(cellSource(cell)) : null, specs: extractSpecs(nb) };
}

/** Split a type at top-level `|` (outside brackets and generics). */
function unionParts(type: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of type) {
    if ('<([{'.includes(ch)) depth++;
    if ('>)]}'.includes(ch)) depth--;
    if (ch === '|' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  parts.push(cur.trim());
  return parts.filter(Boolean);
}

/** Whether a JSON value fits a declared TypeScript type; null when the type is beyond this check. */
export function fitsDeclaredType(type: string, value: unknown): boolean | null {
  const one = (t: string, v: unknown): boolean | null => {
    t = t.trim();
    while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
    const arr = /^(.*)\[\]$/.exec(t) ?? /^(?:readonly\s+)?Array<(.*)>$/.exec(t) ?? /^readonly\s+(.*)\[\]$/.exec(t);
    if (arr) {
      if (!Array.isArray(v)) return false;
      let unknownInner = false;
      for (const x of v) {
        const r = fitsDeclaredType(arr[1], x);
        if (r === false) return false;
        if (r === null) unknownInner = true;
      }
      return unknownInner ? null : true;
    }
    switch (t) {
      case 'number':
        return typeof v === 'number';
      case 'string':
        return typeof v === 'string';
      case 'boolean':
        return typeof v === 'boolean';
      case 'null':
        return v === null;
      case 'undefined':
        return v === undefined;
      case 'true':
      case 'false':
        return v === (t === 'true');
      case 'any':
      case 'unknown':
        return true;
    }
    if (/^(["'`]).*\1$/.test(t)) return v === t.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(t)) return v === Number(t);
    return null;
  };
  let unknown = false;
  for (const part of unionParts(type)) {
    const r = one(part, value);
    if (r === true) return true;
    if (r === null) unknown = true;
  }
  return unknown ? null : false;
}

/** A notebook path as the user should read it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/**
 * Check `--param` overrides against each notebook: unknown names, declared types and (when the spec
 * is literal) the spec. Throws a ParameterError naming the notebook, the parameter and what is
 * allowed. Notebooks that cannot be read are skipped here (the runner reports them on their own).
 */
export function checkParameterOverrides(files: string[], overrides: Record<string, unknown>, profile: Profile): void {
  const names = Object.keys(overrides);
  if (names.length === 0) return;
  for (const file of files) {
    let nb: Notebook;
    try {
      nb = readNotebook(file);
    } catch {
      continue;
    }
    const where = displayPath(file);
    const { declared, specs } = notebookParameters(nb);
    if (!declared) {
      throw new ParameterError(
        `${where}: has no cell tagged "parameters", so --param ${names.join(', --param ')} cannot be applied to it. ` +
          'Select other notebooks with --only, or add a parameters cell.',
      );
    }
    const known = ['profile', ...declared.map((d) => d.name).filter((n) => n !== 'profile')];
    for (const name of names) {
      const value = overrides[name];
      const d = declared.find((x) => x.name === name);
      if (!d) {
        throw new ParameterError(
          `${where}: unknown parameter "${name}" (--param ${name}=${show(value)}). ` +
            `Parameters of this notebook: ${known.join(', ')}.`,
        );
      }
      if (d.type && fitsDeclaredType(d.type, value) === false) {
        throw new ParameterError(
          `${where}: parameter "${name}" = ${show(value)} has the wrong type; ` +
            `the parameters cell declares \`${name}: ${d.type}\`.`,
        );
      }
      const spec = specs[name];
      if (spec && value !== null) {
        // The same check (and message) as startNotebook's, for this one value.
        resolveParameters({
          notebook: where,
          profile,
          spec: { [name]: spec },
          defaults: { smoke: { [name]: value }, full: { [name]: value } } as never,
        });
      }
    }
  }
}
