/**
 * RabbitMQ status sink (amqplib): a confirm channel publishing persistent, `mandatory` messages to a
 * durable exchange (declared when missing). A batch counts as sent only when the broker has acked
 * every message of it, which for a durable queue means written to disk. A message no queue is bound
 * to take comes back (`basic.return`, before its ack): the batch fails rather than losing it, so an
 * exchange with no matching binding holds the publisher back (visible in its errors) instead of
 * dropping events. A lost connection fails the batch and is opened again at the next one.
 */
import * as amqp from 'amqplib';
import type { RabbitMqPublisherConfig } from '../../config-publishers.ts';
import type { StatusSink } from '../../ports/status-publisher.ts';
import { withinMs } from './confirm-timeout.ts';

export function rabbitMqSink(c: RabbitMqPublisherConfig): StatusSink {
  let conn: amqp.ChannelModel | undefined;
  let channel: amqp.ConfirmChannel | undefined;
  let opening: Promise<amqp.ConfirmChannel> | undefined;
  const returned = new Set<string>();

  const open = async (): Promise<amqp.ConfirmChannel> => {
    const next = await amqp.connect(c.url);
    try {
      const ch = await next.createConfirmChannel();
      await ch.assertExchange(c.exchange, c.exchangeType, { durable: true });
      const lost = () => {
        if (channel !== ch) return;
        channel = undefined;
        conn = undefined;
      };
      next.on('error', () => undefined);
      next.on('close', lost);
      ch.on('error', () => undefined);
      ch.on('close', lost);
      ch.on('return', (m: amqp.Message) => {
        const id: unknown = m.properties.messageId;
        if (typeof id === 'string') returned.add(id);
      });
      conn = next;
      channel = ch;
      return ch;
    } catch (err) {
      await next.close().catch(() => undefined);
      throw err;
    }
  };

  const ensure = async () => {
    if (channel) return channel;
    opening ??= open().finally(() => (opening = undefined));
    return opening;
  };

  const drop = async () => {
    const c0 = conn;
    channel = undefined;
    conn = undefined;
    await c0?.close().catch(() => undefined);
  };

  return {
    async start() {
      await ensure();
    },
    async publish(events) {
      const ch = await ensure();
      returned.clear();
      const confirms = events.map(
        (e) =>
          new Promise<void>((resolve, reject) => {
            ch.publish(
              c.exchange,
              e.address,
              Buffer.from(e.body),
              {
                persistent: true,
                mandatory: true,
                messageId: e.id,
                type: e.type,
                contentType: 'application/json',
                timestamp: Math.floor(e.occurredAt.getTime() / 1000),
                headers: { 'herald-service-id': e.serviceId },
              },
              (err: unknown) =>
                err
                  ? reject(err instanceof Error ? err : new Error('RabbitMQ nacked the message'))
                  : resolve(),
            );
          }),
      );
      try {
        await withinMs(c.confirmTimeoutMs, 'RabbitMQ publisher confirms', Promise.all(confirms));
      } catch (err) {
        // A channel that neither confirms nor closes is not trusted again.
        await drop();
        throw err;
      }
      const unroutable = events.filter((e) => returned.has(e.id));
      if (unroutable.length > 0)
        throw new Error(
          `RabbitMQ returned ${unroutable.length} message(s) no queue takes (exchange '${c.exchange}', ` +
            `routing key '${unroutable[0]!.address}'): bind a queue or narrow the publisher's events`,
        );
    },
    close: drop,
  };
}
