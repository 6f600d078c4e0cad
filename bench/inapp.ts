/**
 * In-app realtime benchmark, Herald next to a bare `ws` echo server measured in the same run:
 *  1. memory per idle connection: the server process's RSS growth divided by N open WebSockets
 *     (default 10,000, one recipient each for Herald);
 *  2. latency at a fixed rate with those N connections still open: for Herald, from the start of
 *     `POST /v1/notifications` to the `item.created` message on the recipient's socket (accept,
 *     plan, dispatch, inbox write, bus, fan-out); for the echo server, from send to echo.
 * Herald runs as `herald start` in embedded mode (PGlite in memory), one process, like `npm start`;
 * with BENCH_DATABASE_URL (a PostgreSQL server URL) it runs as `herald api` + `herald worker` on a
 * fresh database there, and memory is the API process's (the one holding the sockets).
 * Knobs: BENCH_CONNECTIONS, BENCH_RATES (per second, comma-separated), BENCH_SECONDS; HERALD_CONFIG is passed on to
 * Herald (to try worker settings); BENCH_NODE_OPTIONS goes to Herald's processes (`--cpu-prof`) and
 * BENCH_HEAP_SNAPSHOT=1 takes a heap snapshot of the API process with its sockets open. Ends with one
 * JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Pool } from 'undici';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { pgNotifyBus } from '../src/adapters/realtime/pg-notify-bus.ts';
import { connect } from '../src/adapters/store/connect.ts';
import { kyselyInboxStore } from '../src/adapters/store/kysely-inbox.ts';
import { inboxDeliverer } from '../src/app/inbox.ts';

const N = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
/** BENCH_RATES="100,300,1000" runs each rate in turn over the same open sockets; BENCH_RATE one. */
const RATES = (process.env.BENCH_RATES ?? process.env.BENCH_RATE ?? '100,300,1000')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin-token-0123456789';
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssKb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
};

/**
 * RSS once it stops moving. V8 grows its heap under the allocations of opening sockets and gives
 * pages back only after a few quiet seconds, so the reading waits that out (at least 8 s, then three
 * readings a second apart within 512 kB, at most 40 s): otherwise the figure says more about where
 * the collector was than about what the sockets hold.
 */
async function settledRssKb(pid: number): Promise<number> {
  await sleep(8000);
  const readings = [rssKb(pid)];
  for (let i = 0; i < 32; i++) {
    await sleep(1000);
    readings.push(rssKb(pid));
    const last3 = readings.slice(-3);
    if (last3.length === 3 && Math.max(...last3) - Math.min(...last3) < 512) break;
  }
  return readings.at(-1) ?? 0;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // e.g. BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server processes.
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code && code !== 0) log(`child exited ${code ?? signal}:\n${tail}`);
  });
  return child;
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} never answered`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

/** Opens sockets `from` to `count - 1`, `parallel` at a time; each gets `onMessage`. */
async function openMany(
  count: number,
  make: (i: number) => WebSocket,
  parallel = 200,
  onMessage?: (i: number, data: string) => void,
  from = 0,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(count - from);
  let next = from;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const ws = make(i);
      if (onMessage) ws.on('message', (d: Buffer) => onMessage(i, d.toString()));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      sockets[i - from] = ws;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return sockets;
}

/**
 * Opens N sockets in two halves and reads the server's RSS after each. The growth over the first half
 * includes what a server allocates once under connection churn (V8's young generation grows to its
 * working size, allocator arenas); the second half's growth is what each further socket costs.
 */
async function openMeasured(
  pid: number,
  make: (i: number) => WebSocket,
  parallel: number,
  onMessage: (i: number, data: string) => void,
): Promise<{ sockets: WebSocket[]; mid: number; loaded: number }> {
  const half = Math.floor(N / 2);
  const first = await openMany(half, make, parallel, onMessage);
  const mid = await settledRssKb(pid);
  const second = await openMany(N, make, parallel, onMessage, half);
  const loaded = await settledRssKb(pid);
  return { sockets: [...first, ...second], mid, loaded };
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  for (const s of sockets) s.terminate();
  await sleep(500);
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) : 0;
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Sends at a fixed rate and waits for every answer; returns latencies in ms. */
async function fixedRate(rate: number, send: (k: number) => void, received: () => number): Promise<void> {
  const total = rate * SECONDS;
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    send(k);
  }
  const deadline = performance.now() + 30_000;
  while (received() < total && performance.now() < deadline) await sleep(20);
}

async function benchEcho() {
  const port = await freePort();
  const code = `import { WebSocketServer } from 'ws';
    const wss = new WebSocketServer({ host: '127.0.0.1', port: ${port} });
    wss.on('connection', (s) => s.on('message', (d) => s.send(d)));`;
  const child = spawnNode(['--input-type=module', '-e', code], {});
  const url = `ws://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const ws = new WebSocket(url);
      ws.once('open', () => (ws.close(), r(true)));
      ws.once('error', () => r(false));
    });
    if (ok) break;
    await sleep(100);
  }
  const base = await settledRssKb(child.pid!);
  const sentAt = new Map<number, number>();
  let latencies: number[] = [];
  const { sockets, mid, loaded } = await openMeasured(
    child.pid!,
    () => new WebSocket(url),
    200,
    (_i, data) => {
      const k = Number(data);
      const t = sentAt.get(k);
      if (t !== undefined) latencies.push(performance.now() - t);
    },
  );
  log(`echo: ${N} connections, RSS ${base} → ${mid} → ${loaded} kB`);
  const byRate: Record<number, number[]> = {};
  let offset = 0;
  for (const rate of RATES) {
    latencies = [];
    const from = offset;
    await fixedRate(
      rate,
      (k) => {
        sentAt.set(from + k, performance.now());
        sockets[(from + k) % N]?.send(String(from + k));
      },
      () => latencies.length,
    );
    offset += rate * SECONDS;
    byRate[rate] = latencies;
  }
  await closeAll(sockets);
  await stopChild(child);
  return { base, mid, loaded, byRate };
}

