/**
 * A full run's logs hold no secret: not API keys, not provider passwords, not the admin token (which
 * embedded mode prints once, on its own banner line, by design, and never in the JSON logs).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { client, registerService, waitForNotification } from '../helpers/api.ts';
import { startHeraldProcess, tempDir } from '../helpers/herald-process.ts';
import { startSmtp } from '../helpers/smtp.ts';

describe('logs', () => {
  it('carry no API key, provider password or admin token', async () => {
    const smtp = await startSmtp();
    const password = 'smtp-pa55word-do-not-log';
    const adminToken = 'admin-token-that-must-stay-secret';
    const herald = await startHeraldProcess('start', {
      HERALD_DATA_DIR: tempDir(),
      HERALD_ADMIN_TOKEN: adminToken,
      HERALD_SMTP_URL: smtp.url.replace('smtp://', `smtp://user:${password}@`),
      HERALD_LOG_LEVEL: 'trace',
    });
    try {
      const service = await registerService(client(herald.url, adminToken));
      const api = client(herald.url, service.apiKey);
      const extra = await api.post('/v1/api-keys', { label: 'second' });
      await api.put('/v1/recipients/ann', { email: 'ann@example.com' });
      const sent = await api.post('/v1/notifications', {
        type: 'order_shipped',
        recipient: 'ann',
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      });
      await waitForNotification(api, sent.body.id);
      await client(herald.url, `${service.apiKey}x`).get('/v1/service'); // a refused key is not logged either
      await herald.stop();
      const logs = herald.output();
      assert.ok(logs.includes('"msg":"request completed"'), 'request logging was on');
      for (const secret of [
        service.apiKey,
        service.apiKey.slice(20),
        extra.body.apiKey.slice(20),
        password,
        adminToken,
      ]) {
        assert.equal(logs.includes(secret), false, `a secret appeared in the logs: ${secret.slice(0, 6)}…`);
      }
    } finally {
      await herald.stop();
      await smtp.close();
    }
  });
});
