/**
 * NATS JetStream status sink: each event is published with its id as `Nats-Msg-Id`, so the stream
 * itself drops a copy sent again within its duplicate window (two minutes by default), and a batch
 * counts as sent only when every publish ack has come back (the message is stored in the stream).
 * The stream is made with file storage and `subjects` when missing. The client reconnects by itself;
 * a publish that gets no ack in time fails the batch, which is sent again.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { NatsPublisherConfig } from '../../config-publishers.ts';
import type { StatusSink } from '../../ports/status-publisher.ts';
import { ensureStream } from '../nats/ensure-stream.ts';
import { withinMs } from './confirm-timeout.ts';

export function natsJetStreamSink(c: NatsPublisherConfig): StatusSink {
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let streamReady = false;

  const prepare = async (conn: NatsConnection) => {
    await ensureStream(await jetstreamManager(conn), { name: c.stream, subjects: c.subjects });
    streamReady = true;
  };

  return {
    async start() {
      nc = await connect({
        servers: c.servers,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        name: `herald-publisher-${c.name}`,
      });
      await prepare(nc);
      js = jetstream(nc, { timeout: c.confirmTimeoutMs });
    },
    async publish(events) {
      if (!nc || !js) throw new Error('NATS publisher not started');
      if (!streamReady) await prepare(nc);
      const client = js;
      const acks = events.map((e) => {
        const h = headers();
        h.set('herald-event-type', e.type);
        h.set('herald-service-id', e.serviceId);
        return client.publish(e.address, e.body, { msgID: e.id, headers: h, timeout: c.confirmTimeoutMs });
      });
      try {
        await withinMs(c.confirmTimeoutMs + 1000, 'JetStream publish acks', Promise.all(acks));
      } catch (err) {
        // A stream lost with a server that kept no data is made again before the next try.
        if (/no responders|stream not found/i.test(String((err as Error).message))) streamReady = false;
        throw err;
      }
    },
    async close() {
      await nc?.drain().catch(() => nc?.close());
    },
  };
}
