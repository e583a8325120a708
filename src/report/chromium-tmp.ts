/**
 * Chromium's temp files in one folder the kit owns. Playwright makes a fresh browser profile
 * (`playwright_chromiumdev_profile-*`) and an artifacts folder in TMPDIR at every launch and removes
 * them on a clean close; a killed export leaves them behind (tens of MB each), and Chromium adds its own
 * `.org.chromium.*` files. The export launches Chromium with TMPDIR pointing into
 * `<tmp>/rlmini-chromium-<random>/` (with an owner.json naming the process), removes that folder when
 * it is done, and at start-up removes the folders of runs whose process is gone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pidAlive, removeStaleOwnedDirs } from '../runner/kernel';

export const CHROMIUM_TMP_PREFIX = 'rlmini-chromium-';
const OWNER_FILE = 'owner.json'; // the name removeStaleOwnedDirs reads

/** A new folder for one Chromium launch, owned by this process. */
export function makeChromiumTmp(tmp = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(tmp, CHROMIUM_TMP_PREFIX));
  fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ host: os.hostname(), pid: process.pid }));
  return dir;
}

/**
 * Remove the `rlmini-chromium-*` folders that killed exports left in `tmp`: those whose owner process is
 * gone (same host), and, without an owner file, those older than `minAgeMs` that no live process names. The
 * Chromium processes a killed export left running (they keep writing into its profile) are killed first.
 * Other users' folders and live exports are left alone. Returns the removed paths.
 */
export function removeStaleChromiumTmps(tmp = os.tmpdir(), minAgeMs = 10 * 60_000): string[] {
  return removeStaleOwnedDirs(tmp, CHROMIUM_TMP_PREFIX, (o) => o.pid !== process.pid && !pidAlive(o.pid), minAgeMs, {
    killOrphans: true,
  });
}

/**
 * Run `fn` (which launches Chromium through playwright-core) with TMPDIR pointing into `dir`, so that the
 * profile playwright creates with `os.tmpdir()` lands there too; TMPDIR is restored when `fn` settles.
 */
export async function withTmpDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const prev = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (prev === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = prev;
  }
}
