/**
 * The SSRF guard: which addresses status webhooks may not reach, the check made when an endpoint is
 * saved, and the one made on every connection (a real local server must never receive the request).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { checkWebhookUrl, isPrivateAddress } from '../../src/adapters/net/ssrf-guard.ts';
import { createStatusWebhookPoster } from '../../src/adapters/webhooks/status-webhook-poster.ts';

describe('SSRF guard', () => {
  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      // IPv4-compatible, local-use NAT64, 6to4 and Teredo addresses embed an IPv4 address.
      '::127.0.0.1',
      '::7f00:1',
      '::a9fe:a9fe',
      '64:ff9b:1::a9fe:a9fe',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      '2002:a9fe:a9fe::',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      'not-an-ip',
    ])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      assert.equal(isPrivateAddress(a), false, a);
  });

  it('refuses private URLs when saving, unless allowed', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://[::127.0.0.1]/x',
      'http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data',
      'http://[2002:a9fe:a9fe::1]/x',
    ])
      assert.match((await checkWebhookUrl(url, false)) ?? 'allowed', /private|loopback/, url);
    assert.equal(await checkWebhookUrl('https://93.184.216.34/hook', false), null);
    assert.equal(await checkWebhookUrl('http://127.0.0.1:8080/hook', true), null);
    assert.match((await checkWebhookUrl('ftp://example.com/', true)) ?? '', /http/);
    assert.match((await checkWebhookUrl('http://u:p@example.com/', true)) ?? '', /credentials/);
  });

  it('refuses to connect to a private address at send time, by IP or by name', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const poster = createStatusWebhookPoster({ timeoutMs: 2000, allowPrivate: false });
    const message = {
      secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'),
      eventId: 'evt_1',
      payload: {},
    };
    try {
      const byIp = await poster.post({ ...message, url: `http://127.0.0.1:${port}/x` });
      assert.equal(byIp.statusCode, null);
      assert.match(byIp.error ?? '', /private/);
      const byName = await poster.post({ ...message, url: `http://localhost:${port}/x` });
      assert.equal(byName.statusCode, null);
      assert.match(byName.error ?? '', /PRIVATE|private/);
      assert.equal(hits, 0);
      const allowed = createStatusWebhookPoster({ timeoutMs: 2000, allowPrivate: true });
      assert.equal((await allowed.post({ ...message, url: `http://127.0.0.1:${port}/x` })).statusCode, 200);
      await allowed.close();
      assert.equal(hits, 1);
    } finally {
      await poster.close();
      server.close();
    }
  });
});
