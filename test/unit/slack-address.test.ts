/** Slack addresses must lie under the configured base URL as parsed URLs, not as a text prefix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUnderBase } from '../../src/adapters/channels/slack/slack-sender.ts';

describe('Slack address under its base URL', () => {
  it('accepts webhooks under the base, with or without its trailing slash', () => {
    for (const base of ['https://hooks.slack.com/', 'https://hooks.slack.com']) {
      assert.ok(isUnderBase('https://hooks.slack.com/services/T1/B2/xyz', base), base);
    }
    assert.ok(isUnderBase('https://hooks.slack.com/services/T1/B2/x', 'https://hooks.slack.com/services'));
  });

  it('refuses look-alike hosts, credentials, other schemes and ports, and paths beside the base', () => {
    const base = 'https://hooks.slack.com';
    for (const address of [
      'https://hooks.slack.com.evil.example/services/T1/B2/x',
      'https://hooks.slack.com@evil.example/services/T1/B2/x',
      'https://user:pw@hooks.slack.com/services/T1/B2/x',
      'http://hooks.slack.com/services/T1/B2/x',
      'https://hooks.slack.com:8443/services/T1/B2/x',
      'https://hooks.slack.com/',
      'not a url',
    ]) {
      assert.equal(isUnderBase(address, base), false, address);
    }
    assert.equal(
      isUnderBase('https://hooks.slack.com/servicesX/T1', 'https://hooks.slack.com/services'),
      false,
    );
  });
});
