/**
 * What a chaos run proves, computed from the database and from what the providers received:
 * nothing accepted is lost, every duplicate is explained by a lease_expired attempt, how long each
 * kill took to recover, what the API answered during each outage, and the accept-to-provider latency.
 */
import type { WebhookReceiver } from '../fakes/webhook-receiver.ts';
import type { TestSmtp } from '../helpers/smtp.ts';
import { query } from './chaos-cluster.ts';

export interface Answer {
  at: number;
  /** HTTP status; 0 for a refused connection (a killed API), -1 for no answer in 15 s. */
  status: number;
}

export interface Window {
  name: string;
  /** A dependency's outage, or an API process killed until it is back. */
  kind: 'outage' | 'kill';
  start: number;
  end: number;
}

export interface KillRecord {
  member: string;
  at: number;
  /** Deliveries and plans the killed worker held at its death. */
  held: number;
  /** Kill to the restarted process being ready. */
  restartMs: number | undefined;
  /** Kill to the moment the dead worker held nothing any more (its work handed back). */
  recoveredMs: number | undefined;
}

const FINAL = new Set(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'suppressed', 'failed', 'dead']);

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function byStatus(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[String(a.status)] = (out[String(a.status)] ?? 0) + 1;
  return out;
}

export type ChaosReport = Awaited<ReturnType<typeof buildReport>>;

export async function buildReport(input: {
  url: string;
  accepted: Map<string, { id: string; at: number; kind: string }>;
  answers: Answer[];
  windows: Window[];
  kills: KillRecord[];
  receiver: WebhookReceiver;
  smtp: TestSmtp;
  startedAt: number;
  options: { durationMs: number; ratePerSecond: number; failRate: number };
}) {
  const { url, accepted, windows } = input;
  const stored = new Set((await query<{ id: string }>(url, 'select id from notifications')).map((r) => r.id));
  const acceptedIds = [...accepted.values()];
  const missing = acceptedIds.filter((a) => !stored.has(a.id)).length;
  const deliveries = await query<{
    id: string;
    notification_id: string;
    channel: string;
    status: string;
    reason: string | null;
    sent_at: Date | null;
    lease_expired: number;
  }>(
    url,
    `select d.id, d.notification_id, d.channel, d.status, d.reason, d.sent_at,
            (select count(*)::int from delivery_attempts a
              where a.delivery_id = d.id and a.outcome = 'lease_expired') as lease_expired
       from deliveries d`,
  );
  const statuses: Record<string, number> = {};
  for (const d of deliveries) statuses[d.status] = (statuses[d.status] ?? 0) + 1;
  const notFinal = deliveries.filter((d) => !FINAL.has(d.status)).length;
  const unplanned = Number(
    (
      await query<{ n: string }>(
        url,
        `select count(*) as n from notifications where plan_status not in ('planned', 'failed')`,
      )
    )[0]?.n,
  );

  // What each provider received, by delivery id, with arrival times.
  const arrivals = new Map<string, number[]>();
  const arrive = (id: string, at: number) => arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
  for (const r of input.receiver.receipts) arrive(r.id, r.at);
  input.smtp.messages.forEach((m, i) => {
    const id = /^<([^@]+)@herald>$/.exec(m.messageId ?? '')?.[1];
    if (id) arrive(id, input.smtp.arrivals[i] ?? 0);
  });
  const external = deliveries.filter((d) => d.channel !== 'in_app');
  const sentNotReceived = external.filter((d) => d.status === 'sent' && !arrivals.has(d.id)).length;
  const known = new Set(deliveries.map((d) => d.id));
  const phantom = [...arrivals.keys()].filter((id) => !known.has(id)).length;
  let duplicateExtra = 0;
  let unexplained = 0;
  const leaseExpired = deliveries.reduce((n, d) => n + d.lease_expired, 0);
  for (const d of external) {
    const extra = (arrivals.get(d.id)?.length ?? 0) - 1;
    if (extra <= 0) continue;
    duplicateExtra += extra;
    if (extra > d.lease_expired) unexplained += extra - d.lease_expired;
  }

  // Accept-to-provider latency, for notifications accepted away from the database and Redis outages.
  const acceptedAt = new Map(acceptedIds.map((a) => [a.id, a]));
  const inOutage = (t: number) =>
    windows.some((w) => w.kind === 'outage' && t >= w.start - 2000 && t <= (w.end || Infinity) + 10_000);
  const latencies: Record<string, number[]> = { single: [], list: [], topic: [] };
  for (const d of deliveries) {
    const a = acceptedAt.get(d.notification_id);
    if (!a || inOutage(a.at)) continue;
    const first = d.channel === 'in_app' ? d.sent_at?.getTime() : arrivals.get(d.id)?.[0];
    if (first === undefined) continue;
    latencies[a.kind]?.push(first - a.at);
  }
  const latency = Object.fromEntries(
    Object.entries(latencies).map(([kind, xs]) => {
      const sorted = xs.sort((x, y) => x - y);
      return [kind, { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) }];
    }),
  );

  const outside = input.answers.filter((a) => !windows.some((w) => a.at >= w.start && a.at <= w.end));
  const workerKills = input.kills.filter((k) => k.member.startsWith('worker'));
  const recovered = workerKills.flatMap((k) => (k.recoveredMs === undefined ? [] : [k.recoveredMs]));
  const restarts = input.kills.flatMap((k) => (k.restartMs === undefined ? [] : [k.restartMs]));
  return {
    options: input.options,
    seconds: Math.round((Date.now() - input.startedAt) / 1000),
    notifications: { accepted: accepted.size, stored: stored.size, missing, unplanned },
    deliveries: { total: deliveries.length, byStatus: statuses, notFinal, sentNotReceived, phantom },
    lost: missing + unplanned + notFinal + sentNotReceived,
    duplicates: { extra: duplicateExtra, unexplained, leaseExpiredAttempts: leaseExpired },
    kills: {
      count: input.kills.length,
      workers: workerKills.length,
      restartMs: {
        max: Math.max(0, ...restarts),
        p50: percentile(
          [...restarts].sort((x, y) => x - y),
          50,
        ),
      },
      recoveryMs: {
        max: Math.max(0, ...recovered),
        p50: percentile(
          [...recovered].sort((x, y) => x - y),
          50,
        ),
        notRecovered: workerKills.length - recovered.length,
      },
      each: input.kills.map((k) => ({
        member: k.member,
        atS: Math.round((k.at - input.startedAt) / 100) / 10,
        held: k.held,
        restartMs: k.restartMs,
        recoveredMs: k.recoveredMs,
      })),
    },
    outages: windows.map((w) => {
      const during = input.answers.filter((a) => a.at >= w.start && a.at <= w.end);
      return { name: w.name, ms: w.end - w.start, requests: during.length, byStatus: byStatus(during) };
    }),
    outsideOutages: { requests: outside.length, byStatus: byStatus(outside) },
    latencyMs: latency,
  };
}
