/**
 * Status publishers: delivery status events out to a broker (app/status-publishers.ts). The runner
 * reads the status log after its publisher's cursor, hands a batch to a sink, and moves the cursor
 * only once the broker has confirmed every message of it.
 */
import type { OutboundStatusEvent, StatusLogRow } from '../domain/status-event-message.ts';

/** A broker to publish to. A Kafka sink would be one more implementation: `publish` with `acks=all`. */
export interface StatusSink {
  /** Connects, and makes the exchange or stream when missing. */
  start(): Promise<void>;
  /**
   * Resolves only when the broker has confirmed every message (RabbitMQ publisher confirms, the
   * JetStream publish ack, the XADD reply); rejects otherwise, and the runner sends the batch again.
   */
  publish(events: OutboundStatusEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** A position in the status log: every row ordered at or before `(txid, logId)`. */
export interface LogCursor {
  txid: string;
  logId: string;
}

export interface StatusLogFilter {
  statuses: string[];
  services?: string[];
}

export interface StatusLogCursors {
  /** Makes the publisher's cursor when it has none: at the log's current end, or its beginning. */
  ensure(name: string, startAt: 'now' | 'beginning'): Promise<void>;
  /** Takes or renews the publisher's lease; its cursor, or null while another worker holds it. */
  lease(name: string, owner: string, leaseMs: number): Promise<LogCursor | null>;
  /**
   * Up to `limit` rows after the cursor, in (txid, id) order, of transactions that have all ended,
   * and `upto`: every transaction below it has ended, so once fewer than `limit` rows come back the
   * cursor may move to `(upto, 0)`.
   */
  read(after: LogCursor, filter: StatusLogFilter, limit: number): Promise<{ rows: LogRow[]; upto: string }>;
  /** Moves the cursor forward (never back), counting what was published. */
  advance(name: string, to: LogCursor, published: number): Promise<void>;
  /** Status log rows after the cursor (capped); null when the publisher has no cursor yet. */
  lag(name: string): Promise<number | null>;
}

export interface LogRow extends StatusLogRow {
  txid: string;
}

export interface PublisherMetrics {
  statusPublished(publisher: string, count: number): void;
  publisherError(publisher: string, kind: 'broker' | 'database'): void;
  publisherLag(publisher: string, read: () => Promise<number | null>): void;
}

export const noPublisherMetrics: PublisherMetrics = {
  statusPublished() {},
  publisherError() {},
  publisherLag() {},
};
