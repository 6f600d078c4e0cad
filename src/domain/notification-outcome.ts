/**
 * What became of a notification once nothing more will happen to it, from its deliveries' states.
 * `status: completed` only says every delivery reached a final state; a notification whose only
 * delivery is dead is complete too. The outcome says whether anything got through:
 *
 *   delivered            every delivery that was tried got through (suppressed ones aside)
 *   partly_delivered     some got through, some failed, bounced or died
 *   undelivered          none got through and at least one failed, bounced or died
 *   suppressed           nothing was tried: every delivery was suppressed or cancelled
 *
 * `null` while any delivery is still on its way, and for a notification with no deliveries yet.
 */
import { FINAL_STATES, type DeliveryState } from './delivery-states.ts';

export type NotificationOutcome = 'delivered' | 'partly_delivered' | 'undelivered' | 'suppressed';

export const NOTIFICATION_OUTCOMES: readonly NotificationOutcome[] = [
  'delivered',
  'partly_delivered',
  'undelivered',
  'suppressed',
];

const GOT_THROUGH: ReadonlySet<DeliveryState> = new Set(['sent', 'delivered', 'opened', 'clicked']);
const LOST: ReadonlySet<DeliveryState> = new Set(['failed', 'bounced', 'dead']);

/** `counts`: how many deliveries are in each state (states with 0 or absent count for nothing). */
export function notificationOutcome(
  counts: Partial<Record<DeliveryState, number>>,
): NotificationOutcome | null {
  let through = 0;
  let lost = 0;
  let any = 0;
  for (const [state, n] of Object.entries(counts) as [DeliveryState, number][]) {
    if (!n) continue;
    if (!FINAL_STATES.has(state)) return null;
    any += n;
    if (GOT_THROUGH.has(state)) through += n;
    else if (LOST.has(state)) lost += n;
  }
  if (any === 0) return null;
  if (lost === 0) return through > 0 ? 'delivered' : 'suppressed';
  return through > 0 ? 'partly_delivered' : 'undelivered';
}

/** Counts by state from a list of deliveries. */
export function countByState(states: Iterable<DeliveryState>): Partial<Record<DeliveryState, number>> {
  const counts: Partial<Record<DeliveryState, number>> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
