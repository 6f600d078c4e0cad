/**
 * A broker subscription, as the event-source runner sees it (app/event-sources.ts). A source only
 * moves bytes: the runner reads each message, makes it durable in PostgreSQL, and only then acks.
 * A Kafka source would be one more implementation: `pull` hands over a fetched batch, `ack` commits
 * the offsets after it.
 */

/** One raw message as the broker handed it over. */
export interface SourceMessage {
  body: Uint8Array;
  headers: Record<string, string>;
  /** Routing key (RabbitMQ), subject (NATS), stream key (Redis). */
  address: string;
}

export interface EventSource {
  /** Connects, and makes the queue, consumer or group the source reads from when it is missing. */
  start(): Promise<void>;
  /**
   * Up to `max` messages, or none after about `waitMs`. Never holds more than `max` unacknowledged
   * messages in memory. A lost connection is the source's to re-establish: `pull` then returns none.
   */
  pull(max: number, waitMs: number): Promise<SourceMessage[]>;
  /** Called only once the messages' events are durable. */
  ack(messages: SourceMessage[]): Promise<void>;
  /** Messages the broker holds that this source has not yet acknowledged; null when unknown. */
  lag(): Promise<number | null>;
  close(): Promise<void>;
}

/** What the runner reports, for /metrics. */
export interface SourceMetrics {
  sourceMessages(source: string, outcome: 'accepted' | 'replayed' | 'dead', count: number): void;
  sourceError(source: string, kind: 'broker' | 'database'): void;
  /** Registers the lag reader the scrape calls. */
  sourceLag(source: string, read: () => Promise<number | null>): void;
}

export const noSourceMetrics: SourceMetrics = {
  sourceMessages() {},
  sourceError() {},
  sourceLag() {},
};
