/** Inbox test helpers: a service with an inbox secret, recipient credentials, in-app sends, streams. */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { client, registerService, type Client } from './api.ts';

export interface InboxService {
  id: string;
  api: Client;
  secret: string;
  /** What the service's backend signs with: HMACs with one key, JWTs with the other. */
  hmacKey: string;
  jwtKey: string;
}

export async function inboxService(
  baseUrl: string,
  admin: Client,
  name = 'Copytrade',
): Promise<InboxService> {
  const service = await registerService(admin, name, ['trade_executed', 'digest']);
  const api = client(baseUrl, service.apiKey);
  const res = await api.post('/v1/inbox/secret');
  if (res.status !== 201) throw new Error(`secret: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: service.id, api, ...inboxCredentials(res.body) };
}

export function inboxCredentials(body: { secret: string; hmacKey: string; jwtKey: string }) {
  return { secret: body.secret, hmacKey: body.hmacKey, jwtKey: body.jwtKey };
}

/** Streams and tickets are only for recipients the service has: creates them (no addresses needed). */
export async function addRecipients(s: Pick<InboxService, 'api'>, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await s.api.put(`/v1/recipients/${encodeURIComponent(id)}`, {});
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`recipient ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export const hmacOf = (hmacKey: string, recipientId: string) =>
  createHmac('sha256', hmacKey).update(recipientId).digest('hex');

/** The three headers a service's page sends for its signed-in user. */
export const hmacHeaders = (
  s: Pick<InboxService, 'id' | 'hmacKey'>,
  recipientId: string,
  hmac = hmacOf(s.hmacKey, recipientId),
) => ({
  'x-herald-service': s.id,
  'x-herald-recipient': encodeURIComponent(recipientId),
  'x-herald-recipient-hmac': hmac,
});

export async function recipientJwt(
  s: InboxService,
  recipientId: string,
  { expiresIn = '10m', secret = s.jwtKey }: { expiresIn?: string | number; secret?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(s.id)
    .setSubject(recipientId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A client acting as one recipient, with HMAC headers. */
export function recipientClient(baseUrl: string, s: InboxService, recipientId: string) {
  const c = client(baseUrl);
  const h = hmacHeaders(s, recipientId);
  return {
    get: (path: string) => c.get(path, h),
    post: (path: string, body?: unknown) => c.post(path, body, h),
  };
}

export async function sendInApp(
  s: InboxService,
  recipient: string,
  inApp: Record<string, unknown>,
  data: Record<string, unknown> = {},
): Promise<string> {
  const res = await s.api.post('/v1/notifications', {
    type: 'trade_executed',
    recipient: { id: recipient },
    channels: ['in_app'],
    data,
    content: { in_app: inApp },
  });
  if (res.status !== 202) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A WebSocket on the inbox stream that records every message it gets. */
export interface StreamClient {
  messages: any[];
  events(): any[];
  waitFor(predicate: (messages: any[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  /** Drops the TCP connection without a closing handshake, like a network loss. */
  kill(): void;
  socket: WebSocket;
}

export async function ticketFor(baseUrl: string, s: InboxService, recipientId: string): Promise<string> {
  const res = await recipientClient(baseUrl, s, recipientId).post('/v1/inbox/tickets');
  if (res.status !== 201) throw new Error(`ticket: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.ticket;
}

export async function openStream(baseUrl: string, ticket: string, since?: string): Promise<StreamClient> {
  const url = new URL('/v1/inbox/stream', baseUrl.replace(/^http/, 'ws'));
  url.searchParams.set('ticket', ticket);
  if (since !== undefined) url.searchParams.set('since', since);
  const socket = new WebSocket(url);
  const messages: any[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: WebSocket.RawData) => {
    messages.push(JSON.parse(Buffer.from(data as Buffer).toString()));
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
  const waitFor = (predicate: (m: any[]) => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate(messages)) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => m.type))}`),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    messages,
    events: () => messages.filter((m) => m.id !== undefined),
    waitFor,
    socket,
    kill: () => socket.terminate(),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
