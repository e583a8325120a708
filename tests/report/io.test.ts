/**
 * A full, read-only or forbidden reports/ folder: the build stops with a message that says what failed,
 * where, and what to do (as the records-side writes do), and the pages already there stay whole.
 * Errors are injected into fs (writeSync / openSync / mkdirSync) the way the kernel reports them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildReports } from '../../src/report/build';
import { ReportWriteError, reportWriteMessage } from '../../src/report/io';
import { reportsWorkspace, summary, verdict } from './fixture';

const inject = vi.hoisted(() => ({
  write: null as string | null,
  open: null as string | null,
  mkdir: null as string | null,
}));
vi.mock('fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('fs')>();
  const fail = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  const writeSync = (...a: unknown[]) => {
    if (inject.write) throw fail(inject.write);
    return (real.writeSync as (...x: unknown[]) => number)(...a);
  };
  const openSync = (...a: unknown[]) => {
    if (inject.open && a[1] === 'w') throw fail(inject.open);
    return (real.openSync as (...x: unknown[]) => number)(...a);
  };
  const mkdirSync = (...a: unknown[]) => {
    if (inject.mkdir) throw fail(inject.mkdir);
    return (real.mkdirSync as (...x: unknown[]) => unknown)(...a);
  };
  const patched = { ...real, writeSync, openSync, mkdirSync };
  return { ...patched, default: patched };
});

const ws = reportsWorkspace('io', [{ id: 'alpha' }]);
const page = () => path.join(ws.dirs.reports, 'papers', 'alpha.html');

beforeAll(() => {
  ws.use();
  ws.notebook('alpha');
  ws.summary('alpha', summary('alpha'));
  buildReports({ profile: 'full' });
});
afterEach(() => {
  inject.write = inject.open = inject.mkdir = null;
});
afterAll(() => {
  ws.restore();
  ws.cleanup();
});

function failingBuild(estimate: number, fault: Partial<typeof inject>): ReportWriteError {
  // A changed result, so the page must be written again.
  ws.summary('alpha', { ...summary('alpha'), verdicts: [verdict({ estimate })] });
  Object.assign(inject, fault);
  try {
    buildReports({ profile: 'full' });
  } catch (e) {
    expect(e).toBeInstanceOf(ReportWriteError);
    return e as ReportWriteError;
  } finally {
    inject.write = inject.open = inject.mkdir = null;
  }
  throw new Error('the build did not fail');
}

describe('writing the reports on a full, read-only or forbidden disk', () => {
  it('ENOSPC: says the disk is full, where, that results are safe, and how to re-render', () => {
    const before = fs.readFileSync(page(), 'utf8');
    const e = failingBuild(0.31, { write: 'ENOSPC' });
    expect(e.code).toBe('ENOSPC');
    expect(e.message).toMatch(
      /^Disk full while writing the reports: .*\/reports\/(papers\/alpha|index)\.html \(ENOSPC\)\. /,
    );
    expect(e.message).toContain('The run records and summaries under data/results/ are not affected.');
    expect(e.message).toContain('Free some space (or point RLMINI_REPORTS_DIR at another disk), then run ');
    expect(e.message).toContain('`npm run reports -- --render-only`');
    // The page already there is whole, and no temp file is left next to it.
    expect(fs.readFileSync(page(), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(page())).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('EROFS and EACCES name the cause and the fix', () => {
    const ro = failingBuild(0.32, { open: 'EROFS' });
    expect(ro.message).toMatch(/^Cannot write the reports: .*\.html is on a read-only file system \(EROFS\)\. /);
    expect(ro.message).toContain('Point RLMINI_REPORTS_DIR at a writable directory, then run');
    const acc = failingBuild(0.33, { open: 'EACCES' });
    expect(acc.message).toMatch(/^Cannot write the reports: permission denied for .*\.html \(EACCES\)\. /);
    expect(acc.message).toMatch(/Check the owner of the folder \(`ls -ld .*`; e\.g\. `sudo chown -R "\$USER" /);
    inject.open = null;
    const dir = failingBuild(0.34, { mkdir: 'EROFS' });
    expect(dir.message).toMatch(
      /^Cannot write the reports: .*\/reports\/papers is on a read-only file system \(EROFS\)/,
    );
  });

  it('the messages are complete sentences for every code', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EIO'])
      expect(reportWriteMessage('/r/x.html', code, 'detail')).toMatch(/\/r\/x\.html[\s\S]*then run `npm run reports/);
  });
});
