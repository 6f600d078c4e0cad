/**
 * The worker runtime: the planner, one dispatch lane per channel, the events and status-webhook
 * loops, the LISTEN router that wakes them, the sweeper, the analytics rollup, the provider-status
 * publisher and the owner's proof of life. Everything it starts registers its stop on `disposers`
 * as it starts, so a stop runs in reverse: timers first, then the drain of the loops (bounded by
 * `worker.drainMs`), then the owner lock, the listener and the publisher.
 */
import type { Config } from '../config.ts';
import { CHANNELS, type Channel } from '../domain/channels.ts';
import type { RetryPolicy } from '../domain/retry-policy.ts';
import type { TemplateRenderer } from '../domain/templates.ts';
import type { TrackingUrls } from '../domain/tracking.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { AudienceStore, FanoutStore } from '../ports/audience-store.ts';
import type { ProviderStatusStore } from '../ports/provider-status.ts';
import type { EventStore, TriggerRuleStore } from '../ports/events.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { AnalyticsStore } from '../ports/analytics.ts';
import type { RetentionStore } from '../ports/retention.ts';
import type { WebhookOutbox } from '../ports/status-webhooks.ts';
import type { OwnerStore } from '../ports/owners.ts';
import type {
  DeviceStore,
  NotificationTypeStore,
  PreferenceStore,
  TemplateStore,
} from '../ports/preferences-store.ts';
import type { RateLimiter } from '../ports/rate-limit.ts';
import type { SuppressionList } from '../ports/receipts.ts';
import type { Sender } from '../ports/sender.ts';
import type { DeferredQueue, DeliveryQueue, PlanQueue, RecipientStore } from '../ports/store.ts';
import type { Disposers } from './disposers.ts';
import { createLane } from './dispatch.ts';
import { createEventsWorker } from './events.ts';
import { planBroadcast } from './fanout.ts';
import { planBatch } from './plan-batch.ts';
import { loadPlanContext } from './plan-context.ts';
import { createPlanner } from './plan.ts';
import type { ProviderHealth } from './provider-health.ts';
import { startProviderStatusPublisher } from './provider-status-publisher.ts';
import { settlePolicy, type WorkerLog } from './settle-policy.ts';
import { createStatusWebhookLoop } from './status-webhooks.ts';
import {
  createSweep,
  dropAbandonedUploads,
  pruneRetention,
  pruneWebhooks,
  pruneWorkflows,
  reclaimDeliveries,
  reclaimWebhooks,
  releaseDeferred,
} from './sweeper.ts';
import { createDeadOwnerWatch } from './dead-owners.ts';
import { createWakeRouter } from './wake-router.ts';
import { runWorkflows, sweepWorkflows } from './workflow-runner.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { WorkflowStore } from '../ports/workflow-store.ts';
import type { ClaimedDelivery, NotificationToPlan } from '../domain/types.ts';
import type { LogIds, WorkLoop } from './work-loop.ts';

/** The stores the worker reads and writes, each a port. */
export interface WorkerStores {
  planQueue: PlanQueue;
  deliveryQueue: DeliveryQueue;
  recipients: RecipientStore;
  fanout: FanoutStore;
  suppressions: SuppressionList;
  types: NotificationTypeStore;
  templates: TemplateStore;
  devices: DeviceStore;
  preferences: PreferenceStore;
  events: EventStore;
  rules: TriggerRuleStore;
  webhookOutbox: WebhookOutbox;
  deferred: DeferredQueue;
  retention: RetentionStore;
  audiences: Pick<AudienceStore, 'dropAbandoned'>;
  analytics: Pick<AnalyticsStore, 'rollUp'>;
  owners: OwnerStore;
  providerStatus: ProviderStatusStore;
  /** Workflow steps' state (delays, throttle counts, digests); without it types' steps are not run. */
  workflows?: WorkflowStore;
}

export type WorkerSettings = Pick<
  Config,
  'worker' | 'retry' | 'statusWebhooks' | 'retention' | 'analytics' | 'http'
>;

