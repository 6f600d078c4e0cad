/**
 * Warnings at start: a publicUrl that is not https (RFC 8058 one-click unsubscribe needs https links)
 * and an SES provider with no SNS topic list (its receipts would all be refused). Checked as the pure
 * list, and in the log of a Herald that really starts.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startWarnings } from '../../src/config-warnings.ts';
import { startHerald } from '../../src/main.ts';

const ses = (snsTopicArns?: string[]) => ({
  name: 'ses',
  type: 'ses',
  region: 'eu-west-1',
  accessKeyId: 'AKID',
  secretAccessKey: 'secret',
  from: 'a@b.example',
  ...(snsTopicArns ? { snsTopicArns } : {}),
});

describe('start warnings', () => {
  it('names a publicUrl that is not https, and an SES provider that hears no topic', () => {
    const config = loadConfig({ HERALD_CONFIG: 'x' }, () => ({ providers: { email: [ses()] } }));
    const warnings = startWarnings(config, 'http://herald.example');
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]?.message ?? '', /publicUrl is not https.*RFC 8058/);
    assert.deepEqual(warnings[0]?.fields, { publicUrl: 'http://herald.example' });
    assert.match(warnings[1]?.message ?? '', /'ses' lists no snsTopicArns/);
    const fine = loadConfig({ HERALD_CONFIG: 'x' }, () => ({
      providers: { email: [ses(['arn:aws:sns:eu-west-1:123456789012:t'])] },
    }));
    assert.deepEqual(startWarnings(fine, 'https://herald.example'), []);
  });

  it('logs the publicUrl warning when Herald starts, and not when it is https', async () => {
    for (const [publicUrl, expected] of [
      ['http://herald.example', 1],
      ['https://herald.example', 0],
    ] as const) {
      const lines: { level: number; msg: string; publicUrl?: string }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
          done();
        },
      });
      const config = loadConfig({
        HERALD_DATA_DIR: 'memory://',
        HERALD_PORT: '0',
        HERALD_PUBLIC_URL: publicUrl,
      });
      const herald = await startHerald(config, { api: true, worker: false }, pino({ level: 'warn' }, sink));
      await herald.stop();
      const warned = lines.filter((l) => l.level === 40 && /publicUrl is not https/.test(l.msg));
      assert.equal(warned.length, expected, publicUrl);
      if (expected) assert.equal(warned[0]?.publicUrl, publicUrl);
    }
  });
});
