/**
 * Idle memory of embedded Herald (`herald start`, what `npm start` runs) against PGlite alone on the
 * same kind of data folder, each in its own process, read from /proc (VmRSS; VmHWM for the peak).
 *
 * Herald starts on a fresh data folder (it creates and migrates it), is stopped, and starts again on
 * it; the second start is the one users meet every day after the first. PGlite alone is a plain
 * JavaScript process (no Herald code, no TypeScript) that opens a copy of that migrated folder with
 * the options Herald opens it with (none), runs one query, and waits. Both run under the same Node
 * with the same compile cache, and both are read after the same idle time. Ends with one JSON line;
 * the goal is Herald's overhead above PGlite alone ≤ 100 MB.
 *
 *   npm run bench -- memory                 (BENCH_MEMORY_IDLE_MS=20000 by default)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDLE_MS = Number(process.env.BENCH_MEMORY_IDLE_MS ?? 20_000);
const BIN = fileURLToPath(new URL('../bin/herald.js', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** PGlite alone: opens the folder as Herald's connect.ts does, asks one question, then idles. */
const PGLITE_ALONE = `
import module from 'node:module';
module.enableCompileCache?.();
const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create(process.argv[1]);
await db.query('select count(*) from notifications');
console.log('ready');
process.on('SIGTERM', () => db.close().then(() => process.exit(0)));
setInterval(() => undefined, 1 << 30);
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function run(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ rss: number; peak: number }> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const started = performance.now();
  while (!ready.test(out)) {
    if (child.exitCode !== null || performance.now() - started > 120_000)
      throw new Error(`did not start: ${out.slice(-2000)}`);
    await sleep(100);
  }
  await sleep(IDLE_MS);
  const mem = memoryMb(child.pid ?? 0);
  child.kill('SIGTERM');
  await exited;
  return mem;
}

const dir = mkdtempSync(join(tmpdir(), 'herald-memory-'));
try {
  const heraldEnv = { HERALD_DATA_DIR: join(dir, 'data'), HERALD_PORT: '0', HERALD_LOG_LEVEL: 'info' };
  const listening = /Herald API listening/;
  const first = await run([BIN, 'start'], heraldEnv, listening);
  const herald = await run([BIN, 'start'], heraldEnv, listening);
  // The same migrated folder, copied so that nothing of Herald's process touches it.
  cpSync(join(dir, 'data', 'pgdata'), join(dir, 'alone'), { recursive: true });
  const aloneArgs = ['--input-type=module', '-e', PGLITE_ALONE, join(dir, 'alone')];
  await run(aloneArgs, {}, /ready/);
  const alone = await run(aloneArgs, {}, /ready/);
  const overhead = herald.rss - alone.rss;
  console.log(`herald start, first on a new folder: ${first.rss} MB RSS (peak ${first.peak} MB)`);
  console.log(`herald start, again:                 ${herald.rss} MB RSS (peak ${herald.peak} MB)`);
  console.log(`PGlite alone, same folder:           ${alone.rss} MB RSS (peak ${alone.peak} MB)`);
  console.log(`Herald's overhead above PGlite alone: ${overhead} MB`);
  console.log(
    JSON.stringify({
      bench: 'memory',
      idleMs: IDLE_MS,
      heraldRssMb: herald.rss,
      heraldPeakMb: herald.peak,
      heraldFirstStartRssMb: first.rss,
      pgliteAloneRssMb: alone.rss,
      pgliteAlonePeakMb: alone.peak,
      overheadMb: overhead,
      goal: overhead <= 100,
      loadAverage: Number(loadavg()[0]?.toFixed(1)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
