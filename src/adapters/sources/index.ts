/** One factory per broker: a Kafka source would be one more module and one more line here. */
import type { SourceConfig } from '../../config-sources.ts';
import type { EventSource } from '../../ports/event-source.ts';
import { natsJetStreamSource } from './nats-jetstream.ts';
import { rabbitMqSource } from './rabbitmq.ts';
import { redisStreamSource } from './redis-streams.ts';

export function createEventSource(c: SourceConfig): EventSource {
  switch (c.broker) {
    case 'rabbitmq':
      return rabbitMqSource(c);
    case 'nats':
      return natsJetStreamSource(c);
    case 'redis':
      return redisStreamSource(c);
  }
}
