/**
 * One process owns an embedded data folder. PGlite has no cross-process lock (two openers corrupt the
 * folder), and after a SIGKILL it leaves a `postmaster.pid` (content `-42`) that makes the next open
 * hang. So Herald holds its own lock on the folder, and clears PGlite's stale marker only once the
 * previous owner is known to be dead.
 *
 * The lock is a Unix socket in the folder that the owner listens on. The kernel closes it the moment
 * the owner dies, whatever becomes of its PID afterwards: an unreaped zombie and a PID reused by an
 * unrelated process (common in containers, where PIDs restart low) both answer `kill(pid, 0)`, but
 * neither accepts a connection on the socket. So: connection accepted → a live owner (it answers with
 * its PID, for the error message); refused → the owner is gone and its socket file is stale.
 *
 * `herald.pid` is still written, for people looking at the folder; nothing trusts it.
 *
 * Known limit: two processes taking over the same stale lock in the same instant can both remove the
 * stale file; the one whose socket was unlinked keeps running unaware. Starting two Herald processes
 * on one folder at once, right after a crash, is what it takes.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { DataDirLockedError } from '../../ports/store.ts';

export interface DataDirLock {
  release(): void;
}

/** sun_path holds 108 bytes on Linux (104 on macOS); longer folders use the abstract namespace. */
const MAX_SOCKET_PATH = 100;

export function lockSocketPath(dir: string): string {
  const path = join(resolve(dir), 'herald.sock');
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return path;
  if (process.platform !== 'linux') {
    throw new Error(`The data folder path ${dir} is too long for its lock socket; use a shorter one.`);
  }
  return `\0herald-${createHash('sha256').update(path).digest('hex').slice(0, 32)}`;
}

function listen(path: string): Promise<Server> {
  return new Promise((done, fail) => {
    // Whoever connects learns who holds the folder, then is hung up on.
    const server = createServer((socket) => socket.end(String(process.pid)));
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      // The lock never keeps the process alive on its own.
      server.unref();
      done(server);
    });
  });
}

type Probe =
  | { kind: 'live'; pid: number | undefined }
  | { kind: 'stale' }
  | { kind: 'gone' }
  /** Reset mid-connect: the owner's socket is being torn down this instant; look again. */
  | { kind: 'unsure' };

/** Asks whoever listens on the socket for its PID; a refusal means nobody does any more. */
function probe(path: string): Promise<Probe> {
  return new Promise((done) => {
    const socket = connect(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000);
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => {
      const pid = Number.parseInt(answer, 10);
      done({ kind: 'live', pid: Number.isInteger(pid) && pid > 0 ? pid : undefined });
    });
    // Someone accepted but never answered: alive, if wedged. Refusing is the safe side.
    socket.on('timeout', () => {
      socket.destroy();
      done({ kind: 'live', pid: undefined });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(
        err.code === 'ENOENT'
          ? { kind: 'gone' }
          : err.code === 'ECONNREFUSED'
            ? { kind: 'stale' }
            : err.code === 'ECONNRESET'
              ? { kind: 'unsure' }
              : { kind: 'live', pid: undefined },
      ),
    );
  });
}

export async function lockDataDir(dir: string, pgliteDir: string): Promise<DataDirLock> {
  mkdirSync(dir, { recursive: true });
  const path = lockSocketPath(dir);
  for (let tries = 0; tries < 20; tries++) {
    let server: Server;
    try {
      server = await listen(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      const found = await probe(path);
      if (found.kind === 'live') throw new DataDirLockedError(dir, found.pid);
      if (found.kind === 'stale') removeStaleSocket(path);
      if (found.kind === 'unsure') await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    // We own the folder now; anything PGlite left behind belongs to a dead process.
    rmSync(join(pgliteDir, 'postmaster.pid'), { force: true });
    const pidFile = join(dir, 'herald.pid');
    writeFileSync(pidFile, `${process.pid}\n`);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        rmSync(pidFile, { force: true });
        // Closing unlinks the socket file.
        server.close();
      },
    };
  }
  throw new Error(`Could not take the lock on ${dir}.`);
}

/** Only a socket is removed: any other file by that name is not ours to delete. */
function removeStaleSocket(path: string): void {
  if (path.startsWith('\0')) return;
  try {
    if (!lstatSync(path).isSocket()) {
      throw new Error(`${path} exists and is not Herald's lock socket; move it away.`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  rmSync(path, { force: true });
}
