/**
 * A channel's lane: claims due deliveries, sends each through the channel's provider, records the
 * attempt and moves the delivery on (see domain/delivery-states.ts). Failures are classified by the
 * sender; what follows them is decided by domain/retry-policy.ts.
 *
 * Before a send the lane picks the first provider of the failover chain whose circuit breaker is
 * not open, then takes a token from that provider's rate limit. When no provider can take it now
 * (every breaker open, or the rate limit spent for longer than the lane will wait), the delivery is
 * postponed without using up an attempt: an outage of the provider is not the message's fault.
 * Breakers are per service, and per destination host on the webhook channel (app/provider-health.ts),
 * so an open one postpones that scope's deliveries and the lane goes on with everyone else's.
 */
import type { Channel } from '../domain/channels.ts';
import { decideAfterFailure, type RetryPolicy, type SendFailure } from '../domain/retry-policy.ts';
import type { AttemptRecord, ClaimedDelivery } from '../domain/types.ts';
import { ProviderError, type OutgoingMessage, type Sender } from '../ports/sender.ts';
import type { RateLimiter } from '../ports/rate-limit.ts';
import type { DeliveryQueue, PostponeItem, SettleItem, Settlement } from '../ports/store.ts';
import type { BreakerScope, ProviderHealth } from './provider-health.ts';
import { createSettleBatcher } from './settle-batcher.ts';
import { WorkLoop, type LogIds } from './work-loop.ts';

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
  /** Circuit breakers of the chain's providers; without it the first provider is always used. */
  health?: ProviderHealth;
  /** Per-provider rate limits, keyed by provider name. */
  limiter?: RateLimiter;
  /** How long a send may wait in the lane for a rate-limit token before it is postponed instead. */
  maxRateWaitMs?: number;
  /** How long to keep retrying to record an outcome while the database is unreachable. */
  settleRetryMs?: number;
  /** Most outcomes written in one statement. */
  settleBatch?: number;
  /** Most outcomes a lane may have sent but not yet written before a send waits for its own. */
  maxUnsettled?: number;
  /** Most deliveries one claim takes when the lane is fast (see WorkLoop's `aheadMs`). */
  claimBatch?: number;
  /** Shares of a claim between services (service id → weight, 1 when unset); see the queue's claim. */
  weights?: Readonly<Record<string, number>>;
  onError(err: unknown, where: string, ids?: LogIds): void;
  onSettled?(delivery: ClaimedDelivery, settlement: Settlement, attempt: AttemptRecord): void;
}

/** Whose breaker a delivery goes through: its service's, and its destination host's for webhooks. */
export function breakerScope(d: Pick<ClaimedDelivery, 'serviceId' | 'channel' | 'address'>): BreakerScope {
  if (d.channel !== 'webhook') return { serviceId: d.serviceId };
  return { serviceId: d.serviceId, host: hostOf(d.address ?? '') };
}

// Webhooks mostly go to the same few URLs one after another: the last one's host is kept.
let lastAddress: string | undefined;
let lastHost = '';
function hostOf(address: string): string {
  if (address !== lastAddress) {
    lastHost = URL.parse(address)?.host ?? '';
    lastAddress = address;
  }
  return lastHost;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries `fn` with growing pauses until it succeeds or `budgetMs` is spent. Used to record an
 * outcome through a short database outage: the send already happened, and giving up here turns
 * it into a lease expiry and a duplicate send later.
 */
async function persistently<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + pause > deadline) throw err;
      await sleep(pause);
    }
  }
}

