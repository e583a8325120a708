/**
 * The Python side of the side-by-side runs: finds the interpreter (`/usr/bin/python3`, or
 * RLMINI_BENCH_PYTHON), probes numpy / torch / scipy, and runs one reference script of
 * bench/reference/ on a bundle with a fixed thread count. A script prints one JSON object as its
 * last stdout line.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { paths } from '../core/paths';

export interface PythonInfo {
  python: string;
  version: string;
  numpy: string | null;
  torch: string | null;
  scipy: string | null;
}

const PROBE = `
import json, sys
out = {"version": sys.version.split()[0]}
for name in ("numpy", "torch", "scipy"):
    try:
        m = __import__(name)
        out[name] = m.__version__
    except Exception:
        out[name] = None
print(json.dumps(out))
`;

/** The interpreter to use (RLMINI_BENCH_PYTHON, else /usr/bin/python3). */
export function pythonPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RLMINI_BENCH_PYTHON?.trim() || '/usr/bin/python3';
}

/** Versions of Python, numpy, torch and scipy; null when there is no usable interpreter. */
export function probePython(env: NodeJS.ProcessEnv = process.env): PythonInfo | null {
  const python = pythonPath(env);
  if (!fs.existsSync(python)) return null;
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 120_000, env: threadEnv(1, env) });
  if (r.status !== 0) return null;
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    return { python, version: j.version, numpy: j.numpy ?? null, torch: j.torch ?? null, scipy: j.scipy ?? null };
  } catch {
    return null;
  }
}

/** Environment that pins BLAS / OpenMP pools to `threads` (numpy reads it at import). */
export function threadEnv(threads: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const n = String(threads);
  return {
    ...env,
    OMP_NUM_THREADS: n,
    OPENBLAS_NUM_THREADS: n,
    MKL_NUM_THREADS: n,
    BLIS_NUM_THREADS: n,
    VECLIB_MAXIMUM_THREADS: n,
    NUMEXPR_NUM_THREADS: n,
  };
}

/**
 * The environment of a reference script: `threadEnv`, without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (overrides that
 * make OpenBLAS use another CPU's kernels or cache size; the reference runs on its library's native choice).
 */
export function referenceEnv(threads: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = threadEnv(threads, env);
  delete out.OPENBLAS_CORETYPE;
  delete out.OPENBLAS_L2_SIZE;
  return out;
}

export function referenceScript(name: string): string {
  return path.join(paths.root(), 'bench', 'reference', name);
}

/** Run bench/reference/<script> on a bundle; returns the parsed JSON result or throws with stderr. */
export function runReference(
  info: PythonInfo,
  script: string,
  bundleDir: string,
  threads: number,
  extraArgs: string[] = [],
  timeoutMs = 600_000,
): Record<string, any> {
  const file = referenceScript(script);
  if (!fs.existsSync(file)) throw new Error(`reference script ${file} is missing`);
  const r = spawnSync(info.python, [file, bundleDir, '--threads', String(threads), ...extraArgs], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: referenceEnv(threads),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${script}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(
      `${script} exited with status ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-4).join(' | ')}`,
    );
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`${script} printed no JSON result (stdout: ${r.stdout.slice(-300)})`);
  return JSON.parse(line);
}
