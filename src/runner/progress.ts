/** Terminal progress: a live status block on a TTY, one line per event otherwise (CI logs). */
import type { ExecuteResult } from './execute';

export class Progress {
  private state = new Map<string, string>();
  private started = new Map<string, number>();
  private done = 0;
  private lines = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty = !!process.stderr.isTTY && process.env.CI === undefined;

  constructor(private readonly ids: string[]) {
    for (const id of ids) this.state.set(id, 'queued');
    if (this.tty) this.timer = setInterval(() => this.draw(), 250);
  }

  start(id: string): void {
    this.started.set(id, Date.now());
    this.state.set(id, 'starting kernel');
    if (!this.tty) process.stderr.write(`[${this.done}/${this.ids.length}] ${id}: started\n`);
  }

  update(id: string, what: string): void {
    this.state.set(id, what);
  }

  finish(id: string, r: ExecuteResult & { cached: boolean }): void {
    this.done++;
    const s = ((Date.now() - (this.started.get(id) ?? Date.now())) / 1000).toFixed(1);
    const msg = r.cached
      ? 'unchanged (cached)'
      : r.status === 'ok'
        ? `ok in ${s}s`
        : `FAILED${r.failedCellLabel ? ` at ${r.failedCellLabel}` : ''}: ${r.error}`;
    this.state.set(id, msg);
    if (!this.tty) process.stderr.write(`[${this.done}/${this.ids.length}] ${id}: ${msg}\n`);
  }

  /**
   * A warning about one notebook (e.g. a corrupt record recomputed), in the log as it happens (the CLI lists
   * them all at the end).
   */
  warn(id: string, what: string): void {
    if (!this.tty) process.stderr.write(`[${this.done}/${this.ids.length}] ${id}: warning: ${what}\n`);
  }

  private draw(): void {
    if (this.lines) process.stderr.write(`\x1b[${this.lines}A`);
    const out: string[] = [`notebooks ${this.done}/${this.ids.length}`];
    for (const id of this.ids) {
      const t = this.started.get(id);
      const st = this.state.get(id) ?? '';
      const live = t && !/^(ok|FAILED|unchanged)/.test(st) ? ` (${((Date.now() - t) / 1000).toFixed(0)}s)` : '';
      out.push(`  ${id.padEnd(28)} ${st}${live}`.slice(0, (process.stderr.columns || 100) - 1));
    }
    process.stderr.write(out.map((l) => `\x1b[2K${l}\n`).join(''));
    this.lines = out.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.draw();
  }

  private closed = false;
}
