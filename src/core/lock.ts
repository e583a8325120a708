/**
 * One lock per results folder (data/results/<id>/<profile>/.lock): while a runner executes a notebook
 * it holds the folder's lock, so a second runner in the same checkout (or a second shard on a shared
 * filesystem) waits for it and then finds the work done (cache hits) instead of running it twice.
 * The lock file holds the owner's host and pid; a lock whose owner on this host is gone is stale and
 * is taken over. Created with O_EXCL, so exactly one of several concurrent takers wins.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  what: string;
}

export interface HeldLock {
  file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/** Is this lock held by a live process (on this host; a lock of another host counts as held)? */
function isStale(owner: LockOwner | null): boolean {
  if (!owner) return true;
  if (owner.host !== os.hostname()) return false;
  return !alive(owner.pid);
}

/** Try once; null when another live owner holds it. */
export function tryLock(file: string, what: string): HeldLock | null {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), what };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          const o = readLockOwner(file);
          if (o && o.pid === me.pid && o.host === me.host) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readLockOwner(file);
      // A lock file being written right now has no content yet: treat as held.
      if (owner === null && fs.existsSync(file) && Date.now() - fs.statSync(file).mtimeMs < 2000) return null;
      if (!isStale(owner)) return null;
      fs.rmSync(file, { force: true }); // stale: its owner is gone; take it over
    }
  }
  return null;
}

/**
 * Take the lock, waiting while another live process holds it. `onWait` is called once, with the
 * owner, when we have to wait. Resolves with the held lock; rejects after `timeoutMs` (default: never).
 */
export async function acquireLock(
  file: string,
  what: string,
  opts: { onWait?: (owner: LockOwner | null) => void; pollMs?: number; timeoutMs?: number; stop?: () => boolean } = {},
): Promise<HeldLock> {
  const t0 = Date.now();
  let told = false;
  for (;;) {
    const got = tryLock(file, what);
    if (got) return got;
    if (!told) {
      told = true;
      opts.onWait?.(readLockOwner(file));
    }
    if (opts.stop?.()) throw new Error(`stopped while waiting for ${file}`);
    if (opts.timeoutMs !== undefined && Date.now() - t0 > opts.timeoutMs) {
      const o = readLockOwner(file);
      throw new Error(
        `${file}: still held by ${o ? `pid ${o.pid} on ${o.host} (${o.what}, since ${o.since})` : 'another process'} ` +
          `after ${Math.round((Date.now() - t0) / 1000)} s. If no run is active, delete the file.`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}
