/** Analytics arithmetic: counts per status into rates. Pure; the store sums the rollups. */
import type { Percentiles } from './latency-histogram.ts';

export const ANALYTICS_STATUSES = [
  'sent',
  'delivered',
  'failed',
  'dead',
  'suppressed',
  'bounced',
  'opened',
  'clicked',
] as const;

export type AnalyticsStatus = (typeof ANALYTICS_STATUSES)[number];
export type Counts = Record<AnalyticsStatus, number>;

export const emptyCounts = (): Counts => Object.fromEntries(ANALYTICS_STATUSES.map((s) => [s, 0])) as Counts;

export interface Rates {
  /** Sent out of every send that ended (sent, failed, dead). */
  success: number | null;
  failure: number | null;
  /** Suppressed out of everything decided (ended sends and suppressions). */
  suppressed: number | null;
  /** Delivered, opened and clicked out of sent. */
  delivered: number | null;
  opened: number | null;
  clicked: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

export function rates(c: Counts): Rates {
  const ended = c.sent + c.failed + c.dead;
  return {
    success: ratio(c.sent, ended),
    failure: ratio(c.failed + c.dead, ended),
    suppressed: ratio(c.suppressed, ended + c.suppressed),
    delivered: ratio(c.delivered, c.sent),
    opened: ratio(c.opened, c.sent),
    clicked: ratio(c.clicked, c.sent),
  };
}

export interface AnalyticsRow {
  start: Date;
  counts: Counts;
  latencyMs: Percentiles;
}
