/**
 * Runs a notification type's workflow steps (domain/workflow-steps.ts) for each one-recipient
 * notification the planner claimed, before it is planned. A notification either goes on to be planned
 * as usual (every step let it through), or a step ends its planning here: it waits (delay), ends
 * suppressed (throttle), or joins a digest. Each decision is written to the notification's timeline.
 *
 * A waiting notification is parked with `plan_status = 'waiting'`; when its time comes `wakeDue` puts
 * it back in the planner's queue, and planning resumes at the step after the delay, with preferences,
 * templates and quiet hours read again at that time. Broadcasts run no steps.
 */
import type { Recipient, NotificationToPlan } from '../domain/types.ts';
import type { TemplateRenderer, Vars } from '../domain/templates.ts';
import {
  conditionTemplate,
  delayEnd,
  digestCloseAt,
  parseDuration,
  throttleWindowStart,
  withOverrides,
  type Step,
  type StepDecision,
  type ThrottleStep,
} from '../domain/workflow-steps.ts';
import type { Clock } from '../ports/clock.ts';
import type { NotificationTypeStore } from '../ports/preferences-store.ts';
import type { RecipientStore } from '../ports/store.ts';
import type {
  DigestJoin,
  EscalationCheck,
  Hold,
  RunProgress,
  ThrottleHit,
  WorkflowStore,
} from '../ports/workflow-store.ts';
import { templateVars } from '../domain/plan-deliveries.ts';

export interface WorkflowDeps {
  store: WorkflowStore;
  types: Pick<NotificationTypeStore, 'get'>;
  recipients: Pick<RecipientStore, 'get'>;
  renderer: TemplateRenderer;
  clock: Clock;
  /** Ends a notification whose steps could not run (a template that throws, say) as failed. */
  fail(notificationId: string, owner: string, error: string): Promise<void>;
  onError(err: unknown, where: string, ids?: { notificationId?: string }): void;
}

/** One notification's way through its steps: where it is, and what it decided so far. */
interface Run {
  n: NotificationToPlan;
  steps: readonly Step[];
  progress: RunProgress | undefined;
  ttlSeconds: number | null;
  /** The step it resumed at (its progress), and the step it is at. */
  from: number;
  i: number;
  now: Date;
  recipient: Recipient | null;
  render(source: string): Promise<string>;
  decisions: StepDecision[];
}

/** Where a run stopped: planned on (with an escalation's next check), parked, suppressed, digested, or counting. */
type Outcome =
  | { kind: 'plan'; run: Run; plan: NotificationToPlan; check?: EscalationCheck }
  | { kind: 'hold'; run: Run; hold: Hold }
  | { kind: 'suppress'; run: Run; reason: string }
  | { kind: 'join'; run: Run; join: DigestJoin }
  | { kind: 'count'; run: Run; hit: ThrottleHit; step: ThrottleStep };
type Counting = Extract<Outcome, { kind: 'count' }>;

/**
 * Runs the steps of each notification; answers the ones that go on to be planned as usual.
 *
 * The batch moves through its steps together, so that each kind of write is one transaction for all
 * of it: every run goes as far as it can without the database; the runs at a throttle step are then
 * counted at once (one round per throttle step in the type), and go on; at the end the parked, the
 * suppressed, the digested and the decisions of the planned are each written with one call. Should a
 * batch write fail, each of its notifications is tried on its own, so one bad notification fails only
 * itself.
 */
export async function runWorkflows(
  deps: WorkflowDeps,
  ns: readonly NotificationToPlan[],
  owner: string,
): Promise<NotificationToPlan[]> {
  const withSteps: { n: NotificationToPlan; steps: Step[]; ttlSeconds: number | null }[] = [];
  const plain: NotificationToPlan[] = [];
  for (const n of ns) {
    const type = n.audience ? null : await deps.types.get(n.serviceId, n.type);
    if (type?.steps?.length)
      withSteps.push({ n, steps: withOverrides(type.steps, n.stepOverrides), ttlSeconds: type.ttlSeconds });
    else plain.push(n);
  }
  if (withSteps.length === 0) return plain;
  const progress = await deps.store.progress(withSteps.map((w) => w.n.id));
  const done: Outcome[] = [];
  let counting: Counting[] = [];
  const sort = (o: Outcome | null) => {
    if (o?.kind === 'count') counting.push(o);
    else if (o) done.push(o);
  };
  for (const w of withSteps) {
    sort(await guarded(deps, w.n.id, owner, async () => advance(await start(deps, w, progress.get(w.n.id)))));
  }
  while (counting.length > 0) {
    const round = counting;
    counting = [];
    const places = new Map<string, number>();
    await inBatches(deps, owner, round, 'throttle', async (cs) => {
      for (const [id, place] of await deps.store.throttle(cs.map((c) => c.hit))) places.set(id, place);
    });
    for (const c of round) {
      const place = places.get(c.run.n.id);
      if (place !== undefined) sort(await guarded(deps, c.run.n.id, owner, () => counted(c, place)));
    }
  }
  return [...plain, ...(await write(deps, owner, done))];
}

