/**
 * Property-based fuzzing of every route the OpenAPI document lists: random bodies, headers, query
 * strings and path ids (unicode, huge, deeply nested). Herald must never crash or answer 500 to bad
 * input, must always answer the documented JSON error, and must write nothing when it refuses.
 * Routes added later are fuzzed automatically. FUZZ_RUNS scales the run (default keeps CI quick).
 * Strings often carry what PostgreSQL cannot store (U+0000, unpaired UTF-16 surrogates) in path ids,
 * query keys and values, JSON keys and values: such a request is never answered with success.
 * The inbox streams get past authentication only in fuzz-streams.test.ts, with a real recipient.
 * A second property plays a hostile service: service B, with a valid key, sends A's ids, credentials
 * and endpoints that point at Herald's own network, forged cursors, impossible dates and open-redirect
 * hosts to every route; it never gets a 500, never sees A's data, and never changes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, registerService } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { documentChecker, type OpenApiDocument } from '../helpers/openapi-document.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
let casesTried = 0;

/** What PostgreSQL text cannot hold: NUL, and high or low surrogates without their other half. */
const UNSTORABLE = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];
const hostile = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...UNSTORABLE), fc.string({ maxLength: 12 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);

const unstorable = (s: string) => s.includes('\u0000') || !s.isWellFormed();
/** Whether any string or key in a parsed JSON value is one PostgreSQL cannot store (no recursion: bodies nest deep). */
function holdsUnstorable(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string' && unstorable(v)) return true;
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (unstorable(k)) return true;
        stack.push(x);
      }
  }
  return false;
}

/**
 * Percent-encodes any string, lone surrogates included (as the three bytes WTF-8 gives them, which
 * are not UTF-8: the server must refuse them, not crash); encodeURIComponent would throw.
 */
function encodeAny(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}

interface Route {
  method: string;
  path: string;
}

