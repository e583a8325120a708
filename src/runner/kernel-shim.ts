/**
 * Preloaded into every tslab kernel of the kit (`node --require <this> tslab kernel …`): by the runner,
 * and by the kernel spec that `npm run kernel` registers for Jupyter. tslab 1.0.22 answers a failed
 * cell with `{ status: 'error' }` alone: no ename, evalue or traceback, and no `error` message on
 * iopub (it prints the exception on stderr), so Jupyter clients show an empty `<Error>: ` (nbclient's
 * CellExecutionError, nbconvert). This shim keeps what tslab's executor reports (a thrown value, or
 * TypeScript diagnostics) and puts it where the Jupyter protocol expects it:
 *
 * - the `execute_reply` gets `ename`, `evalue` and `traceback` (e.g. `Error`, `deliberate failure`
 *   and the stack), as IPython sends them;
 * - an `error` message is published on iopub just before the reply, so the cell's outputs hold an
 *   error output (`Error: deliberate failure`); the stack stays in the stderr output tslab wrote.
 *
 * - one send at a time on each ZeroMQ socket: tslab calls `socket.send` without awaiting it, and
 *   zeromq 6 throws EBUSY ("Socket is busy writing") at a send that starts while another waits, which
 *   it does after ~512 sends in one tick. A cell printing more than a few hundred chunks then lost its
 *   output and its idle status, and with ~1500 chunks the `execute_reply` itself: the run hung until the
 *   cell timeout. Sends are queued per socket, in order, instead.
 * - no lost message while a socket binds: tslab starts its receive loops before it binds its sockets and
 *   does not await the binds before the first sends, and zeromq 6 throws EBUSY ("Socket is blocked by a bind
 *   or unbind operation") at a send or receive that starts while a bind is in progress. Depending on timing
 *   a kernel then dropped its first replies or its receive loop died, and the runner saw "The tslab kernel
 *   did not answer within 60 s of starting" (CI, stop 31). Sends and receives that meet that error are retried
 *   (every 5 ms, for up to 10 s) instead.
 *
 * A thrown Error gives its own name and message; a thrown non-Error gives `Error` and its inspected
 * value; a compile error gives `CompileError` and the first diagnostic (with the count of the others).
 * Only tslab's own files are patched (found from the kernel's main script), and only if they have the
 * expected shape; otherwise tslab runs as it is.
 */
import * as fs from 'fs';
import * as path from 'path';
import { format, inspect } from 'util';
import { isMainThread } from 'worker_threads';

interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What tslab's executor printed through its console.error: a thrown value or a diagnostic line. */
export function errorFromConsoleArgs(args: unknown[], prev: CellError | null): CellError {
  if (args.length > 1 && typeof args[0] === 'string' && args[0].includes('%')) {
    // printDiagnostics: console.error("%s%d:%d - %s", fileName, line, column, messageText)
    const line = format(...(args as [string, ...unknown[]])).trim();
    if (prev && prev.ename === 'CompileError') {
      const traceback = [...prev.traceback, line];
      return { ename: 'CompileError', evalue: `${traceback[0]} (and ${traceback.length - 1} more)`, traceback };
    }
    return { ename: 'CompileError', evalue: line, traceback: [line] };
  }
  const v = args.length === 1 ? args[0] : args;
  if (v instanceof Error || (v && typeof v === 'object' && typeof (v as Error).message === 'string')) {
    const e = v as Error;
    const ename = typeof e.name === 'string' && e.name ? e.name : 'Error';
    const stack = typeof e.stack === 'string' && e.stack ? e.stack : `${ename}: ${e.message}`;
    return { ename, evalue: e.message, traceback: stack.split('\n') };
  }
  const text = typeof v === 'string' ? v : inspect(v);
  return { ename: 'Error', evalue: `Uncaught ${text}`, traceback: [`Uncaught ${text}`] };
}

