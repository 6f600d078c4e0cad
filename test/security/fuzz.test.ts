/**
 * Property-based fuzzing of every route the OpenAPI document lists: random bodies, headers, query
 * strings and path ids (unicode, huge, deeply nested). Herald must never crash or answer 500 to bad
 * input, must always answer the documented JSON error, and must write nothing when it refuses.
 * Routes added later are fuzzed automatically. FUZZ_RUNS scales the run (default keeps CI quick).
 * The inbox streams get past authentication only in fuzz-streams.test.ts, with a real recipient.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, registerService } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
let casesTried = 0;

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
    await client(base, keyA).put('/v1/recipients/ann', { email: 'ann@example.com' });
    const spec = (await client(base).get('/docs/json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
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
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
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
          data: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue()),
          content: fc.oneof(
            fc.constant({ email: { subject: 'Hi {{ x }}', text: 't' } }),
            fc.record({
              email: fc.record({
                subject: fc.oneof(fc.string(), fc.constantFrom('{% if %}', '{{', '{{ a | nope }}')),
                text: fc.string(),
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
  const query = fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 });

  it('never answers 500, always answers the JSON error, and writes nothing when it refuses', async () => {
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
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(ids[i++ % 3] ?? 'x'));
          const qs = new URLSearchParams(q).toString();
          const headers: Record<string, string> = {};
          if (who === 'A') headers.authorization = `Bearer ${keyA}`;
          else if (who === 'B') headers.authorization = `Bearer ${keyB}`;
          else if (who === 'admin') headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
          else if (who !== 'none') headers.authorization = who;
          const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
          if (hasBody && type) headers['content-type'] = type;
          const before = await tableCounts();
          const res = await fetch(`${base}${path}${qs ? `?${qs}` : ''}`, {
            method: route.method,
            headers,
            ...(hasBody ? { body: payload } : {}),
          });
          const text = await res.text();
          const label = `${route.method} ${path.slice(0, 200)} [${who.slice(0, 40)}] ${type} ${payload.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
          assert.ok(res.status < 500, label);
          if (res.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            assert.equal(typeof parsed.error?.code, 'string', label);
            assert.equal(typeof parsed.error?.message, 'string', label);
            assert.match(res.headers.get('content-type') ?? '', /application\/json/, label);
            assert.equal(await tableCounts(), before, `a refused request wrote something: ${label}`);
          }
        },
      ),
      { numRuns: RUNS * Math.max(1, routes.length) },
    );
    assert.ok(casesTried >= RUNS);
  });
});
