/**
 * A delivery status change (a `delivery_status_log` row) as the message a status publisher sends to
 * a broker. The event id is `evt_<log id>`, the same id the status webhooks send as `webhook-id`, so
 * a consumer of both drops a duplicate by it. The body is the webhook body with `id` and `serviceId`
 * added, since a broker carries every service's events.
 */
import type { StatusEvent } from './status-events.ts';

export interface StatusLogRow {
  logId: string;
  serviceId: string;
  deliveryId: string;
  notificationId: string;
  notificationType: string | null;
  recipientId: string | null;
  channel: string;
  provider: string | null;
  status: string;
  reason: string | null;
  attempts: number | null;
  occurredAt: Date;
}

export interface OutboundStatusEvent {
  id: string;
  type: StatusEvent;
  serviceId: string;
  /** Routing key, subject or stream key. */
  address: string;
  occurredAt: Date;
  body: Uint8Array;
}

export const statusEventId = (logId: string) => `evt_${logId}`;

/** The template with `{event}`, `{service}` and `{channel}` put in. */
export function renderAddress(
  template: string,
  values: { event: string; service: string; channel: string },
): string {
  return template.replace(/\{(event|service|channel)\}/g, (_, k: keyof typeof values) => values[k]);
}

const encoder = new TextEncoder();

export function outboundStatusEvent(row: StatusLogRow, addressTemplate: string): OutboundStatusEvent {
  const type = `delivery.${row.status}` as StatusEvent;
  const id = statusEventId(row.logId);
  const body = {
    id,
    type,
    timestamp: row.occurredAt.toISOString(),
    serviceId: row.serviceId,
    data: {
      deliveryId: row.deliveryId,
      notificationId: row.notificationId,
      notificationType: row.notificationType,
      recipientId: row.recipientId,
      channel: row.channel,
      status: row.status,
      provider: row.provider,
      reason: row.reason,
      attempts: row.attempts,
    },
  };
  return {
    id,
    type,
    serviceId: row.serviceId,
    address: renderAddress(addressTemplate, { event: type, service: row.serviceId, channel: row.channel }),
    occurredAt: row.occurredAt,
    body: encoder.encode(JSON.stringify(body)),
  };
}
