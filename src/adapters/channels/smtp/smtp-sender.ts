/**
 * Email over SMTP with nodemailer's pooled transport. SMTP replies are classified by their code:
 * 4xx is a temporary refusal (retry), 5xx a permanent one (do not), connection faults are transient.
 * nodemailer is loaded at the first send, not at start: an idle Herald does not carry it.
 */
import type { Transporter } from 'nodemailer';
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { ProviderError, type OutgoingMessage, type Sender } from '../../../ports/sender.ts';

export interface SmtpSettings {
  name: string;
  /** `smtp://user:pass@host:port` or `smtps://…`; or give host/port below. */
  url?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  secure?: boolean | undefined;
  user?: string | undefined;
  pass?: string | undefined;
  from: string;
  maxConnections?: number | undefined;
  timeoutMs?: number | undefined;
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/**
 * A permanent refusal that names the address (RFC 3463 class 5.1.x: bad mailbox 5.1.1, bad domain
 * 5.1.2, bad syntax 5.1.3, no mail accepted 5.1.10), as a server answers at RCPT TO: the address is
 * wrong, not this message, so it gets the code every channel uses for that (`invalid_address`).
 * Other 5xx (a policy or spam refusal, 5.7.x) stay `smtp_<code>`, and so does a refusal of the
 * sender's address (5.1.7 and 5.1.8, or any refusal of `MAIL FROM`): that is Herald's own `from`,
 * not the recipient's address.
 */
const ADDRESS_STATUS = /(?:^|\s)5\.1\.(?!7(?:\s|$)|8(?:\s|$))\d{1,3}(?:\s|$)/;

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETLS',
]);

export function classifySmtpError(err: unknown): SendFailure {
  const e = err as SmtpError;
  const message = e?.response ?? e?.message ?? String(err);
  if (typeof e?.responseCode === 'number') {
    const rc = e.responseCode;
    if (rc === 421 || rc === 450 || rc === 451 || rc === 452 || (rc >= 400 && rc < 500)) {
      return { kind: 'transient', code: `smtp_${rc}`, message };
    }
    if (rc >= 500 && e.command !== 'MAIL FROM' && ADDRESS_STATUS.test(message))
      return { kind: 'permanent', code: 'invalid_address', message };
    if (rc >= 500) return { kind: 'permanent', code: `smtp_${rc}`, message };
  }
  if (e?.code === 'EENVELOPE') return { kind: 'permanent', code: 'invalid_address', message };
  if (e?.code === 'EMESSAGE') return { kind: 'permanent', code: 'invalid_message', message };
  if (e?.code === 'EAUTH') return { kind: 'transient', code: 'smtp_auth_failed', message };
  if (e?.code && CONNECTION_CODES.has(e.code)) return { kind: 'transient', code: 'smtp_connection', message };
  return { kind: 'transient', code: 'smtp_error', message };
}

export function createSmtpSender(s: SmtpSettings): Sender<'email'> {
  const timeout = s.timeoutMs ?? 30_000;
  const common = {
    pool: true,
    maxConnections: s.maxConnections ?? 5,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  };
  // The URL is checked now, so a bad one fails at start rather than at the first send.
  const options = s.url
    ? { ...parseSmtpUrl(s.url), ...common }
    : {
        host: s.host,
        port: s.port ?? 587,
        secure: s.secure ?? false,
        ...(s.user ? { auth: { user: s.user, pass: s.pass ?? '' } } : {}),
        ...common,
      };
  let opened: Promise<Transporter> | undefined;
  const open = () =>
    (opened ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options)));
  return {
    name: s.name,
    channel: 'email',
    async send(m: OutgoingMessage<'email'>) {
      const c = m.content;
      try {
        const transport = await open();
        const info = await transport.sendMail({
          from: s.from,
          to: m.to,
          subject: c.subject ?? '',
          ...(c.text !== undefined ? { text: c.text } : {}),
          ...(c.html !== undefined ? { html: c.html } : {}),
          messageId: `<${m.deliveryId}@herald>`,
          headers: {
            ...extraHeaders(c.headers),
            'X-Herald-Delivery-Id': m.deliveryId,
            'X-Herald-Notification-Id': m.notificationId,
          },
        });
        return { providerMessageId: info.messageId ?? null };
      } catch (err) {
        throw new ProviderError(classifySmtpError(err), err);
      }
    },
    async close() {
      if (opened) (await opened).close();
    },
  };
}

/**
 * Headers the planner put in the content (List-Unsubscribe and the like). Only well-formed names and
 * single-line values pass, so content can never inject a header of its own or override the envelope.
 */
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const RESERVED = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'message-id', 'date', 'sender', 'reply-to']);
export function extraHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || RESERVED.has(name.toLowerCase())) continue;
    if (typeof value !== 'string' || /[\r\n]/.test(value) || value.length > 2000) continue;
    out[name] = value;
  }
  return out;
}

function parseSmtpUrl(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  if (u.protocol !== 'smtp:' && !secure)
    throw new Error(`SMTP URL must start with smtp:// or smtps://, got ${u.protocol}`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    ...(u.searchParams.get('ignoreTLS') === 'true' ? { ignoreTLS: true } : {}),
    ...(u.searchParams.get('rejectUnauthorized') === 'false' ? { tls: { rejectUnauthorized: false } } : {}),
  };
}
