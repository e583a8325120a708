/**
 * Seed-parallel execution. An experiment that runs per seed is a *task*: a function
 * `(config, seed) => RunResult` exported from a library module, named `<module>#<export>` relative
 * to dist/ (e.g. 'testbeds/tabular/starc-experiment#runStarcSeed'). Tasks run in worker threads, one
 * per core (RLMINI_WORKERS overrides), so seeds spread across cores; results are plain JSON.
 */
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { RunResult } from './records';

export interface TaskJob {
  task: string;
  config: unknown;
  seed: number;
}

export function resolveTask(task: string): { file: string; fn: string } {
  const [mod, fn] = task.split('#');
  if (!mod || !fn)
    throw new Error(
      `Task "${task}" must be "<module path under dist>#<exported function>", e.g. ` +
        `"testbeds/tabular/starc-experiment#runStarcSeed".`,
    );
  return { file: path.join(__dirname, '..', `${mod}.js`), fn };
}

/** Run one task in this thread. */
export async function runTaskInline(job: TaskJob): Promise<RunResult> {
  const { file, fn } = resolveTask(job.task);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(file);
  if (typeof mod[fn] !== 'function') throw new Error(`Task "${job.task}": ${file} exports no function "${fn}".`);
  await prepareEngine(job.task);
  return await mod[fn](job.config, job.seed);
}

/**
 * Before a task runs: when its code loaded `nn/thread-engine` (which registers this hook), load the nn engine its
 * record key names (RLMINI_ENGINE; nothing is loaded for the kit's wasm engine). Found through a global symbol so
 * that the runner does not import the nn engines.
 */
const PREPARE_ENGINE = Symbol.for('rl-miniatures.prepareThreadEngine');
async function prepareEngine(task: string): Promise<void> {
  const hooks = (globalThis as Record<symbol, unknown>)[PREPARE_ENGINE] as
    Set<(w: string) => Promise<void>> | undefined;
  for (const hook of hooks ?? []) await hook(task);
}

export function workerCount(jobs: number): number {
  const env = Number(process.env.RLMINI_WORKERS);
  const cores = Number.isInteger(env) && env > 0 ? env : os.cpus().length;
  return Math.max(1, Math.min(cores, jobs));
}

const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
parentPort.on('message', async (msg) => {
  if (msg.close) return parentPort.close();
  try {
    const mod = require(msg.file);
    for (const prepare of globalThis[Symbol.for('rl-miniatures.prepareThreadEngine')] || []) await prepare(msg.task);
    const out = await mod[msg.fn](msg.config, msg.seed);
    parentPort.postMessage({ id: msg.id, ok: true, result: out });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: (e && e.stack) || String(e) });
  }
});
`;

/**
 * Let a worker finish and exit by itself (it closes its port and its event loop ends); terminate it only if it has
 * not exited after `graceMs`. Node 20 aborts the whole process ("Assertion failed … NodePlatform::ForIsolate")
 * when `terminate()` disposes a worker's isolate while V8 is still optimising code for it on a background thread;
 * it happened in CI's `verify` (1 run in 3 for some samples).
 */
async function closeWorker(w: Worker, graceMs = 10_000): Promise<void> {
  const exited = new Promise<boolean>((resolve) => w.once('exit', () => resolve(true)));
  try {
    w.postMessage({ close: true });
  } catch {
    /* already gone */
  }
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
  if (!(await Promise.race([exited, timer]))) await w.terminate();
}

/**
 * Run jobs on a pool of worker threads; resolves in job order. `onDone` fires as each finishes
 * (so finished seeds are recorded even if a later one fails). With one worker, runs inline.
 */
export async function runTasks(
  jobs: TaskJob[],
  onDone?: (index: number, result: RunResult) => void | Promise<void>,
): Promise<RunResult[]> {
  const n = workerCount(jobs.length);
  const results: RunResult[] = new Array(jobs.length);
  if (n <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      results[i] = await runTaskInline(jobs[i]);
      await onDone?.(i, results[i]);
    }
    return results;
  }
  for (const j of jobs) resolveTask(j.task);
  const workers = Array.from({ length: n }, () => new Worker(WORKER_SOURCE, { eval: true }));
  let next = 0;
  let failure: Error | null = null;
  try {
    await Promise.all(
      workers.map(async (w) => {
        while (next < jobs.length && !failure) {
          const i = next++;
          const { file, fn } = resolveTask(jobs[i].task);
          const res = await new Promise<{ ok: boolean; result?: RunResult; error?: string }>((resolve, reject) => {
            const off = () => {
              w.off('message', onMsg);
              w.off('error', onErr);
              w.off('exit', onExit);
            };
            const onMsg = (m: { id: number; ok: boolean; result?: RunResult; error?: string }) => {
              if (m.id !== i) return;
              off();
              resolve(m);
            };
            const onErr = (e: Error) => {
              off();
              reject(e);
            };
            // A worker that ends without answering (process.exit in the task, killed) must not hang the run.
            const onExit = (code: number) => {
              off();
              resolve({ ok: false, error: `the worker thread exited (code ${code}) before returning a result` });
            };
            w.on('message', onMsg);
            w.once('error', onErr);
            w.once('exit', onExit);
            w.postMessage({ id: i, file, fn, task: jobs[i].task, config: jobs[i].config, seed: jobs[i].seed });
          });
          if (!res.ok) {
            failure = new Error(`Task ${jobs[i].task} (seed ${jobs[i].seed}) failed: ${res.error}`);
            break;
          }
          results[i] = res.result as RunResult;
          await onDone?.(i, results[i]);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map(closeWorker));
  }
  if (failure) throw failure;
  return results;
}
