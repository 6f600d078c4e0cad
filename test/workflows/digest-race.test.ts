/**
 * The digest race: 50 events with the same key, sent at once through two API processes and planned by
 * two worker processes on one PostgreSQL, gather into exactly one digest of 50 items and one message.
 * The database's unique index on open digests settles it, whichever worker gets each event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('digest under concurrency: two API and two worker processes', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  const procs: HeraldProcess[] = [];
  let apis: Client[] = [];

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtp();
    const env = {
      DATABASE_URL: database.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_SMTP_URL: smtp.url,
      HERALD_CONFIG: writeConfig(tempDir(), { worker: { sweepMs: 200, pollMs: 100 } }),
    };
    // The first API process migrates; the others start once it has.
    procs.push(await startHeraldProcess('api', env));
    procs.push(
      ...(await Promise.all([
        startHeraldProcess('api', env),
        startHeraldProcess('worker', env),
        startHeraldProcess('worker', env),
      ])),
    );
    const [first, second] = procs as [HeraldProcess, HeraldProcess];
    const service = await registerService(client(first.url, ADMIN), 'Acme', ['comment']);
    apis = [client(first.url, service.apiKey), client(second.url, service.apiKey)];
    const type = await apis[0]?.put('/v1/notification-types/comment', {
      defaultChannels: ['email'],
      steps: [{ type: 'digest', window: '1h', key: '{{ thread }}' }],
    });
    assert.equal(type?.status, 200, JSON.stringify(type?.body));
    const tpl = await apis[0]?.put('/v1/notification-types/comment/templates/email/default', {
      subject: '{{ digest.count }} new comments on {{ thread }}',
      text: '{% for c in digest.items %}{{ c.n }} {% endfor %}',
    });
    assert.equal(tpl?.status, 201);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await smtp?.close();
    await database?.drop();
  });

  it('makes one digest of 50 items and sends it once', async () => {
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (apis[i % 2] as Client).post('/v1/notifications', {
          type: 'comment',
          recipient: { id: 'dora', email: 'dora@example.test' },
          data: { thread: 't-1', n: i },
        }),
      ),
    );
    assert.ok(sent.every((r) => r.status === 202));
    const ids = sent.map((r) => r.body.id as string);
    const views = await Promise.all(
      ids.map((id) => waitForNotification(apis[0] as Client, id, 'completed', 60_000)),
    );
    const digestIds = new Set(views.map((v) => v.steps[0].detail.digestId as string));
    assert.equal(digestIds.size, 1, `events went to ${digestIds.size} digests`);
    const listed = await (apis[1] as Client).get('/v1/digests?recipient=dora');
    assert.equal(listed.body.data.length, 1);
    const [digestId] = [...digestIds] as [string];
    const open = await (apis[1] as Client).get(`/v1/digests/${digestId}`);
    assert.equal(open.body.count, 50);
    assert.equal(open.body.items.length, 50);
    assert.deepEqual(
      new Set(open.body.items.map((i: { notificationId: string }) => i.notificationId)),
      new Set(ids),
    );
    // Both API processes release it at once: one message still.
    const released = await Promise.all(apis.map((api) => api.post(`/v1/digests/${digestId}/release`)));
    assert.ok(released.every((r) => r.status === 200 && r.body.status === 'closed'));
    assert.equal(released[0]?.body.messageId, released[1]?.body.messageId);
    await eventually(async () => smtp.messages.length >= 1, { what: 'the digest mail', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(smtp.messages.length, 1);
    assert.equal(smtp.messages[0]?.subject, '50 new comments on t-1');
    const numbers = (smtp.messages[0]?.text ?? '')
      .trim()
      .split(/\s+/)
      .map(Number)
      .sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
