/**
 * Audience uploads cannot hurt the process or other services: a line is capped before it is buffered
 * (422 with its number, answered while the client is still sending), a body stream that fails fails
 * only its request, idle and slow requests are cut by the server's timeouts, and an upload that
 * trickles in holds no database transaction open, so another service's reads answer meanwhile.
 * Every request here is real HTTP with a streamed (chunked) body against the real server.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Herald } from '../../src/main.ts';
import { MAX_LINE_BYTES } from '../../src/http/routes/audiences.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { startInProcess as startOnPg, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

interface Answer {
  status: number;
  body: any;
}

/** A POST /v1/audiences whose body the test writes piece by piece; `answer` settles with the response. */
function upload(baseUrl: string, apiKey: string, contentType = 'application/x-ndjson') {
  const req: ClientRequest = httpRequest(new URL('/v1/audiences', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType },
  });
  let done = false;
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        done = true;
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', (err) => {
      done = true;
      reject(err);
    });
  });
  answer.catch(() => undefined);
  req.flushHeaders();
  return {
    answer,
    answered: () => done,
    write: (chunk: string | Buffer) =>
      new Promise<void>((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve()))),
    end: () => req.end(),
    abort: () => req.destroy(),
  };
}

/** `p`, or a failure naming `what` if it has not settled after a generous while (never a measurement). */
async function within<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

const countAudiences = async (herald: Herald) =>
  (await sql<{ n: number }>`select count(*)::int as n from audiences`.execute(herald.db)).rows[0]?.n;

describe('audience uploads (embedded)', () => {
  let herald: Herald;
  let url: string;
  let key: string;
  let other: Client;

  before(async () => {
    herald = await startInProcess({
      worker: false,
      config: { http: { idleTimeoutMs: 1500 }, inbox: { heartbeatMs: 1000 } },
    });
    url = herald.url ?? '';
    const admin = client(url, TEST_ADMIN_TOKEN);
    key = (await registerService(admin, 'Uploader')).apiKey;
    other = client(url, (await registerService(admin, 'Bystander')).apiKey);
    assert.equal((await other.put('/v1/recipients/b1', { email: 'b1@example.com' })).status, 201);
  });
  after(async () => herald?.stop());

  it('refuses a line over the cap with its number while the client is still sending, and stores nothing', async () => {
    const up = upload(url, key);
    await up.write('"a1"\n"a2"\n');
    // A valid JSON line (so the old reader would have taken it), far over the cap, with no newline.
    await up.write(`{"id":"a3","data":{"x":"`);
    const piece = 'x'.repeat(32 * 1024);
    for (let sent = 0; sent <= MAX_LINE_BYTES && !up.answered(); sent += piece.length) await up.write(piece);
    const res = await within(up.answer, 'an answer before the upload ended');
    up.abort();
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'invalid_audience_line');
    assert.equal(res.body.error.details.line, 3);
    assert.match(res.body.error.message, /longer than \d+ bytes/);
    assert.equal(await countAudiences(herald), 0);
    assert.equal((await other.get('/v1/recipients/b1')).status, 200, 'the process still serves');
  });

  it('counts CSV lines from the header, and accepts a line just under the cap', async () => {
    const up = upload(url, key, 'text/csv');
    await up.write('id,note\r\nc1,ok\r\n');
    await up.write(`c2,${'y'.repeat(MAX_LINE_BYTES + 10)}`);
    const res = await within(up.answer, 'an answer to the CSV upload');
    up.abort();
    assert.equal(res.status, 422);
    assert.equal(res.body.error.details.line, 3);

    const fits = upload(url, key);
    const id = '"fits"';
    await fits.write(`{"id":"big","data":{"x":"${'z'.repeat(MAX_LINE_BYTES - 40)}"}}\n${id}`);
    fits.end();
    const ok = await within(fits.answer, 'the upload to be stored');
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.size, 2);
  });

  it('fails only the request whose client goes away mid-upload', async () => {
    const before = await countAudiences(herald);
    const up = upload(url, key);
    await up.write('"gone1"\n"gone2"\n{"id":"gone3"');
    // Wait until the server has staged the upload, then cut the connection.
    await eventually(async () => ((await countAudiences(herald)) ?? 0) > (before ?? 0), {
      what: 'the upload to be staged',
    });
    up.abort();
    await eventually(async () => (await countAudiences(herald)) === before, {
      what: 'the staged upload to be removed',
    });
    assert.equal((await other.get('/v1/recipients/b1')).status, 200, 'the process still serves');
  });

  it('closes a connection on which nothing moves for idleTimeoutMs, and keeps nothing of its upload', async () => {
    const before = await countAudiences(herald);
    const up = upload(url, key);
    await up.write('"idle1"\n');
    await assert.rejects(
      within(up.answer, 'the server to close the idle connection'),
      /socket hang up|ECONNRESET/,
    );
    await eventually(async () => (await countAudiences(herald)) === before, {
      what: 'the idle upload to be removed',
    });
  });

  it("answers another service's reads while an upload trickles in, then commits it whole", async () => {
    const up = upload(url, key);
    await up.write('"t1"\n');
    // The upload's first write is in; with a transaction held open, the next query would wait for it.
    const staged = await eventually(
      async () =>
        (
          await sql<{ id: string; ready: boolean }>`select id, ready from audiences where not ready`.execute(
            herald.db,
          )
        ).rows[0],
      { what: 'the upload to be staged' },
    );
    const order: string[] = [];
    for (let i = 2; i <= 4; i++) {
      await up.write(`"t${i}"\n`); // keep the connection busy, under the idle timeout
      const read = await within(other.get('/v1/recipients/b1'), "the other service's read");
      assert.equal(read.status, 200);
      order.push(up.answered() ? 'upload' : 'read');
    }
    up.end();
    const res = await within(up.answer, 'the upload to be committed');
    order.push('upload');
    assert.deepEqual(order, ['read', 'read', 'read', 'upload']);
    assert.equal(res.status, 201);
    assert.equal(res.body.id, staged.id);
    assert.equal(res.body.size, 4);
    assert.equal((await client(url, key).get(`/v1/audiences/${staged.id}`)).body.size, 4);
  });

  it('refuses a notification naming an upload that has not finished', async () => {
    const up = upload(url, key);
    await up.write('"s1"\n');
    const staged = await eventually(
      async () =>
        (await sql<{ id: string }>`select id from audiences where not ready`.execute(herald.db)).rows[0],
      { what: 'the upload to be staged' },
    );
    const api = client(url, key);
    assert.equal((await api.get(`/v1/audiences/${staged.id}`)).status, 404);
    up.abort();
  });
});

