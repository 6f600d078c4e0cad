/**
 * Takes the data-folder lock in a process of its own and keeps it until killed, so tests can make
 * the owner die in the ways that fool a PID check (a zombie, a reused PID).
 */
import { lockDataDir } from '../../src/adapters/store/data-dir-lock.ts';

const [dir, pgliteDir] = process.argv.slice(2);
if (!dir || !pgliteDir) throw new Error('usage: lock-holder <dataDir> <pgliteDir>');
await lockDataDir(dir, pgliteDir);
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => undefined, 60_000);
