/**
 * Status publishers in the config file (`publishers: [...]`): brokers Herald publishes its delivery
 * status events to, with which events and services, and where on the broker. See docs/events.md.
 */
import { Type, type Static } from 'typebox';
import { STATUS_EVENTS } from './domain/status-events.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A routing key or subject: text with `{event}`, `{service}` and `{channel}` put in per event. */
const AddressTemplate = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s]+$' });

const Common = {
  /** Names the publisher in metrics and logs, and keys its cursor in the database. */
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' }),
  /** The status events to publish; every one otherwise. */
  events: Type.Array(Type.Enum(STATUS_EVENTS), {
    minItems: 1,
    default: [...STATUS_EVENTS],
  }),
  /** Only these services' events (ids); every service's otherwise. */
  services: Type.Optional(Type.Array(Type.String({ pattern: UUID }), { minItems: 1 })),
  /** Events published and confirmed per round. */
  batch: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  /** Pause between rounds when there was nothing (more) to publish. */
  pollMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  /** How long a broker may take to confirm one batch before the batch is tried again. */
  confirmTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  /**
   * Where a publisher seen for the first time starts: at the status changes from now on, or at the
   * oldest still in the status log.
   */
  startAt: Type.Union([Type.Literal('now'), Type.Literal('beginning')], { default: 'now' }),
};

export const RabbitMqPublisher = Type.Object(
  {
    broker: Type.Literal('rabbitmq'),
    url: Type.String({ pattern: '^amqps?://' }),
    /** Declared durable, of this type, when missing. */
    exchange: Type.String({ minLength: 1, maxLength: 255 }),
    exchangeType: Type.Union([Type.Literal('topic'), Type.Literal('direct'), Type.Literal('fanout')], {
      default: 'topic',
    }),
    routingKey: Type.String({ ...AddressTemplate, default: '{event}' }),
    ...Common,
  },
  { additionalProperties: false },
);

export const NatsPublisher = Type.Object(
  {
    broker: Type.Literal('nats'),
    servers: Type.Union([
      Type.String({ minLength: 1 }),
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    ]),
    subject: Type.String({ ...AddressTemplate, default: 'herald.{event}' }),
    /** The JetStream stream that stores the subjects; made (file storage) with `subjects` when missing. */
    stream: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s.*>]+$' }),
    subjects: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['herald.>'] }),
    ...Common,
  },
  { additionalProperties: false },
);

export const RedisPublisher = Type.Object(
  {
    broker: Type.Literal('redis'),
    url: Type.String({ pattern: '^rediss?://' }),
    stream: Type.String({ ...AddressTemplate, default: 'herald:status' }),
    /** Trims the stream to about this many entries (`MAXLEN ~`); unbounded otherwise. */
    maxLen: Type.Optional(Type.Integer({ minimum: 1 })),
    ...Common,
  },
  { additionalProperties: false },
);

export const PublisherConfig = Type.Union([RabbitMqPublisher, NatsPublisher, RedisPublisher]);
export type PublisherConfig = Static<typeof PublisherConfig>;
export type RabbitMqPublisherConfig = Static<typeof RabbitMqPublisher>;
export type NatsPublisherConfig = Static<typeof NatsPublisher>;
export type RedisPublisherConfig = Static<typeof RedisPublisher>;

/** What the schema cannot say: names unique. */
export function publisherProblems(publishers: PublisherConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of publishers) {
    if (seen.has(p.name)) problems.push(`Publisher name '${p.name}' is used twice; names must be unique.`);
    seen.add(p.name);
  }
  return problems;
}
