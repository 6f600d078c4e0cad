/**
 * A channel's lane: claims due deliveries, sends each through the channel's provider, records the
 * attempt and moves the delivery on (see domain/delivery-states.ts). Failures are classified by the
 * sender; what follows them is decided by domain/retry-policy.ts.
 */
import type { Channel } from '../domain/channels.ts';
import { decideAfterFailure, type RetryPolicy, type SendFailure } from '../domain/retry-policy.ts';
import type { AttemptRecord, ClaimedDelivery } from '../domain/types.ts';
import { ProviderError, type Sender } from '../ports/sender.ts';
import type { DeliveryQueue, Settlement } from '../ports/store.ts';
import { WorkLoop } from './work-loop.ts';

export interface LaneOptions {
  channel: Channel;
  owner: string;
  queue: DeliveryQueue;
  /** The channel's providers in failover order; empty when the channel is not configured. */
  senders: Sender[];
  policy: RetryPolicy;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  now?: () => number;
  random?: () => number;
  onError(err: unknown, where: string): void;
  onSettled?(delivery: ClaimedDelivery, settlement: Settlement, attempt: AttemptRecord): void;
}

export function toFailure(err: unknown): SendFailure {
  if (err instanceof ProviderError) {
    return {
      kind: err.kind,
      code: err.code,
      message: err.message,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }
  return {
    kind: 'transient',
    code: 'unexpected_error',
    message: err instanceof Error ? err.message : String(err),
  };
}

export function createLane(o: LaneOptions): WorkLoop<ClaimedDelivery> {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;

  async function settle(d: ClaimedDelivery, settlement: Settlement, attempt: AttemptRecord): Promise<void> {
    const held = await o.queue.settle(d, o.owner, settlement, attempt);
    if (!held)
      o.onError(new Error(`lease on delivery ${d.id} was lost before its attempt was recorded`), 'lane');
    o.onSettled?.(d, settlement, attempt);
  }

  async function handle(d: ClaimedDelivery): Promise<void> {
    const startedAt = new Date(now());
    const sender = o.senders[0];
    if (!sender) {
      await settle(
        d,
        { status: 'failed', reason: 'channel_not_configured' },
        {
          attempt: d.attempts,
          provider: null,
          startedAt,
          durationMs: 0,
          outcome: 'not_configured',
          errorCode: 'channel_not_configured',
          errorMessage: `No provider is configured for the ${d.channel} channel.`,
          providerMessageId: null,
        },
      );
      return;
    }
    const message = {
      deliveryId: d.id,
      notificationId: d.notificationId,
      serviceId: d.serviceId,
      channel: d.channel,
      to: d.address ?? '',
      content: d.content,
    };
    try {
      const result = await sender.send(message);
      await settle(
        d,
        { status: 'sent', provider: sender.name, providerMessageId: result.providerMessageId },
        {
          attempt: d.attempts,
          provider: sender.name,
          startedAt,
          durationMs: now() - startedAt.getTime(),
          outcome: 'sent',
          errorCode: null,
          errorMessage: null,
          providerMessageId: result.providerMessageId,
        },
      );
    } catch (err) {
      const failure = toFailure(err);
      const decision = decideAfterFailure({
        failure,
        attempts: d.attempts,
        ageMs: now() - d.createdAt.getTime(),
        policy: o.policy,
        random,
      });
      const settlement: Settlement =
        decision.action === 'retry'
          ? { status: 'queued', delayMs: decision.delayMs, reason: failure.code }
          : { status: decision.action === 'fail' ? 'failed' : 'dead', reason: decision.reason };
      await settle(d, settlement, {
        attempt: d.attempts,
        provider: sender.name,
        startedAt,
        durationMs: now() - startedAt.getTime(),
        outcome: failure.kind,
        errorCode: failure.code,
        errorMessage: failure.message.slice(0, 2000),
        providerMessageId: null,
      });
    }
  }

  return new WorkLoop<ClaimedDelivery>({
    name: `lane:${o.channel}`,
    concurrency: o.concurrency,
    batchSize: o.concurrency * 2,
    pollMs: o.pollMs,
    claim: (limit) => o.queue.claim(o.channel, o.owner, limit, o.leaseMs),
    handle,
    release: (items) =>
      o.queue.release(
        items.map((d) => d.id),
        o.owner,
      ),
    onError: (err, where) => o.onError(err, where),
  });
}
