/** Provider configuration: one discriminated entry per provider type, checked at start. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const SID = `AC${'ab'.repeat(16)}`;
const all = {
  publicUrl: 'https://herald.example',
  providers: {
    email: [
      { name: 'smtp', type: 'smtp', url: 'smtp://localhost:2525', from: 'a@b.test' },
      {
        name: 'sendgrid',
        type: 'sendgrid',
        apiKey: 'SG.x',
        from: 'a@b.test',
        webhookPublicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
      },
      {
        name: 'ses',
        type: 'ses',
        region: 'eu-west-1',
        accessKeyId: 'AK',
        secretAccessKey: 'S',
        from: 'a@b.test',
      },
    ],
    sms: [
      {
        name: 'twilio',
        type: 'twilio',
        accountSid: SID,
        authToken: 't',
        from: '+15005550006',
        statusCallbacks: true,
      },
      { name: 'vonage', type: 'vonage', apiKey: 'k', apiSecret: 's', from: 'Acme' },
      { name: 'plivo', type: 'plivo', authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 't', from: '+14155550100' },
    ],
    push: [
      {
        name: 'fcm',
        type: 'fcm',
        serviceAccount: {
          project_id: 'p',
          client_email: 'x@p.iam.gserviceaccount.com',
          private_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
        },
      },
      {
        name: 'apns',
        type: 'apns',
        teamId: 'ABCDE12345',
        keyId: 'KEY1234567',
        privateKeyFile: '/etc/herald/apns.p8',
        topic: 'com.acme.app',
        sandbox: true,
      },
    ],
    web_push: [
      {
        name: 'webpush',
        type: 'webpush',
        subject: 'mailto:ops@acme.test',
        publicKey: 'B'.repeat(87),
        privateKey: 'p'.repeat(43),
      },
    ],
    slack: [{ name: 'slack', type: 'slack' }],
  },
};
const load = (file: unknown, env: Record<string, string> = {}) =>
  loadConfig({ HERALD_CONFIG: 'x.json', ...env }, () => structuredClone(file));

describe('provider configuration', () => {
  it('accepts one of every provider type and the secret key from the environment', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const c = load(all, { HERALD_SECRET_KEY: key });
    assert.deepEqual(
      c.providers.email?.map((p) => p.type),
      ['smtp', 'sendgrid', 'ses'],
    );
    assert.deepEqual(
      c.providers.sms?.map((p) => p.type),
      ['twilio', 'vonage', 'plivo'],
    );
    assert.equal(c.providers.push?.length, 2);
    assert.equal(c.secretKey, key);
    assert.match(c.receipts.snsCertUrlPattern, /amazonaws/);
  });

  it('names what is wrong', () => {
    const dup = structuredClone(all);
    dup.providers.sms[1]!.name = 'twilio';
    assert.throws(
      () => load(dup),
      (e: Error) => e instanceof ConfigError && /used twice/.test(e.message),
    );
    const noUrl = { ...structuredClone(all), publicUrl: undefined };
    assert.throws(() => load(noUrl), /set publicUrl/);
    const badSid = structuredClone(all);
    (badSid.providers.sms[0] as { accountSid: string }).accountSid = 'nope';
    assert.throws(() => load(badSid), ConfigError);
    const plivoBoth = structuredClone(all);
    Object.assign(plivoBoth.providers.sms[2]!, { powerpackUuid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' });
    assert.throws(() => load(plivoBoth), /Plivo provider 'plivo' needs either from or powerpackUuid/);
    const plivoBadId = structuredClone(all);
    (plivoBadId.providers.sms[2] as { authId: string }).authId = 'nope';
    assert.throws(() => load(plivoBadId), ConfigError);
    const unknownType = { providers: { email: [{ name: 'x', type: 'mailchimp', from: 'a@b.test' }] } };
    assert.throws(() => load(unknownType), ConfigError);
  });
});
