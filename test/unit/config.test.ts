import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isBcp47, isE164, isIanaTimeZone } from '../../src/http/formats.ts';

describe('configuration', () => {
  it('defaults to embedded mode on 127.0.0.1:8025 with ./.herald', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.port, 8025);
    assert.equal(c.host, '127.0.0.1');
    assert.ok(c.dataDir.endsWith('.herald'));
    assert.equal(c.worker.leaseMs, 60_000);
  });

  it('takes the SMTP shortcut and a config file, environment on top', () => {
    const c = loadConfig(
      { HERALD_CONFIG: 'x.yaml', HERALD_SMTP_URL: 'smtp://u:p@mail.test:2525', PORT: '9000' },
      () => ({
        port: 1,
        worker: { concurrency: 4 },
        providers: { email: [{ name: 'backup', type: 'smtp', host: 'b.test', from: 'a@b.c' }] },
      }),
    );
    assert.equal(c.port, 9000);
    assert.equal(c.worker.concurrency, 4);
    assert.deepEqual(
      c.providers.email?.map((p) => p.name),
      ['smtp', 'backup'],
    );
  });

  it('has abuse limits by default, and takes the proxies to trust from the environment', () => {
    const c = loadConfig({});
    assert.deepEqual(c.recipientRateLimit, { perSecond: 20, burst: 40 });
    assert.deepEqual(c.publicRateLimit, { perSecond: 30 });
    assert.equal(c.inbox.maxStreamsPerRecipient, 10);
    assert.equal(c.trustProxy, false);
    assert.equal(loadConfig({ HERALD_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(
      loadConfig({ HERALD_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy,
      '10.0.0.0/8,127.0.0.1',
    );
  });

  it('has HTTP request and idle timeouts, and refuses an idle timeout that would cut quiet inbox streams', () => {
    assert.deepEqual(loadConfig({}).http, { requestTimeoutMs: 600_000, idleTimeoutMs: 60_000 });
    assert.deepEqual(
      loadConfig({ HERALD_REQUEST_TIMEOUT_MS: '120000', HERALD_IDLE_TIMEOUT_MS: '30000' }).http,
      { requestTimeoutMs: 120_000, idleTimeoutMs: 30_000 },
    );
    assert.throws(
      () => loadConfig({ HERALD_CONFIG: 'x.json' }, () => ({ http: { idleTimeoutMs: 20_000 } })),
      /must be longer than inbox.heartbeatMs/,
    );
  });

  it('names every problem in a bad file', () => {
    assert.throws(
      () =>
        loadConfig({ HERALD_CONFIG: 'x.json' }, () => ({
          port: 'eighty',
          worker: { leaseMs: 1 },
          nonsense: true,
        })),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /\/port/);
        assert.match(err.message, /\/worker\/leaseMs/);
        assert.match(err.message, /additional properties/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ HERALD_PORT: 'x' }), /HERALD_PORT must be a whole number/);
    assert.throws(
      () =>
        loadConfig({ HERALD_CONFIG: 'x.json' }, () => ({
          providers: { email: [{ name: 'p', type: 'smtp', from: 'a@b.c' }] },
        })),
      /needs a url or a host/,
    );
  });
});

describe('input formats', () => {
  it('accepts real E.164 numbers only', () => {
    assert.equal(isE164('+14155552671'), true);
    assert.equal(isE164('+442071838750'), true);
    assert.equal(isE164('14155552671'), false);
    assert.equal(isE164('+1 415 555 2671'), false);
    assert.equal(isE164('+10000000000'), false);
  });
  it('accepts IANA zones and BCP 47 tags', () => {
    assert.equal(isIanaTimeZone('Asia/Tokyo'), true);
    assert.equal(isIanaTimeZone('America/Argentina/Buenos_Aires'), true);
    assert.equal(isIanaTimeZone('UTC'), true);
    assert.equal(isIanaTimeZone('Mars/Olympus'), false);
    assert.equal(isIanaTimeZone('+05:00'), false);
    assert.equal(isBcp47('fr-CA'), true);
    assert.equal(isBcp47('not a locale'), false);
  });
});
