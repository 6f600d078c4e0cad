import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createProviderHealth } from '../../src/app/provider-health.ts';

const load = (file: unknown) => loadConfig({ HERALD_CONFIG: 'herald.json' }, () => file);

describe('engine configuration', () => {
  it('keeps per-channel retry and per-provider breaker settings as overrides only', () => {
    const config = load({
      retry: { default: { baseDelayMs: 50 }, webhook: { maxAttempts: 3 } },
      breaker: { openMs: 1000 },
      providers: {
        webhook: [
          {
            name: 'hooks',
            type: 'webhook',
            secret: 'whsec_' + Buffer.from('0123456789abcdef0123').toString('base64'),
            breaker: { failureThreshold: 2 },
          },
        ],
      },
    });
    // Nothing filled in: the channel's policy is the default with just maxAttempts changed.
    assert.deepEqual(config.retry.webhook, { maxAttempts: 3 });
    assert.equal(config.retry.default.baseDelayMs, 50);
    assert.deepEqual(config.providers.webhook?.[0]?.breaker, { failureThreshold: 2 });

    // The provider's breaker = top-level defaults + its own override.
    let now = 0;
    const health = createProviderHealth({
      providers: [{ name: 'hooks', channel: 'webhook', breaker: config.providers.webhook?.[0]?.breaker }],
      defaults: config.breaker,
      now: () => now,
    });
    health.record('hooks', 'failure');
    health.record('hooks', 'failure');
    assert.equal(health.snapshot()[0]?.state, 'open', 'opened at its own threshold of 2');
    now = 1000;
    assert.equal(health.snapshot()[0]?.state, 'half_open', 'after the top-level openMs of 1000');
  });

  it('refuses rate limits the slicing cannot hold, and bad webhook secrets', () => {
    const hook = { name: 'h', type: 'webhook', secret: 'whsec_' + 'A'.repeat(24) };
    assert.throws(
      () => load({ providers: { webhook: [{ ...hook, rateLimit: { perSecond: 1 } }] } }),
      ConfigError,
    );
    assert.throws(() => load({ providers: { webhook: [{ ...hook, secret: 'plain' }] } }), ConfigError);
    assert.equal(
      load({ providers: { webhook: [{ ...hook, rateLimit: { perSecond: 50 } }] } }).providers.webhook?.[0]
        ?.rateLimit?.utilization,
      0.8,
    );
  });

  it('takes operator weights per service for sharing the lanes, and refuses keys that are not service ids', () => {
    const id = '0190a6a4-1b2c-7d3e-8f40-0123456789ab';
    assert.deepEqual(load({}).worker.serviceWeights, {});
    assert.deepEqual(load({ worker: { serviceWeights: { [id]: 5 } } }).worker.serviceWeights, { [id]: 5 });
    assert.throws(() => load({ worker: { serviceWeights: { 'not-a-service': 5 } } }), ConfigError);
    assert.throws(() => load({ worker: { serviceWeights: { [id]: 0 } } }), ConfigError);
  });
});
