/**
 * The common part of every provider fake: a local HTTP server that records each request, checks it the
 * way the provider would (each fake's `check`), and answers with the next queued scenario or success.
 * A `hang` scenario never answers, to exercise the sender's timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

export type Scenario = Reply | 'hang';

export interface FakeHttp<S extends string> {
  url: string;
  /** Requests as received, including refused ones. */
  requests: Recorded[];
  /** TCP connections accepted so far, whether or not a request followed. */
  connections(): number;
  /** Answer the next request with this scenario (then success again). */
  answer(scenario: S | 'hang'): void;
  close(): Promise<void>;
}

export async function startFakeHttp<S extends string>(o: {
  scenarios: Record<S, Reply>;
  /** The provider's own checks; a Reply refuses the request as the provider would. */
  check(req: Recorded): Reply | null | Promise<Reply | null>;
  success(req: Recorded): Reply | Promise<Reply>;
  /** Which requests queued scenarios apply to (default all; e.g. not an OAuth token request). */
  scenarioFor?(req: Recorded): boolean;
  /** Keep the body byte for byte (binary payloads such as encrypted web push). */
  latin1?: boolean;
  /** Serve HTTPS with this certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
}): Promise<FakeHttp<S>> {
  const requests: Recorded[] = [];
  const queue: (S | 'hang')[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const rec: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString(o.latin1 ? 'latin1' : 'utf8'),
      };
      requests.push(rec);
      void (async () => {
        const refused = await o.check(rec);
        const next = refused || (o.scenarioFor && !o.scenarioFor(rec)) ? undefined : queue.shift();
        if (next === 'hang') return;
        const reply = refused ?? (next ? o.scenarios[next] : await o.success(rec));
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? '');
        res.writeHead(reply.status, {
          ...(typeof reply.body === 'object' ? { 'content-type': 'application/json' } : {}),
          ...reply.headers,
        });
        res.end(reply.status === 204 ? undefined : body);
      })();
    });
  };
  const server: Server = o.tls ? createTlsServer(o.tls, handle) : createServer(handle);
  server.on('connection', (s: Socket) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    answer(s) {
      queue.push(s);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const header = (req: Recorded, name: string): string | undefined => req.headers[name.toLowerCase()];
