/** Analytics rollups: delivery counts per hour, by channel, type or provider. */
import type { Counts } from '../domain/analytics.ts';

export type AnalyticsDimension = 'channel' | 'type' | 'provider';

export interface AnalyticsQuery {
  serviceId: string;
  from: Date;
  to: Date;
  interval: 'hour' | 'day';
  groupBy?: AnalyticsDimension | undefined;
}

export interface AnalyticsCell {
  start: Date;
  /** The group's value ('' for no provider); 'all' without a groupBy. */
  key: string;
  counts: Counts;
  /** Latency histogram slots for accept-to-sent. */
  latency: Map<number, number>;
}

export interface AnalyticsStore {
  /** Folds status changes committed since the last run into the rollups; returns how many it read. */
  rollUp(): Promise<number>;
  query(q: AnalyticsQuery): Promise<AnalyticsCell[]>;
}
