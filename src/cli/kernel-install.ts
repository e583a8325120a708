/**
 * `npm run kernel`: register the tslab TypeScript kernel with Jupyter (a kernelspec in the user's
 * Jupyter data dir), pointing at this repository's tslab, so Jupyter started from the repository
 * root lists "TypeScript (rl-miniatures)" and notebooks in notebooks/ can import ../dist.
 *
 * The kernel name, `tslab`, is what every notebook's `metadata.kernelspec.name` says, and it is one
 * per user: a second checkout cannot have its own. The rule: the spec records the checkout it
 * belongs to (`metadata.rlMiniaturesRoot`); `npm run kernel` re-registers its own checkout's spec,
 * takes over one whose checkout no longer exists (and says so), and refuses to re-point a spec that
 * belongs to another existing checkout, or a `tslab` kernel the kit did not register, unless run
 * with `--force`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { paths } from '../core/paths';
import { kernelShimPath, tslabBin } from '../runner/kernel';

export const KERNEL_NAME = 'tslab';

export class KernelSpecConflictError extends Error {
  name = 'KernelSpecConflictError';
}

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

function sameDir(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

/**
 * Who the registered `tslab` spec belongs to: this checkout, another one (existing or gone), a tslab
 * the kit did not register, or nobody yet.
 */
export function kernelSpecOwner(
  file: string,
  root: string,
): { kind: 'none' | 'this' | 'other' | 'gone' | 'foreign'; other?: string; argv?: string } {
  if (!fs.existsSync(file)) return { kind: 'none' };
  let spec: { argv?: unknown; metadata?: { rlMiniaturesRoot?: unknown } };
  try {
    spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { kind: 'foreign', argv: '(unreadable kernel.json)' };
  }
  const other = spec.metadata?.rlMiniaturesRoot;
  if (typeof other !== 'string') return { kind: 'foreign', argv: JSON.stringify(spec.argv ?? null) };
  if (sameDir(other, root)) return { kind: 'this' };
  return fs.existsSync(path.join(other, 'package.json')) ? { kind: 'other', other } : { kind: 'gone', other };
}

/**
 * Register (or refresh) this checkout's kernel spec. Returns its folder and, when it took over another
 * checkout's spec, a note saying so; throws KernelSpecConflictError when the rule above refuses.
 */
export function installKernel(opts: { force?: boolean } = {}): { dir: string; note?: string } {
  const root = paths.root();
  const bin = tslabBin(root);
  const dir = path.join(jupyterDataDir(), 'kernels', KERNEL_NAME);
  const file = path.join(dir, 'kernel.json');
  const owner = kernelSpecOwner(file, root);
  let note: string | undefined;
  if ((owner.kind === 'other' || owner.kind === 'foreign') && !opts.force) {
    const whose =
      owner.kind === 'other'
        ? `belongs to another checkout of rl-miniatures, ${owner.other}`
        : `is a tslab kernel that rl-miniatures did not register (argv ${owner.argv})`;
    throw new KernelSpecConflictError(
      `The Jupyter kernel "${KERNEL_NAME}" (${file}) ${whose}; the name is one per user, so registering this ` +
        `checkout (${root}) would silently re-point every notebook opened in Jupyter to it. Nothing was changed. ` +
        'To use this checkout in Jupyter, run `npm run kernel -- --force` here (the other then runs this ' +
        "checkout's kernel until it re-registers its own).",
    );
  }
  if (owner.kind === 'other' || owner.kind === 'foreign')
    note = `Replaced the kernel "${KERNEL_NAME}" of ${owner.other ?? 'another tslab install'} (--force).`;
  if (owner.kind === 'gone')
    note = `The kernel "${KERNEL_NAME}" pointed at ${owner.other}, which no longer exists; it now points here.`;
  fs.mkdirSync(dir, { recursive: true });
  // The shim makes tslab's error replies carry the error's name and message (see runner/kernel-shim).
  const shim = fs.existsSync(kernelShimPath()) ? ['--require', kernelShimPath()] : [];
  const spec = {
    argv: [process.execPath, ...shim, bin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (rl-miniatures)',
    language: 'typescript',
    metadata: { rlMiniaturesRoot: root },
  };
  fs.writeFileSync(file, JSON.stringify(spec, null, 2) + '\n');
  return { dir, ...(note ? { note } : {}) };
}
