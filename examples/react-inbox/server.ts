/**
 * Runs the demo: an embedded Herald in this process (in-memory PGlite, nothing to install), a demo
 * service with an inbox secret and the recipient `demo`, and Vite's dev server for the page.
 * `node examples/react-inbox/server.ts`, then open the address it prints.
 *
 * The two `/demo/*` routes stand for the integrator's own backend: it holds the API key, signs the
 * signed-in user's id (HMAC), and sends notifications with @herald/client.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createHeraldClient, HeraldError, type HeraldClient } from '@herald/client';
import { pino } from 'pino';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { loadConfig } from '../../src/config.ts';
import { startHerald, type Herald } from '../../src/main.ts';

export interface DemoConfig {
  baseUrl: string;
  serviceId: string;
  recipientId: string;
  hmac: string;
}

const ADMIN_TOKEN = 'demo-admin-token-0123456789abcdef';
const RECIPIENT = 'demo';

async function call<T>(url: string, token: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A service with two notification types, an inbox secret, and the demo recipient with a welcome. */
export async function setUpDemo(
  baseUrl: string,
  adminToken = ADMIN_TOKEN,
): Promise<{ config: DemoConfig; client: HeraldClient }> {
  const service = await call<{ id: string; apiKey: string }>(`${baseUrl}/v1/services`, adminToken, 'POST', {
    name: 'Acme',
    notificationTypes: [{ key: 'comment' }, { key: 'order_shipped' }],
  });
  const { hmacKey } = await call<{ hmacKey: string }>(`${baseUrl}/v1/inbox/secret`, service.apiKey, 'POST');
  await call(`${baseUrl}/v1/recipients/${RECIPIENT}`, service.apiKey, 'PUT', {});
  const client = createHeraldClient({ baseUrl, apiKey: service.apiKey });
  await sendDemo(client, 'comment', 'Welcome to the demo', 'Open the bell to see your inbox.');
  const hmac = createHmac('sha256', hmacKey).update(RECIPIENT).digest('hex');
  return { config: { baseUrl, serviceId: service.id, recipientId: RECIPIENT, hmac }, client };
}

function sendDemo(client: HeraldClient, type: string, title: string, body: string) {
  return client.send({
    type,
    recipient: { id: RECIPIENT },
    channels: ['in_app'],
    content: { in_app: { title, body } },
  });
}

const TITLES: Record<string, string> = {
  comment: 'Grace commented on your post',
  order_shipped: 'Your order has shipped',
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** `GET /demo/config` (what the page needs to sign in) and `POST /demo/send {type}`. */
export function demoBackend(config: DemoConfig, client: HeraldClient): Plugin {
  const handle = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (req.url === '/demo/config' && req.method === 'GET') return json(res, 200, config);
    if (req.url !== '/demo/send' || req.method !== 'POST') return next();
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const type = (JSON.parse(raw || '{}') as { type?: string }).type ?? 'comment';
      sendDemo(client, type, TITLES[type] ?? type, new Date().toLocaleTimeString('en-GB')).then(
        (sent) => json(res, 202, sent),
        (err: unknown) =>
          err instanceof HeraldError
            ? json(res, err.status, { error: { code: err.code, message: err.message } })
            : json(res, 500, { error: { code: 'internal', message: String(err) } }),
      );
    });
  };
  return {
    name: 'herald-demo-backend',
    configureServer: (server) => void server.middlewares.use(handle),
    configurePreviewServer: (server) => void server.middlewares.use(handle),
  };
}

export async function startDemo(port = 5173): Promise<{ url: string; herald: Herald; vite: ViteDevServer }> {
  const herald = await startHerald(
    loadConfig({ HERALD_DATA_DIR: 'memory://', HERALD_PORT: '0', HERALD_ADMIN_TOKEN: ADMIN_TOKEN }),
    { api: true, worker: true },
    pino({ level: 'warn' }),
  );
  const { config, client } = await setUpDemo(herald.url ?? '');
  const vite = await createServer({
    configFile: fileURLToPath(new URL('vite.config.ts', import.meta.url)),
    plugins: [demoBackend(config, client)],
    server: { port, strictPort: false },
  });
  await vite.listen();
  return { url: vite.resolvedUrls?.local[0] ?? `http://localhost:${port}/`, herald, vite };
}

if (import.meta.main) {
  const demo = await startDemo(Number(process.env.PORT ?? 5173));
  console.log(`Herald (embedded): ${demo.herald.url ?? ''}`);
  console.log(`Demo inbox:        ${demo.url}`);
  const stop = () => void demo.vite.close().then(() => demo.herald.stop());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
