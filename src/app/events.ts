/**
 * Events in: accepting them (durable on 202, the id as idempotency key) and the worker lane that
 * expands each into notifications under its service's trigger rule. The expansion is pure
 * (domain/trigger-rules.ts); the store finishes an event and writes its notifications in one
 * transaction, so a worker that dies mid-way leaves the event to be claimed again, and the re-run
 * adds nothing that already exists.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import type { Channel } from '../domain/channels.ts';
import { conflict, invalid } from '../domain/errors.ts';
import { sharedRenders, type TemplateRenderer } from '../domain/templates.ts';
import { expandEvent, ruleProblems, type RuleNotification } from '../domain/trigger-rules.ts';
import type {
  ClaimedEvent,
  EventNotification,
  EventOutcomeEntry,
  EventResult,
  EventStore,
  IncomingEvent,
  StoredRule,
  TriggerRuleStore,
} from '../ports/events.ts';
import type { NotificationTypeStore } from '../ports/preferences-store.ts';
import { uuidv7Source } from './batch-ids.ts';
import { WorkLoop } from './work-loop.ts';

export const MAX_EVENT_BATCH = 1000;

export interface EventRequest {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  occurredAt?: string;
}

/** Checks a rule against the service's types and the template engine, then saves it; 422 names each path. */
export async function saveRule(
  deps: { rules: TriggerRuleStore; types: NotificationTypeStore; renderer: TemplateRenderer },
  serviceId: string,
  event: string,
  notifications: RuleNotification[],
): Promise<{ rule: StoredRule; created: boolean }> {
  const types = new Map<string, { defaultChannels: Channel[] } | null>();
  for (const n of notifications)
    if (!types.has(n.type)) types.set(n.type, await deps.types.get(serviceId, n.type));
  const problems = ruleProblems({ notifications }, deps.renderer, (t) => types.get(t) != null);
  notifications.forEach((n, i) => {
    const type = types.get(n.type);
    if (type && !n.channels && type.defaultChannels.length === 0)
      problems.push({
        path: `/notifications/${i}/channels`,
        message: `is required: type '${n.type}' has no default channels`,
      });
  });
  if (problems.length > 0) {
    throw invalid(
      'validation_failed',
      `Invalid body: body${problems[0]?.path} ${problems[0]?.message}`,
      problems.map((p) => ({ in: 'body', ...p })),
    );
  }
  return deps.rules.put(serviceId, event, notifications);
}

export function eventHash(e: EventRequest): string {
  return createHash('sha256')
    .update(stableStringify({ name: e.name, payload: e.payload, occurredAt: e.occurredAt ?? null }) ?? '')
    .digest('hex');
}

/**
 * Stores a batch of events, all or none. An id already stored with the same body is a replay; with a
 * different body the whole batch is refused (409) and nothing is written. With `expand` (what
 * `expandOnArrival` makes, the broker sources' expander) each event is expanded under its rule first
 * and stored finished, with its notifications, in the statement that makes it durable; an event it
 * could not expand is stored `pending` for the events lane. A notification key taken already inserts
 * nothing, and the event's outcome names the notification holding it when the event is read.
 */
export async function acceptEvents(
  store: EventStore,
  serviceId: string,
  events: EventRequest[],
  expand?: ArrivalExpander,
): Promise<{ id: string; replayed: boolean }[]> {
  const seen = new Set<string>();
  events.forEach((e, i) => {
    if (seen.has(e.id))
      throw invalid('validation_failed', `Event id '${e.id}' appears twice in this batch.`, [
        { path: `/events/${i}/id`, message: 'must be unique within the batch' },
      ]);
    seen.add(e.id);
  });
  const incoming: IncomingEvent[] = events
    .map((e) => ({
      id: e.id,
      name: e.name,
      payload: e.payload,
      occurredAt: e.occurredAt ? new Date(e.occurredAt) : null,
      requestHash: eventHash(e),
    }))
    // In id order, as a source stores its batches: two batches sharing ids (and so notification
    // keys) lock them in one order and never deadlock.
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = await store.accept(serviceId, expand ? await expand(serviceId, incoming) : incoming);
  if (!result.ok) {
    throw conflict('idempotency_conflict', 'An event with this id was already sent with a different body.', {
      ids: result.conflicts.slice(0, 100),
    });
  }
  return events.map((e) => ({ id: e.id, replayed: result.replayed.has(e.id) }));
}

