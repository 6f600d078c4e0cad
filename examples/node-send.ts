/**
 * Sends notifications with @herald/client to an embedded Herald started in this process (in-memory
 * PGlite, no other service): `node examples/node-send.ts`. Against a Herald you run elsewhere, keep
 * only the client part, with your own base URL and API key.
 */
import { createHeraldClient, HeraldError } from '@herald/client';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { startHerald } from '../src/main.ts';

const adminToken = 'example-admin-token-0123456789';
const herald = await startHerald(
  loadConfig({ HERALD_DATA_DIR: 'memory://', HERALD_PORT: '0', HERALD_ADMIN_TOKEN: adminToken }),
  { api: true, worker: true },
  pino({ level: 'error' }),
);
const baseUrl = herald.url ?? '';

try {
  // A service and its API key, made with the admin token (the operator does this once).
  const registered = await fetch(`${baseUrl}/v1/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Example shop', notificationTypes: [{ key: 'order_shipped' }] }),
  });
  const { apiKey } = (await registered.json()) as { apiKey: string };

  const herald1 = createHeraldClient({ baseUrl, apiKey });

  // One in-app notification. The client makes an idempotency key, so a retried send is sent once.
  const order = {
    type: 'order_shipped',
    recipient: { id: 'ada', email: 'ada@example.com' },
    channels: ['in_app' as const],
    content: { in_app: { title: 'Your order has shipped', body: 'Order 1234 is on its way.' } },
  };
  const sent = await herald1.send(order);
  console.log('sent', sent);

  // The same key again gives the same notification back.
  const again = await herald1.send(order, { idempotencyKey: sent.idempotencyKey });
  console.log('same notification:', again.id === sent.id);

  // Errors are HeraldErrors with Herald's code, status and details.
  try {
    await herald1.send({ type: 'no_such_type', recipient: 'ada', channels: ['in_app'] });
  } catch (err) {
    if (err instanceof HeraldError) console.log('refused:', err.status, err.code, err.message);
    else throw err;
  }

  // Every call in the OpenAPI document is there too, typed.
  await new Promise((r) => setTimeout(r, 500));
  const { data } = await herald1.api.GET('/v1/notifications/{id}', { params: { path: { id: sent.id } } });
  console.log(
    'status now:',
    data?.status,
    data?.deliveries.map((d) => `${d.channel}: ${d.status}`),
  );
} finally {
  await herald.stop();
}
