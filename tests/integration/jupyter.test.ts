/**
 * The way users run notebooks: real Jupyter (nbclient from Debian's python3-nbclient) drives the
 * tslab kernel registered by `npm run kernel`, executing notebooks/starc.ipynb as committed.
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
});
