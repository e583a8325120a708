/**
 * The kernel shim's zeromq patches on the real zeromq 6 module: a send or receive that starts while its socket
 * binds throws EBUSY in zeromq ("Socket is blocked by a bind or unbind operation"); patched, it waits for the bind
 * and the message goes through (the race behind "The tslab kernel did not answer within 60 s of starting").
 */
import { createRequire } from 'module';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { isBindBusy, retryReceivesWhileBinding, retryWhileBinding, serialiseSends } from '../../src/runner/kernel-shim';
import { ROOT } from '../helpers';

// A private copy of the module (not the one vitest or tslab may share): the patch changes its prototypes.
const load = () => {
  const req = createRequire(path.join(ROOT, 'package.json'));
  for (const k of Object.keys(req.cache)) if (k.includes(`${path.sep}zeromq${path.sep}`)) delete req.cache[k];
  return req('zeromq');
};

describe('kernel shim: zeromq sends and receives during a bind', () => {
  it('unpatched, zeromq throws the bind-busy error that isBindBusy recognises', async () => {
    const zmq = load();
    const s = new zmq.Router();
    const bound = s.bind('tcp://127.0.0.1:*');
    let err: unknown = null;
    try {
      await s.receive();
    } catch (e) {
      err = e;
    }
    expect(isBindBusy(err)).toBe(true);
    await bound;
    s.close();
  });

  it('patched, a receive started during the bind gets the message a peer sends after it', async () => {
    const zmq = load();
    expect(retryReceivesWhileBinding(zmq)).toBe(true);
    expect(serialiseSends(zmq)).toBe(true);
    expect(retryReceivesWhileBinding(zmq)).toBe(false); // idempotent
    const server = new zmq.Pair();
    const bound = server.bind('tcp://127.0.0.1:*');
    const received = server.receive(); // starts while binding
    await bound;
    const client = new zmq.Pair();
    client.connect(server.lastEndpoint);
    await client.send('hello');
    const [msg] = await received;
    expect(msg.toString()).toBe('hello');
    // a send started during a bind is queued and delivered too
    const server2 = new zmq.Pair();
    const bound2 = server2.bind('tcp://127.0.0.1:*');
    const sent = server2.send('early');
    await bound2;
    const client2 = new zmq.Pair();
    client2.connect(server2.lastEndpoint);
    await sent;
    const [early] = await client2.receive();
    expect(early.toString()).toBe('early');
    for (const s of [server, client, server2, client2]) s.close();
  });

  it('retryWhileBinding rethrows any other error at once and gives up after its retries', async () => {
    let n = 0;
    await expect(
      retryWhileBinding(() => {
        n++;
        throw Object.assign(new Error('other'), { code: 'EAGAIN' });
      }),
    ).rejects.toThrow('other');
    expect(n).toBe(1);
    n = 0;
    const busy = () => {
      n++;
      throw Object.assign(new Error('Socket is blocked by a bind or unbind operation'), { code: 'EBUSY' });
    };
    await expect(retryWhileBinding(busy, 3, 1)).rejects.toThrow(/blocked by a bind/);
    expect(n).toBe(4);
  });
});