const PG_SERVER = process.env.BENCH_DATABASE_URL;
/**
 * BENCH_INAPP_SOURCE=store (PostgreSQL mode): no worker; the bench itself writes the items as the
 * worker's in-app sender does (group-committed inbox writes, one bus message per write), so the
 * latency is write → socket: the realtime path alone, without the accept and delivery lanes.
 */
const FROM_STORE = process.env.BENCH_INAPP_SOURCE === 'store';
if (FROM_STORE && !PG_SERVER) throw new Error('BENCH_INAPP_SOURCE=store needs BENCH_DATABASE_URL');

/** A throwaway database on the given server, dropped at the end. */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `herald_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(q).finally(() => c.end());
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

function streamConfig(): string {
  const file = join(tmpdir(), `herald-bench-inapp-${process.pid}.json`);
  // One service holds all N streams and sends every notification: raise its stream caps, and its
  // request budget above the highest rate tried (the limit is configured, not dodged with many keys).
  const perSecond = Math.max(1000, 4 * Math.max(...RATES));
  writeFileSync(
    file,
    JSON.stringify({
      inbox: { maxStreamsPerService: N + 100, maxStreams: N + 100 },
      apiRateLimit: { perSecond },
    }),
  );
  return file;
}

async function benchHerald() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const common = {
    HERALD_PORT: String(port),
    HERALD_ADMIN_TOKEN: ADMIN,
    HERALD_LOG_LEVEL: 'warn',
    HERALD_CONFIG: process.env.HERALD_CONFIG ?? streamConfig(),
  };
  const scratch = PG_SERVER ? await scratchDatabase(PG_SERVER) : undefined;
  const child = scratch
    ? spawnNode(['bin/herald.js', 'api'], { ...common, DATABASE_URL: scratch.url })
    : spawnNode(['bin/herald.js', 'start'], { ...common, HERALD_DATA_DIR: 'memory://' });
  await waitHttp(`${url}/readyz`);
  const worker =
    scratch && !FROM_STORE
      ? spawnNode(['bin/herald.js', 'worker'], { ...common, HERALD_PORT: '0', DATABASE_URL: scratch.url })
      : undefined;
  const post = async (path: string, token: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, any>;
  };
  // The load: a pool of keep-alive connections, as a client at this rate would hold (fetch's global
  // agent opens one more connection for every request in flight, so a slow answer made the bench
  // client itself spend its time on handshakes and fail sends). A send waiting for a free
  // connection counts that wait in its latency.
  const pool = new Pool(url, { connections: 64 });
  const accept = async (token: string, body: unknown) => {
    const res = await pool.request({
      method: 'POST',
      path: '/v1/notifications',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 202) throw new Error(`/v1/notifications: ${res.statusCode} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const service = await post('/v1/services', ADMIN, {
    name: 'Bench',
    notificationTypes: [{ key: 'trade_executed' }],
  });
  const key = service.apiKey as string;
  const { hmacKey } = await post('/v1/inbox/secret', key);
  const recipient = (i: number) => `u${i}`;
  // Non-browser clients may authenticate the upgrade with headers; browsers use a ticket instead.
  const make = (i: number) =>
    new WebSocket(`${url.replace('http', 'ws')}/v1/inbox/stream`, {
      headers: {
        'x-herald-service': service.id,
        'x-herald-recipient': recipient(i),
        'x-herald-recipient-hmac': createHmac('sha256', hmacKey as string)
          .update(recipient(i))
          .digest('hex'),
      },
    });
  // Streams are only for recipients that exist.
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, (_, j) =>
        fetch(`${url}/v1/recipients/${recipient(i + j)}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: '{}',
        }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  const base = await settledRssKb(child.pid!);
  // Each send remembers the rate it belongs to, so a late arrival counts against its own rate.
  const sentAt = new Map<
    string,
    { t: number; wall: number; latencies: number[]; fromItem: number[]; receipts: Receipt[]; id?: string }
  >();
  let latencies: number[] = [];
  const t0 = performance.now();
  // Where the time goes: the item's `createdAt` is stamped by the worker as it writes the item, so
  // wall-clock time from then to the socket is the write's commit, the bus and the hub's read.
  let fromItem: number[] = [];
  let receipts: Receipt[] = [];
  const { sockets, mid, loaded } = await openMeasured(child.pid!, make, 100, (_i, data) => {
    const m = JSON.parse(data) as { type: string; item?: { title: string; createdAt: string } };
    if (m.type !== 'item.created' || !m.item) return;
    const sent = sentAt.get(m.item.title);
    if (sent === undefined) return;
    sentAt.delete(m.item.title);
    sent.latencies.push(performance.now() - sent.t);
    sent.fromItem.push(Date.now() - Date.parse(m.item.createdAt));
    // The POST's answer (with the id) may come after the item: the id is read when the stages are.
    sent.receipts.push({ sent, at: Date.now() });
  });
  const openSeconds = (performance.now() - t0) / 1000;
  log(`herald: ${N} connections in ${round(openSeconds)} s, RSS ${base} → ${mid} → ${loaded} kB`);
  // BENCH_HEAP_SNAPSHOT=1 (with BENCH_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2): a heap snapshot of
  // the process holding the sockets, written to its working directory, to see what each one keeps.
  if (process.env.BENCH_HEAP_SNAPSHOT) {
    child.kill('SIGUSR2');
    await sleep(Number(process.env.BENCH_HEAP_SNAPSHOT_WAIT_MS ?? 30_000));
  }
  const direct =
    FROM_STORE && scratch
      ? await (async () => {
          const database = await connect({ databaseUrl: scratch.url, dataDir: '' });
          const deps = { store: kyselyInboxStore(database.db), bus: pgNotifyBus(database) };
          return { database, deliver: inboxDeliverer(deps) };
        })()
      : undefined;
  const byRate: Record<number, number[]> = {};
  const itemToSocket: Record<number, ReturnType<typeof latencySummary>> = {};
  const stages: Record<number, Record<string, number>> = {};
  const stageDb = scratch && !FROM_STORE ? new pg.Client({ connectionString: scratch.url }) : undefined;
  await stageDb?.connect();
  stageDb?.on('error', (err) => log(`stage reader: ${String(err)}`));
  // NOTIFY messages heard per channel and payload kind during each rate (a transaction's identical
  // messages arrive as one): what each notification costs in wake-ups, each one a commit that
  // queues on PostgreSQL's NOTIFY lock.
  let heard: Record<string, number> = {};
  const notifies: Record<number, Record<string, number>> = {};
  stageDb?.on('notification', (m) => {
    const kind = m.channel === 'herald_wake' ? `wake:${m.payload ?? ''}` : m.channel;
    heard[kind] = (heard[kind] ?? 0) + 1;
  });
  await stageDb?.query('listen herald_wake');
  await stageDb?.query('listen herald_inbox');
  const failed: Record<number, number> = {};
  let offset = 0;
  for (const rate of RATES) {
    latencies = [];
    fromItem = [];
    receipts = [];
    heard = {};
    const errors: string[] = [];
    const from = offset;
    await fixedRate(
      rate,
      (k) => {
        const title = `bench-${from + k}`;
        const entry: {
          t: number;
          wall: number;
          latencies: number[];
          fromItem: number[];
          receipts: Receipt[];
          id?: string;
        } = { t: performance.now(), wall: Date.now(), latencies, fromItem, receipts };
        sentAt.set(title, entry);
        const to = recipient((from + k) % N);
        const sent = direct
          ? direct.deliver({
              deliveryId: uuidv7(),
              notificationId: uuidv7(),
              serviceId: service.id as string,
              channel: 'in_app',
              to,
              content: { title, body: 'x' },
            })
          : accept(key, {
              type: 'trade_executed',
              recipient: { id: to },
              channels: ['in_app'],
              content: { in_app: { title, body: 'x' } },
            }).then((r) => {
              entry.id = r.id as string;
            });
        sent.catch((err: unknown) => errors.push(String(err)));
      },
      () => latencies.length + errors.length,
    );
    offset += rate * SECONDS;
    if (errors.length) log(`herald at ${rate}/s: ${errors.length} sends failed, e.g. ${errors[0]}`);
    byRate[rate] = latencies;
    failed[rate] = errors.length;
    itemToSocket[rate] = latencySummary(fromItem);
    log(`herald at ${rate}/s: ${JSON.stringify(latencySummary(latencies))}`);
    log(`  of which item written → socket: ${JSON.stringify(itemToSocket[rate])}`);
    if (stageDb) {
      notifies[rate] = { ...heard, perNotification: round(sum(Object.values(heard)) / (rate * SECONDS), 2) };
      log(`  NOTIFY messages heard: ${JSON.stringify(notifies[rate])}`);
      stages[rate] = await latencyStages(stageDb, receipts);
      log(`  stages (ms): ${JSON.stringify(stages[rate])}`);
    }
    await sleep(2000);
  }
  await stageDb?.end();
  await pool.close();
  await closeAll(sockets);
  await direct?.database.close();
  await stopChild(child);
  if (worker) await stopChild(worker);
  await scratch?.drop();
  return { base, mid, loaded, byRate, failed, openSeconds, itemToSocket, stages, notifies };
}

interface Receipt {
  /** Wall clock (ms) when the POST was sent, and the notification's id once the POST answered it. */
  sent: { wall: number; id?: string };
  /** Wall clock (ms) when `item.created` arrived. */
  at: number;
}

/**
 * Where accept-to-socket time goes, per notification that arrived, from the rows' own timestamps
 * (one clock: PostgreSQL, Herald and the bench run on the same machine): POST sent → notification
 * stored (`created_at`), → planned (`planned_at`), → the in-app lane started its send (the attempt's
 * `started_at`), → the inbox write began (the item's `created_at`, stamped as its batch is written),
 * → on the socket (the write's commit, the bus, the hub's read). p50/p99 of each stage, ms.
 */
async function latencyStages(db: pg.Client, receipts: Receipt[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{
    id: string;
    created: number;
    planned: number;
    started: number;
    written: number;
  }>(
    `select n.id, extract(epoch from n.created_at) * 1000 as created,
            extract(epoch from n.planned_at) * 1000 as planned,
            extract(epoch from a.started_at) * 1000 as started,
            extract(epoch from i.created_at) * 1000 as written
       from notifications n
       join deliveries d on d.notification_id = n.id and d.channel = 'in_app'
       join delivery_attempts a on a.delivery_id = d.id and a.attempt = 1
       join inbox_items i on i.delivery_id = d.id
      where n.id = any($1::uuid[])`,
    [receipts.flatMap((r) => (r.sent.id ? [r.sent.id] : []))],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lists: Record<string, number[]> = {
    stored: [],
    planned: [],
    sendStarted: [],
    itemWritten: [],
    socket: [],
  };
  for (const r of receipts) {
    const row = r.sent.id ? byId.get(r.sent.id) : undefined;
    if (!row) continue;
    const [created, planned, started, written] = [row.created, row.planned, row.started, row.written].map(
      Number,
    ) as [number, number, number, number];
    lists.stored?.push(created - r.sent.wall);
    lists.planned?.push(planned - created);
    lists.sendStarted?.push(started - planned);
    lists.itemWritten?.push(written - started);
    lists.socket?.push(r.at - written);
  }
  const out: Record<string, number> = {};
  for (const [name, list] of Object.entries(lists)) {
    list.sort((a, b) => a - b);
    out[`${name}P50`] = round(percentile(list, 50), 1);
    out[`${name}P99`] = round(percentile(list, 99), 1);
  }
  return out;
}

function latencySummary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1) ?? 0, 2),
  };
}

function summary(r: { base: number; mid: number; loaded: number; byRate: Record<number, number[]> }) {
  return {
    rssBaseMb: round(r.base / 1024),
    rssLoadedMb: round(r.loaded / 1024),
    kbPerConnection: round((r.loaded - r.base) / N, 2),
    /** RSS growth over the second half of the sockets, per socket: the cost of one more. */
    kbPerConnectionMarginal: round((r.loaded - r.mid) / (N - Math.floor(N / 2)), 2),
    rates: Object.fromEntries(RATES.map((rate) => [rate, latencySummary(r.byRate[rate] ?? [])])),
  };
}

const fdLimit = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '?';
log(
  `in-app bench: ${N} connections, ${RATES.join(', ')}/s for ${SECONDS} s each; open-file limit ${fdLimit} per process`,
);
if (Number(fdLimit) < N + 200) log(`raise it first (ulimit -n ${N + 1000}); connections will fail beyond it`);
const echo = summary(await benchEcho());
log(`echo: ${JSON.stringify(echo)}`);
const heraldRun = await benchHerald();
const herald = {
  ...summary(heraldRun),
  sendsFailed: heraldRun.failed,
  /** The part of the latency after the worker wrote the item: commit, bus, hub read, socket. */
  itemToSocket: heraldRun.itemToSocket,
  /** Per rate, p50/p99 of each stage of the way (see `latencyStages`); PostgreSQL mode with a worker. */
  latencyStagesMs: heraldRun.stages,
  /** Per rate, NOTIFY messages heard on Herald's channels, and their total per notification sent. */
  notifies: heraldRun.notifies,
  connectSeconds: round(heraldRun.openSeconds, 1),
};
// Samples short of rate × seconds mean the rest never arrived within 30 s: count that as past 2 s too.
const crossing = RATES.find((rate) => {
  const r = herald.rates[rate];
  return !r || r.p99Ms > 2000 || r.samples < rate * SECONDS * 0.99;
});
log(`herald: ${JSON.stringify(herald)}`);
const figures = {
  bench: 'inapp',
  mode: FROM_STORE
    ? 'postgres (herald api; items written by the bench as the worker writes them)'
    : PG_SERVER
      ? 'postgres (herald api + herald worker)'
      : 'embedded (herald start, PGlite)',
  connections: N,
  ratesPerSecond: RATES,
  /** The lowest rate tried whose p99 passed 2 s (or lost samples); null when none did. */
  p99Over2sAtRate: crossing ?? null,
  note: 'measured on a shared 2-core machine under load from other processes',
  seconds: SECONDS,
  herald,
  wsEcho: echo,
  memoryRatio: echo.kbPerConnection > 0 ? round(herald.kbPerConnection / echo.kbPerConnection, 1) : null,
  memoryRatioMarginal:
    echo.kbPerConnectionMarginal > 0
      ? round(herald.kbPerConnectionMarginal / echo.kbPerConnectionMarginal, 1)
      : null,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
