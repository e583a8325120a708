/**
 * Child processes: run a Node script asynchronously, collecting its output, with a hard timeout
 * (SIGKILL). Asynchronous on purpose: a long spawnSync blocks the caller's event loop (a test
 * worker's RPC, the bench's progress output).
 */
import { spawn } from 'child_process';

export interface NodeRunResult {
  /** Exit status, or null when the process was killed (timeout or signal). */
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr. */
  out: string;
}

export function runNodeAsync(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<NodeRunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, out: stdout + stderr });
    });
  });
}
