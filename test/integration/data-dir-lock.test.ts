/**
 * The embedded data-folder lock with real processes: an owner that dies must free the folder even
 * when its PID still answers `kill(pid, 0)` — an unreaped zombie, or a PID now used by an unrelated
 * process — while a live owner is still refused by name, and PGlite's stale marker is cleared only
 * when the owner is dead.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { lockDataDir } from '../../src/adapters/store/data-dir-lock.ts';
import { DataDirLockedError } from '../../src/ports/store.ts';
import { tempDir } from '../helpers/herald-process.ts';

const HOLDER = fileURLToPath(new URL('../helpers/lock-holder.ts', import.meta.url));
const started: ChildProcess[] = [];

function folder() {
  const dir = tempDir('herald-lock-');
  const pgliteDir = join(dir, 'pgdata');
  mkdirSync(pgliteDir);
  // What PGlite leaves behind when its process is killed.
  writeFileSync(join(pgliteDir, 'postmaster.pid'), '-42\n');
  return { dir, pgliteDir, marker: join(pgliteDir, 'postmaster.pid') };
}

/** Runs `command`, resolving with the holder's PID once it says it holds the lock. */
function spawnHolder(command: string, args: string[]): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /locked (\d+)/.exec(out);
      if (m) resolve({ child, pid: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before locking: ${out}`)));
  });
}

const holder = (dir: string, pgliteDir: string) => spawnHolder(process.execPath, [HOLDER, dir, pgliteDir]);

function processState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; the state letter follows the command name.
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

describe('data-folder lock', { skip: process.platform !== 'linux' && 'needs /proc (Linux)' }, () => {
  it('refuses while the owner lives, naming it, and leaves PGlite files alone', async () => {
    const { dir, pgliteDir, marker } = folder();
    const { child, pid } = await holder(dir, pgliteDir);
    try {
      writeFileSync(marker, '-42\n');
      await assert.rejects(lockDataDir(dir, pgliteDir), (err: unknown) => {
        assert.ok(err instanceof DataDirLockedError);
        assert.equal(err.pid, pid);
        assert.match(err.message, new RegExp(`in use by process ${pid}`));
        return true;
      });
      assert.ok(existsSync(marker), "a live owner's PGlite files are not touched");
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is free once the owner is a zombie that nobody reaps', async () => {
    const { dir, pgliteDir, marker } = folder();
    // The shell starts the holder in the background, then becomes `sleep`, which never waits for it.
    const { child: parent, pid } = await spawnHolder('sh', [
      '-c',
      `"${process.execPath}" "${HOLDER}" "${dir}" "${pgliteDir}" & exec sleep 600`,
    ]);
    try {
      writeFileSync(marker, '-42\n');
      process.kill(pid, 'SIGKILL');
      await until('the killed owner is a zombie', () => processState(pid) === 'Z');
      // The PID still "exists": this is what fooled the old check.
      assert.doesNotThrow(() => process.kill(pid, 0));
      assert.equal(readFileSync(join(dir, 'herald.pid'), 'utf8').trim(), String(pid));

      const lock = await lockDataDir(dir, pgliteDir);
      assert.ok(!existsSync(marker), "the dead owner's postmaster.pid is cleared");
      assert.equal(readFileSync(join(dir, 'herald.pid'), 'utf8').trim(), String(process.pid));
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('is free when the dead owner left a PID that a live, unrelated process now has', async () => {
    const { dir, pgliteDir, marker } = folder();
    const { child, pid } = await holder(dir, pgliteDir);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The container restarted and another process got the PID on record.
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    started.push(other);
    try {
      assert.ok(other.pid);
      writeFileSync(join(dir, 'herald.pid'), `${other.pid}\n`);
      writeFileSync(marker, '-42\n');
      assert.notEqual(other.pid, pid);
      assert.doesNotThrow(() => process.kill(other.pid as number, 0));

      const lock = await lockDataDir(dir, pgliteDir);
      assert.ok(!existsSync(marker));
      // Held again: a second taker is refused, naming this process.
      await assert.rejects(lockDataDir(dir, pgliteDir), new RegExp(`in use by process ${process.pid}`));
      lock.release();
      // Released cleanly: free at once.
      (await lockDataDir(dir, pgliteDir)).release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('refuses to delete a file by the socket name that is not a socket', async () => {
    const { dir, pgliteDir } = folder();
    writeFileSync(join(dir, 'herald.sock'), 'not a socket');
    await assert.rejects(lockDataDir(dir, pgliteDir), /not Herald's lock socket/);
    assert.equal(readFileSync(join(dir, 'herald.sock'), 'utf8'), 'not a socket');
  });
});

process.on('exit', () => {
  for (const c of started) c.kill('SIGKILL');
});