describe('a request that never finishes arriving', () => {
  let herald: Herald;

  before(async () => {
    herald = await startInProcess({
      worker: false,
      config: { http: { requestTimeoutMs: 1500, idleTimeoutMs: 1200 }, inbox: { heartbeatMs: 1000 } },
    });
  });
  after(async () => herald?.stop());

  it('is cut at requestTimeoutMs however steadily it trickles, and leaves nothing behind', async () => {
    const url = herald.url ?? '';
    const key = (await registerService(client(url, TEST_ADMIN_TOKEN), 'Trickler')).apiKey;
    const up = upload(url, key);
    let i = 0;
    // Never idle (a line every 200 ms), never done: only the request timeout can end it.
    const outcome = await within(
      (async () => {
        while (!up.answered()) {
          const wrote = await up.write(`"r${i++}"\n`).then(
            () => true,
            () => false,
          );
          if (!wrote) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        return up.answer.then(
          (a) => a.status,
          (err: Error) => err.message,
        );
      })(),
      'the server to end the request',
    );
    up.abort();
    assert.ok(outcome === 408 || /socket hang up|ECONNRESET|EPIPE/.test(String(outcome)), String(outcome));
    await eventually(async () => (await countAudiences(herald)) === 0, { what: 'the upload to be removed' });
  });
});

describe('audience uploads (PostgreSQL)', { skip: skipWithoutPg }, () => {
  let h: InProcess;
  let url: string;
  let key: string;
  let other: Client;
  let watcher: pg.Client;

  before(async () => {
    h = await startOnPg({}, { worker: false });
    url = h.herald.url ?? '';
    key = (await registerService(h.admin, 'Uploader')).apiKey;
    other = client(url, (await registerService(h.admin, 'Bystander')).apiKey);
    assert.equal((await other.put('/v1/recipients/b1', { email: 'b1@example.com' })).status, 201);
    watcher = new pg.Client({ connectionString: h.database.url });
    await watcher.connect();
  });
  after(async () => {
    await watcher?.end();
    await h?.stop();
  });

  /** Sessions of Herald's database inside a transaction they are not running a statement for. */
  const idleInTransaction = async () =>
    (
      await watcher.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`,
      )
    ).rows[0]?.n;

  it('holds no transaction open while an upload trickles in', async () => {
    const up = upload(url, key);
    await up.write('"p1"\n');
    await eventually(
      async () =>
        (await watcher.query(`select 1 from audiences where not ready`)).rowCount === 1 ||
        ((await idleInTransaction()) ?? 0) > 0,
      { what: 'the upload to start' },
    );
    for (let i = 2; i <= 4; i++) {
      await up.write(`"p${i}"\n`);
      assert.equal(await idleInTransaction(), 0, 'a transaction is held open during the upload');
      const snapshots = await watcher.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_xmin is not null`,
      );
      assert.equal(snapshots.rows[0]?.n, 0, 'a snapshot is held during the upload');
      assert.equal((await other.get('/v1/recipients/b1')).status, 200);
      assert.equal(up.answered(), false);
    }
    up.end();
    const res = await within(up.answer, 'the upload to be committed');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.size, 4);
  });
});
