/**
 * An API key cached in the API process past its service's deletion (the metadata cache keeps a key
 * up to about a second when no change message arrives; a service deleted in SQL sends none) writes
 * nothing: the notifications' service check refuses the rows, the single POST and every item of a
 * batch answer 401 as an unknown key does, and a request of another service written in the same
 * group-commit tick still goes in. Once the cached entry expires, the key itself is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

describe('a cached API key past its service’s deletion', { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let doomed: Client & { id: string };
  let other: Client & { id: string };

  before(async () => {
    herald = await startInProcess({}, { api: true, worker: false });
    doomed = await herald.service('Doomed');
    other = await herald.service('Other');
  });

  after(async () => {
    await herald?.stop();
  });

  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    const c = new pg.Client(herald.database.url);
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const webhook = (n: number) => ({
    type: 'order_shipped',
    recipient: { id: `r${n}` },
    channels: ['webhook'],
    content: { webhook: { url: 'https://example.test/hook', payload: { n } } },
  });
  const count = async (serviceId: string) =>
    (
      await query<{ n: number }>('select count(*)::int as n from notifications where service_id = $1', [
        serviceId,
      ])
    )[0]?.n;

  it('writes no row for the removed service and answers 401, while others still write', async () => {
    // Both keys are now cached by the API process.
    assert.equal((await doomed.post('/v1/notifications', webhook(1))).status, 202);
    assert.equal((await other.post('/v1/notifications', webhook(1))).status, 202);
    await query('delete from services where id = $1', [doomed.id]);
    assert.equal(await count(doomed.id), 0);

    // Within the cache's bound: the same tick holds the removed service's rows and another's.
    const [single, batch, alongside] = await Promise.all([
      doomed.post('/v1/notifications', webhook(2)),
      doomed.post('/v1/notifications/batch', { notifications: [webhook(3), webhook(4)] }),
      other.post('/v1/notifications', webhook(2)),
    ]);
    assert.equal(single.status, 401, JSON.stringify(single.body));
    assert.equal(batch.status, 401, JSON.stringify(batch.body));
    assert.equal(alongside.status, 202);
    assert.equal(await count(doomed.id), 0);
    assert.equal(await count(other.id), 2);

    // Past the bound the key is unknown before anything is written.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await doomed.post('/v1/notifications', webhook(5))).status, 401);
    assert.equal(await count(doomed.id), 0);
  });
});