export interface WorkerDeps {
  /** This process's lease owner id. */
  owner: string;
  config: WorkerSettings;
  stores: WorkerStores;
  renderer: TemplateRenderer;
  /** Signed preference/unsubscribe links for a recipient. */
  links: (serviceId: string, recipientId: string) => Promise<RecipientLinks>;
  tracking: TrackingUrls;
  /** Each channel's providers in failover order. */
  senders: ReadonlyMap<Channel, Sender[]>;
  health: ProviderHealth;
  limiter: RateLimiter;
  poster: Parameters<typeof createStatusWebhookLoop>[0]['poster'];
  metrics: Pick<Metrics, 'deliverySettled'>;
  log: WorkerLog;
  /** Subscribes to the wake channel; resolves with how to unsubscribe. */
  listen(onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Takes this owner's proof of life (server mode: a lock other workers can see) and resolves with
   * how to let go of it; embedded mode instead ends every lease left by the process before.
   */
  claimOwnership(): Promise<(() => Promise<void>) | undefined>;
  /**
   * Embedded mode: one process owns the data folder, so leases of the process before are handed
   * back by one sweep at start. Server mode: a watch finds dead owners and sweeps when it does.
   */
  embedded: boolean;
  disposers: Disposers;
  /** What workflow steps read as the time (tests move a fake one); the system clock by default. */
  clock?: Clock;
}

/** A channel's retry policy: `retry.default` with the channel's own settings on top. */
export function retryPolicyFor(config: Pick<Config, 'retry'>, channel: Channel): RetryPolicy {
  const perChannel = (config.retry as Record<string, Partial<RetryPolicy> | undefined>)[channel];
  return { ...config.retry.default, ...perChannel };
}

export async function startWorker(deps: WorkerDeps): Promise<void> {
  const { owner, config, stores, log, disposers } = deps;
  const onError = (err: unknown, where: string, ids?: LogIds) =>
    log.error({ err, where, ...ids }, 'worker error');
  const now = () => new Date();
  // What single, batch and broadcast planning read and render with.
  const planning = {
    types: stores.types,
    templates: stores.templates,
    devices: stores.devices,
    preferences: stores.preferences,
    store: stores.fanout,
    suppressions: stores.suppressions,
    renderer: deps.renderer,
    links: deps.links,
    tracking: deps.tracking,
    now,
  };
  const lanes = new Map<Channel, WorkLoop<ClaimedDelivery>>();
  const planner = createPlanner({
    owner,
    // Planned deliveries an idle lane of this worker would claim at once go to it directly.
    handoff: {
      leaseMs: config.worker.leaseMs,
      room: (channel) => lanes.get(channel)?.room() ?? 0,
      offer: (channel, ds) => lanes.get(channel)?.offer(ds),
    },
    queue: stores.planQueue,
    recipients: stores.recipients,
    renderer: deps.renderer,
    leaseMs: config.worker.leaseMs,
    pollMs: config.worker.pollMs,
    concurrency: Math.max(2, Math.ceil(config.worker.concurrency / 4)),
    suppressions: stores.suppressions,
    onError,
    context: (n, r) => loadPlanContext(planning, n, r),
    batch: (ns) => planBatch(planning, ns),
    ...(stores.workflows ? { steps: workflowSteps(deps, stores.workflows, onError) } : {}),
    broadcast: (n, planOwner) =>
      planBroadcast(
        {
          ...planning,
          batchSize: config.worker.fanoutBatch,
          leaseMs: config.worker.leaseMs,
          // Broadcasts plan for minutes; between batches they hand a stopping worker's work back.
          stopping: () => disposers.disposing,
          onResume: (b, cursor, planned) =>
            log.info({ notification: b.id, cursor, planned }, 'resuming broadcast'),
        },
        n,
        planOwner,
      ),
  });

  const publisher = startProviderStatusPublisher({
    owner,
    store: stores.providerStatus,
    health: deps.health,
    log,
    onError,
  });
  disposers.defer(() => publisher.stop());

  const onSettled = settlePolicy({ log, metrics: deps.metrics, devices: stores.devices, onError });
  for (const channel of CHANNELS) {
    lanes.set(
      channel,
      createLane({
        channel,
        owner,
        queue: stores.deliveryQueue,
        senders: deps.senders.get(channel) ?? [],
        policy: retryPolicyFor(config, channel),
        leaseMs: config.worker.leaseMs,
        pollMs: config.worker.pollMs,
        concurrency: config.worker.concurrency,
        weights: config.worker.serviceWeights,
        health: deps.health,
        limiter: deps.limiter,
        onError,
        onSettled,
      }),
    );
  }
  const statusWebhooks = createStatusWebhookLoop({
    owner,
    outbox: stores.webhookOutbox,
    poster: deps.poster,
    schedule: config.statusWebhooks.retryScheduleMs,
    leaseMs: config.worker.leaseMs,
    pollMs: config.worker.pollMs,
    concurrency: config.statusWebhooks.concurrency,
    weights: config.worker.serviceWeights,
    perServiceConcurrency: config.statusWebhooks.perServiceConcurrency,
    onError,
  });
  const eventsWorker = createEventsWorker({
    owner,
    events: stores.events,
    rules: stores.rules,
    types: stores.types,
    renderer: deps.renderer,
    leaseMs: config.worker.leaseMs,
    pollMs: config.worker.pollMs,
    concurrency: Math.max(2, Math.ceil(config.worker.concurrency / 4)),
    onError,
  });

  const unlisten = await deps.listen(
    createWakeRouter({ planner, events: eventsWorker, statusWebhooks, lanes }),
  );
  disposers.defer(unlisten);
  const release = await deps.claimOwnership();
  if (release) disposers.defer(release);

  const loops: WorkLoop<unknown>[] = [planner, eventsWorker, ...lanes.values(), statusWebhooks];
  for (const loop of loops) loop.start();
  disposers.defer(() => drain(loops, config.worker.drainMs, log));

  const rollups = setInterval(
    () => void stores.analytics.rollUp().catch((err: unknown) => onError(err, 'analytics rollup')),
    config.analytics.rollupMs,
  );
  disposers.defer(() => clearInterval(rollups));

  const sweep = createSweep(
    sweepJobs(deps, {
      wakeLane: (channel) => lanes.get(channel)?.wake(),
      wakeWebhooks: () => statusWebhooks.wake(),
      onReclaimed: (moved) => {
        log.warn({ moved }, 'reclaimed deliveries whose worker lost its lease');
        for (const lane of lanes.values()) lane.wake();
      },
    }),
  );
  // One sweep at a time: a tick that finds one still running skips, and stopping waits for it, so
  // no sweep writes after the database has closed.
  let sweeping: Promise<void> | undefined;
  const runSweep = (): Promise<void> =>
    (sweeping ??= sweep()
      .catch((err: unknown) => onError(err, 'sweeper'))
      .finally(() => {
        sweeping = undefined;
      }));
  const sweeper = setInterval(() => void runSweep(), config.worker.sweepMs);
  disposers.defer(async () => {
    clearInterval(sweeper);
    await sweeping;
  });
  // Leases of a dead owner go back at once: in embedded mode now, in server mode when seen.
  if (deps.embedded) await runSweep();
  else {
    const watch = createDeadOwnerWatch({
      self: owner,
      store: stores.owners,
      graceMs: config.worker.deadOwnerGraceMs,
    });
    const look = async () => {
      const dead = await watch.check();
      if (dead.length === 0) return;
      log.warn({ dead }, 'workers died; handing their leases back');
      await runSweep();
    };
    const ownerWatch = setInterval(
      () => void look().catch((err: unknown) => onError(err, 'dead owners')),
      config.worker.ownerCheckMs,
    );
    disposers.defer(() => clearInterval(ownerWatch));
  }
  log.info({ owner }, 'worker started');
}

/** Runs the types' workflow steps for the planner (see workflow-runner.ts). */
function workflowSteps(
  deps: Pick<WorkerDeps, 'stores' | 'renderer' | 'clock'>,
  store: WorkflowStore,
  onError: (err: unknown, where: string, ids?: LogIds) => void,
) {
  const { stores } = deps;
  return (ns: NotificationToPlan[], planOwner: string) =>
    runWorkflows(
      {
        store,
        clock: deps.clock ?? systemClock,
        types: stores.types,
        recipients: stores.recipients,
        renderer: deps.renderer,
        onError,
        fail: (id, o, e) => stores.planQueue.fail(id, o, e),
      },
      ns,
      planOwner,
    );
}

/** The sweeper's jobs, in the order a sweep runs them. */
export function sweepJobs(
  deps: Pick<WorkerDeps, 'config' | 'stores' | 'clock'>,
  on: {
    wakeLane: (channel: Channel) => void;
    wakeWebhooks: () => void;
    onReclaimed: (moved: number) => void;
  },
): (() => Promise<void>)[] {
  const { config, stores } = deps;
  const perChannel = Object.fromEntries(CHANNELS.map((c) => [c, retryPolicyFor(config, c).maxAttempts]));
  const workflows = stores.workflows;
  return [
    () => releaseDeferred(stores.deferred, on.wakeLane),
    // Delays that ended go back to the planner; digests whose window ended become their message.
    ...(workflows
      ? [
          async () => void (await sweepWorkflows({ store: workflows, clock: deps.clock ?? systemClock })),
          // Ended throttle windows, and closed digests past the retention period.
          () => pruneWorkflows(workflows, (deps.clock ?? systemClock).now(), config.retention.days),
        ]
      : []),
    () => reclaimWebhooks(stores.webhookOutbox, on.wakeWebhooks),
    () => pruneWebhooks(stores.webhookOutbox, config.statusWebhooks.keepDeliveredMs),
    () => pruneRetention(stores.retention, config.retention.days),
    () => dropAbandonedUploads(stores.audiences, config.http.requestTimeoutMs),
    () =>
      reclaimDeliveries(
        stores.deliveryQueue,
        { maxAttempts: config.retry.default.maxAttempts, perChannel },
        on.onReclaimed,
      ),
  ];
}

/**
 * Stops every loop: no new claims, in-flight work finished and recorded, claimed-but-unstarted work
 * given back. Past `drainMs` the stop goes on without them: their leases will expire and be reclaimed.
 */
export async function drain(
  loops: readonly Pick<WorkLoop<unknown>, 'stop'>[],
  drainMs: number,
  log: Pick<WorkerLog, 'warn'>,
): Promise<void> {
  const drained = Promise.all(loops.map((l) => l.stop()));
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainMs).unref());
  if ((await Promise.race([drained.then(() => 'drained' as const), timeout])) === 'timeout') {
    log.warn({}, 'drain timed out; unfinished deliveries will be reclaimed when their lease expires');
  }
}
