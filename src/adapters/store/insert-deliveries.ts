/**
 * Writing planned deliveries, for the planner (many notifications per transaction) and for broadcasts
 * (one notification, a batch of recipients). One set-based statement whatever the size: each column
 * travels as one JSON array parameter (stringified natively: pg's array encoding escaped every element
 * in JavaScript, a quarter of the write's client CPU) and `unnest` turns them back into rows, so there
 * is no bind-parameter limit to chunk around, and it runs the same on PGlite and PostgreSQL. What rows
 * share is sent once: the notification's columns by index, and each distinct content or template JSON
 * (a broadcast's content rendered the same for everyone is one element, parsed once). A re-run after a crash adds
 * nothing: (notification, recipient, channel, target) is unique. The lanes of queued channels are
 * woken when the transaction commits.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { PRIORITY_RANK, type NotificationToPlan, type PlannedDelivery } from '../../domain/types.ts';
import type { Channel } from '../../domain/channels.ts';
import { laneTopic } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { DB } from './db.ts';

/** Column arrays for `unnest`, one element per delivery; JSON values by index into `json`. */
interface Columns {
  id: string[];
  /** 1-based index into the notification arrays. */
  n: number[];
  recipient: string[];
  channel: string[];
  address: (string | null)[];
  status: string[];
  /** 1-based index into `json`. */
  content: number[];
  reason: (string | null)[];
  error: (string | null)[];
  notBefore: (string | null)[];
  target: string[];
  template: (number | null)[];
}

/** Deliveries written already leased to `owner` (`sending`, first attempt counted), as a claim leaves them. */
export interface InsertLease {
  owner: string;
  leaseMs: number;
  /** Ids of queued deliveries to write leased. */
  ids: ReadonlySet<string>;
}

function columnsOf(
  planned: readonly { n: NotificationToPlan; deliveries: readonly PlannedDelivery[] }[],
  lease?: InsertLease,
) {
  const json: string[] = [];
  const jsonIndex = new Map<string, number>();
  const intern = (value: unknown): number => {
    const text = JSON.stringify(value);
    let i = jsonIndex.get(text);
    if (i === undefined) {
      i = json.push(text);
      jsonIndex.set(text, i);
    }
    return i;
  };
  const cols: Columns = {
    id: [],
    n: [],
    recipient: [],
    channel: [],
    address: [],
    status: [],
    content: [],
    reason: [],
    error: [],
    notBefore: [],
    target: [],
    template: [],
  };
  const lanes = new Set<Channel>();
  planned.forEach(({ deliveries }, i) => {
    for (const d of deliveries) {
      cols.id.push(d.id);
      cols.n.push(i + 1);
      cols.recipient.push(d.recipientId);
      cols.channel.push(d.channel);
      cols.address.push(d.address);
      const leased = d.status === 'queued' && lease?.ids.has(d.id) === true;
      cols.status.push(leased ? 'sending' : d.status);
      cols.content.push(intern(d.content));
      cols.reason.push(d.reason);
      cols.error.push(d.errorMessage ?? null);
      cols.notBefore.push(d.notBefore?.toISOString() ?? null);
      cols.target.push(d.target ?? '');
      cols.template.push(d.template ? intern(d.template) : null);
      // A leased row's lane is handed it directly; only rows left queued need a lane woken.
      if (d.status === 'queued' && !leased) lanes.add(d.channel);
    }
  });
  return { cols, json, lanes };
}

/**
 * The INSERT of `planned`'s deliveries as one statement (to run alone or as a CTE), and the lanes
 * that have queued rows in it. `onlyFor`, when given, is a query of notification ids: deliveries of
 * other notifications are left out (the planner passes the notifications it still holds).
 */