/** Writes where the batch's runs stopped, one call per kind; answers the notifications to plan on. */
async function write(
  deps: WorkflowDeps,
  owner: string,
  done: readonly Outcome[],
): Promise<NotificationToPlan[]> {
  const of = <K extends Outcome['kind']>(kind: K) =>
    done.filter((o): o is Extract<Outcome, { kind: K }> => o.kind === kind);
  await inBatches(deps, owner, of('hold'), 'hold', (os) =>
    deps.store.hold(
      owner,
      os.map((o) => o.hold),
    ),
  );
  await inBatches(deps, owner, of('suppress'), 'suppress', (os) =>
    deps.store.suppress(
      owner,
      os.map((o) => ({ n: o.run.n, reason: o.reason, decisions: o.run.decisions })),
    ),
  );
  const plans = await inBatches(deps, owner, of('plan'), 'record', async (os) => {
    // The checks first (an upsert, harmless to repeat when a failed batch is retried run by run), the
    // decisions last, in one statement: a failed batch wrote none, so a retry writes them once.
    await deps.store.escalateLater(os.flatMap((o) => (o.check ? [o.check] : [])));
    await deps.store.record(
      os
        .filter((o) => o.run.decisions.length > 0)
        .map((o) => ({ notificationId: o.run.n.id, decisions: o.run.decisions })),
    );
  });
  await inBatches(deps, owner, of('join'), 'digest', (os) =>
    deps.store.digest(
      owner,
      os.map((o) => o.join),
    ),
  );
  return plans.map((o) => o.plan);
}

/** Runs `fn`; a throw fails the notification (logged) and answers null. */
async function guarded<T>(
  deps: WorkflowDeps,
  id: string,
  owner: string,
  fn: () => Promise<T>,
): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    await failed(deps, id, owner, err);
    return null;
  }
}

async function failed(deps: WorkflowDeps, id: string, owner: string, err: unknown): Promise<void> {
  deps.onError(err, 'workflow', { notificationId: id });
  await deps.fail(id, owner, `workflow failed: ${(err as Error).message}`);
}

/**
 * One write for the batch's runs; should it fail (a deadlock with another planner's batch, say), each
 * run is tried on its own, and one that fails again fails its notification. Answers the runs written.
 */
async function inBatches<O extends { run: Run }>(
  deps: WorkflowDeps,
  owner: string,
  os: readonly O[],
  what: string,
  writeAll: (os: readonly O[]) => Promise<unknown>,
): Promise<O[]> {
  if (os.length === 0) return [];
  try {
    await writeAll(os);
    return [...os];
  } catch (err) {
    if (os.length === 1) {
      await failed(deps, (os[0] as O).run.n.id, owner, err);
      return [];
    }
    deps.onError(err, `workflow ${what} batch`);
  }
  const written: O[] = [];
  for (const o of os) {
    if (await guarded(deps, o.run.n.id, owner, async () => writeAll([o]).then(() => true))) written.push(o);
  }
  return written;
}

/** A run at the step its progress says, with the recipient loaded when a step reads it. */
async function start(
  deps: WorkflowDeps,
  w: { n: NotificationToPlan; steps: readonly Step[]; ttlSeconds: number | null },
  progress: RunProgress | undefined,
): Promise<Run> {
  const { n, steps } = w;
  const from = progress?.nextStep ?? 0;
  // The recipient row only when a step reads it: a condition or template over `recipient`, a schedule.
  const reads = (source: string | undefined) =>
    source !== undefined && deps.renderer.variables(source).includes('recipient');
  const needsRecipient = steps
    .slice(from)
    .some(
      (s) =>
        (s.if !== undefined && reads(conditionTemplate(s.if))) ||
        (s.type === 'digest' && (s.at !== undefined || s.cron !== undefined || reads(s.key))) ||
        (s.type === 'throttle' && reads(s.key)) ||
        (s.type === 'delay' && reads(s.until)),
    );
  const recipient: Recipient | null = needsRecipient
    ? await deps.recipients.get(n.serviceId, n.recipientId)
    : null;
  const vars: Vars = recipient ? templateVars(n, recipient) : { ...n.data };
  const session = deps.renderer.session(n.serviceId);
  return {
    n,
    steps,
    progress,
    ttlSeconds: w.ttlSeconds,
    from,
    i: from,
    now: deps.clock.now(),
    recipient,
    render: (source) => session.render(source, vars, 'text'),
    decisions: [],
  };
}

const decide = (run: Run, s: Step, decision: StepDecision['decision'], detail = {}) =>
  run.decisions.push({ step: run.i, type: s.type, decision, at: run.now, detail });

