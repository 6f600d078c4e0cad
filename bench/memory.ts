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
 * The overhead is bimodal from run to run (about 70 or about 100 MB here): most of the difference is
 * C heap that malloc keeps after the start, in the main heap and in the arenas of V8's and libuv's
 * threads (wasm and JavaScript compilation peak at about 600 MB of V8 zone memory in both processes,
 * all freed but not all returned). So each figure also gives that part (`mallocMb`), and
 * BENCH_MEMORY_RUNS=n measures n pairs, Herald and PGlite alone alternated, and reports them all.
 *
 *   npm run bench -- memory                 (BENCH_MEMORY_IDLE_MS=20000, BENCH_MEMORY_RUNS=1 by default)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDLE_MS = Number(process.env.BENCH_MEMORY_IDLE_MS ?? 20_000);
const RUNS = Math.max(1, Number(process.env.BENCH_MEMORY_RUNS ?? 1));
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

interface Memory {
  rss: number;
  peak: number;
  /** Resident C heap: the main heap (brk) and the threads' malloc arenas (64 MB-aligned mappings). */
  malloc: number;
}

const ARENA_ALIGN = 64n * 1024n * 1024n;

function memoryMb(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  let mallocKb = 0;
  let counted = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const [start, end] = [BigInt(`0x${mapping[1]}`), BigInt(`0x${mapping[2]}`)];
      const name = mapping[3] ?? '';
      counted =
        name === '[heap]' || (name === '' && start % ARENA_ALIGN === 0n && end - start <= ARENA_ALIGN);
    } else if (counted && line.startsWith('Rss:')) mallocKb += Number(/\d+/.exec(line)?.[0]);
  }
  return { rss: field('VmRSS'), peak: field('VmHWM'), malloc: Math.round(mallocKb / 1024) };
}

/**
 * The environment `npm start` gives Herald (the `NAME=value` words its script begins with: glibc's
 * malloc tunables), and any MALLOC_* set for the bench over it. Both processes get it, so PGlite
 * alone is measured under the same allocator settings as Herald.
 */
const startScript = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start;
const mallocTunables: Record<string, string> = {
  ...Object.fromEntries([...startScript.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)(?=\s)/g)].map((m) => [m[1], m[2]])),
  ...Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('MALLOC_') && !!e[1]),
  ),
};

async function run(args: string[], env: Record<string, string>, ready: RegExp): Promise<Memory> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...mallocTunables, ...env },
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
  // The same migrated folder, copied so that nothing of Herald's process touches it.
  cpSync(join(dir, 'data', 'pgdata'), join(dir, 'alone'), { recursive: true });
  const aloneArgs = ['--input-type=module', '-e', PGLITE_ALONE, join(dir, 'alone')];
  // Once first, so that its compile cache is written before the pairs.
  await run(aloneArgs, {}, /ready/);
  const pairs: { herald: Memory; alone: Memory }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const h = await run([BIN, 'start'], heraldEnv, listening);
    const a = await run(aloneArgs, {}, /ready/);
    pairs.push({ herald: h, alone: a });
    console.log(
      `pair ${i + 1}: Herald ${h.rss} MB (malloc ${h.malloc}), PGlite alone ${a.rss} MB (malloc ${a.malloc}): overhead ${h.rss - a.rss} MB`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)] ?? 0;
  const overheads = pairs.map((p) => p.herald.rss - p.alone.rss);
  const overhead = median(overheads);
  const byOverhead = [...pairs].sort((x, y) => x.herald.rss - x.alone.rss - (y.herald.rss - y.alone.rss));
  const { herald, alone } = byOverhead[Math.floor((byOverhead.length - 1) / 2)] ?? pairs[0]!;
  console.log(`herald start, first on a new folder: ${first.rss} MB RSS (peak ${first.peak} MB)`);
  console.log(`herald start, again:                 ${herald.rss} MB RSS (peak ${herald.peak} MB)`);
  console.log(`PGlite alone, same folder:           ${alone.rss} MB RSS (peak ${alone.peak} MB)`);
  console.log(`Herald's overhead above PGlite alone: ${overhead} MB`);
  console.log(
    JSON.stringify({
      bench: 'memory',
      idleMs: IDLE_MS,
      runs: RUNS,
      heraldRssMb: herald.rss,
      heraldPeakMb: herald.peak,
      heraldMallocMb: herald.malloc,
      heraldFirstStartRssMb: first.rss,
      pgliteAloneRssMb: alone.rss,
      pgliteAlonePeakMb: alone.peak,
      pgliteAloneMallocMb: alone.malloc,
      // The median pair's; every pair's beside it, and how much of each is the C heap's difference.
      // What both processes ran with (the start script's allocator settings).
      mallocEnv: mallocTunables,
      overheadMb: overhead,
      overheadsMb: overheads,
      mallocOverheadsMb: pairs.map((p) => p.herald.malloc - p.alone.malloc),
      goal: overhead <= 100,
      loadAverage: Number(loadavg()[0]?.toFixed(1)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
