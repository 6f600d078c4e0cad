/**
 * A hostile service fuzzing `PUT /v1/providers/{name}/credentials` for a way to borrow the operator's
 * secrets: random sets for every provider type, made of some of the type's secrets, URL fields aimed
 * anywhere, operator-only fields and junk, against an operator whose providers open no URL field.
 * Whatever it sends, Herald may store a set only if it holds every secret of its type inline and no
 * URL field; anything else is a 422 JSON error that writes nothing. The rules are restated here, not
 * imported, so the test checks the code against the promise and not against itself.
 * FUZZ_RUNS scales the run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

/** Per type: the secrets a service must give itself, and the fields it may add. */
const TYPES: Record<string, { secrets: Record<string, unknown>; other: Record<string, unknown> }> = {
  sendgrid: { secrets: { apiKey: 'SG.k' }, other: { from: 'a@b.test' } },
  ses: {
    secrets: { accessKeyId: 'AKIA', secretAccessKey: 's' },
    other: { region: 'eu-west-1', from: 'a@b.test' },
  },
  twilio: { secrets: { accountSid: `AC${'1'.repeat(32)}`, authToken: 't' }, other: { from: '+15550000000' } },
  vonage: { secrets: { apiKey: 'k', apiSecret: 's' }, other: { from: 'Acme' } },
  plivo: { secrets: { authId: `MA${'1'.repeat(18)}`, authToken: 't' }, other: { from: '+15550000000' } },
  fcm: {
    secrets: { serviceAccount: { project_id: 'p', client_email: 'a@b.iam', private_key: 'k'.repeat(40) } },
    other: {},
  },
  apns: {
    secrets: { privateKey: 'k'.repeat(40) },
    other: { teamId: 'TEAM123456', keyId: 'KEY1234567', topic: 'com.acme.app' },
  },
  webpush: {
    secrets: { publicKey: 'p'.repeat(60), privateKey: 'q'.repeat(40) },
    other: { subject: 'mailto:a@b.test' },
  },
  slack: { secrets: {}, other: {} },
};
/** Fields that make Herald (or the provider) send somewhere: closed to services in this config. */
const URL_FIELDS = ['baseUrl', 'tokenUrl', 'callbackUrl'];
const OPERATOR_ONLY = ['serviceAccountFile', 'privateKeyFile', 'endpointPattern', 'serviceUrls', 'name'];

const url = fc.constantFrom(
  'https://attacker.example/',
  'https://93.184.216.34/v1',
  'http://169.254.169.254/latest',
  'https://fcm.googleapis.com',
);

const attempt = fc
  .constantFrom(...Object.keys(TYPES))
  .chain((type) => {
    const { secrets, other } = TYPES[type]!;
    return fc.record({
      type: fc.constant(type),
      secrets: fc.subarray(Object.keys(secrets)),
      other: fc.subarray(Object.keys(other)),
      urls: fc.dictionary(fc.constantFrom(...URL_FIELDS), url, { maxKeys: 2 }),
      tokenUri: fc.option(url, { nil: undefined }),
      operatorOnly: fc.subarray(OPERATOR_ONLY, { maxLength: 1 }),
      junk: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 1 }),
    });
  })
  .map((a) => {
    const { secrets, other } = TYPES[a.type]!;
    const credentials: Record<string, unknown> = { ...a.junk, ...a.urls };
    for (const k of a.other) credentials[k] = other[k];
    for (const k of a.secrets) credentials[k] = structuredClone(secrets[k]);
    for (const k of a.operatorOnly) credentials[k] = k === 'serviceUrls' ? ['baseUrl'] : '/etc/passwd';
    const account = credentials.serviceAccount as Record<string, unknown> | undefined;
    if (account && a.tokenUri) account.token_uri = a.tokenUri;
    return { type: a.type, credentials };
  });

/** Whether the promise allows storing `credentials`: every secret inline, no URL, nothing of the operator's. */
function allowed(type: string, credentials: Record<string, unknown>): boolean {
  const { secrets } = TYPES[type]!;
  if (!Object.keys(secrets).every((k) => k in credentials)) return false;
  if (URL_FIELDS.some((k) => k in credentials)) return false;
  if (OPERATOR_ONLY.some((k) => k in credentials)) return false;
  const tokenUri = (credentials.serviceAccount as Record<string, unknown> | undefined)?.token_uri;
  return tokenUri === undefined || tokenUri === 'https://oauth2.googleapis.com/token';
}

describe('a hostile service fuzzing its provider credentials', () => {
  let herald: Herald;
  let hostile: Client;

  const stored = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from provider_credentials`.execute(herald.db)).rows[0]
      ?.n ?? 0;

  before(async () => {
    herald = await startInProcess({
      worker: false,
      env: { HERALD_SECRET_KEY: Buffer.alloc(32, 9).toString('base64') },
    });
    hostile = client(
      herald.url ?? '',
      (await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN))).apiKey,
    );
  });
  after(async () => herald?.stop());

  it('stores a set only when it holds every secret of its type and no URL', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(attempt, async ({ type, credentials }) => {
        const before = await stored();
        const res = await hostile.put(`/v1/providers/p-${type}/credentials`, { type, credentials });
        if (res.status === 200) {
          accepted++;
          assert.ok(allowed(type, credentials), `stored ${type} ${JSON.stringify(credentials)}`);
          assert.equal(
            await hostile.delete(`/v1/providers/p-${type}/credentials`).then((r) => r.status),
            204,
          );
          return;
        }
        refused++;
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'validation_failed');
        assert.ok(res.body.error.details.length > 0);
        for (const d of res.body.error.details) assert.match(d.path, /^\/credentials(\/|$)/);
        assert.equal(await stored(), before, 'a refused set writes nothing');
      }),
      { numRuns: RUNS },
    );
    // Both sides were exercised, or the property proved little.
    assert.ok(refused > 0, 'some sets were refused');
    assert.ok(accepted + refused === RUNS);
  });

  it('refuses, at its pointer, each URL field and each missing secret', async () => {
    for (const [type, { secrets, other }] of Object.entries(TYPES)) {
      for (const missing of Object.keys(secrets)) {
        const credentials: Record<string, unknown> = { ...other, ...secrets };
        delete credentials[missing];
        const res = await hostile.put(`/v1/providers/p-${type}/credentials`, { type, credentials });
        assert.equal(res.status, 422, `${type} without ${missing}`);
        assert.ok(
          res.body.error.details.some((d: { path: string }) => d.path === `/credentials/${missing}`),
          JSON.stringify(res.body.error.details),
        );
      }
      if (type === 'webpush') continue; // web push has no URL field: its endpoints are the subscriptions
      const res = await hostile.put(`/v1/providers/p-${type}/credentials`, {
        type,
        credentials: { ...other, ...secrets, baseUrl: 'https://attacker.example/' },
      });
      assert.equal(res.status, 422, `${type} with a baseUrl`);
      assert.ok(
        res.body.error.details.some((d: { path: string }) => d.path === '/credentials/baseUrl'),
        JSON.stringify(res.body.error.details),
      );
    }
    assert.equal(await stored(), 0);
  });
});