export function createLane(o: LaneOptions): WorkLoop<ClaimedDelivery> {
  // A provider that writes concurrent sends together (the inbox) is given as many at once as it can
  // group: with `worker.concurrency` (16) in flight, a batch never held more than 16, and the in-app
  // lane was bound by one inbox write per 16 deliveries however long the backlog.
  const concurrency = Math.max(o.concurrency, ...o.senders.map((s) => s.groupsSends ?? 0));
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const maxRateWaitMs = o.maxRateWaitMs ?? 2000;
  const settleRetryMs = o.settleRetryMs ?? Math.floor(o.leaseMs / 2);

  /**
   * Outcomes are written in batches (group commit, settle-batcher.ts). A send's slot frees once the
   * provider has answered and its outcome is queued for the next batch, as a queue library frees a
   * job's slot before its completion is committed; the row stays leased until the batch commits, so
   * a crash in between is a lease expiry like any other (at-least-once, same duplicate window per
   * row). `stop()` waits for every queued outcome to be written. Past `maxUnsettled` outcomes in
   * flight, a send waits for its own, so the pipeline stays bounded when the database is slow.
   */
  const settleBatched = createSettleBatcher<SettleItem, boolean>({
    write: (items) => persistently(() => o.queue.settleMany(o.owner, items), settleRetryMs),
    maxBatch: o.settleBatch ?? 1000,
    // Two writes in flight: one batch fills while the other commits.
    maxWrites: 2,
  });
  const postponeBatched = createSettleBatcher<PostponeItem, boolean>({
    write: (items) => persistently(() => o.queue.postponeMany(o.owner, items), settleRetryMs),
    maxBatch: o.settleBatch ?? 1000,
  });
  const unsettled = new Set<Promise<void>>();
  const maxUnsettled = o.maxUnsettled ?? Math.max(concurrency * 8, 1000);

  async function settle(d: ClaimedDelivery, settlement: Settlement, attempt: AttemptRecord): Promise<void> {
    const ids = { notificationId: d.notificationId, deliveryId: d.id };
    const written: Promise<void> = settleBatched({ delivery: d, outcome: settlement, attempt })
      .then((held) => {
        if (!held)
          o.onError(
            new Error(`lease on delivery ${d.id} was lost before its attempt was recorded`),
            'lane',
            ids,
          );
        o.onSettled?.(d, settlement, attempt);
      })
      .catch((err: unknown) => o.onError(err, `lane:${o.channel}: settle`, ids))
      .finally(() => unsettled.delete(written));
    unsettled.add(written);
    if (unsettled.size > maxUnsettled) await written;
  }

  /**
   * While a provider's rate limit is spent, the lane stops claiming: otherwise it would cycle through
   * the whole backlog, claiming and postponing each row, until tokens are back. An open breaker does
   * not pause the lane, as it holds one service's (or one host's) deliveries only; each of those is
   * postponed until its breaker may let a probe through, so it is claimed again once per open period.
   */
  let pausedUntil = 0;

  async function postpone(
    d: ClaimedDelivery,
    delayMs: number,
    reason: string,
    pause: boolean,
  ): Promise<void> {
    if (pause) pausedUntil = Math.max(pausedUntil, now() + delayMs);
    // Batched like outcomes: a flood behind an open breaker is put back hundreds per statement.
    await postponeBatched({ delivery: d, delayMs, reason });
  }

  /** Waits (briefly) for a token; false when the wait would be too long. */
  async function takeToken(provider: string): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    if (!o.limiter) return { ok: true };
    let waited = 0;
    for (;;) {
      const r = await o.limiter.take(provider);
      if (r.ok) return r;
      if (waited + r.waitMs > maxRateWaitMs) return r;
      // A little random spread so waiting sends do not all retry at the slice boundary at once.
      const pause = r.waitMs + Math.floor(random() * 20);
      await sleep(pause);
      waited += pause;
    }
  }

  async function handle(d: ClaimedDelivery): Promise<void> {
    if (o.senders.length === 0) {
      const startedAt = new Date(now());
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
    const scope = breakerScope(d);
    const picked = o.health ? o.health.pick(o.senders, scope) : { provider: o.senders[0] as Sender };
    if (!picked.provider) {
      // This scope's breakers only: other services' deliveries still go, so the lane keeps claiming.
      await postpone(d, picked.waitMs, 'providers_unavailable', false);
      return;
    }
    const sender = picked.provider;
    const token = await takeToken(sender.name);
    if (!token.ok) {
      o.health?.record(sender.name, 'neutral', scope); // give back a half-open probe slot, if it was one
      await postpone(d, token.waitMs, 'provider_rate_limit', true);
      return;
    }
    const startedAt = new Date(now());
    // Read back from storage as JSON: the content was checked against its channel's schema when the
    // notification was accepted or the template saved, and the planner's rendering kept that shape.
    const message = {
      deliveryId: d.id,
      notificationId: d.notificationId,
      serviceId: d.serviceId,
      channel: d.channel,
      to: d.address ?? '',
      content: d.content,
    } as OutgoingMessage;
    let result: Awaited<ReturnType<Sender['send']>>;
    try {
      result = await sender.send(message);
    } catch (err) {
      const failure = toFailure(err);
      const own = err instanceof ProviderError && err.ownCredentials === true;
      o.health?.record(sender.name, failure.kind === 'transient' ? 'failure' : 'neutral', { ...scope, own });
      const decision = decideAfterFailure({
        failure,
        attempts: d.attempts,
        ageMs: now() - (d.replayedAt ?? d.createdAt).getTime(),
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
      return;
    }
    o.health?.record(sender.name, 'success', { ...scope, own: result.ownCredentials === true });
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
  }

  return new WorkLoop<ClaimedDelivery>({
    name: `lane:${o.channel}`,
    concurrency,
    batchSize: Math.max(o.concurrency * 2, concurrency),
    // Claimed rows wait in the buffer about a second at the lane's own pace (never more than a tenth
    // of the lease). Kept short: a worker that dies costs each row it held an attempt.
    aheadMs: Math.min(1000, Math.floor(o.leaseMs / 10)),
    maxBatchSize: o.claimBatch ?? 256,
    // A channel with no provider only fails what it is given, and what it is given comes with a
    // wake-up (the planner's, a reclaim's, a deferral's end); nothing of it ever waits for a retry.
    // Its poll, the fallback for a lost wake-up, runs a tenth as often: each worker process polled
    // every such lane as often as a working one, a claim each per lane per poll for nothing.
    pollMs: o.senders.length === 0 ? o.pollMs * 10 : o.pollMs,
    claim: (limit) =>
      now() < pausedUntil
        ? Promise.resolve([])
        : o.queue.claim(o.channel, o.owner, limit, o.leaseMs, o.weights),
    handle,
    release: (items) =>
      o.queue.release(
        items.map((d) => d.id),
        o.owner,
      ),
    // While a provider's rate limit is spent, nothing is handed over either (see `pausedUntil`).
    takesOffers: () => now() >= pausedUntil,
    settled: async () => {
      while (unsettled.size > 0) await Promise.allSettled([...unsettled]);
    },
    onError: (err, where, d) =>
      o.onError(err, where, d ? { notificationId: d.notificationId, deliveryId: d.id } : undefined),
  });
}
