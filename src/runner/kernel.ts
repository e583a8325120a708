/**
 * A Jupyter kernel client in Node: starts the tslab kernel as a child process and speaks the
 * Jupyter messaging protocol (v5.3) to it over ZeroMQ (shell, iopub, control), signing every
 * message with HMAC-SHA256. No Python involved.
 */
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as zmqT from 'zeromq';
import type { NotebookOutput } from '../core/ipynb';

const DELIM = '<IDS|MSG>';

export interface KernelMessage {
  header: { msg_id: string; msg_type: string; session: string; username: string; date: string; version: string };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export class KernelError extends Error {}

export class KernelMissingError extends KernelError {
  name = 'KernelMissingError';
}

/** The kernel process ended (exited or was killed by a signal) while a request was pending. */
export class KernelDiedError extends KernelError {
  name = 'KernelDiedError';
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(`the kernel ${describeExit(exitCode, signal)}`);
  }
}

/** How a process ended, in words: "was killed by signal SIGKILL (…)" or "exited with code 1". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) {
    const why =
      signal === 'SIGKILL'
        ? ' (sent by `kill -9` or by the system when memory ran out; see `dmesg` for the out-of-memory killer)'
        : signal === 'SIGSEGV' || signal === 'SIGBUS' || signal === 'SIGABRT'
          ? ' (a crash in native code)'
          : '';
    return `was killed by signal ${signal}${why}`;
  }
  return `exited with code ${code}`;
}

/** The longest timer Node can set (2^31 - 1 ms, about 24.8 days); longer ones silently fire after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A per-cell timeout in seconds, checked and converted to milliseconds: a positive number of seconds,
 * at most MAX_TIMEOUT_MS in effect. Throws a RangeError saying what is allowed.
 */
export function cellTimeoutMs(seconds: number, flag = '--cell-timeout'): number {
  if (typeof seconds !== 'number' || !(seconds > 0))
    throw new RangeError(`${flag} must be a positive number of seconds, got ${String(seconds)}.`);
  const ms = seconds * 1000;
  if (!(ms <= MAX_TIMEOUT_MS))
    throw new RangeError(
      `${flag} ${seconds} is too long: at most ${Math.floor(MAX_TIMEOUT_MS / 1000)} seconds (about 24.8 days; ` +
        'a longer timer cannot be set in Node and would fire at once).',
    );
  return Math.max(1, Math.round(ms));
}

/** How long to wait for a cell's `idle` status after its reply (Jupyter's nbclient waits up to 4 s). */
export const IDLE_GRACE_MS = 3000;

const KERNEL_DIR_PREFIX = 'rlmini-kernel-';
const OWNER_FILE = 'owner.json';

/** Whether a process with this pid exists (EPERM: it exists but is another user's). */
export function pidAlive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live processes (other than this one) that name `dir` on their command line (Linux /proc; [] elsewhere). */
export function pidsNaming(dir: string): number[] {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) out.push(Number(pid));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Whether a live process names `dir` on its command line (Linux /proc; false where there is none). */
export function dirInUse(dir: string): boolean {
  return pidsNaming(dir).length > 0;
}

/**
 * Remove the temp folders named `<prefix>*` in `tmp` that killed processes left: those whose owner.json
 * (written by their owner on this host) says `stale(owner)`, and, for folders without one, those older than
 * `minAgeMs` that no live process names on its command line. Folders of other users and of live processes
 * are left alone. With `killOrphans`, processes that still name a stale folder on their command line are
 * killed before it is removed. Returns the removed paths. Shared by the kernel folders and the figure export's
 * Chromium folders.
 */
