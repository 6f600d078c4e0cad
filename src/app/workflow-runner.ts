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
} from '../domain/workflow-steps.ts';
import type { Clock } from '../ports/clock.ts';
import type { NotificationTypeStore } from '../ports/preferences-store.ts';
import type { RecipientStore } from '../ports/store.ts';
import type { DigestJoin, RunProgress, WorkflowStore } from '../ports/workflow-store.ts';
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

/** Runs the steps of each notification; answers the ones that go on to be planned as usual. */
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
  const planned = [...plain];
  const joins: DigestJoin[] = [];
  for (const { n, steps, ttlSeconds } of withSteps) {
    try {
      const next = await runOne(deps, n, steps, progress.get(n.id), owner, ttlSeconds);
      if (next && 'join' in next) joins.push(next.join);
      else if (next) planned.push(next.plan);
    } catch (err) {
      await failed(deps, n.id, owner, err);
    }
  }
  await joinDigests(deps, joins, owner);
  return planned;
}

async function failed(deps: WorkflowDeps, id: string, owner: string, err: unknown): Promise<void> {
  deps.onError(err, 'workflow', { notificationId: id });
  await deps.fail(id, owner, `workflow failed: ${(err as Error).message}`);
}

/**
 * The batch's digest joins in one transaction; should it fail (a deadlock with another planner's
 * batch, say), each join is tried on its own so one bad event fails only itself.
 */
async function joinDigests(deps: WorkflowDeps, joins: readonly DigestJoin[], owner: string): Promise<void> {
  if (joins.length === 0) return;
  try {
    await deps.store.digest(owner, joins);
    return;
  } catch (err) {
    if (joins.length === 1) return failed(deps, (joins[0] as DigestJoin).n.id, owner, err);
    deps.onError(err, 'workflow digest batch');
  }
  for (const join of joins) {
    try {
      await deps.store.digest(owner, [join]);
    } catch (err) {
      await failed(deps, join.n.id, owner, err);
    }
  }
}

/**
 * The notification to plan (an escalation narrows its channels to the current stage's), its digest
 * join (made with the batch's others), or null when a step ended its planning here.
 */
async function runOne(
  deps: WorkflowDeps,
  n: NotificationToPlan,
  steps: readonly Step[],
  progress: RunProgress | undefined,
  owner: string,
  ttlSeconds: number | null,
): Promise<{ plan: NotificationToPlan } | { join: DigestJoin } | null> {
  const from = progress?.nextStep ?? 0;
  const now = deps.clock.now();
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
  const render = (source: string) => session.render(source, vars, 'text');
  const decisions: StepDecision[] = [];
  const decide = (step: number, s: Step, decision: StepDecision['decision'], detail = {}) =>
    decisions.push({ step, type: s.type, decision, at: now, detail });

  for (let i = from; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.if !== undefined && (await render(conditionTemplate(step.if))).trim() !== '1') {
      decide(i, step, 'skipped', { if: step.if });
      continue;
    }
    if (step.type === 'delay') {
      const until = step.until === undefined ? null : await render(step.until);
      const end = delayEnd(step, now, until);
      if (end === null) {
        decide(i, step, 'skipped', { reason: 'until_not_a_time', until });
        continue;
      }
      if (end.getTime() <= now.getTime()) {
        decide(i, step, 'elapsed', { until: end.toISOString() });
        continue;
      }
      decide(i, step, 'waiting', { until: end.toISOString() });
      await deps.store.hold(n, owner, i + 1, end, decisions);
      return null;
    }
    if (step.type === 'throttle') {
      const windowMs = parseDuration(step.window) ?? 3_600_000;
      const windowStart = throttleWindowStart(now, windowMs);
      const scope = step.key === undefined ? `recipient:${n.recipientId}` : `key:${await render(step.key)}`;
      const windowEnd = new Date(windowStart.getTime() + windowMs);
      const place = await deps.store.throttle(n, i, scope, windowStart, windowEnd);
      const detail = {
        place,
        limit: step.limit,
        window: step.window,
        windowStart: windowStart.toISOString(),
        windowEnd: windowEnd.toISOString(),
        ...(step.key === undefined ? {} : { key: scope.slice(4) }),
      };
      if (place > step.limit) {
        decide(i, step, 'throttled', detail);
        await deps.store.suppress(n, owner, 'throttled', decisions);
        return null;
      }
      decide(i, step, 'passed', detail);
      continue;
    }
    if (step.type === 'escalate') {
      // Stage 0 plans the first channel with any channel the escalation does not name; each later
      // stage, woken because nothing was seen or read, plans one more. A wait still set means this is
      // a re-plan of the stage before it (its planning was lost), so that stage is planned again.
      const resumed = i === from && progress !== undefined;
      const stage = resumed ? progress.stage - (progress.pending ? 1 : 0) : 0;
      const channel = step.channels[stage];
      if (channel === undefined) {
        await deps.store.record(n.id, decisions);
        return { plan: { ...n, channels: [] } };
      }
      const others = stage === 0 ? n.channels.filter((c) => !step.channels.includes(c)) : [];
      const next = step.channels[stage + 1];
      const checkAt = new Date(now.getTime() + (parseDuration(step.after) ?? 3_600_000));
      decide(i, step, 'escalating', {
        channel,
        stage,
        ...(next ? { next, checkAt: checkAt.toISOString() } : {}),
      });
      if (next) await deps.store.escalateLater(n, i, stage + 1, checkAt);
      await deps.store.record(n.id, decisions);
      return { plan: { ...n, channels: [...others, channel] } };
    }
    // digest
    if (n.priority === 'critical') {
      decide(i, step, 'critical_skipped');
      continue;
    }
    const key = step.key === undefined ? '' : await render(step.key);
    const closeAt = digestCloseAt(step, now, recipient?.timezone ?? null);
    decide(i, step, 'digested', { key, closeAt: closeAt.toISOString() });
    return {
      join: {
        n,
        step: i,
        key,
        channels: n.channels,
        closeAt,
        maxItems: step.maxItems ?? null,
        now,
        decisions,
      },
    };
  }
  if (ttlSeconds !== null && now.getTime() > n.createdAt.getTime() + ttlSeconds * 1000) {
    // Waited past its time to live (a delay longer than the TTL): stale now, so say so instead of sending.
    await deps.store.suppress(n, owner, 'ttl_expired', decisions);
    return null;
  }
  await deps.store.record(n.id, decisions);
  return { plan: n };
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
