/**
 * The worker's sweeper: housekeeping that no single claim does, run every `worker.sweepMs` and at
 * once when a dead owner's leases come back. Each job is a named function over ports; a sweep runs
 * them in order and stops at the first that fails (the next sweep starts over).
 */
import type { AudienceStore } from '../ports/audience-store.ts';
import type { RetentionStore } from '../ports/retention.ts';
import type { WebhookOutbox } from '../ports/status-webhooks.ts';
import type { DeferredQueue } from '../ports/store.ts';
import type { DeliveryQueue } from '../ports/store.ts';
import type { WorkflowStore } from '../ports/workflow-store.ts';
import type { Channel } from '../domain/channels.ts';
import { pruneOld } from './retention.ts';

export type SweepJob = () => Promise<void>;

/** Quiet hours over: deferred deliveries become due and their lanes are woken. */
export async function releaseDeferred(
  deferred: Pick<DeferredQueue, 'releaseDue'>,
  wakeLane: (channel: Channel) => void,
): Promise<void> {
  for (const channel of await deferred.releaseDue(1000)) wakeLane(channel);
}

/** Status webhooks whose worker died go back to pending, and the webhook loop is woken for them. */
export async function reclaimWebhooks(
  outbox: Pick<WebhookOutbox, 'reclaimExpired'>,
  wake: () => void,
): Promise<void> {
  if ((await outbox.reclaimExpired()) > 0) wake();
}

/** Delivered status webhooks older than `keepMs` are forgotten. */
export async function pruneWebhooks(outbox: Pick<WebhookOutbox, 'prune'>, keepMs: number): Promise<void> {
  await outbox.prune(keepMs);
}

/** Notifications past the retention period go, in budgeted batches (0 days keeps everything). */
export async function pruneRetention(store: RetentionStore, days: number): Promise<void> {
  if (days > 0) await pruneOld(store, days * 86_400_000);
}

/**
 * Throttle counters whose window ended go, and closed digests past the retention period with their
 * items, which copy the events' data (0 days keeps them, as it keeps the events).
 */
export async function pruneWorkflows(
  store: Pick<WorkflowStore, 'prune'>,
  now: Date,
  retentionDays: number,
): Promise<void> {
  const closedBefore = retentionDays > 0 ? new Date(now.getTime() - retentionDays * 86_400_000) : null;
  await store.prune(now, closedBefore, 1000);
}

/** An upload cannot outlast its request timeout: one staged for twice that died with its process. */
export async function dropAbandonedUploads(
  audiences: Pick<AudienceStore, 'dropAbandoned'>,
  requestTimeoutMs: number,
  now: () => number = Date.now,
): Promise<void> {
  await audiences.dropAbandoned(new Date(now() - 2 * requestTimeoutMs));
}

/** Deliveries whose worker lost its lease go back to the queue (or `dead`), and every lane is woken. */
export async function reclaimDeliveries(
  queue: Pick<DeliveryQueue, 'reclaimExpired'>,
  attempts: { maxAttempts: number; perChannel: Readonly<Record<string, number>> },
  onMoved: (moved: number) => void,
): Promise<void> {
  const moved = await queue.reclaimExpired(attempts.maxAttempts, attempts.perChannel);
  if (moved > 0) onMoved(moved);
}

/** One sweep: the jobs in order; the first failure ends it and is the sweep's. */
export function createSweep(jobs: readonly SweepJob[]): () => Promise<void> {
  return async () => {
    for (const job of jobs) await job();
  };
}
