/**
 * What a message says, per channel. The API accepts these shapes (`ContentSchema` in http/schemas.ts)
 * for inline content and stored templates alike; the planner renders each string for its recipient and
 * stores the result as JSON with the delivery, and the lane hands it to the channel's senders typed by
 * its channel (app/dispatch.ts). Fields beyond the API's are provider settings a sender honours when
 * present, in content made by Herald itself or by a caller of the sender.
 *
 * Types, not interfaces: content is also handled as plain JSON (`Record<string, unknown>`), which an
 * interface is not assignable to.
 */

export type EmailContent = {
  subject: string;
  text?: string;
  html?: string;
  /** Extra mail headers: the planner adds List-Unsubscribe to commercial mail (unsubscribe.ts). */
  headers?: Record<string, string>;
};

export type SmsContent = {
  text: string;
};

export type PushContent = {
  /** The API requires both; a silent push (APNs `content-available`, an FCM data message) has neither. */
  title?: string;
  body?: string;
  data?: Record<string, unknown>;
  /** APNs: the sound, the badge count, and extra `aps` keys (`content-available`, `thread-id`). */
  sound?: string;
  badge?: number;
  aps?: Record<string, unknown>;
  /** APNs request headers: `apns-push-type`, `apns-priority`, `apns-expiration` (Unix seconds), `apns-collapse-id`. */
  pushType?: string;
  priority?: 5 | 10 | 1;
  expiration?: number;
  collapseId?: string;
  /** FCM: the platform overrides of its v1 message, passed through as given. */
  android?: unknown;
  apns?: unknown;
  webpush?: unknown;
};

export type WebPushContent = {
  title: string;
  body: string;
  url?: string;
  icon?: string;
  /** RFC 8030 delivery settings: how urgent, which earlier message it replaces, how long to keep it. */
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
  topic?: string;
  ttlSeconds?: number;
};

export type InAppContent = {
  title: string;
  body: string;
  actionUrl?: string;
  collapseKey?: string;
  ttlSeconds?: number;
  data?: Record<string, unknown>;
};

export type WebhookContent = {
  /** The JSON posted (a Slack destination reads `text` and `blocks` from it). */
  payload: Record<string, unknown>;
  /** Where to POST it; else the recipient's `webhookUrl` attribute. */
  url?: string;
};

/** Each channel's content; ports/sender.ts indexes it by every channel, so none can be missing. */
export interface ChannelContent {
  email: EmailContent;
  sms: SmsContent;
  push: PushContent;
  web_push: WebPushContent;
  in_app: InAppContent;
  webhook: WebhookContent;
}