/** tslab's dist/ folder, from the kernel's main script (node_modules/tslab/bin/tslab). */
function tslabDist(): string | null {
  const main = process.argv[1];
  if (!main) return null;
  try {
    const dist = path.join(path.dirname(fs.realpathSync(main)), '..', 'dist');
    return fs.existsSync(path.join(dist, 'jupyter.js')) && fs.existsSync(path.join(dist, 'executor.js')) ? dist : null;
  } catch {
    return null;
  }
}

/** zeromq 6's error at a send or receive that starts while the socket binds or unbinds. */
export function isBindBusy(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return err?.code === 'EBUSY' && /blocked by a bind or unbind/.test(String(err?.message));
}

/** Run `op`, retrying every `delayMs` while it fails with isBindBusy (at most `tries` retries). */
export async function retryWhileBinding<T>(op: () => T | Promise<T>, tries = 2000, delayMs = 5): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await op();
    } catch (e) {
      if (!isBindBusy(e) || i >= tries) throw e;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Make `send` on every socket class of a zeromq 6 module queue behind the socket's previous send (in
 * order), so that no send ever starts while another is in progress. The returned promise settles when
 * this message is handed to ZeroMQ; it never rejects (tslab does not await it): a failed send is
 * reported on stderr; a send that starts while the socket binds is retried (retryWhileBinding). Returns
 * false (and changes nothing) if the module does not have the expected shape.
 */
export function serialiseSends(zmq: any): boolean {
  // zeromq 6's `send` lives, read-only, on the native Socket prototype: each socket class gets its own.
  const classes = ['Publisher', 'Router', 'Dealer', 'Reply', 'Request', 'Pair', 'Push', 'XPublisher'];
  const protos = classes.map((c) => zmq?.[c]?.prototype).filter((p) => p && typeof p.send === 'function');
  if (protos.length === 0 || protos.some((p) => p.send.__rlminiQueued)) return false;
  const queues = new WeakMap<object, Promise<void>>();
  for (const proto of protos) {
    const send = proto.send;
    const queued = function (this: object, ...args: unknown[]): Promise<void> {
      const start = () => retryWhileBinding(() => send.apply(this, args));
      const prev = queues.get(this);
      const p: Promise<void> = (prev ? prev.then(start) : Promise.resolve().then(start)).catch((e: Error) => {
        process.stderr.write(`rl-miniatures: a kernel message could not be sent: ${e?.message ?? e}\n`);
      });
      queues.set(this, p);
      return p;
    };
    Object.defineProperty(queued, '__rlminiQueued', { value: true });
    Object.defineProperty(proto, 'send', { value: queued, writable: true, configurable: true });
  }
  return true;
}

/**
 * Make `receive` on every readable socket class of a zeromq 6 module retry while the socket binds (see the
 * header). Returns false (and changes nothing) if the module does not have the expected shape or is patched.
 */
export function retryReceivesWhileBinding(zmq: any): boolean {
  const classes = ['Router', 'Dealer', 'Reply', 'Request', 'Pair', 'Pull', 'Subscriber', 'XSubscriber'];
  const protos = classes.map((c) => zmq?.[c]?.prototype).filter((p) => p && typeof p.receive === 'function');
  if (protos.length === 0 || protos.some((p) => p.receive.__rlminiRetry)) return false;
  for (const proto of protos) {
    const receive = proto.receive;
    const retrying = function (this: object, ...args: unknown[]): Promise<unknown> {
      return retryWhileBinding(() => receive.apply(this, args));
    };
    Object.defineProperty(retrying, '__rlminiRetry', { value: true });
    Object.defineProperty(proto, 'receive', { value: retrying, writable: true, configurable: true });
  }
  return true;
}

