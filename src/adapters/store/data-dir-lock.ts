/**
 * One process owns an embedded data folder. PGlite has no cross-process lock (two openers corrupt the
 * folder), and after a SIGKILL it leaves a `postmaster.pid` (content `-42`) that makes the next open
 * hang. So Herald keeps its own pid file: a live owner means fail fast, naming it; a dead owner means
 * the folder is ours, and PGlite's stale marker is cleared before opening.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  readonly pid: number;
  constructor(dir: string, pid: number) {
    super(
      `The data folder ${dir} is in use by process ${pid}. Stop it first, or set HERALD_DATA_DIR to another folder.`,
    );
    this.name = 'DataDirLockedError';
    this.pid = pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dir: string, pgliteDir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'herald.pid');
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(pidFile, String(process.pid), { flag: 'wx' });
      // We own the folder now; anything PGlite left behind belongs to a dead process.
      rmSync(join(pgliteDir, 'postmaster.pid'), { force: true });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(pidFile, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new DataDirLockedError(dir, owner);
      }
      rmSync(pidFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dir}.`);
}
