/**
 * Email through Amazon SES v2 `SendEmail`, signed with AWS Signature Version 4 (aws4). The delivery id
 * travels as the `delivery_id` message tag, which SES puts in every event it publishes.
 */
import aws4 from 'aws4';
import type { OutgoingMessage, Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyNetworkError, createHttpClient, parseJson } from '../http/undici-http.ts';
import { classifySesError } from './ses-errors.ts';

export interface SesSettings {
  name: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  from: string;
  configurationSet?: string | undefined;
  /** Defaults to https://email.<region>.amazonaws.com. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

export function sesBody(
  m: OutgoingMessage<'email'>,
  s: Pick<SesSettings, 'from' | 'configurationSet'>,
): Record<string, unknown> {
  const c = m.content;
  const body: Record<string, unknown> = {};
  if (c.text !== undefined) body.Text = { Data: c.text, Charset: 'UTF-8' };
  if (c.html !== undefined) body.Html = { Data: c.html, Charset: 'UTF-8' };
  return {
    FromEmailAddress: s.from,
    Destination: { ToAddresses: [m.to] },
    Content: { Simple: { Subject: { Data: c.subject ?? '', Charset: 'UTF-8' }, Body: body } },
    // Tag values allow only [A-Za-z0-9_-]; a UUID qualifies.
    EmailTags: [{ Name: 'delivery_id', Value: m.deliveryId }],
    ...(s.configurationSet ? { ConfigurationSetName: s.configurationSet } : {}),
  };
}

export function createSesSender(s: SesSettings): Sender<'email'> {
  const base = new URL(s.baseUrl ?? `https://email.${s.region}.amazonaws.com`);
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  const path = `${base.pathname.replace(/\/$/, '')}/v2/email/outbound-emails`;
  return {
    name: s.name,
    channel: 'email',
    async send(m) {
      const body = JSON.stringify(sesBody(m, s));
      const signed = aws4.sign(
        {
          host: base.host,
          path,
          method: 'POST',
          service: 'ses',
          region: s.region,
          headers: { 'content-type': 'application/json' },
          body,
        },
        {
          accessKeyId: s.accessKeyId,
          secretAccessKey: s.secretAccessKey,
          ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}),
        },
      );
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers ?? {})) {
        // undici sets Host and Content-Length itself from the URL and body.
        if (k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length') headers[k] = String(v);
      }
      let res;
      try {
        res = await http.send({ url: `${base.origin}${path}`, headers, body });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'SES'), err);
      }
      if (res.status === 200) {
        const ok = parseJson(res.text) as { MessageId?: string } | undefined;
        return { providerMessageId: ok?.MessageId ?? null };
      }
      throw new ProviderError(classifySesError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