export function removeStaleOwnedDirs(
  tmp: string,
  prefix: string,
  stale: (owner: Record<string, unknown>) => boolean,
  minAgeMs = 10 * 60_000,
  opts: { killOrphans?: boolean } = {},
): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmp).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  const removed: string[] = [];
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  for (const name of names) {
    const dir = path.join(tmp, name);
    try {
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || (uid !== null && st.uid !== uid)) continue;
      let gone: boolean;
      try {
        const o = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
        gone = o.host === os.hostname() && stale(o);
      } catch {
        gone = Date.now() - st.mtimeMs > minAgeMs && !dirInUse(dir);
      }
      if (!gone) continue;
      // Processes the dead owner started and left running (a killed export's Chromium) still write into the
      // folder, so a removal would race with them: stop them first (same user, this host, owner gone).
      if (opts.killOrphans)
        for (const pid of pidsNaming(dir))
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone meanwhile, or not ours */
          }
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
      removed.push(dir);
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
  return removed;
}

/**
 * Remove the per-kernel temp folders (`rlmini-kernel-*`: connection file, ipc sockets, notebook
 * snapshot) that killed runs left in `tmp`: those whose runner and kernel processes are both gone
 * (from the folder's owner.json), and, for folders without one, those older than ten minutes that
 * no live process names. Folders of other users and of live runs are left alone. Returns the
 * removed paths.
 */
export function removeStaleKernelDirs(tmp = os.tmpdir(), minAgeMs = 10 * 60_000): string[] {
  return removeStaleOwnedDirs(tmp, KERNEL_DIR_PREFIX, (o) => !pidAlive(o.runner) && !pidAlive(o.kernel), minAgeMs);
}

let staleDirsChecked = false;

/**
 * Where the tslab kernel entry point is: RLMINI_TSLAB (the tslab package directory, or its
 * bin/tslab file) if set, else <root>/node_modules/tslab. A clear error if tslab is not installed.
 */
export function tslabBin(root: string): string {
  const override = process.env.RLMINI_TSLAB;
  const bin = override
    ? path.basename(override) === 'tslab' && fs.existsSync(override) && fs.statSync(override).isFile()
      ? override
      : path.join(override, 'bin', 'tslab')
    : path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!fs.existsSync(bin)) {
    const where = override ? `RLMINI_TSLAB=${override}` : root;
    throw new KernelMissingError(
      `The tslab kernel is missing (${bin} not found, from ${where}). ` +
        `Run \`npm ci\` in ${root}${override ? ' or fix RLMINI_TSLAB' : ''}; no notebook was run.`,
    );
  }
  return bin;
}

/** Kernels started by this process and not yet shut down (for Ctrl-C and exit clean-up). */
const live = new Set<Kernel>();

export function liveKernels(): number {
  return live.size;
}

/** Shut down every live kernel (protocol shutdown, then SIGKILL if it does not exit). */
export async function shutdownAllKernels(graceMs = 300): Promise<number> {
  const all = [...live];
  await Promise.all(all.map((k) => k.shutdown(graceMs)));
  return all.length;
}

/** Last resort, synchronous (for process 'exit'): SIGKILL every live kernel process. */
export function killAllKernelsSync(): void {
  for (const k of live) k.killNow();
}

function watchdogPath(): string {
  return path.join(__dirname, 'kernel-watchdog.js');
}

/** The preload that makes tslab's error replies carry the error's name, message and traceback. */
export function kernelShimPath(): string {
  return path.join(__dirname, 'kernel-shim.js');
}

export interface CellResult {
  status: 'ok' | 'error' | 'timeout';
  outputs: NotebookOutput[];
  executionCount: number | null;
  error?: { ename: string; evalue: string; traceback: string[] };
  ms: number;
  /** Things that went wrong without failing the cell (e.g. its `idle` status never came). */
  warnings?: string[];
}

/** A reply, and whether the kernel's `idle` status for it came (within the grace period). */
interface Answer {
  reply: KernelMessage;
  idle: boolean;
}

export class Kernel {
  private proc: ChildProcess | null = null;
  private shell!: zmqT.Dealer;
  private control!: zmqT.Dealer;
  private iopub!: zmqT.Subscriber;
  private key = crypto.randomBytes(32).toString('hex');
  private session = crypto.randomUUID();
  private dir = '';
  private listeners = new Map<string, (m: KernelMessage) => void>();
  private shellWaiters = new Map<string, (m: KernelMessage) => void>();
  private closed = false;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Set when the kernel process ends; pending requests are failed at once through `onDeath`. */
  private death: KernelDiedError | null = null;
  private onDeath = new Set<(e: KernelDiedError) => void>();
  stderr = '';