/** Takes a run through its steps until one needs the database: a wait, a count, a digest, or the end. */
async function advance(run: Run): Promise<Outcome> {
  const { n, steps, progress, now, from } = run;
  for (; run.i < steps.length; run.i++) {
    const i = run.i;
    const step = steps[i] as Step;
    if (step.if !== undefined && (await run.render(conditionTemplate(step.if))).trim() !== '1') {
      decide(run, step, 'skipped', { if: step.if });
      continue;
    }
    if (step.type === 'delay') {
      const until = step.until === undefined ? null : await run.render(step.until);
      const end = delayEnd(step, now, until);
      if (end === null) {
        decide(run, step, 'skipped', { reason: 'until_not_a_time', until });
        continue;
      }
      if (end.getTime() <= now.getTime()) {
        decide(run, step, 'elapsed', { until: end.toISOString() });
        continue;
      }
      decide(run, step, 'waiting', { until: end.toISOString() });
      return { kind: 'hold', run, hold: { n, nextStep: i + 1, wakeAt: end, decisions: run.decisions } };
    }
    if (step.type === 'throttle') {
      const windowMs = parseDuration(step.window) ?? 3_600_000;
      const windowStart = throttleWindowStart(now, windowMs);
      const scope =
        step.key === undefined ? `recipient:${n.recipientId}` : `key:${await run.render(step.key)}`;
      const windowEnd = new Date(windowStart.getTime() + windowMs);
      return { kind: 'count', run, step, hit: { n, step: i, scope, windowStart, windowEnd } };
    }
    if (step.type === 'escalate') {
      // Stage 0 plans the first channel with any channel the escalation does not name; each later
      // stage, woken because nothing was seen or read, plans one more. A wait still set means this is
      // a re-plan of the stage before it (its planning was lost), so that stage is planned again.
      const resumed = i === from && progress !== undefined;
      const stage = resumed ? progress.stage - (progress.pending ? 1 : 0) : 0;
      const channel = step.channels[stage];
      if (channel === undefined) return { kind: 'plan', run, plan: { ...n, channels: [] } };
      const others = stage === 0 ? n.channels.filter((c) => !step.channels.includes(c)) : [];
      const next = step.channels[stage + 1];
      const checkAt = new Date(now.getTime() + (parseDuration(step.after) ?? 3_600_000));
      decide(run, step, 'escalating', {
        channel,
        stage,
        ...(next ? { next, checkAt: checkAt.toISOString() } : {}),
      });
      const plan = { ...n, channels: [...others, channel] };
      return next
        ? { kind: 'plan', run, plan, check: { n, step: i, stage: stage + 1, wakeAt: checkAt } }
        : { kind: 'plan', run, plan };
    }
    // digest
    if (n.priority === 'critical') {
      decide(run, step, 'critical_skipped');
      continue;
    }
    const key = step.key === undefined ? '' : await run.render(step.key);
    const closeAt = digestCloseAt(step, now, run.recipient?.timezone ?? null);
    decide(run, step, 'digested', { key, closeAt: closeAt.toISOString() });
    return {
      kind: 'join',
      run,
      join: {
        n,
        step: i,
        key,
        channels: n.channels,
        closeAt,
        maxItems: step.maxItems ?? null,
        now,
        decisions: run.decisions,
      },
    };
  }
  if (run.ttlSeconds !== null && now.getTime() > n.createdAt.getTime() + run.ttlSeconds * 1000) {
    // Waited past its time to live (a delay longer than the TTL): stale now, so say so instead of sending.
    return { kind: 'suppress', run, reason: 'ttl_expired' };
  }
  return { kind: 'plan', run, plan: n };
}

/** A run whose throttle step was counted: throttled, or on to its next step. */
async function counted({ run, step, hit }: Counting, place: number): Promise<Outcome> {
  const detail = {
    place,
    limit: step.limit,
    window: step.window,
    windowStart: hit.windowStart.toISOString(),
    windowEnd: hit.windowEnd.toISOString(),
    ...(step.key === undefined ? {} : { key: hit.scope.slice(4) }),
  };
  if (place > step.limit) {
    decide(run, step, 'throttled', detail);
    return { kind: 'suppress', run, reason: 'throttled' };
  }
  decide(run, step, 'passed', detail);
  run.i++;
  return advance(run);
}

/** One sweep: wake the notifications whose wait is over and close the digests whose window ended. */
export async function sweepWorkflows(
  deps: Pick<WorkflowDeps, 'store' | 'clock'>,
  limit = 1000,
): Promise<{ woken: number; closed: number }> {
  const now = deps.clock.now();
  const woken = await deps.store.wakeDue(now, limit);
  const closed = await deps.store.closeDue(now, limit);
  return { woken, closed };
}
