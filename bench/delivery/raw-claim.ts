/**
 * Ceiling with no queue library and no Herald code: `connections` loops, each claiming 100 rows of a
 * minimal queue table with `FOR UPDATE SKIP LOCKED` and completing them in a second statement,
 * until `n` rows are done. What PostgreSQL itself does for claim + complete on this box.
 */
import pg from 'pg';

export async function rawClaim(url: string, n: number, connections: number): Promise<number> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`create table raw_queue (
    id bigint generated always as identity primary key,
    status text not null default 'queued',
    run_at timestamptz not null default now(),
    payload jsonb not null default '{}')`);
  await setup.query(`create index raw_queue_due on raw_queue (run_at) where status = 'queued'`);
  await setup.query(
    `insert into raw_queue (payload) select jsonb_build_object('i', i) from generate_series(1, $1) i`,
    [n],
  );
  await setup.query('analyze raw_queue');
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        const { rows } = await c.query<{ id: string }>(
          `update raw_queue q set status = 'running'
             from (select id from raw_queue where status = 'queued' and run_at <= now()
                    order by run_at limit 100 for update skip locked) c
            where q.id = c.id returning q.id`,
        );
        if (rows.length === 0) return;
        await c.query(`update raw_queue set status = 'done' where id = any($1::bigint[])`, [
          rows.map((r) => r.id),
        ]);
        done += rows.length;
      }
    }),
  );
  const perSecond = done / ((performance.now() - t0) / 1000);
  await Promise.all(clients.map((c) => c.end()));
  return perSecond;
}
