/**
 * Preloaded into every tslab kernel the runner starts (`node --require <this> tslab kernel …`):
 * the kernel exits when the runner that started it is gone, even if the runner was SIGKILLed and
 * could not shut it down. Two signals: the runner holds the write end of the kernel's stdin, which
 * ends when the runner dies (seen by the main thread when it is idle); and a small watcher thread
 * polls the parent pid every 500 ms, so a kernel busy in a long synchronous cell is stopped too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread, Worker } from 'worker_threads';

const parentPid = Number(process.env.RLMINI_KERNEL_PARENT_PID);

/** The runner's per-kernel temp folder (connection file, ipc sockets): removed when the runner cannot. */
function connectionDir(): string | null {
  const i = process.argv.indexOf('--config-path');
  const dir = i >= 0 && process.argv[i + 1] ? path.dirname(process.argv[i + 1]) : null;
  return dir && path.basename(dir).startsWith('rlmini-kernel-') ? dir : null;
}

function bye(): void {
  const dir = connectionDir();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

// Runs in a worker thread: its own event loop, so it works while the kernel's main thread is busy.
const WATCHER = `
const { workerData } = require('worker_threads');
const fs = require('fs');
const gone = () => {
  if (process.ppid !== workerData.parent) return true;
  try { process.kill(workerData.parent, 0); return false; } catch (e) { return e.code === 'ESRCH'; }
};
setInterval(() => {
  if (!gone()) return;
  if (workerData.dir) { try { fs.rmSync(workerData.dir, { recursive: true, force: true }); } catch {} }
  process.kill(process.pid, 'SIGKILL');
}, 500);
`;

// Preloads also run in the kernel's worker threads (seed tasks): only the main thread watches.
if (process.env.RLMINI_KERNEL_WATCHDOG === '1' && isMainThread) {
  process.stdin.on('end', bye);
  process.stdin.on('error', bye);
  process.stdin.on('data', () => undefined); // keep the stream flowing so 'end' fires
  process.stdin.resume();
  if (Number.isInteger(parentPid) && parentPid > 1) {
    try {
      const w = new Worker(WATCHER, { eval: true, workerData: { parent: parentPid, dir: connectionDir() } });
      w.unref();
      w.on('error', () => undefined);
    } catch {
      /* the stdin signal still works */
    }
  }
}