export interface EventsWorkerOptions {
  owner: string;
  events: EventStore;
  rules: TriggerRuleStore;
  types: NotificationTypeStore;
  renderer: TemplateRenderer;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  /** Events per transaction; `EVENTS_PER_BATCH` when unset. */
  batchSize?: number;
  /** Events per transaction while claims come back full; `MAX_EVENTS_PER_BATCH` when unset. */
  maxBatchSize?: number;
  onError(err: unknown, where: string): void;
}

type ExpandDeps = Pick<EventsWorkerOptions, 'rules' | 'types' | 'renderer'>;

/** Notification ids: random bytes drawn 4 KiB at a time, not a system call per id (batch-ids.ts). */
const newNotificationId = uuidv7Source();

/**
 * Rules and types looked up once per batch: a batch of one event name reads its rule once. The
 * cache lives as long as the batch, so a rule changed meanwhile applies from the next batch on.
 * Renders are shared within the batch too: a topic key or a condition reads a few payload fields, and
 * events with the same values there (a trader's trades) give the same output, so it is rendered once
 * per distinct values; a template reading `event` (its id, name, time) is rendered for each event.
 */
function batchLookups(o: ExpandDeps) {
  const rules = new Map<string, Promise<StoredRule | null>>();
  const types = new Map<string, Promise<{ defaultChannels: Channel[] } | null>>();
  const once = <V>(m: Map<string, Promise<V>>, k: string, f: () => Promise<V>) => {
    let v = m.get(k);
    if (!v) m.set(k, (v = f()));
    return v;
  };
  return {
    renderer: sharedRenders(o.renderer, ['event']),
    rule: (serviceId: string, name: string) =>
      once(rules, `${serviceId}\u0000${name}`, () => o.rules.get(serviceId, name)),
    type: (serviceId: string, type: string) =>
      once(types, `${serviceId}\u0000${type}`, () => o.types.get(serviceId, type)),
  };
}

/** What one event becomes under its service's rule, nothing written yet. */
async function expand(
  lookups: ReturnType<typeof batchLookups>,
  o: ExpandDeps,
  event: ClaimedEvent,
): Promise<EventResult> {
  const rule = await lookups.rule(event.serviceId, event.name);
  if (!rule) return { event, status: 'unmatched', notifications: [], skipped: [] };
  const expansions = await expandEvent(rule, event, lookups.renderer);
  const notifications: EventNotification[] = [];
  const skipped: EventOutcomeEntry[] = [];
  for (const x of expansions) {
    if (x.status === 'skipped') {
      skipped.push({ index: x.index, type: x.type, status: 'skipped', reason: x.reason });
      continue;
    }
    // The type's default channels as they are now, when the rule names none.
    const channels =
      x.notification.channels ?? (await lookups.type(event.serviceId, x.type))?.defaultChannels ?? [];
    if (channels.length === 0) {
      skipped.push({
        index: x.index,
        type: x.type,
        status: 'skipped',
        reason: `type '${x.type}' no longer exists or has no channels`,
      });
      continue;
    }
    notifications.push({ id: newNotificationId(), index: x.index, ...x.notification, channels });
  }
  return { event, status: 'processed', notifications, skipped };
}

/**
 * Expands a batch of claimed events and finishes them in one transaction. An event whose expansion
 * throws is left out (and reported): it stays leased and is retried when the lease runs out, without
 * holding back the rest. Answers how many events were finished; fewer when leases were lost.
 */
