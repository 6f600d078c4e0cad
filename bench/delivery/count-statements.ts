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
const query = Reflect.get(pg.Client.prototype, 'query') as Query;
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

// Wake-ups heard (LISTEN), by payload.
const heard = new Map<string, number>();
type On = (this: pg.Client, event: string, listener: (...a: unknown[]) => void) => pg.Client;
const on = Reflect.get(pg.Client.prototype, 'on') as On;
(pg.Client.prototype as unknown as { on: On }).on = function (this: pg.Client, event, listener) {
  if (event !== 'notification') return on.call(this, event, listener);
  return on.call(this, event, (msg) => {
    const key = `heard ${(msg as { payload?: string }).payload ?? ''}`;
    heard.set(key, (heard.get(key) ?? 0) + 1);
    listener(msg);
  });
};

// Waits for a pooled connection, ms.
const waits: number[] = [];
type Connect = (this: pg.Pool, ...a: unknown[]) => unknown;
const connect = Reflect.get(pg.Pool.prototype, 'connect') as Connect;
(pg.Pool.prototype as unknown as { connect: Connect }).connect = function (this: pg.Pool, ...args) {
  const t0 = performance.now();
  const result = connect.apply(this, args);
  if (result instanceof Promise)
    result.then(
      () => waits.push(performance.now() - t0),
      () => undefined,
    );
  return result;
};

process.on('SIGUSR2', () => {
  // Not statements: the wake-ups heard (n), and pool waits (n acquires; `rows` the wait in ms at
  // p50, p99 and the longest).
  for (const [k, n] of heard) shapes.set(k, { n, empty: 0, rows: 0 });
  heard.clear();
  waits.sort((a, b) => a - b);
  for (const p of [0.5, 0.99, 1])
    shapes.set(`pool acquire ms p${p * 100}`, {
      n: waits.length,
      empty: 0,
      rows: Math.round(waits[Math.min(waits.length - 1, Math.floor(p * waits.length))] ?? 0),
    });
  waits.length = 0;
  const dir = process.env.BENCH_COUNT_DIR;
  if (dir) writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify(Object.fromEntries(shapes)));
  shapes = new Map();
});
