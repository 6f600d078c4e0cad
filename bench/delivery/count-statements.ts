/**
 * Loaded into a worker process with `--import` (BENCH_COUNT_STATEMENTS=1): counts the statements the
 * process sends through pg, by statement shape, with how many came back with no rows. SIGUSR2 writes
 * the counts so far to `$BENCH_COUNT_DIR/<pid>.json` and starts again from zero, so the bench can take
 * exactly the drain it times.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

interface Shape {
  n: number;
  empty: number;
  rows: number;
}

let shapes = new Map<string, Shape>();
const shapeOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 80);

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const query = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const [config] = args;
  const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
  const result = query.apply(this, args);
  if (text && result instanceof Promise) {
    const key = shapeOf(text);
    result.then(
      (r: { rowCount?: number | null; rows?: unknown[] }) => {
        let s = shapes.get(key);
        if (!s) shapes.set(key, (s = { n: 0, empty: 0, rows: 0 }));
        const rows = r.rows?.length || r.rowCount || 0;
        s.n += 1;
        s.rows += rows;
        if (rows === 0) s.empty += 1;
      },
      () => undefined,
    );
  }
  return result;
};

process.on('SIGUSR2', () => {
  const dir = process.env.BENCH_COUNT_DIR;
  if (dir) writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify(Object.fromEntries(shapes)));
  shapes = new Map();
});