  constructor(
    private readonly opts: {
      root: string;
      cwd: string;
      env?: NodeJS.ProcessEnv;
      startTimeoutMs?: number;
      /** Wait this long for a cell's `idle` status after its reply, then go on with a warning. */
      idleGraceMs?: number;
      /**
       * Files written into the kernel's temp folder before it starts (removed with it); `env` names an
       * environment variable of the kernel that receives the file's path.
       */
      files?: { name: string; content: string; env?: string }[];
    },
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    const bin = tslabBin(this.opts.root);
    let zmq: typeof zmqT;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      zmq = require('zeromq');
    } catch (e) {
      throw new KernelError(`zeromq (installed with tslab) cannot be loaded: ${(e as Error).message}. Run \`npm ci\`.`);
    }
    if (!staleDirsChecked) {
      staleDirsChecked = true;
      removeStaleKernelDirs();
    }
    const owner = { runner: process.pid, kernel: null as number | null, host: os.hostname() };
    const writeOwner = () => fs.writeFileSync(path.join(this.dir, OWNER_FILE), JSON.stringify(owner));
    const fileEnv: Record<string, string> = {};
    try {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), KERNEL_DIR_PREFIX));
      writeOwner();
      for (const f of this.opts.files ?? []) {
        const p = path.join(this.dir, path.basename(f.name));
        fs.writeFileSync(p, f.content);
        if (f.env) fileEnv[f.env] = p;
      }
    } catch (e) {
      // (shutdown, which every caller runs, removes a half-made folder)
      const err = e as NodeJS.ErrnoException;
      throw new KernelError(
        `cannot prepare the kernel's temp folder in ${os.tmpdir()} (${err.code ?? err.message}): ` +
          (err.code === 'ENOSPC' || err.code === 'EDQUOT'
            ? 'the disk is full; free some space'
            : err.code === 'EROFS' || err.code === 'EACCES' || err.code === 'EPERM'
              ? 'it is not writable'
              : err.message) +
          ', or point TMPDIR at another directory, and re-run.',
      );
    }
    const base = path.join(this.dir, 'k');
    const conn = {
      transport: 'ipc',
      ip: base,
      shell_port: 1,
      iopub_port: 2,
      stdin_port: 3,
      control_port: 4,
      hb_port: 5,
      key: this.key,
      signature_scheme: 'hmac-sha256',
      kernel_name: 'tslab',
    };
    const connFile = path.join(this.dir, 'connection.json');
    fs.writeFileSync(connFile, JSON.stringify(conn));
    // The watchdog preload makes the kernel exit when this process dies (its stdin pipe closes).
    const watchdog = fs.existsSync(watchdogPath()) ? ['--require', watchdogPath()] : [];
    const shim = fs.existsSync(kernelShimPath()) ? ['--require', kernelShimPath()] : [];
    this.proc = spawn(process.execPath, [...watchdog, ...shim, bin, 'kernel', '--config-path', connFile], {
      cwd: this.opts.cwd,
      env: {
        ...process.env,
        ...this.opts.env,
        ...fileEnv,
        RLMINI_KERNEL_WATCHDOG: '1',
        RLMINI_KERNEL_PARENT_PID: String(process.pid),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(this);
    this.proc.stdin?.on('error', () => undefined);
    this.proc.stderr?.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-20000);
    });
    this.proc.stdout?.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-20000);
    });
    owner.kernel = this.proc.pid ?? null;
    try {
      writeOwner();
    } catch {
      /* the runner's pid is there already */
    }
    this.exited = new Promise((resolve) =>
      this.proc!.once('exit', (code, signal) => {
        this.death = new KernelDiedError(code, signal);
        for (const f of [...this.onDeath]) f(this.death);
        resolve(code);
      }),
    );
    const addr = (port: number) => `ipc://${base}:${port}`;
    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    // No high-water mark: a cell that prints a lot must not lose messages (its idle status among them).
    this.iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    this.shell.connect(addr(1));
    this.control.connect(addr(4));
    this.iopub.connect(addr(2));
    this.iopub.subscribe();
    void this.pump(this.iopub, (m) => {
      const pid = m.parent_header?.msg_id;
      if (pid && this.listeners.has(pid)) this.listeners.get(pid)!(m);
    });
    const onShell = (m: KernelMessage) => {
      const pid = m.parent_header?.msg_id;
      if (pid && this.shellWaiters.has(pid)) {
        this.shellWaiters.get(pid)!(m);
        this.shellWaiters.delete(pid);
      }
    };
    void this.pump(this.shell, onShell);
    void this.pump(this.control, onShell);

    // Handshake: repeat kernel_info_request until its iopub status arrives (proves iopub is live).
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 60000);
    for (;;) {
      if (this.death) {
        throw new KernelError(
          `The tslab kernel ${describeExit(this.death.exitCode, this.death.signal)} during start-up.` +
            `${this.stderr ? ` Its output:\n${this.stderr.slice(-2000)}` : ''}`,
        );
      }
      if (Date.now() > deadline) {
        await this.shutdown();
        throw new KernelError(
          `The tslab kernel did not answer within ${Math.round((this.opts.startTimeoutMs ?? 60000) / 1000)} s ` +
            `of starting. Check \`npm ci\` finished; kernel output:\n${this.stderr.slice(-2000)}`,
        );
      }
      // The handshake needs the idle status itself (no grace): it is what proves iopub is connected.
      const ok = await this.request('kernel_info_request', {}, 1000, true, undefined, undefined, Infinity).then(
        () => true,
        () => false,
      );
      if (ok) return;
    }
  }

  private async pump(sock: zmqT.Dealer | zmqT.Subscriber, fn: (m: KernelMessage) => void): Promise<void> {
    try {
      for await (const frames of sock) {
        const m = this.decode(frames as Buffer[]);
        if (m) fn(m);
      }
    } catch {
      /* socket closed */
    }
  }

  private sign(parts: string[]): string {
    const h = crypto.createHmac('sha256', this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  private decode(frames: Buffer[]): KernelMessage | null {
    const i = frames.findIndex((f) => f.toString() === DELIM);
    if (i < 0 || frames.length < i + 6) return null;
    const parts = frames.slice(i + 2, i + 6).map((f) => f.toString());
    const sig = frames[i + 1].toString();
    const expect = this.sign(parts);
    if (sig.length !== expect.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expect))) return null;
    return {
      header: JSON.parse(parts[0]),
      parent_header: JSON.parse(parts[1]),
      metadata: JSON.parse(parts[2]),
      content: JSON.parse(parts[3]),
    };
  }

  private async send(sock: zmqT.Dealer, msgType: string, content: Record<string, unknown>): Promise<string> {
    const header = {
      msg_id: crypto.randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: 'rl-miniatures',
      date: new Date().toISOString(),
      version: '5.3',
    };
    const parts = [JSON.stringify(header), '{}', '{}', JSON.stringify(content)];
    await sock.send([DELIM, this.sign(parts), ...parts]);
    return header.msg_id;
  }

  /**
   * Send a request and wait for its reply (and, if waitIdle, its iopub status: idle). A reply whose
   * idle status does not follow within `idleGraceMs` of the reply or of the request's last iopub message
   * is returned with `idle: false` (as Jupyter's client moves on after a short iopub wait). Fails at
   * once if the kernel process ends meanwhile.
   */
  private async request(
    msgType: string,
    content: Record<string, unknown>,
    timeoutMs: number,
    waitIdle = false,
    onIopub?: (m: KernelMessage) => void,
    sock?: zmqT.Dealer,
    idleGraceMs = this.opts.idleGraceMs ?? IDLE_GRACE_MS,
  ): Promise<Answer> {
    const header = { msg_id: crypto.randomUUID() };
    let reply: KernelMessage | null = null;
    let idle = !waitIdle;
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS))
      throw new RangeError(`${msgType}: timeout ${timeoutMs} ms is not in (0, ${MAX_TIMEOUT_MS}] ms`);
    return await new Promise<Answer>((resolve, reject) => {
      let grace: NodeJS.Timeout | null = null;
      // The grace period counts from the last iopub message of this request: a cell that printed a lot
      // has its outputs still arriving after the reply (shell and iopub are separate sockets).
      const startGrace = () => {
        if (grace) clearTimeout(grace);
        grace = setTimeout(() => {
          clear();
          resolve({ reply: reply!, idle: false });
        }, idleGraceMs);
      };
      const done = () => {
        if (reply && idle) {
          clear();
          resolve({ reply, idle: true });
        } else if (reply && !grace && Number.isFinite(idleGraceMs)) startGrace();
      };
      const timer = setTimeout(() => {
        clear();
        reject(new KernelError(`${msgType}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const died = (e: KernelDiedError) => {
        clear();
        reject(e);
      };
      const clear = () => {
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        this.onDeath.delete(died);
        this.listeners.delete(header.msg_id);
        this.shellWaiters.delete(header.msg_id);
      };
      if (this.death) {
        clear();
        reject(this.death);
        return;
      }
      this.onDeath.add(died);
      this.listeners.set(header.msg_id, (m) => {
        onIopub?.(m);
        if (m.header.msg_type === 'status' && m.content.execution_state === 'idle') {
          idle = true;
          done();
        } else if (grace) startGrace();
      });
      this.shellWaiters.set(header.msg_id, (m) => {
        reply = m;
        done();
      });
      const s = sock ?? this.shell;
      const hdr = {
        msg_id: header.msg_id,
        msg_type: msgType,
        session: this.session,
        username: 'rl-miniatures',
        date: new Date().toISOString(),
        version: '5.3',
      };
      const parts = [JSON.stringify(hdr), '{}', '{}', JSON.stringify(content)];
      s.send([DELIM, this.sign(parts), ...parts]).catch((e) => {
        clear();
        reject(e);
      });
    });
  }

  /**
   * Execute one cell; outputs in nbformat shape. On timeout, interrupts the kernel; if the kernel
   * process ends meanwhile, the cell fails at once saying how it ended (exit code or signal).
   */
  async execute(code: string, timeoutMs: number, onOutput?: (o: NotebookOutput) => void): Promise<CellResult> {
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS))
      throw new RangeError(`cell timeout ${timeoutMs} ms is not in (0, ${MAX_TIMEOUT_MS}] ms`);
    const t0 = Date.now();
    const outputs: NotebookOutput[] = [];
    const displays = new Map<string, number[]>();
    let error: CellResult['error'];
    const push = (o: NotebookOutput) => {
      // Merge consecutive stream chunks of the same name, as Jupyter does.
      const last = outputs[outputs.length - 1];
      if (o.output_type === 'stream' && last && last.output_type === 'stream' && last.name === o.name) {
        last.text = String(last.text) + String(o.text);
      } else outputs.push(o);
      onOutput?.(o);
    };
    const onIopub = (m: KernelMessage) => {
      const c = m.content as Record<string, any>;
      switch (m.header.msg_type) {
        case 'stream':
          push({ output_type: 'stream', name: c.name, text: c.text });
          break;
        case 'display_data': {
          const did = c.transient?.display_id;
          if (did) displays.set(did, [...(displays.get(did) ?? []), outputs.length]);
          push({ output_type: 'display_data', data: c.data, metadata: c.metadata ?? {} });
          break;
        }
        case 'update_display_data': {
          const did = c.transient?.display_id;
          for (const idx of displays.get(did) ?? [])
            outputs[idx] = { output_type: 'display_data', data: c.data, metadata: c.metadata ?? {} };
          break;
        }
        case 'execute_result':
          push({
            output_type: 'execute_result',
            data: c.data,
            metadata: c.metadata ?? {},
            execution_count: c.execution_count ?? null,
          });
          break;
        case 'error':
          error = { ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] };
          push({ output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
          break;
        case 'clear_output':
          outputs.length = 0;
          break;
      }
    };
    try {
      const { reply, idle } = await this.request(
        'execute_request',
        { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        timeoutMs,
        true,
        onIopub,
      );
      const grace = this.opts.idleGraceMs ?? IDLE_GRACE_MS;
      const warnings = idle
        ? undefined
        : [
            `the kernel replied but sent no idle status within ${(grace / 1000).toFixed(1)} s; went on ` +
              '(outputs it sent after that are not in the executed notebook)',
          ];
      const status = reply.content.status === 'ok' ? 'ok' : 'error';
      if (status === 'error' && !error) {
        error = {
          ename: String(reply.content.ename ?? 'Error'),
          evalue: String(reply.content.evalue ?? ''),
          traceback: (reply.content.traceback as string[]) ?? [],
        };
      }
      return {
        status,
        outputs,
        executionCount: (reply.content.execution_count as number) ?? null,
        error,
        ms: Date.now() - t0,
        ...(warnings ? { warnings } : {}),
      };
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      if (e instanceof KernelDiedError || this.death) {
        const d = e instanceof KernelDiedError ? e : this.death!;
        const err = {
          ename: 'KernelDied',
          evalue:
            `the kernel ${describeExit(d.exitCode, d.signal)} while running this cell, after ` +
            `${((Date.now() - t0) / 1000).toFixed(1)} s`,
          traceback: this.stderr.trim() ? this.stderr.slice(-2000).split('\n') : [],
        };
        outputs.push({ output_type: 'error', ...err });
        return { status: 'error', outputs, executionCount: null, error: err, ms: Date.now() - t0 };
      }
      this.interrupt();
      const err = {
        ename: 'CellTimeout',
        evalue:
          `cell did not finish within ${Math.round(timeoutMs / 1000)} s ` +
          '(per-cell timeout; raise it with --cell-timeout <seconds>)',
        traceback: [],
      };
      outputs.push({ output_type: 'error', ...err });
      return { status: 'timeout', outputs, executionCount: null, error: err, ms: Date.now() - t0 };
    }
  }

  /** SIGKILL the kernel process now (synchronous; for exit handlers). */
  killNow(): void {
    try {
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    } catch {
      /* gone */
    }
    this.removeDir();
    live.delete(this);
  }

  /** Remove the kernel's temp folder (connection file, ipc sockets, notebook snapshot). */
  private removeDir(): void {
    if (!this.dir) return;
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }

  interrupt(): void {
    try {
      this.proc?.kill('SIGINT');
    } catch {
      /* gone */
    }
  }

  /**
   * Ask the kernel to shut down; kill it if it does not exit promptly. Always cleans up.
   * tslab 1.0.22 never completes a shutdown: it closes its sockets right after sending the reply (so the reply is
   * dropped) and its process stays alive. Waiting for either cost 5 s per notebook (2 s for the reply, 3 s for the
   * exit) before the kill that always followed; every output has been received by then (a cell's execution ends at
   * its idle status), so the request gets `replyMs` and the exit `graceMs` before SIGKILL.
   */
  shutdown(graceMs = 300, replyMs = 200): Promise<void> {
    // Concurrent callers (the notebook's finally and a Ctrl-C handler) share one shutdown.
    if (!this.shuttingDown) this.shuttingDown = this.doShutdown(graceMs, replyMs);
    return this.shuttingDown;
  }

  private shuttingDown: Promise<void> | null = null;

  private async doShutdown(graceMs: number, replyMs: number): Promise<void> {
    this.closed = true;
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      await this.request('shutdown_request', { restart: false }, replyMs, false, undefined, this.control).catch(
        () => undefined,
      );
      const exited = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), graceMs)),
      ]);
      if (!exited) {
        this.proc.kill('SIGKILL');
        await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
      }
    }
    for (const s of [this.shell, this.control, this.iopub]) {
      try {
        s?.close();
      } catch {
        /* closed */
      }
    }
    this.removeDir();
    live.delete(this);
  }
}
