/**
 * The status webhook worker: claims due outbox messages, posts each, and records the attempt. A
 * failed post is tried again on the schedule (domain/status-events.ts); when the schedule is used up
 * the message is given up and its endpoint disabled. Delivery is at-least-once: `webhook-id` is the
 * event's id, the same on every retry and every endpoint, for receivers to drop duplicates. The claim
 * is shared between services by the lanes' weights, and caps what one service holds at once, so one
 * service's hanging or failing endpoint cannot take every slot (kysely-webhook-outbox.ts).
 */
import { nextWebhookDelay } from '../domain/status-events.ts';
import type { ClaimedWebhook, StatusWebhookPoster, WebhookOutbox } from '../ports/status-webhooks.ts';
import { WorkLoop } from './work-loop.ts';

const NO_SECRET =
  "cannot sign: the endpoint's secret is sealed and HERALD_SECRET_KEY is unset or not the key that sealed it";

export function createStatusWebhookLoop(o: {
  owner: string;
  outbox: WebhookOutbox;
  poster: StatusWebhookPoster;
  schedule: readonly number[];
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  /** Shares between services: their weights, and what one service may have claimed at once per weight. */
  weights?: Readonly<Record<string, number>>;
  perServiceConcurrency?: number;
  random?: () => number;
  onError(err: unknown, where: string): void;
}): WorkLoop<ClaimedWebhook> {
  const random = o.random ?? Math.random;
  return new WorkLoop<ClaimedWebhook>({
    name: 'status-webhooks',
    concurrency: o.concurrency,
    batchSize: o.concurrency * 2,
    pollMs: o.pollMs,
    claim: (limit) =>
      o.outbox.claim(o.owner, limit, o.leaseMs, {
        ...(o.weights ? { weights: o.weights } : {}),
        ...(o.perServiceConcurrency ? { perService: o.perServiceConcurrency } : {}),
      }),
    async handle(m) {
      const startedAt = new Date();
      // A secret sealed under another HERALD_SECRET_KEY cannot sign: fail the attempt visibly, in the log.
      const result =
        m.secret === null
          ? { statusCode: null, error: NO_SECRET }
          : await o.poster.post({ ...m, secret: m.secret });
      const attempt = { startedAt, durationMs: Date.now() - startedAt.getTime(), ...result };
      const next =
        result.error === null
          ? ({ ok: true } as const)
          : ({ ok: false, retryInMs: nextWebhookDelay(m.attempts, o.schedule, random) } as const);
      await o.outbox.settle(m, o.owner, attempt, next);
    },
    release: (items) =>
      o.outbox.release(
        items.map((m) => m.id),
        o.owner,
      ),
    onError: (err, where) => o.onError(err, where),
  });
}
