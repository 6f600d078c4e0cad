/**
 * Slack incoming webhooks: the address is the webhook URL Slack issued for one channel
 * (`https://hooks.slack.com/services/T…/B…/…`); content is the webhook channel's `{ payload, url? }`, and
 * Slack gets the payload's `{ text, blocks? }`. Slack answers `ok`, or
 * a status with a short reason in the body (`invalid_payload`, `channel_is_archived`, `no_service`…).
 *
 * Both the base URL (operator config, or a service's own credentials) and the address are chosen by
 * people Herald does not trust with its network, so by default no send reaches a private, loopback,
 * link-local or metadata address (net/ssrf-guard.ts): such a send fails for good as
 * `webhook_url_refused`, as on the webhook channel.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import type { Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyHttpStatus, classifyNetworkError, createHttpClient } from '../http/undici-http.ts';

export interface SlackSettings {
  name: string;
  /** Only addresses under this base are sent to (default https://hooks.slack.com/). */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** Let sends reach private and loopback addresses (config `allowPrivateWebhookUrls`); off by default. */
  allowPrivate?: boolean | undefined;
}

export const SLACK_REASONS: Readonly<Record<string, { kind: SendFailure['kind']; code: string }>> = {
  invalid_payload: { kind: 'permanent', code: 'invalid_request' },
  no_text: { kind: 'permanent', code: 'invalid_request' },
  user_not_found: { kind: 'permanent', code: 'invalid_address' },
  channel_not_found: { kind: 'permanent', code: 'invalid_address' },
  channel_is_archived: { kind: 'permanent', code: 'invalid_address' },
  action_prohibited: { kind: 'permanent', code: 'forbidden' },
  posting_to_general_channel_denied: { kind: 'permanent', code: 'forbidden' },
  // The webhook was revoked or its app removed: this URL is dead for good.
  invalid_token: { kind: 'permanent', code: 'subscription_gone' },
  no_service: { kind: 'permanent', code: 'subscription_gone' },
  no_service_id: { kind: 'permanent', code: 'subscription_gone' },
  no_team: { kind: 'permanent', code: 'subscription_gone' },
  team_disabled: { kind: 'permanent', code: 'subscription_gone' },
};

export function classifySlackError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const reason = text.trim();
  const message = `Slack ${status}: ${reason.slice(0, 200)}`;
  const known = SLACK_REASONS[reason];
  if (known && status !== 429 && status < 500) return { ...known, message };
  return classifyHttpStatus(status, 'slack', message, headers['retry-after']);
}

/**
 * Whether `address` is a webhook under `base`: the same origin, no credentials, and a path inside the
 * base's path. Compared as parsed URLs, not text, so `https://hooks.slack.com.evil.example/` or
 * `https://hooks.slack.com@evil.example/` is not "under" `https://hooks.slack.com`.
 */
export function isUnderBase(address: string, base: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(address);
    b = new URL(base);
  } catch {
    return false;
  }
  if (a.origin !== b.origin || a.username || a.password) return false;
  const prefix = b.pathname.endsWith('/') ? b.pathname : `${b.pathname}/`;
  return a.pathname.startsWith(prefix) && a.pathname.length > prefix.length;
}

export function createSlackSender(s: SlackSettings): Sender<'webhook'> {
  const base = s.baseUrl ?? 'https://hooks.slack.com/';
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: !(s.allowPrivate ?? false) });
  return {
    name: s.name,
    channel: 'webhook',
    async send(m) {
      if (!isUnderBase(m.to, base)) {
        throw new ProviderError({
          kind: 'permanent',
          code: 'invalid_address',
          message: `Slack webhook URLs start with ${base}.`,
        });
      }
      const { text, blocks } = m.content.payload;
      let res;
      try {
        res = await http.send({
          url: m.to,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            text: typeof text === 'string' ? text : '',
            ...(blocks !== undefined ? { blocks } : {}),
          }),
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'Slack'), err);
      }
      if (res.status === 200) return { providerMessageId: null };
      throw new ProviderError(classifySlackError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
