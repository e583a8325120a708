/**
 * Per-paper cache keys: a record is keyed by the import closure of its task module, so adding or
 * editing paper X re-keys only X, and editing a shared testbed file re-keys exactly the papers that
 * import it. Checked on a synthetic tree (exact closure) and on a temporary copy of the real dist/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearCodeCache, codeClosure } from '../../src/core/code-closure';
import { clearFingerprints, paperCode, taskCode } from '../../src/core/provenance';
import { ROOT } from '../helpers';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `rlmini-closure-${name}-`));
  dirs.push(d);
  return d;
}
function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}
/** Change a file's content and move its mtime, so no cache can miss the edit. */
function edit(file: string, text: string): void {
  fs.appendFileSync(file, text);
  const t = new Date(Date.now() + 5000);
  fs.utimesSync(file, t, t);
  clearCodeCache();
  clearFingerprints();
}

describe('codeClosure', () => {
  it('follows relative requires (files, index folders, ../), not packages, not type-only or unrelated files', () => {
    const d = tmp('synthetic');
    write(d, 'a.js', `const b = require("./b");\nconst c = require('./c');\nconst fs = require("fs");`);
    write(d, 'b.js', `exports.b = 1;`);
    write(d, 'c/index.js', `const dd = require("../d");`);
    write(d, 'd.js', `exports.d = require("./b");`);
    write(d, 'e.js', `exports.e = 1; // not required by anyone`);
    const f = codeClosure(d, [path.join(d, 'a.js')]);
    expect(Object.keys(f.files)).toEqual(['a.js', 'b.js', 'c/index.js', 'd.js']);
    for (const h of Object.values(f.files)) expect(h).toMatch(/^[0-9a-f]{16}$/);
    edit(path.join(d, 'e.js'), '\n// unrelated edit');
    expect(codeClosure(d, [path.join(d, 'a.js')]).hash).toBe(f.hash);
    edit(path.join(d, 'd.js'), '\n// a transitive dependency changed');
    const g = codeClosure(d, [path.join(d, 'a.js')]);
    expect(g.hash).not.toBe(f.hash);
    expect(g.files['d.js']).not.toBe(f.files['d.js']);
    expect(g.files['a.js']).toBe(f.files['a.js']);
  });

  it('names a missing entry and what to do', () => {
    expect(() => codeClosure(tmp('missing'), ['/nonexistent/x.js'])).toThrow(/does not exist.*npm run build/);
  });
});

describe('re-keying on a copy of the real library', () => {
  const dist = tmp('dist');
  fs.cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
  const papersDir = path.join(dist, 'papers');
  const ids = fs.existsSync(papersDir) ? fs.readdirSync(papersDir).sort() : [];
  /** Every task module of every paper: 'papers/<id>/<module>' → fingerprint hash. */
  const snapshot = (): Map<string, string> => {
    clearCodeCache();
    clearFingerprints();
    const out = new Map<string, string>();
    for (const id of ids) {
      for (const f of fs.readdirSync(path.join(papersDir, id)).filter((x) => x.endsWith('.js') && x !== 'index.js')) {
        const task = `papers/${id}/${f.replace(/\.js$/, '')}#runSeed`;
        out.set(task, taskCode(task, dist).hash);
      }
      out.set(`paper:${id}`, paperCode(id, dist).hash);
    }
    return out;
  };
  const changed = (a: Map<string, string>, b: Map<string, string>) =>
    [...a.keys()].filter((k) => a.get(k) !== b.get(k)).map((k) => k.replace(/^paper:/, 'papers/').split('/')[1]);

  it('the built library has paper folders to key by', () => {
    expect(ids.length).toBeGreaterThanOrEqual(10);
  });

  it('adding a paper re-keys nothing else; editing paper X re-keys only X', () => {
    const before = snapshot();
    write(dist, 'papers/a-new-paper/experiment.js', `const m = require("../../testbeds/tabular/index");`);
    expect(changed(before, snapshot())).toEqual([]);
    const x = ids[Math.floor(ids.length / 2)];
    const file = fs.readdirSync(path.join(papersDir, x)).find((f) => f.endsWith('.js') && f !== 'index.js')!;
    edit(path.join(papersDir, x, file), '\n// an edit to one paper');
    expect([...new Set(changed(before, snapshot()))]).toEqual([x]);
  });

  it('editing a shared testbed file re-keys exactly the papers whose closure holds it', () => {
    const before = snapshot();
    // The shared file used by the most papers, but not by all of them.
    const users = new Map<string, Set<string>>();
    for (const id of ids) {
      for (const f of Object.keys(paperCode(id, dist).files)) {
        if (!f.startsWith('testbeds/')) continue;
        if (!users.has(f)) users.set(f, new Set());
        users.get(f)!.add(id);
      }
    }
    const [shared, who] = [...users.entries()]
      .filter(([, s]) => s.size < ids.length)
      .sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))[0];
    expect(who.size).toBeGreaterThanOrEqual(2);
    edit(path.join(dist, shared), '\n// an edit to a shared testbed file');
    const re = [...new Set(changed(before, snapshot()))].sort();
    expect(re).toEqual([...who].sort());
    expect(re.length).toBeLessThan(ids.length);
  });
});
