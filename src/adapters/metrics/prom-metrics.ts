/**
 * Prometheus metrics with prom-client. Counters and histograms are fed as work happens; queue depth,
 * the age of the oldest due delivery and the dead-letter count are read from the database when
 * scraped, so every process reports the same truth about the shared queue.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SourceMetrics } from '../../ports/event-source.ts';
import type { Metrics, MetricsExposition } from '../../ports/metrics.ts';
import type { PublisherMetrics } from '../../ports/status-publisher.ts';

export interface QueueSnapshot {
  lanes: { channel: string; due: number; oldestDueSeconds: number }[];
  dead: { channel: string; count: number }[];
  planning: number;
}

export interface PromMetrics extends Metrics, SourceMetrics, PublisherMetrics, MetricsExposition {
  registry: Registry;
}

export function createPromMetrics(
  options: { snapshot?: () => Promise<QueueSnapshot>; defaults?: boolean } = {},
): PromMetrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'herald_' });

  const accepted = new Counter({
    name: 'herald_notifications_accepted_total',
    // No per-type or per-service label: with many tenants that is unbounded cardinality, and type
    // names are tenant data on an unauthenticated endpoint.
    help: 'Notifications accepted (202) by priority; idempotent replays are not counted.',
    labelNames: ['priority'],
    registers: [registry],
  });
  const settled = new Counter({
    name: 'herald_deliveries_total',
    help: 'Delivery attempts ended, by channel, provider, resulting status and attempt outcome.',
    labelNames: ['channel', 'provider', 'status', 'outcome'],
    registers: [registry],
  });
  const attemptSeconds = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'Time a provider took to answer one attempt.',
    labelNames: ['channel', 'provider', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const toSentSeconds = new Histogram({
    name: 'herald_delivery_latency_seconds',
    help: 'From a delivery being planned to its provider accepting it (includes retries).',
    labelNames: ['channel'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'herald_retries_total',
    help: 'Attempts that failed and were scheduled again.',
    labelNames: ['channel', 'provider'],
    registers: [registry],
  });

  // Broker sources (app/event-sources.ts): labelled by the operator's source names, a bounded set.
  const sourceMessages = new Counter({
    name: 'herald_source_messages_total',
    help: 'Broker messages stored, by source and outcome (accepted, replayed: an id seen before, dead).',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const sourceErrors = new Counter({
    name: 'herald_source_errors_total',
    help: 'Broker sources: failed pulls, connects and acks (broker) and refused batches (database).',
    labelNames: ['source', 'kind'],
    registers: [registry],
  });
  const lagReaders = new Map<string, () => Promise<number | null>>();
  new Gauge({
    name: 'herald_source_lag',
    help: 'Messages a source has not yet acknowledged, as its broker counts them (-1: broker unreachable).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        [...lagReaders].map(async ([source, read]) => {
          // A broker that does not answer must not hold the scrape.
          const timeout = new Promise<null>((r) => setTimeout(() => r(null), 2000).unref());
          const lag = await Promise.race([read().catch(() => null), timeout]);
          this.set({ source }, lag ?? -1);
        }),
      );
    },
  });

  // Status publishers (app/status-publishers.ts): labelled by the operator's publisher names.
  const published = new Counter({
    name: 'herald_publisher_events_total',
    help: 'Status events a publisher sent and its broker confirmed (a batch sent again counts again).',
    labelNames: ['publisher'],
    registers: [registry],
  });
  const publisherErrors = new Counter({
    name: 'herald_publisher_errors_total',
    help: 'Status publishers: unconfirmed batches and lost connections (broker), failed cursor reads and writes (database).',
    labelNames: ['publisher', 'kind'],
    registers: [registry],
  });
  const publisherLagReaders = new Map<string, () => Promise<number | null>>();
  new Gauge({
    name: 'herald_publisher_lag',
    help: "Status log rows after a publisher's cursor: changes not yet published (-1: not known).",
    labelNames: ['publisher'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        [...publisherLagReaders].map(async ([publisher, read]) => {
          const timeout = new Promise<null>((r) => setTimeout(() => r(null), 2000).unref());
          const lag = await Promise.race([read().catch(() => null), timeout]);
          this.set({ publisher }, lag ?? -1);
        }),
      );
    },
  });

  if (options.snapshot) {
    const snapshot = options.snapshot;
    let pending: Promise<QueueSnapshot> | undefined;
    // One query per scrape, shared by the gauges below.
    const read = () => (pending ??= snapshot().finally(() => setTimeout(() => (pending = undefined), 0)));
    new Gauge({
      name: 'herald_lane_backlog',
      help: 'Deliveries due now and waiting for a lane, by channel.',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const s = await read();
        this.reset();
        for (const l of s.lanes) this.set({ channel: l.channel }, l.due);
      },
    });
    new Gauge({
      name: 'herald_lane_oldest_due_seconds',
      help: 'Age of the oldest delivery due and not yet claimed, by channel.',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const s = await read();
        this.reset();
        for (const l of s.lanes) this.set({ channel: l.channel }, l.oldestDueSeconds);
      },
    });
    new Gauge({
      name: 'herald_dead_letters',
      help: 'Deliveries in the dead state (retries exhausted), by channel.',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const s = await read();
        this.reset();
        for (const d of s.dead) this.set({ channel: d.channel }, d.count);
      },
    });
    new Gauge({
      name: 'herald_notifications_planning',
      help: 'Accepted notifications not yet planned into deliveries.',
      registers: [registry],
      async collect() {
        this.set((await read()).planning);
      },
    });
  }

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    notificationAccepted(priority) {
      accepted.inc({ priority });
    },
    deliverySettled(e) {
      const provider = e.provider ?? 'none';
      settled.inc({ channel: e.channel, provider, status: e.status, outcome: e.outcome });
      attemptSeconds.observe({ channel: e.channel, provider, outcome: e.outcome }, e.attemptMs / 1000);
      if (e.status === 'queued') retries.inc({ channel: e.channel, provider });
      if (e.queuedToSentMs !== undefined)
        toSentSeconds.observe({ channel: e.channel }, e.queuedToSentMs / 1000);
    },
    sourceMessages(source, outcome, count) {
      sourceMessages.inc({ source, outcome }, count);
    },
    sourceError(source, kind) {
      sourceErrors.inc({ source, kind });
    },
    sourceLag(source, read) {
      lagReaders.set(source, read);
    },
    statusPublished(publisher, count) {
      published.inc({ publisher }, count);
    },
    publisherError(publisher, kind) {
      publisherErrors.inc({ publisher, kind });
    },
    publisherLag(publisher, read) {
      publisherLagReaders.set(publisher, read);
    },
  };
}