function patch(dist: string): void {
  const executor = require(path.join(dist, 'executor.js'));
  const jupyter = require(path.join(dist, 'jupyter.js'));
  const H = jupyter.JupyterHandlerImpl?.prototype;
  const Z = jupyter.ZmqServer?.prototype;
  if (
    typeof executor.createExecutor !== 'function' ||
    typeof H?.handleExecute !== 'function' ||
    typeof H?.handleExecuteImpl !== 'function' ||
    typeof Z?.handleExecute !== 'function'
  )
    return; // another tslab: leave it alone

  // 0. One send at a time per socket (see the header), on the zeromq module tslab loads; and an iopub
  //    publisher that queues rather than drops (ZeroMQ's default high-water mark of 1000 messages drops
  //    the rest, the idle status included, when a cell prints in more chunks than that).
  try {
    const zmq = require(require.resolve('zeromq', { paths: [dist] }));
    serialiseSends(zmq);
    retryReceivesWhileBinding(zmq);
    const Publisher = zmq.Publisher;
    if (typeof Publisher === 'function' && !Publisher.__rlminiNoDrop) {
      const NoDrop = class extends Publisher {
        constructor(opts: Record<string, unknown> = {}) {
          super({ sendHighWaterMark: 0, ...opts });
        }
      };
      Object.defineProperty(NoDrop, '__rlminiNoDrop', { value: true });
      zmq.Publisher = NoDrop;
    }
  } catch (e) {
    process.stderr.write(`rl-miniatures: kernel sends not queued (${(e as Error).message})\n`);
  }

  // 1. Keep the error the executor reports for the cell being executed.
  let last: CellError | null = null;
  const createExecutor = executor.createExecutor;
  executor.createExecutor = function (rootDir: unknown, convs: unknown, con: { error: (...a: unknown[]) => void }) {
    const wrapped = {
      ...con,
      error: (...args: unknown[]) => {
        try {
          last = errorFromConsoleArgs(args, last);
        } catch {
          /* keep tslab's own behaviour whatever happens here */
        }
        return con.error(...args);
      },
    };
    return createExecutor.call(this, rootDir, convs, wrapped);
  };
  const errors = new WeakMap<object, CellError>();
  const impl = H.handleExecuteImpl;
  H.handleExecuteImpl = async function (req: object, ...rest: unknown[]) {
    last = null;
    try {
      return await impl.call(this, req, ...rest);
    } catch (e) {
      if (last) errors.set(req, last);
      throw e;
    }
  };

  // 2. The reply carries it.
  const handle = H.handleExecute;
  H.handleExecute = async function (req: object, ...rest: unknown[]) {
    const content = await handle.call(this, req, ...rest);
    if (content && content.status === 'error') {
      const e = errors.get(req) ?? {
        ename: 'Error',
        evalue: 'the cell failed (see its stderr output)',
        traceback: [],
      };
      Object.assign(content, e);
    }
    return content;
  };

  // 3. An iopub `error` message goes out just before an error reply.
  const serverHandle = Z.handleExecute;
  Z.handleExecute = function (this: any, sock: unknown, msg: any) {
    const server = this;
    const createReply = msg.createReply.bind(msg);
    msg.createReply = () => {
      const r = createReply();
      const send = r.signAndSend.bind(r);
      r.signAndSend = (key: string, s: unknown) => {
        const c = r.content;
        if (r.header?.msg_type === 'execute_reply' && c?.status === 'error' && typeof c.ename === 'string') {
          const err = createReply();
          err.header.msg_type = 'error';
          err.content = { ename: c.ename, evalue: c.evalue, traceback: [`${c.ename}: ${c.evalue}`] };
          err.signAndSend(key, server.iopub);
        }
        return send(key, s);
      };
      return r;
    };
    return serverHandle.call(this, sock, msg);
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// Only in the kernel's main thread (preloads also run in its worker threads) and only for tslab.
if (isMainThread && process.argv.includes('kernel') && /tslab/.test(process.argv[1] ?? '')) {
  const dist = tslabDist();
  if (dist) {
    try {
      patch(dist);
    } catch (e) {
      process.stderr.write(`rl-miniatures: kernel shim not applied (${(e as Error).message}); tslab runs as it is\n`);
    }
  }
}
