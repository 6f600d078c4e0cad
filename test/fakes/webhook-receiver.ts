/**
 * A webhook endpoint on a local port that behaves like a real receiver: it verifies every request's
 * Standard Webhooks signature with the independent `standardwebhooks` package, and answers the way
 * it is told (accept, an HTTP status with an optional Retry-After, or never answer; a URL ending
 * in `/gone` always answers 410). It records
 * each accepted delivery by `webhook-id`, with arrival times, so tests can count duplicates and
 * measure rates. Used by the engine tests, the fault suite and the delivery benchmark.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceiverMode =
  | { kind: 'accept' }
  /** Takes the delivery at once but answers only after `delayMs`: a sender that dies meanwhile never learns it was accepted. */
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' }
  /**
   * Answers 503 to a random share of requests (`failRate`, 0..1) and accepts the rest, each answer
   * after a random pause of up to `delayMs` (as a real provider takes its time).
   */
  | { kind: 'flaky'; failRate: number; delayMs?: number };

export interface Receipt {
  id: string;
  at: number;
  body: any;
}

export interface WebhookReceiver {
  url: string;
  mode: ReceiverMode;
  /** Accepted (2xx-answered) requests, in arrival order; duplicates included. */
  receipts: Receipt[];
  /** Distinct webhook-ids accepted. */
  received: Set<string>;
  /** Requests answered with something other than 2xx (or never answered). */
  refused: number;
  badSignatures: number;
  /** Requests taken but not yet answered (modes `slow` and `hang`). */
  pending(): number;
  /** How many ids were accepted more than once, and how many extra times in all. */
  duplicates(): { ids: number; extra: number };
  /** Verifies with another secret from now on (an endpoint whose secret Herald made). */
  useSecret(secret: string): void;
  close(): Promise<void>;
}

export const TEST_WEBHOOK_SECRET =
  'whsec_' + Buffer.from('herald-test-webhook-secret-32byte').toString('base64');

export async function startWebhookReceiver(
  opts: { secret?: string; mode?: ReceiverMode; onReceipt?: (r: Receipt) => void } = {},
): Promise<WebhookReceiver> {
  let verifier = new Webhook(opts.secret ?? TEST_WEBHOOK_SECRET);
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const counts = new Map<string, number>();
  const state: WebhookReceiver = {
    url: '',
    mode: opts.mode ?? { kind: 'accept' },
    receipts: [],
    received: new Set(),
    refused: 0,
    badSignatures: 0,
    pending: () => hanging.size,
    duplicates() {
      let ids = 0;
      let extra = 0;
      for (const n of counts.values()) {
        if (n > 1) {
          ids += 1;
          extra += n - 1;
        }
      }
      return { ids, extra };
    },
    useSecret(secret) {
      verifier = new Webhook(secret);
    },
    close: async () => undefined,
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    let payload: any;
    try {
      payload = verifier.verify(body, {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      });
    } catch {
      state.badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    // An endpoint that is gone for good, whatever the mode: for permanent failures.
    if (req.url?.endsWith('/gone')) {
      state.refused += 1;
      res.writeHead(410).end();
      return;
    }
    const mode = state.mode;
    if (mode.kind === 'hang') {
      state.refused += 1;
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (mode.kind === 'flaky' && mode.delayMs && !(req as { delayed?: boolean }).delayed) {
      // Answered later, by the same rules; a sender killed meanwhile never hears back.
      const timer = setTimeout(() => {
        timers.delete(timer);
        Object.assign(req, { delayed: true });
        if (!res.destroyed) handle(req, res, body);
      }, Math.random() * mode.delayMs);
      timers.add(timer);
      return;
    }
    if (mode.kind === 'flaky' && Math.random() < mode.failRate) {
      state.refused += 1;
      res.writeHead(503).end();
      return;
    }
    if (mode.kind === 'status') {
      state.refused += 1;
      res.writeHead(mode.status, mode.retryAfter ? { 'retry-after': mode.retryAfter } : {}).end();
      return;
    }
    const id = String(req.headers['webhook-id']);
    const receipt = { id, at: Date.now(), body: payload };
    state.receipts.push(receipt);
    state.received.add(id);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    opts.onReceipt?.(receipt);
    if (mode.kind === 'slow') {
      hanging.add(res);
      const timer = setTimeout(() => {
        hanging.delete(res);
        timers.delete(timer);
        if (!res.destroyed) res.writeHead(204).end();
      }, mode.delayMs);
      timers.add(timer);
      return;
    }
    res.writeHead(204).end();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = async () => {
    for (const timer of timers) clearTimeout(timer);
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