export async function processEvents(
  o: Pick<EventsWorkerOptions, 'owner' | 'events' | 'rules' | 'types' | 'renderer'> & {
    onError?(err: unknown, event: ClaimedEvent): void;
  },
  events: ClaimedEvent[],
): Promise<number> {
  const lookups = batchLookups(o);
  const settled = await Promise.allSettled(events.map((e) => expand(lookups, o, e)));
  const results: EventResult[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') results.push(r.value);
    else if (o.onError) o.onError(r.reason, events[i] as ClaimedEvent);
    else throw r.reason;
  });
  return (await o.events.completeMany(o.owner, results)).size;
}

/** Works out what events become under their rules before they are stored (see `expandOnArrival`). */
export type ArrivalExpander = (serviceId: string, events: IncomingEvent[]) => Promise<IncomingEvent[]>;

/**
 * Expansion on arrival: a broker source's batch is expanded under its rules before it is stored,
 * so the store writes each event once, finished, with its notifications, in the statement that
 * makes it durable (no claim, no second write of the event). Rules and types come through the
 * process's metadata cache, so a batch reads nothing in the steady state. An event whose expansion
 * throws (a rule or type that cannot be read, say) is stored `pending`, for the events lane, which
 * expands it the same way later. Every rule is expanded here: an expansion is pure and bounded (at
 * most 20 notifications, each one row, whatever the audience: a topic's members are fanned out by
 * the planner either way); a condition or a render that fails is a `skipped` entry, as in the lane.
 */
export function expandOnArrival(o: ExpandDeps): ArrivalExpander {
  return async (serviceId, events) => {
    const lookups = batchLookups(o);
    const settled = await Promise.allSettled(
      events.map((e) =>
        expand(lookups, o, {
          serviceId,
          id: e.id,
          name: e.name,
          payload: e.payload,
          occurredAt: e.occurredAt,
        }),
      ),
    );
    return events.map((e, i) => {
      const r = settled[i];
      if (r?.status !== 'fulfilled') return e;
      const { status, notifications, skipped } = r.value;
      return { ...e, expanded: { status, notifications, skipped } };
    });
  };
}

/** Expands one claimed event and finishes it; false when the lease was lost meanwhile. */
export async function processEvent(
  o: Pick<EventsWorkerOptions, 'owner' | 'events' | 'rules' | 'types' | 'renderer'>,
  event: ClaimedEvent,
): Promise<boolean> {
  return (await processEvents(o, [event])) === 1;
}

/** Events finished per transaction while the backlog is short. */
export const EVENTS_PER_BATCH = 250;
/** Events finished per transaction, at most, while claims come back full. */
export const MAX_EVENTS_PER_BATCH = 1000;

/**
 * The events lane works in batches: a claim takes up to `concurrency × per batch` events and splits
 * them into at most `concurrency` batches, each expanded and finished in one transaction. A claim that
 * comes back full means a backlog: the next claims take twice as many per batch, up to
 * `MAX_EVENTS_PER_BATCH` (fewer round trips and commits per event); a short one goes back to the
 * base size.
 */
export function createEventsWorker(o: EventsWorkerOptions): WorkLoop<ClaimedEvent[]> {
  const base = o.batchSize ?? EVENTS_PER_BATCH;
  const most = Math.max(base, o.maxBatchSize ?? MAX_EVENTS_PER_BATCH);
  let perBatch = base;
  return new WorkLoop<ClaimedEvent[]>({
    name: 'events',
    concurrency: o.concurrency,
    batchSize: o.concurrency,
    pollMs: o.pollMs,
    async claim(batches) {
      const limit = batches * perBatch;
      const events = await o.events.claim(o.owner, limit, o.leaseMs);
      perBatch = events.length >= limit ? Math.min(most, perBatch * 2) : base;
      const size = Math.max(1, Math.ceil(events.length / batches));
      const out: ClaimedEvent[][] = [];
      for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
      return out;
    },
    async handle(batch) {
      // A lost lease means another worker has the event now; its run finishes it.
      await processEvents({ ...o, onError: (err) => o.onError(err, 'events: expand') }, batch);
    },
    release: (batches) => o.events.release(o.owner, batches.flat()),
    onError: (err, where) => o.onError(err, where),
  });
}
