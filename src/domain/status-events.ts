/**
 * Status events a service can subscribe to with an outgoing webhook: one per reported delivery state
 * (see migration 0008, which writes them in the same transaction as the state change).
 */
export const STATUS_EVENTS = [
  'delivery.sent',
  'delivery.delivered',
  'delivery.opened',
  'delivery.clicked',
  'delivery.bounced',
  'delivery.failed',
  'delivery.dead',
  'delivery.suppressed',
] as const;

export type StatusEvent = (typeof STATUS_EVENTS)[number];

/**
 * When to try a status webhook again, after the n-th failed attempt: the schedule Standard Webhooks
 * senders commonly use, ~27 hours in all, so a receiver down over a night loses nothing. After the
 * last one the message is given up and its endpoint disabled (an operator re-enables it by API).
 */
export const DEFAULT_WEBHOOK_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** The pause before the next attempt, with up to 10 % random spread; null when the schedule is used up. */
export function nextWebhookDelay(
  failedAttempts: number,
  schedule: readonly number[],
  random: () => number,
): number | null {
  const base = schedule[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + random() * 0.1));
}