describe('fuzzing every public endpoint', () => {
  let herald: Herald;
  let base: string;
  let routes: Route[];
  let keyA: string;
  let keyB: string;
  /** Service A's ids and secrets, which a hostile B aims at. */
  const a = {
    serviceId: '',
    notificationId: '',
    endpointId: '',
    deviceId: '',
    audienceId: '',
    inboxSecret: '',
  };
  let conforms: ReturnType<typeof documentChecker>;

  let tables: string[] = [];
  /** Every table's row count, in one query: it runs twice per case, and cases grow with the routes. */
  const tableCounts = async (): Promise<string> => {
    if (tables.length === 0) {
      const found = await sql<{ t: string }>`
        select table_name as t from information_schema.tables
         where table_schema = 'public' and table_name not like 'kysely_%' order by 1`.execute(herald.db);
      tables = found.rows.map((r) => r.t);
    }
    const counts = sql.join(
      tables.map((t) => sql`${t} || '=' || (select count(*) from ${sql.table(t)})`),
      sql` || ',' || `,
    );
    const r = await sql<{ c: string }>`select ${counts} as c`.execute(herald.db);
    return r.rows[0]?.c ?? '';
  };

  before(async () => {
    // No worker: every row that appears is written by the API request under test.
    herald = await startInProcess({
      worker: false,
      env: { HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    base = herald.url ?? '';
    const admin = client(base, TEST_ADMIN_TOKEN);
    keyA = (await registerService(admin, 'A')).apiKey;
    keyB = (await registerService(admin, 'B')).apiKey;
    const ownerA = client(base, keyA);
    await ownerA.put('/v1/recipients/ann', { email: 'ann@example.com' });
    a.serviceId = (await ownerA.get('/v1/service')).body.id;
    a.notificationId = (
      await ownerA.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: 'ann',
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      })
    ).body.id;
    a.endpointId = (
      await ownerA.post('/v1/webhook-endpoints', {
        url: 'https://93.184.216.34/a',
        events: ['delivery.sent'],
      })
    ).body.id;
    a.deviceId = (
      await ownerA.post('/v1/recipients/ann/devices', { platform: 'ios', token: 'a-device-token-1' })
    ).body.id;
    a.audienceId = (
      await ownerA.post('/v1/audiences', '"ann"\n', { 'content-type': 'application/x-ndjson' })
    ).body.id;
    a.inboxSecret = (await ownerA.post('/v1/inbox/secret', {})).body.secret;
    await ownerA.put('/v1/service/link-hosts', { hosts: ['a-only.example'] });
    for (const [k, v] of Object.entries(a)) assert.ok(v, `fixture ${k}`);
    const spec = (await client(base).get('/docs/json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    conforms = documentChecker(spec as OpenApiDocument);
    routes = Object.entries(spec.paths)
      .filter(([path]) => !path.startsWith('/docs'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
    assert.ok(routes.length >= 8, `expected the API's routes in /docs/json, got ${routes.length}`);
  });

  after(async () => {
    await herald?.stop();
    process.stdout.write(`fuzz: ${casesTried} cases over ${routes?.length ?? 0} routes\n`);
  });

  const nasty = fc.oneof(
    hostile,
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '..',
      '%00',
      '%2e%2e%2f',
      'ann',
      '00000000-0000-0000-0000-000000000000',
      'x'.repeat(5000),
      '🙂'.repeat(300),
    ),
  );
  const deepJson = fc.integer({ min: 1, max: 5000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`);
  const hostileJson = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 10 }), hostile),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostile, fc.array(hostile, { maxLength: 3 })),
    { maxKeys: 4 },
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
    hostileJson.map((v) => JSON.stringify(v)),
    deepJson,
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '',
      'null',
      '{}',
      '[]',
      '{"a":',
      '\u0000',
      JSON.stringify({ data: { ['__proto__']: { x: 1 } } }),
    ),
    // Near-valid notification bodies, one field at a time off the rails.
    fc
      .record(
        {
          type: fc.oneof(fc.constant('order_shipped'), fc.jsonValue()),
          recipient: fc.oneof(
            fc.constant('ann'),
            nasty,
            fc.record({ id: nasty, email: fc.oneof(fc.emailAddress(), nasty) }),
          ),
          channels: fc.oneof(
            fc.constant(['email']),
            fc.array(fc.oneof(fc.constantFrom('email', 'sms', 'push', 'in_app'), nasty)),
          ),
          data: fc.oneof(
            fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
            fc.jsonValue(),
            hostileJson,
          ),
          content: fc.oneof(
            fc.constant({ email: { subject: 'Hi {{ x }}', text: 't' } }),
            fc.record({
              email: fc.record({
                subject: fc.oneof(fc.string(), hostile, fc.constantFrom('{% if %}', '{{', '{{ a | nope }}')),
                text: fc.oneof(fc.string(), hostile),
              }),
            }),
            fc.jsonValue(),
          ),
          priority: fc.oneof(fc.constantFrom('critical', 'low'), nasty),
          idempotencyKey: fc.oneof(fc.string(), fc.constant('k'.repeat(300))),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin-1',
    '',
  );
  const auth = fc.oneof(
    fc.constant('A'),
    fc.constant('B'),
    fc.constant('admin'),
    fc.constant('none'),
    fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
    fc.constantFrom('Basic Zm9vOmJhcg==', 'Bearer', `Bearer hk_${'a'.repeat(16)}_${'b'.repeat(43)}`),
  );
  const query = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 10 }), hostile),
    fc.oneof(fc.string({ maxLength: 20 }), hostile),
    { maxKeys: 4 },
  );

  // Bounded by its case count (FUZZ_RUNS per route, ~4,700 cases at 78 routes), not by time: about a
  // minute of CPU, and 100–170 s of wall time with other tests on the same two cores, past the
  // suite's 120 s default.
  it(
    'never answers 500, always answers the JSON error, and writes nothing when it refuses',
    { timeout: 600_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 10_000 }),
          fc.array(nasty, { minLength: 3, maxLength: 3 }),
          body,
          contentType,
          auth,
          query,
          async (pick, ids, payload, type, who, q) => {
            casesTried++;
            const route = routes[pick % routes.length] as Route;
            let i = 0;
            const used: string[] = [];
            const path = route.path.replace(/\{[^}]+\}/g, () => {
              const id = ids[i++ % 3] ?? 'x';
              used.push(id);
              return encodeAny(id);
            });
            const qs = Object.entries(q)
              .map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`)
              .join('&');
            const headers: Record<string, string> = {};
            if (who === 'A') headers.authorization = `Bearer ${keyA}`;
            else if (who === 'B') headers.authorization = `Bearer ${keyB}`;
            else if (who === 'admin') headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
            else if (who !== 'none') headers.authorization = who;
            const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
            if (hasBody && type) headers['content-type'] = type;
            let parsedBody: unknown = null;
            if (hasBody && type.startsWith('application/json'))
              try {
                parsedBody = JSON.parse(payload);
              } catch {
                /* not JSON: refused as such */
              }
            // Only the parts a route reads for sure: its path, its query, a JSON body. A URL cannot carry
            // a lone surrogate (its bytes are not UTF-8, and decode to something else or are refused),
            // so there only NUL counts.
            const nul = (x: string) => x.includes('\u0000');
            const carriesUnstorable =
              used.some(nul) ||
              Object.entries(q).some(([k, v]) => nul(k) || nul(v)) ||
              holdsUnstorable(parsedBody);
            const before = await tableCounts();
            const res = await fetch(`${base}${path}${qs ? `?${qs}` : ''}`, {
              method: route.method,
              headers,
              ...(hasBody ? { body: payload } : {}),
            });
            const text = await res.text();
            const label = `${route.method} ${path.slice(0, 200)} [${who.slice(0, 40)}] ${type} ${payload.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
            assert.ok(res.status < 500, label);
            let json: unknown = null;
            try {
              json = JSON.parse(text);
            } catch {
              /* a page, a redirect, metrics text */
            }
            assert.equal(
              conforms(route.method, route.path, res.status, res.headers.get('content-type'), json),
              null,
              label,
            );
            if (carriesUnstorable) assert.ok(res.status >= 400, `unstorable text was accepted: ${label}`);
            if (res.status >= 400) {
              const parsed = JSON.parse(text) as {
                error?: { code?: unknown; message?: unknown; details?: unknown };
              };
              assert.equal(typeof parsed.error?.code, 'string', label);
              assert.equal(typeof parsed.error?.message, 'string', label);
              assert.ok(
                parsed.error && 'details' in parsed.error && typeof parsed.error.details === 'object',
                `no details (null or an object): ${label}`,
              );
              assert.match(res.headers.get('content-type') ?? '', /application\/json/, label);
              assert.equal(await tableCounts(), before, `a refused request wrote something: ${label}`);
            }
          },
        ),
        { numRuns: RUNS * Math.max(1, routes.length) },
      );
      assert.ok(casesTried >= RUNS);
    },
  );

  /** Everything of service A's, as one digest: B may do anything, but this must not move. */
  const serviceDigest = async (serviceId: string): Promise<string> => {
    const owned = await sql<{ t: string }>`
      select table_name as t from information_schema.columns
       where table_schema = 'public' and column_name = 'service_id' order by 1`.execute(herald.db);
    const parts = owned.rows.map(
      ({
        t,
      }) => sql`(select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from ${sql.table(t)} x
                      where x.service_id = ${serviceId})`,
    );
    const r = await sql<{ d: string }>`select ${sql.join(parts, sql` || `)} as d`.execute(herald.db);
    return r.rows[0]?.d ?? '';
  };

  it("a hostile service never gets a 500, never sees another service's data, and never changes it", async () => {
    const aIds = () => [a.notificationId, a.endpointId, a.deviceId, a.audienceId, a.serviceId, 'ann'];
    const inward = fc.constantFrom(
      'http://169.254.169.254/latest/meta-data',
      'http://[::a9fe:a9fe]/',
      'http://[::127.0.0.1]:8025/',
      'http://[64:ff9b:1::a9fe:a9fe]/',
      'http://[2002:7f00:1::1]/',
      'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:5432/',
      'http://10.0.0.1/',
      'file:///etc/passwd',
    );
    const aId = fc.constantFrom(...aIds());
    const date = fc.constantFrom(
      '0000-01-01T00:00:00Z',
      '2024-02-31T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '9999-12-31T23:59:60Z',
    );
    const cursor = fc
      .record({
        updatedAt: fc.constantFrom(
          '2024-02-31 10:00:00+00',
          '0000-01-01 00:00:00+00',
          '2024-01-01 00:00:00+00',
        ),
        id: aId,
      })
      .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
    const hostileBody = fc.oneof(
      // Credentials whose every URL field points inward, for each provider type.
      fc
        .record({
          type: fc.constantFrom(
            'slack',
            'fcm',
            'apns',
            'webpush',
            'sendgrid',
            'ses',
            'twilio',
            'vonage',
            'smtp',
            'webhook',
          ),
          url: inward,
        })
        .map(({ type, url }) => ({
          type,
          credentials: { baseUrl: url, tokenUrl: url, url, serviceAccount: { token_uri: url } },
        })),
      fc.record({ url: inward, events: fc.constant(['delivery.sent']) }),
      fc.record({
        hosts: fc.array(
          fc.constantFrom(
            '*',
            '*.com',
            'https://evil.example/',
            'evil.example:443',
            '127.0.0.1',
            'b-own.example',
          ),
          { maxLength: 3 },
        ),
      }),
      fc.record(
        {
          type: fc.constant('order_shipped'),
          recipient: fc.oneof(aId, fc.record({ id: aId, email: fc.constant('mark@example.com') })),
          audience: fc.record({ id: aId }),
          recipients: fc.array(aId, { maxLength: 3 }),
          channels: fc.constant(['email']),
          content: fc.constant({
            email: { subject: 's', text: 't', html: '<a href="https://evil.example/">x</a>' },
          }),
        },
        { requiredKeys: ['type', 'channels'] },
      ),
      fc.record({ since: date, channel: fc.constant('email') }, { requiredKeys: [] }),
      fc.record({ recipients: fc.array(aId, { maxLength: 3 }) }),
    );
    const hostileQuery = fc.record(
      { since: date, cursor, status: fc.constantFrom('dead', 'sent'), from: date, to: date },
      { requiredKeys: [] },
    );
    const digestBefore = await serviceDigest(a.serviceId);
    const secrets = ['ann@example.com', a.inboxSecret, 'a-device-token-1', 'a-only.example'];
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.oneof(aId, nasty), { minLength: 3, maxLength: 3 }),
        hostileBody,
        hostileQuery,
        async (pick, ids, payload, q) => {
          tried++;
          const route = routes[pick % routes.length] as Route;
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeAny(ids[i++ % 3] ?? 'x'));
          const qs = new URLSearchParams(q).toString();
          const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
          const body = JSON.stringify(payload);
          const res = await fetch(`${base}${path}?${qs}`, {
            method: route.method,
            headers: {
              authorization: `Bearer ${keyB}`,
              ...(hasBody ? { 'content-type': 'application/json' } : {}),
            },
            ...(hasBody ? { body } : {}),
          });
          const text = await res.text();
          const label = `${route.method} ${path.slice(0, 200)}?${qs.slice(0, 200)} ${body.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
          assert.ok(res.status < 500, label);
          if (res.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown } };
            assert.equal(typeof parsed.error?.code, 'string', label);
          }
          for (const secret of secrets)
            assert.equal(text.includes(secret), false, `A's ${secret} leaked: ${label}`);
        },
      ),
      { numRuns: RUNS * 8 },
    );
    assert.equal(await serviceDigest(a.serviceId), digestBefore, "B changed A's data");
    process.stdout.write(`fuzz: ${tried} hostile-service cases\n`);
  });
});
