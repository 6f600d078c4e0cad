/**
 * Ceiling: what the bench's webhook endpoint can take from one other process, with no Herald code.
 * Run as its own process (`node bench/delivery/sink-client.ts URL N CONCURRENCY SECRET`): `n` POSTs
 * through one undici keep-alive pool, `concurrency` at a time, each signed the Standard Webhooks way
 * (the endpoint verifies every signature, as it does Herald's) with a body shaped like Herald's.
 * Prints one JSON line with how many were answered 2xx. The rate is read by the bench from the
 * endpoint's own receipts, as the end-to-end rate is.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';

const [url = '', nArg = '1000', concurrencyArg = '32', secret = ''] = process.argv.slice(2);
const n = Number(nArg);
const concurrency = Number(concurrencyArg);
const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

let next = 0;
let ok = 0;
async function worker(): Promise<void> {
  while (next < n) {
    const i = next++;
    const id = randomUUID();
    const now = Date.now();
    const timestamp = Math.floor(now / 1000);
    const body = JSON.stringify({
      type: 'notification',
      timestamp: new Date(now).toISOString(),
      notificationId: randomUUID(),
      deliveryId: id,
      data: { sink: i },
    });
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      },
      body,
    });
    await res.body.dump();
    if (res.statusCode >= 200 && res.statusCode < 300) ok += 1;
  }
}

const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const cpu = process.cpuUsage(cpu0);
await dispatcher.close();
// CPU this process spent per request (user + system), start-up excluded.
const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / n;
process.stdout.write(`${JSON.stringify({ sent: n, ok, cpuMsPerRequest })}\n`);
