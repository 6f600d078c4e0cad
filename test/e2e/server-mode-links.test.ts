/**
 * Server mode on PostgreSQL with the API and the worker as separate processes: the worker signs the
 * unsubscribe link it puts in a commercial email, and the API process accepts it, because both read
 * the one signing key Herald keeps in the database when HERALD_SECRET_KEY is not set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('server mode: links signed by the worker verify on the API', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let smtp: TestSmtp;
  let apiProc: HeraldProcess;
  let worker: HeraldProcess;
  let api: Client;

  before(async () => {
    tdb = await freshDatabase();
    smtp = await startSmtp();
    const env = { DATABASE_URL: tdb.url, HERALD_ADMIN_TOKEN: ADMIN, HERALD_SMTP_URL: smtp.url };
    apiProc = await startHeraldProcess('api', env);
    worker = await startHeraldProcess('worker', { ...env, HERALD_PUBLIC_URL: apiProc.url });
    api = client(apiProc.url, (await registerService(client(apiProc.url, ADMIN), 'Acme', ['offers'])).apiKey);
    await api.put('/v1/notification-types/offers', { kind: 'commercial', defaultChannels: ['email'] });
  });

  after(async () => {
    await worker?.stop();
    await apiProc?.stop();
    await smtp?.close();
    await tdb?.drop();
  });

  it('unsubscribes through the link from the email', async () => {
    await api.put('/v1/recipients/sam', { email: 'sam@example.com' });
    const content = { email: { subject: 'Deal', text: 'A deal.' } };
    const res = await api.post('/v1/notifications', { type: 'offers', recipient: 'sam', content });
    assert.equal(res.status, 202);
    const [mail] = await smtp.waitFor(1);
    const header = mail!.headers.find((h) => h.key === 'list-unsubscribe')?.value ?? '';
    const url = /^<(.+)>$/.exec(header)?.[1];
    assert.ok(url?.startsWith(`${apiProc.url}/u/`), header);
    const post = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(post.status, 200);
    const again = await api.post('/v1/notifications', { type: 'offers', recipient: 'sam', content });
    const n = await waitForNotification(api, again.body.id);
    assert.deepEqual([n.deliveries[0].status, n.deliveries[0].reason], ['suppressed', 'unsubscribed']);
  });
});
