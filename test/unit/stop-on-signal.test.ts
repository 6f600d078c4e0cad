/**
 * A process told to stop stops: gracefully when it can, and by itself when its stop hangs past the
 * limit or a second signal comes. Real child processes, real signals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/cli/stop-on-signal.ts', import.meta.url));

/**
 * A process whose stop takes `stopMs` (never, when null); it holds itself open meanwhile, and after
 * the stop too when `leaves` (as a connection nobody closed would).
 */
function child(stopMs: number | null, limitMs: number, { leaves = false } = {}) {
  const script = `
    import { stopOnSignal } from ${JSON.stringify(MODULE)};
    const open = setInterval(() => {}, 1000);
    const stop = () => new Promise((resolve) => {
      process.stdout.write('stopping\\n');
      if (${stopMs} !== null) setTimeout(() => { if (!${leaves}) clearInterval(open); resolve(); }, ${stopMs ?? 0});
    });
    const stopped = stopOnSignal({ stop, limitMs: ${limitMs} });
    process.stdout.write('ready\\n');
    await stopped;
    process.stdout.write('stopped\\n');
  `;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiting = new Set<() => void>();
  const read = (c: Buffer) => {
    out += c.toString();
    for (const check of waiting) check();
  };
  proc.stdout.on('data', read);
  proc.stderr.on('data', read);
  const seen = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!out.includes(text)) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
    });
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { proc, seen, exited, output: () => out };
}

describe('stopping on a signal', () => {
  it('finishes a graceful stop and exits 0', async () => {
    const c = child(50, 60_000);
    await c.seen('ready');
    c.proc.kill('SIGTERM');
    const [code] = await c.exited;
    assert.equal(code, 0, c.output());
    assert.match(c.output(), /stopping\nstopped\n/);
  });

  it('exits 1 by itself when the stop is still running at its limit', async () => {
    const c = child(null, 300);
    await c.seen('ready');
    c.proc.kill('SIGTERM');
    const [code, signal] = await c.exited;
    assert.equal(signal, null);
    assert.equal(code, 1, c.output());
    assert.match(c.output(), /still stopping 300 ms after SIGTERM; exiting without finishing the stop/);
    assert.doesNotMatch(c.output(), /stopped/);
  });

  it('exits 1 at its limit when the stop finished but something still holds the process open', async () => {
    const c = child(50, 300, { leaves: true });
    await c.seen('ready');
    c.proc.kill('SIGTERM');
    // Without the limit this process would never exit: fail rather than wait for ever.
    const killer = setTimeout(() => c.proc.kill('SIGKILL'), 30_000);
    const [code, signal] = await c.exited;
    clearTimeout(killer);
    assert.equal(signal, null, `still running 30 s after SIGTERM:\n${c.output()}`);
    assert.equal(code, 1, c.output());
    assert.match(c.output(), /stopped\n/);
    assert.match(c.output(), /stopped, but still running 300 ms after SIGTERM, held open by .*Timeout/);
  });

  it('exits 1 at a second signal while the stop runs', async () => {
    const c = child(null, 60_000);
    await c.seen('ready');
    c.proc.kill('SIGINT');
    await c.seen('stopping');
    c.proc.kill('SIGTERM');
    const [code] = await c.exited;
    assert.equal(code, 1, c.output());
    assert.match(c.output(), /SIGTERM while stopping after SIGINT/);
  });
});
