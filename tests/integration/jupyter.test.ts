/**
 * The way users run notebooks: real Jupyter (nbclient from Debian's python3-nbclient) drives the
 * tslab kernel registered by `npm run kernel`, executing notebooks/starc.ipynb as committed; a failing
 * cell reaches nbclient with its error's name and message; and `npm run kernel` in a second checkout
 * does not silently re-point the per-user `tslab` kernel (the rule in README, "Notebooks in Jupyter").
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers';

const PY = '/usr/bin/python3';

describe('real Jupyter (nbclient) with the tslab kernel', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-jupyter-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has Jupyter installed (else: the message says how to install it)', () => {
    const r = spawnSync(PY, ['-c', 'import nbclient, nbformat'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        'Jupyter is missing: install it with ' +
          '`sudo apt-get install -y jupyter-notebook python3-nbclient python3-nbconvert python3-ipykernel` ' +
          '(or run `npm run setup` as root).',
      );
    }
  });

  it('executes notebooks/starc.ipynb end to end and it writes its verdicts', () => {
    const env = {
      ...process.env,
      JUPYTER_DATA_DIR: path.join(tmp, 'jupyter'),
      RLMINI_RESULTS_DIR: path.join(tmp, 'results'),
    };
    const reg = spawnSync(process.execPath, [CLI, 'kernel'], { env, encoding: 'utf8' });
    expect(reg.status, reg.stderr).toBe(0);
    const spec = JSON.parse(fs.readFileSync(path.join(tmp, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    expect(spec.argv).toContain('{connection_file}');
    // Jupyter itself lists the kernel (the same lookup the Notebook/Lab launcher uses).
    const list = spawnSync(
      PY,
      [
        '-c',
        'import json; from jupyter_client.kernelspec import KernelSpecManager as K; ' +
          'print(json.dumps(K().find_kernel_specs()))',
      ],
      { env, encoding: 'utf8' },
    );
    expect(JSON.parse(list.stdout)).toHaveProperty('tslab');
    const out = path.join(tmp, 'starc.executed.ipynb');
    const script = `
import nbformat, sys
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name='tslab', timeout=600, resources={'metadata': {'path': sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[3])
`;
    const r = spawnSync(
      PY,
      ['-c', script, path.join(ROOT, 'notebooks', 'starc.ipynb'), path.join(ROOT, 'notebooks'), out],
      { env, encoding: 'utf8', timeout: 600_000 },
    );
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const nb = JSON.parse(fs.readFileSync(out, 'utf8'));
    const mimes = nb.cells.flatMap((c: { outputs?: { data?: Record<string, unknown> }[] }) =>
      (c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})),
    );
    expect(mimes).toContain('application/vnd.rlmini.verdict+json');
    // An interactive run publishes nothing: its summary goes to interactive/, never over summary.json.
    expect(fs.existsSync(path.join(tmp, 'results', 'starc', 'smoke', 'summary.json'))).toBe(false);
    const summary = JSON.parse(
      fs.readFileSync(path.join(tmp, 'results', 'starc', 'smoke', 'interactive', 'summary.json'), 'utf8'),
    );
    expect(summary.verdicts.length).toBeGreaterThanOrEqual(3);
    for (const v of summary.verdicts) {
      expect(['reproduced', 'not reproduced', 'inconclusive']).toContain(v.status);
      expect(v.evidence).toBe(false); // smoke profile is not evidence
    }
  }, 600_000);

  it('a failing cell reaches nbclient with its error name and message (CellExecutionError)', () => {
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(tmp, 'jupyter-errors') };
    const reg = spawnSync(process.execPath, [CLI, 'kernel'], { env, encoding: 'utf8' });
    expect(reg.status, reg.stderr).toBe(0);
    const script = `
import json, sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
out = []
for src in sys.argv[1:]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('const a = 1;'), nbformat.v4.new_code_cell(src)]
    try:
        NotebookClient(nb, kernel_name='tslab', timeout=120).execute()
        out.append(None)
    except CellExecutionError as e:
        errors = [o for o in nb.cells[1].outputs if o.output_type == 'error']
        out.append({'ename': e.ename, 'evalue': e.evalue, 'text': str(e), 'errors': errors})
print(json.dumps(out))
`;
    const r = spawnSync(
      PY,
      ['-c', script, 'throw new Error("deliberate failure");', 'const x: number = "not a number";'],
      { env, encoding: 'utf8', timeout: 300_000 },
    );
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const [thrown, compile] = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(thrown.ename).toBe('Error');
    expect(thrown.evalue).toBe('deliberate failure');
    expect(thrown.text).toMatch(/\nError: deliberate failure\n?$/); // not "<Error>: "
    expect(thrown.errors).toEqual([
      { output_type: 'error', ename: 'Error', evalue: 'deliberate failure', traceback: ['Error: deliberate failure'] },
    ]);
    expect(compile.ename).toBe('CompileError');
    expect(compile.evalue).toMatch(/Type 'string' is not assignable to type 'number'/);
  }, 300_000);

  describe('one tslab kernel per user: a second checkout does not silently re-point it', () => {
    const data = path.join(tmp, 'jupyter-rule');
    const specFile = path.join(data, 'kernels', 'tslab', 'kernel.json');
    const env = { ...process.env, JUPYTER_DATA_DIR: data };
    const kernel = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'kernel', ...args], { env, encoding: 'utf8' });
    const plant = (spec: object) => {
      fs.mkdirSync(path.dirname(specFile), { recursive: true });
      fs.writeFileSync(specFile, JSON.stringify(spec));
    };
    const spec = () => JSON.parse(fs.readFileSync(specFile, 'utf8'));

    it('registers this checkout, with the shim that names errors; re-registering its own spec is quiet', () => {
      const a = kernel();
      expect(a.status, a.stderr).toBe(0);
      expect(spec().metadata.rlMiniaturesRoot).toBe(ROOT);
      expect(spec().argv).toContain(path.join(ROOT, 'dist', 'runner', 'kernel-shim.js'));
      const b = kernel();
      expect(b.status, b.stderr).toBe(0);
      expect(b.stdout).not.toMatch(/Replaced|no longer exists/);
    });

    it("refuses, naming the other checkout, when the spec is another existing checkout's; --force takes it", () => {
      const other = fs.mkdtempSync(path.join(tmp, 'other-clone-'));
      fs.writeFileSync(path.join(other, 'package.json'), '{}');
      const theirs = { argv: ['node', `${other}/node_modules/tslab/bin/tslab`], metadata: { rlMiniaturesRoot: other } };
      plant(theirs);
      const r = kernel();
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`belongs to another checkout of rl-miniatures, ${other}`);
      expect(r.stderr).toContain('npm run kernel -- --force');
      expect(spec()).toEqual(theirs); // nothing changed
      const f = kernel('--force');
      expect(f.status, f.stderr).toBe(0);
      expect(f.stdout).toContain(`Replaced the kernel "tslab" of ${other} (--force).`);
      expect(spec().metadata.rlMiniaturesRoot).toBe(ROOT);
    });

    it('refuses to replace a tslab kernel the kit did not register; takes over one whose checkout is gone', () => {
      plant({ argv: ['tslab', 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript' });
      const r = kernel();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/is a tslab kernel that rl-miniatures did not register/);
      const gone = path.join(tmp, 'deleted-clone');
      plant({ argv: [], metadata: { rlMiniaturesRoot: gone } });
      const g = kernel();
      expect(g.status, g.stderr).toBe(0);
      expect(g.stdout).toContain(`pointed at ${gone}, which no longer exists; it now points here.`);
      expect(spec().metadata.rlMiniaturesRoot).toBe(ROOT);
    });

    it('rejects an unknown option', () => {
      const r = kernel('--frce');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/unknown option --frce for kernel/);
    });
  });
});
