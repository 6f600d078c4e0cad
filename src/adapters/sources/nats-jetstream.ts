/**
 * NATS JetStream source: a durable pull consumer with explicit acks. The consumer's stored position
 * is where a restarted Herald (or a restarted NATS server) resumes; a message not acked within
 * `ackWaitMs` is redelivered. Acks are confirmed by the server (`ackAck`). The stream and the durable
 * consumer are made when missing. The runner pulls the next batch while it stores the one before
 * (app/event-sources.ts), so a fetch is nearly always waiting: a message whose ack wait ran out would
 * come straight back to it while its first copy is still being stored. So every third of the ack
 * wait, messages still held are marked in progress (`+WPI`), which restarts their ack wait; a
 * process that dies stops doing so, and its messages come again after one ack wait.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsSourceConfig } from '../../config-sources.ts';
import { ensureStream } from '../nats/ensure-stream.ts';
import type { EventSource, SourceMessage } from '../../ports/event-source.ts';

const nanos = (ms: number) => ms * 1_000_000;

export function natsJetStreamSource(c: NatsSourceConfig): EventSource {
  let nc: NatsConnection | undefined;
  let consumer: Consumer | undefined;
  const held = new WeakMap<SourceMessage, JsMsg>();
  const unacked = new Set<JsMsg>();
  let progress: NodeJS.Timeout | undefined;

  const ensure = async (conn: NatsConnection) => {
    const jsm = await jetstreamManager(conn);
    await ensureStream(jsm, { name: c.stream, subjects: c.subjects });
    await jsm.consumers.info(c.stream, c.durable).catch(async () => {
      await jsm.consumers.add(c.stream, {
        durable_name: c.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(c.ackWaitMs),
        ...(c.subjects.length === 1 ? { filter_subject: c.subjects[0] } : { filter_subjects: c.subjects }),
      });
    });
    consumer = await jetstream(conn).consumers.get(c.stream, c.durable);
  };

  return {
    async start() {
      nc = await connect({
        servers: c.servers,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        name: `herald-source-${c.name}`,
      });
      await ensure(nc);
      progress = setInterval(
        () => {
          for (const m of unacked) m.working();
        },
        Math.max(100, Math.floor(c.ackWaitMs / 3)),
      );
      progress.unref();
    },
    async pull(max, waitMs) {
      if (!nc || !consumer) throw new Error('NATS source not started');
      const out: SourceMessage[] = [];
      const batch = await consumer.fetch({ max_messages: max, expires: Math.max(1000, waitMs) });
      for await (const m of batch) {
        const headers: Record<string, string> = {};
        if (m.headers) for (const k of m.headers.keys()) headers[k] = m.headers.get(k);
        const message: SourceMessage = { body: m.data, headers, address: m.subject };
        held.set(message, m);
        unacked.add(m);
        out.push(message);
        if (out.length >= max) break;
      }
      return out;
    },
    async ack(messages) {
      const toAck: JsMsg[] = [];
      for (const m of messages) {
        const jsMsg = held.get(m);
        if (!jsMsg) continue;
        unacked.delete(jsMsg);
        toAck.push(jsMsg);
      }
      const last = toAck.pop();
      if (!last) return;
      // JetStream has no ack of many for an explicit-ack consumer: each message is acked, but only
      // the last waits for the server's answer; the server takes a connection's acks in order. An
      // ack that is lost anyway makes the message come again after its ack wait, and the event id
      // keeps it to one event.
      for (const m of toAck) m.ack();
      if (!(await last.ackAck({ timeout: 5000 }))) throw new Error('JetStream did not confirm the ack');
    },
    async lag() {
      if (!consumer) return null;
      const info = await consumer.info(false);
      return info.num_pending + info.num_ack_pending;
    },
    async close() {
      clearInterval(progress);
      unacked.clear();
      await nc?.drain().catch(() => nc?.close());
    },
  };
}