export function deliveriesInsert(
  planned: readonly { n: NotificationToPlan; deliveries: readonly PlannedDelivery[] }[],
  /** Broadcast deliveries, claimed after interactive ones. */
  bulk: boolean,
  onlyFor?: RawBuilder<unknown>,
  /** Writes these queued deliveries leased and returns them (the claimed columns) from the statement. */
  lease?: InsertLease,
): { statement: RawBuilder<unknown> | null; lanes: Set<Channel> } {
  const { cols: c, json, lanes } = columnsOf(planned, lease);
  if (c.id.length === 0) return { statement: null, lanes };
  const guard = onlyFor ? sql`where k.notification[x.n] in (${onlyFor})` : sql``;
  const leaseColumns = lease ? sql`, lease_owner, lease_expires_at, attempts` : sql``;
  const leaseValues = lease
    ? sql`, case when x.status = 'sending' then ${lease.owner}::text end,
          case when x.status = 'sending' then now() + ${lease.leaseMs} * interval '1 millisecond' end,
          case when x.status = 'sending' then 1 else 0 end`
    : sql``;
  const returning = lease
    ? sql`returning id, notification_id, service_id, recipient_id, channel, address, target, content,
                priority, attempts, created_at, replayed_at, status`
    : sql``;
  // Each column travels as one JSON array (one native stringify, nothing escaped element by element
  // into an array literal in JavaScript) and is turned back into an array once per statement; the
  // distinct JSON values go as one JSON array of their own, picked by position.
  const col = (values: readonly unknown[], type: string) =>
    sql`array(select e from jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)
                          with ordinality as t(e, i) order by i)::${sql.raw(type)}[]`;
  const statement = sql`
    insert into deliveries (id, notification_id, service_id, recipient_id, channel, address, status,
                            priority, content, reason, last_error_code, last_error_message,
                            next_attempt_at, target, template, bulk${leaseColumns})
    select x.id, k.notification[x.n], k.service[x.n], x.recipient, x.channel, x.address, x.status,
           k.priority[x.n], k.json -> (x.content - 1), x.reason,
           case when x.status = 'failed' then x.reason end, x.error, coalesce(x.not_before, now()),
           x.target, k.json -> (x.template - 1), ${bulk}${leaseValues}
      from (select ${planned.map((p) => p.n.id)}::uuid[] as notification,
                   ${planned.map((p) => p.n.serviceId)}::uuid[] as service,
                   ${planned.map((p) => PRIORITY_RANK[p.n.priority])}::int[] as priority,
                   ${`[${json.join(',')}]`}::jsonb as json) k,
           unnest(${col(c.id, 'uuid')}, ${col(c.n, 'int')}, ${col(c.recipient, 'text')},
                  ${col(c.channel, 'text')}, ${col(c.address, 'text')}, ${col(c.status, 'text')},
                  ${col(c.content, 'int')}, ${col(c.reason, 'text')}, ${col(c.error, 'text')},
                  ${col(c.notBefore, 'timestamptz')}, ${col(c.target, 'text')}, ${col(c.template, 'int')})
           as x(id, n, recipient, channel, address, status, content, reason, error, not_before, target,
                template)
      ${guard}
    on conflict (notification_id, recipient_id, channel, target) do nothing
    ${returning}`;
  return { statement, lanes };
}

/** Wake-ups for the lanes that have new queued rows, sent when the transaction commits. */
export function laneWakes(lanes: ReadonlySet<Channel>): string[] {
  return [...lanes].map(laneTopic);
}

export async function insertDeliveries(
  tx: Transaction<DB>,
  planned: readonly { n: NotificationToPlan; deliveries: readonly PlannedDelivery[] }[],
  /** Broadcast deliveries, claimed after interactive ones. */
  bulk: boolean,
): Promise<void> {
  const { statement, lanes } = deliveriesInsert(planned, bulk);
  if (!statement) return;
  await statement.execute(tx);
  const wakes = laneWakes(lanes);
  if (wakes.length > 0) {
    await sql`select pg_notify(${WAKE_CHANNEL}, w) from unnest(${wakes}::text[]) w`.execute(tx);
  }
}
