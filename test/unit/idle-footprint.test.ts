/**
 * What an idle embedded Herald keeps out of memory: libraries only some setups use (the SMTP client,
 * the Redis client, the phone-number metadata) are loaded when first needed, not at start. Checked
 * in a fresh process that starts Herald and lists the packages loaded; then each is used once and
 * must work.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCRIPT = `
import { registerHooks } from 'node:module';
// Every module loaded from here on, by import or require.
const seen = new Set();
registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });
const { pino } = await import('pino');
const { loadConfig } = await import('./src/config.ts');
const { startHerald } = await import('./src/main.ts');
const loaded = (name) => [...seen].some((u) => u.includes('/node_modules/' + name + '/'));
const herald = await startHerald(
  loadConfig({ HERALD_DATA_DIR: 'memory://', HERALD_PORT: '0' }),
  { api: true, worker: true },
  pino({ level: 'silent' }),
);
const names = ['nodemailer', 'ioredis', 'libphonenumber-js', 'fastify'];
const atStart = Object.fromEntries(names.map((n) => [n, loaded(n)]));
const asset = await fetch(herald.url + '/ui/vendor/preact.mjs');
const { isE164 } = await import('./src/http/formats.ts');
const phone = [isE164('+14155552671'), isE164('+10000000000')];
const { createSmtpSender } = await import('./src/adapters/channels/smtp/smtp-sender.ts');
const smtp = createSmtpSender({ name: 'smtp', url: 'smtp://127.0.0.1:1', from: 'a@b.c', timeoutMs: 2000 });
const failure = await smtp.send({ to: 'x@y.z', content: { subject: 's', text: 't' }, deliveryId: 'd', notificationId: 'n' }).catch((e) => ({ kind: e.kind, code: e.code }));
await smtp.close();
await herald.stop();
console.log(JSON.stringify({ atStart, asset: [asset.status, (await asset.text()).length > 1000], phone, failure, after: Object.fromEntries(names.map((n) => [n, loaded(n)])) }));
`;

describe('idle footprint', () => {
  it('starts without the SMTP client, the Redis client or the phone metadata, and loads each when used', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    assert.deepEqual(result.atStart, {
      nodemailer: false,
      ioredis: false,
      'libphonenumber-js': false,
      fastify: true, // the check itself sees what is loaded
    });
    // The dashboard's vendored scripts are read at the first request for one.
    assert.deepEqual(result.asset, [200, true]);
    assert.deepEqual(result.phone, [true, false]);
    // A send loads nodemailer and fails as a transient connection fault, as before.
    assert.deepEqual(result.failure, { kind: 'transient', code: 'smtp_connection' });
    assert.equal(result.after.nodemailer, true);
    assert.equal(result.after['libphonenumber-js'], true);
  });
});
