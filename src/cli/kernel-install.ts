/**
 * `npm run kernel`: register the tslab TypeScript kernel with Jupyter (a kernelspec in the user's
 * Jupyter data dir), pointing at this repository's tslab, so Jupyter started from the repository
 * root lists "TypeScript (rl-miniatures)" and notebooks in notebooks/ can import ../dist.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { paths } from '../core/paths';
import { tslabBin } from '../runner/kernel';

export const KERNEL_NAME = 'tslab';

export function jupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  for (const exe of ['jupyter', '/usr/bin/jupyter']) {
    try {
      const out = execFileSync(exe, ['--data-dir'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
      if (out) return out;
    } catch {
      /* try next */
    }
  }
  return path.join(os.homedir(), '.local', 'share', 'jupyter');
}

export function installKernel(): string {
  const bin = tslabBin(paths.root());
  const dir = path.join(jupyterDataDir(), 'kernels', KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, bin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (rl-miniatures)',
    language: 'typescript',
    metadata: { rlMiniaturesRoot: paths.root() },
  };
  fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
  return dir;
}
