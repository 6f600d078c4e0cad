/**
 * The webhook sender against a local receiver that verifies signatures with the independent
 * `standardwebhooks` package: a signed, accepted POST; each kind of refusal classified; a timeout.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWebhookSender } from '../../src/adapters/channels/webhook/webhook-sender.ts';
import { ProviderError, type OutgoingMessage, type Sender } from '../../src/ports/sender.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';

const message = (to: string, id = '0190a0a0-0000-7000-8000-000000000001'): OutgoingMessage<'webhook'> => ({
  deliveryId: id,
  notificationId: '0190a0a0-0000-7000-8000-0000000000aa',
  serviceId: 's',
  channel: 'webhook',
  to,
  content: { payload: { order: 'A-1', total: 12.5 } },
});

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => assert.fail('expected the send to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError);
  return err;
}

describe('webhook sender', () => {
  let receiver: WebhookReceiver;
  let sender: Sender;

  before(async () => {
    receiver = await startWebhookReceiver();
    sender = createWebhookSender({
      name: 'hooks',
      secret: TEST_WEBHOOK_SECRET,
      timeoutMs: 300,
      // The receiver listens on loopback; the refusal of private addresses is tested below.
      allowPrivate: true,
    });
  });

  after(async () => {
    await sender?.close?.();
    await receiver?.close();
  });

  it('POSTs a payload the receiver can verify, with the delivery id as webhook-id', async () => {
    receiver.mode = { kind: 'accept' };
    await sender.send(message(receiver.url));
    assert.equal(receiver.badSignatures, 0);
    const r = receiver.receipts.at(-1);
    assert.equal(r?.id, '0190a0a0-0000-7000-8000-000000000001');
    assert.deepEqual(r?.body.data, { order: 'A-1', total: 12.5 });
    assert.equal(r?.body.notificationId, '0190a0a0-0000-7000-8000-0000000000aa');
  });

  it('is refused by a receiver holding another secret', async () => {
    const other = createWebhookSender({
      name: 'other',
      allowPrivate: true,
      secret: 'whsec_' + Buffer.from('another-secret-entirely-32-bytes').toString('base64'),
    });
    const err = await failure(other.send(message(receiver.url)));
    assert.equal(err.code, 'webhook_401');
    assert.equal(err.kind, 'permanent');
    assert.equal(receiver.badSignatures, 1);
    await other.close?.();
  });

  it('classifies 429 with Retry-After, 503 and 400', async () => {
    receiver.mode = { kind: 'status', status: 429, retryAfter: '3' };
    const limited = await failure(sender.send(message(receiver.url)));
    assert.equal(limited.kind, 'rate_limited');
    assert.equal(limited.retryAfterMs, 3000);
    receiver.mode = { kind: 'status', status: 503 };
    assert.equal((await failure(sender.send(message(receiver.url)))).kind, 'transient');
    receiver.mode = { kind: 'status', status: 400 };
    assert.equal((await failure(sender.send(message(receiver.url)))).kind, 'permanent');
  });

  it('times out a receiver that never answers, as a transient failure', async () => {
    receiver.mode = { kind: 'hang' };
    const err = await failure(sender.send(message(receiver.url)));
    assert.equal(err.code, 'webhook_timeout');
    assert.equal(err.kind, 'transient');
  });

  it('times out a receiver that answers at once and then drips its body, however steadily it drips', async () => {
    // The URL is the caller's: an endpoint that never finishes its answer must not hold a lane slot
    // past the timeout (and then past the lease, to be sent again by another worker).
    const drips = 100;
    let dripped = 0;
    const dripper = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => {
        if (res.destroyed || dripped >= drips) {
          clearInterval(tick);
          res.end();
          return;
        }
        dripped += 1;
        res.write('.');
      }, 100);
    });
    dripper.listen(0, '127.0.0.1');
    await once(dripper, 'listening');
    try {
      const err = await failure(
        sender.send(message(`http://127.0.0.1:${(dripper.address() as AddressInfo).port}/`)),
      );
      assert.equal(err.code, 'webhook_timeout');
      assert.equal(err.kind, 'transient');
      assert.ok(dripped < drips, 'given up while the body was still dripping');
    } finally {
      dripper.closeAllConnections();
      dripper.close();
    }
  });

  it('keeps the connection of answers it reads whole, and closes one too long to read, counting its status', async () => {
    // A short answer is read to its end so the next send reuses the connection; an answer past
    // 128 KiB is not read on: the send stands by its status and the connection is closed.
    let connections = 0;
    let closed = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/long')
          res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(512 * 1024));
        else if (req.url === '/long-chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          for (let i = 0; i < 64; i++) res.write('y'.repeat(8 * 1024));
          res.end();
        } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    server.on('connection', (socket) => {
      connections += 1;
      socket.on('close', () => (closed += 1));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // (The pool may open a second connection while the first is being released.)
      for (let i = 0; i < 6; i++) await sender.send(message(`${base}/short`));
      const open = connections;
      assert.ok(open <= 2, `six short answers went over kept-alive connections (${open} opened)`);
      assert.equal(closed, 0);
      assert.deepEqual(await sender.send(message(`${base}/long`)), { providerMessageId: null });
      await sender.send(message(`${base}/short`));
      assert.deepEqual(await sender.send(message(`${base}/long-chunked`)), { providerMessageId: null });
      await sender.send(message(`${base}/short`));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(closed, 2, 'each long answer closed its connection');
      assert.equal(connections, open + 2, 'and the next send opened a new one');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('does not follow redirects', async () => {
    let followed = 0;
    const target = createServer((_req, res) => {
      followed += 1;
      res.writeHead(204).end();
    });
    const redirector = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/` }).end();
    });
    target.listen(0, '127.0.0.1');
    redirector.listen(0, '127.0.0.1');
    await Promise.all([once(target, 'listening'), once(redirector, 'listening')]);
    const err = await failure(
      sender.send(message(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`)),
    );
    assert.equal(err.code, 'webhook_redirect');
    assert.equal(err.kind, 'permanent');
    assert.equal(followed, 0);
    redirector.closeAllConnections();
    target.closeAllConnections();
    redirector.close();
    target.close();
  });

  it('refuses an address that is not an http(s) URL, permanently', async () => {
    const err = await failure(sender.send(message('ftp://example.com/x')));
    assert.equal(err.code, 'invalid_address');
  });
  it('by default refuses private and loopback addresses, by IP and by name, and sends nothing', async () => {
    const guarded = createWebhookSender({ name: 'guarded', secret: TEST_WEBHOOK_SECRET, timeoutMs: 2000 });
    const port = new URL(receiver.url).port;
    const before = receiver.receipts.length + receiver.refused + receiver.badSignatures;
    try {
      for (const url of [
        receiver.url,
        `http://localhost:${port}/hook`,
        `http://[::1]:${port}/hook`,
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/hook',
      ]) {
        const err = await failure(guarded.send(message(url)));
        assert.equal(err.code, 'webhook_url_refused', url);
        assert.equal(err.kind, 'permanent', url);
      }
      assert.equal(
        receiver.receipts.length + receiver.refused + receiver.badSignatures,
        before,
        'the receiver got nothing',
      );
    } finally {
      await guarded.close?.();
    }
  });
});
