/**
 * NUL characters and unpaired UTF-16 surrogates cannot be stored by PostgreSQL. Wherever they come
 * in (a JSON field or key, a path parameter, the query string, a line of an NDJSON or CSV upload),
 * the answer is 422 `validation_failed` naming the bad value's place, and nothing is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';

const NUL = '\u0000';
const LONE_HIGH = '\ud83d';
const LONE_LOW = '\ude00';

interface Case {
  name: string;
  as: 'admin' | 'service';
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  where: string;
  at: string;
  line?: number;
}

const notification = (extra: Record<string, unknown>) => ({
  type: 'order_shipped',
  recipient: 'ann',
  channels: ['email'],
  content: { email: { subject: 'Shipped', text: 'On its way' } },
  ...extra,
});

const CASES: Case[] = [
  {
    name: 'a service name',
    as: 'admin',
    method: 'POST',
    path: '/v1/services',
    body: { name: `Ac${NUL}me`, notificationTypes: [] },
    where: 'body',
    at: '/name',
  },
  {
    name: 'an API key label',
    as: 'service',
    method: 'POST',
    path: '/v1/api-keys',
    body: { label: `ci ${LONE_HIGH}` },
    where: 'body',
    at: '/label',
  },
  {
    name: 'a recipient attribute key',
    as: 'service',
    method: 'PUT',
    path: '/v1/recipients/ann',
    body: { attributes: { [`pl${NUL}an`]: 'pro' } },
    where: 'body',
    at: '/attributes/pl\\u0000an',
  },
  {
    name: 'notification data',
    as: 'service',
    method: 'POST',
    path: '/v1/notifications',
    body: notification({ data: { items: ['ok', `bad${LONE_LOW}`] } }),
    where: 'body',
    at: '/data/items/1',
  },
  {
    name: 'notification content',
    as: 'service',
    method: 'POST',
    path: '/v1/notifications',
    body: notification({ content: { email: { subject: `Hi${NUL}`, text: 't' } } }),
    where: 'body',
    at: '/content/email/subject',
  },
  {
    name: 'an inline recipient',
    as: 'service',
    method: 'POST',
    path: '/v1/notifications',
    body: notification({ recipient: { id: 'newbie', attributes: { name: `Z${LONE_HIGH}` } } }),
    where: 'body',
    at: '/recipient/attributes/name',
  },
  {
    name: 'a notification type field',
    as: 'service',
    method: 'PUT',
    path: '/v1/notification-types/digest',
    body: { description: `weekly ${LONE_LOW}digest` },
    where: 'body',
    at: '/description',
  },
  {
    name: 'template text',
    as: 'service',
    method: 'PUT',
    path: '/v1/notification-types/order_shipped/templates/email/default',
    body: { subject: 'Shipped', text: `Hello ${NUL}{{ name }}` },
    where: 'body',
    at: '/text',
  },
  {
    name: 'a device token',
    as: 'service',
    method: 'POST',
    path: '/v1/recipients/ann/devices',
    body: { platform: 'android', token: `fcm-token${NUL}0001` },
    where: 'body',
    at: '/token',
  },
  {
    name: 'a webhook endpoint description',
    as: 'service',
    method: 'POST',
    path: '/v1/webhook-endpoints',
    body: { url: 'https://93.184.216.34/hook', events: ['delivery.sent'], description: `ops${LONE_HIGH}` },
    where: 'body',
    at: '/description',
  },
  {
    name: 'a path parameter',
    as: 'service',
    method: 'PUT',
    path: '/v1/recipients/an%00n',
    body: { email: 'ann@example.com' },
    where: 'params',
    at: '/recipientId',
  },
  {
    name: 'the query string',
    as: 'service',
    method: 'GET',
    path: '/v1/notifications?type=order%00shipped',
    where: 'querystring',
    at: '/type',
  },
  {
    name: 'an NDJSON audience line',
    as: 'service',
    method: 'POST',
    path: '/v1/audiences',
    body: `"ann"\n${JSON.stringify({ id: 'bob', data: { city: `Par${LONE_LOW}is` } })}\n"cat"\n`,
    headers: { 'content-type': 'application/x-ndjson' },
    where: 'body',
    at: '/data/city',
    line: 2,
  },
  {
    name: 'a CSV audience line',
    as: 'service',
    method: 'POST',
    path: '/v1/audiences',
    body: `id,city\nann,Paris\nbob,Ly${NUL}on\n`,
    headers: { 'content-type': 'text/csv' },
    where: 'body',
    at: '/data/city',
    line: 3,
  },
];

describe('text PostgreSQL cannot store is refused where it enters', () => {
  let herald: Herald;
  let admin: Client;
  let api: Client;

  const tableCounts = async (): Promise<string> => {
    const found = await sql<{ t: string }>`
      select table_name as t from information_schema.tables
       where table_schema = 'public' and table_name not like 'kysely_%' order by 1`.execute(herald.db);
    const counts = sql.join(
      found.rows.map((r) => sql`${r.t} || '=' || (select count(*) from ${sql.table(r.t)})`),
      sql` || ',' || `,
    );
    return (await sql<{ c: string }>`select ${counts} as c`.execute(herald.db)).rows[0]?.c ?? '';
  };

  before(async () => {
    herald = await startInProcess({
      worker: false,
      env: { HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    admin = client(herald.url ?? '', TEST_ADMIN_TOKEN);
    api = client(herald.url ?? '', (await registerService(admin, 'Acme')).apiKey);
    assert.equal((await api.put('/v1/recipients/ann', { email: 'ann@example.com' })).status, 201);
  });
  after(async () => herald?.stop());

  for (const c of CASES) {
    it(`answers 422 for ${c.name}, with its place, and stores nothing`, async () => {
      const before = await tableCounts();
      const res = await (c.as === 'admin' ? admin : api).request(c.method, c.path, c.body, c.headers);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'validation_failed');
      assert.deepEqual(
        res.body.error.details.map((d: any) => [d.in, d.path, d.line]),
        [[c.where, c.at, c.line]],
        JSON.stringify(res.body),
      );
      assert.equal(await tableCounts(), before, 'nothing is written');
    });
  }

  it('still stores what is merely unusual: astral characters, other control characters', async () => {
    const res = await api.put('/v1/recipients/zoe', { attributes: { note: 'tab\there 🙂 \u0001 \uffff' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await api.get('/v1/recipients/zoe')).body.attributes.note, 'tab\there 🙂 \u0001 \uffff');
  });

  it('answers 401 before looking at the text of an anonymous request', async () => {
    const res = await client(herald.url ?? '').post('/v1/notifications', notification({ data: { x: NUL } }));
    assert.equal(res.status, 401);
  });
});
