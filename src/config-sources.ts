/**
 * Broker sources in the config file (`sources: [...]`): where each reads from, the service its events
 * belong to, and where in a message the event name and id are. See docs/events.md.
 */
import { Type, type Static } from 'typebox';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * Where a value is read from a message: a header (for Redis Streams, an entry field), a field of the
 * JSON body (a JSON Pointer), or the message's address (routing key, subject, stream key). `value`
 * is a constant, for a queue that carries one kind of event.
 */
export const MessageValue = Type.Union([
  Type.Object({ header: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
  Type.Object({ field: Type.String({ pattern: '^(/.*)?$' }) }, { additionalProperties: false }),
  Type.Object({ address: Type.Literal(true) }, { additionalProperties: false }),
  Type.Object({ value: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
]);
export type MessageValue = Static<typeof MessageValue>;

const Common = {
  /** Names the source in metrics, logs and dead events. */
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' }),
  /** The service (its id) the events belong to; its trigger rules expand them. */
  service: Type.String({ pattern: UUID }),
  eventName: MessageValue,
  eventId: MessageValue,
  /** The payload: the whole JSON body, or the object at this JSON Pointer in it. */
  payload: Type.Optional(Type.String({ pattern: '^(/.*)?$' })),
  /** Messages held unacknowledged at once (prefetch, fetch or read size). */
  batch: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /** Bytes of an unreadable message kept with its dead event. */
  maxRawBytes: Type.Integer({ minimum: 0, maximum: 1024 * 1024, default: 64 * 1024 }),
};

export const RabbitMqSource = Type.Object(
  {
    broker: Type.Literal('rabbitmq'),
    url: Type.String({ pattern: '^amqps?://' }),
    /** Declared durable when missing. */
    queue: Type.String({ minLength: 1, maxLength: 255 }),
    /** Optional binding made at start: the exchange (declared as `topic` when missing) and its keys. */
    bind: Type.Optional(
      Type.Object(
        {
          exchange: Type.String({ minLength: 1, maxLength: 255 }),
          routingKeys: Type.Array(Type.String({ maxLength: 255 }), { minItems: 1, default: ['#'] }),
        },
        { additionalProperties: false },
      ),
    ),
    ...Common,
  },
  { additionalProperties: false },
);

export const NatsSource = Type.Object(
  {
    broker: Type.Literal('nats'),
    servers: Type.Union([
      Type.String({ minLength: 1 }),
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    ]),
    /** The JetStream stream; made (file storage) with `subjects` when missing. */
    stream: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s.*>]+$' }),
    subjects: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** The durable pull consumer; made when missing, filtered to `subjects`. */
    durable: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s.*>]+$' }),
    /** How long a message may stay unacknowledged before JetStream redelivers it. */
    ackWaitMs: Type.Integer({ minimum: 1000, default: 30_000 }),
    ...Common,
  },
  { additionalProperties: false },
);

export const RedisSource = Type.Object(
  {
    broker: Type.Literal('redis'),
    url: Type.String({ pattern: '^rediss?://' }),
    stream: Type.String({ minLength: 1 }),
    /** The consumer group; made (from the stream's start) when missing. */
    group: Type.String({ minLength: 1 }),
    /** This process's consumer name in the group; the host name and process id otherwise. */
    consumer: Type.Optional(Type.String({ minLength: 1 })),
    /** The entry field that holds the JSON body; the other fields are the message's headers. */
    bodyField: Type.String({ minLength: 1, default: 'body' }),
    /** A message another consumer has held unacknowledged this long is claimed (XAUTOCLAIM). */
    claimIdleMs: Type.Integer({ minimum: 100, default: 60_000 }),
    ...Common,
  },
  { additionalProperties: false },
);

export const SourceConfig = Type.Union([RabbitMqSource, NatsSource, RedisSource]);
export type SourceConfig = Static<typeof SourceConfig>;
export type RabbitMqSourceConfig = Static<typeof RabbitMqSource>;
export type NatsSourceConfig = Static<typeof NatsSource>;
export type RedisSourceConfig = Static<typeof RedisSource>;

/** What the schema cannot say: names unique. */
export function sourceProblems(sources: SourceConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) problems.push(`Source name '${s.name}' is used twice; names must be unique.`);
    seen.add(s.name);
  }
  return problems;
}
