/** Runs `herald <command>` as a real child process, the way an operator would, and stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How long `stop()` waits for the process to exit before it kills it and fails. */
const STOP_WAIT_MS = 45_000;

const BIN = fileURLToPath(new URL('../../bin/herald.js', import.meta.url));

export interface HeraldProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves when a log line matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix = 'herald-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, config: unknown): string {
  const path = join(dir, 'herald.config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export async function startHeraldProcess(
  command: 'start' | 'api' | 'worker',
  env: Record<string, string>,
  { waitReady = true }: { waitReady?: boolean } = {},
): Promise<HeraldProcess> {
  const child = spawn(process.execPath, [BIN, command], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HERALD_PORT: '0',
      HERALD_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitForLog = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          cleanup();
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`timed out waiting for ${pattern} in herald ${command} output:\n${out.slice(-4000)}`),
        );
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`herald ${command} exited before ${pattern}:\n${out.slice(-4000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });

  let url = '';
  if (waitReady) {
    // Generous: PGlite's first start on a loaded machine can take tens of seconds.
    const line = await waitForLog(
      command === 'worker' ? /"msg":"worker started"/ : /"url":"(http:\/\/[^"]+)"[^\n]*Herald API listening/,
      90_000,
    ).catch((err: unknown) => {
      // Never leave a half-started child behind: its open pipes would keep the test process alive.
      child.kill('SIGKILL');
      throw err;
    });
    url = /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1] ?? '';
  }
  return {
    child,
    url,
    output: () => out,
    waitForLog,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      // Herald bounds its own stop (drainMs + 10 s); a process still running well past that is a
      // defect to report, never a test run that waits for ever.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), STOP_WAIT_MS);
      });
      const code = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (code !== 'late') return code;
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `herald ${command} was still running ${STOP_WAIT_MS} ms after ${signal}; killed. Output:\n${out.slice(-4000)}`,
      );
    },
  };
}
