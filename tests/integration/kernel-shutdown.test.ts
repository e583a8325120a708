/**
 * A notebook's kernel is gone promptly after its run: the real tslab kernel (which drops its shutdown reply and never
 * exits by itself) is stopped in well under the 5 s that waiting for the reply and a graceful exit used to cost per
 * notebook, and no process is left behind. A cell still running at shutdown is stopped as well.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'path';
import { Kernel } from '../../src/runner/kernel';
import { ROOT } from '../helpers';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kernel shutdown', () => {
  it('stops an idle tslab kernel within 1.5 s and leaves no process', async () => {
    const k = new Kernel({ root: ROOT, cwd: path.join(ROOT, 'notebooks'), env: {} });
    await k.start();
    const r = await k.execute('const x: number = 1 + 1; x', 60_000);
    expect(r.status).toBe('ok');
    const pid = (k as unknown as { proc: { pid: number } }).proc.pid;
    expect(alive(pid)).toBe(true);
    const t0 = Date.now();
    await k.shutdown();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(alive(pid)).toBe(false);
  }, 90_000);

  it('stops a kernel whose cell is still running', async () => {
    const k = new Kernel({ root: ROOT, cwd: path.join(ROOT, 'notebooks'), env: {} });
    await k.start();
    const pid = (k as unknown as { proc: { pid: number } }).proc.pid;
    const running = k.execute('await new Promise((r) => setTimeout(r, 60000));', 120_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await k.shutdown();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(alive(pid)).toBe(false);
    await running;
  }, 90_000);
});
