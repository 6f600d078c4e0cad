/**
 * Delivery receipts from providers: `POST /v1/receipts/{provider}`, where `provider` is the name of a
 * configured provider. Each request is authenticated by the provider's own signature scheme before
 * anything is read from it; a wrong or missing signature is a 401 and changes nothing.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { malformed, notFound, unauthorized } from '../../domain/errors.ts';
import type { Receipt, ReceiptStore } from '../../ports/receipts.ts';
import { parseTwilioStatus, verifyTwilioSignature } from '../../adapters/channels/twilio/twilio-receipts.ts';
import {
  parseSendGridEvents,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  sendGridKey,
  verifySendGridSignature,
} from '../../adapters/channels/sendgrid/sendgrid-receipts.ts';
import { createSnsVerifier, isSnsMessage, parseSesEvent } from '../../adapters/channels/ses/ses-receipts.ts';
import { errorResponses } from '../schemas.ts';
import {
  receiptAgeProblem,
  SENDGRID_RECEIPT_MAX_AGE_MS,
  SNS_RECEIPT_MAX_AGE_MS,
} from '../../domain/receipt-age.ts';

export type ReceiptEndpoint =
  | { type: 'twilio'; authToken: string }
  | { type: 'sendgrid'; publicKey: string }
  /** Only these SNS topics are heard; none listed, none are (any AWS account can sign SNS messages). */
  | { type: 'ses'; topicArns: readonly string[] };

export interface ReceiptRoutesDeps {
  receipts: ReceiptStore;
  /** By provider name. */
  endpoints: ReadonlyMap<string, ReceiptEndpoint>;
  /** Herald's public URL: Twilio signs the URL it called, which a proxy may have rewritten. */
  publicUrl?: string | undefined;
  /**
   * Twilio accounts of services' own credentials for provider `name` that may have sent `messageSid`:
   * each service with such a delivery whose stored credentials are for `accountSid`, with its token.
   */
  ownTwilioAccounts?: (
    name: string,
    messageSid: string,
    accountSid: string,
  ) => Promise<{ serviceId: string; authToken: string }[]>;
  snsCertUrlPattern: string;
  /** How SNS certificates and subscription confirmations are fetched (tests point it locally). */
  fetchText?: (url: string) => Promise<string>;
  now?: () => number;
}

/** Twilio's resource ids (`SM…`, `AC…`): two letters and 32 hex digits. Nothing else is looked up. */
const TWILIO_SID = /^[A-Z]{2}[0-9a-f]{32}$/i;

const header = (r: FastifyRequest, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function receiptsRoutes(deps: ReceiptRoutesDeps): FastifyPluginAsync {
  const sns = createSnsVerifier({
    certUrlPattern: deps.snsCertUrlPattern,
    ...(deps.fetchText ? { fetchText: deps.fetchText } : {}),
  });
  const fetchText =
    deps.fetchText ?? (async (url: string) => (await fetch(url, { redirect: 'error' })).text());
  const sendGridKeys = new Map<string, ReturnType<typeof sendGridKey>>();
  const now = deps.now ?? Date.now;
  const refuseOld = (signedAtMs: number, maxAgeMs: number) => {
    const problem = receiptAgeProblem(signedAtMs, now(), maxAgeMs);
    if (problem) throw unauthorized(`The receipt is refused: ${problem}.`);
  };

  async function receiptsFor(
    name: string,
    ep: ReceiptEndpoint,
    request: FastifyRequest,
    raw: string,
  ): Promise<Receipt[]> {
    if (ep.type === 'twilio') {
      const params = new URLSearchParams(raw);
      const base = deps.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
      const url = `${base}${request.url}`;
      const given = header(request, 'x-twilio-signature');
      let serviceId: string | undefined;
      if (!verifyTwilioSignature(ep.authToken, url, params, given)) {
        // Not the operator's account: a delivery sent with a service's own Twilio credentials is
        // reported, and signed, by that service's account, and may change that service's deliveries only.
        const sid = params.get('MessageSid') ?? params.get('SmsSid');
        const account = params.get('AccountSid');
        const candidates =
          given &&
          sid &&
          account &&
          TWILIO_SID.test(sid) &&
          TWILIO_SID.test(account) &&
          deps.ownTwilioAccounts
            ? await deps.ownTwilioAccounts(name, sid, account)
            : [];
        serviceId = candidates.find((own) =>
          verifyTwilioSignature(own.authToken, url, params, given),
        )?.serviceId;
        if (!serviceId) throw unauthorized('X-Twilio-Signature does not match.');
      }
      const r = parseTwilioStatus(name, params);
      return r ? [serviceId ? { ...r, serviceId } : r] : [];
    }
    if (ep.type === 'sendgrid') {
      let key = sendGridKeys.get(name);
      if (!key) sendGridKeys.set(name, (key = sendGridKey(ep.publicKey)));
      if (
        !verifySendGridSignature(
          key,
          raw,
          header(request, SENDGRID_SIGNATURE_HEADER),
          header(request, SENDGRID_TIMESTAMP_HEADER),
        )
      )
        throw unauthorized('The Event Webhook signature does not match.');
      // The timestamp is signed with the body, so it can be trusted once the signature holds.
      const ts = header(request, SENDGRID_TIMESTAMP_HEADER) ?? '';
      refuseOld(/^\d{1,12}$/.test(ts) ? Number(ts) * 1000 : NaN, SENDGRID_RECEIPT_MAX_AGE_MS);
      return parseSendGridEvents(name, parseBody(raw));
    }
    const m = parseBody(raw);
    if (!isSnsMessage(m)) throw malformed('The body is not an SNS message.');
    if (!(await sns.verify(m))) throw unauthorized('The SNS message signature does not verify.');
    if (!ep.topicArns.includes(m.TopicArn))
      throw unauthorized(
        `Topic ${m.TopicArn} is not in this provider's snsTopicArns; Herald hears only the topics listed there.`,
      );
    refuseOld(Date.parse(m.Timestamp), SNS_RECEIPT_MAX_AGE_MS);
    if (m.Type === 'SubscriptionConfirmation') {
      if (!m.SubscribeURL || !sns.allowedUrl(m.SubscribeURL))
        throw malformed('SubscribeURL is not an SNS URL.');
      await fetchText(m.SubscribeURL);
      return [];
    }
    if (m.Type !== 'Notification') return [];
    const r = parseSesEvent(name, m.Message);
    return r ? [r] : [];
  }

  return async (fastify) => {
    // Signatures cover the exact bytes received, so every body is kept as text here.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/v1/receipts/:provider',
      {
        schema: {
          tags: ['receipts'],
          summary: 'Delivery receipts from a provider (Twilio, SendGrid, SES via SNS), signature-checked.',
          params: Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }) }),
          response: {
            200: Type.Object({ received: Type.Integer(), applied: Type.Integer(), unknown: Type.Integer() }),
            ...errorResponses(400, 401, 404),
          },
        },
      },
      async (request) => {
        const name = request.params.provider;
        const ep = deps.endpoints.get(name);
        if (!ep) throw notFound('Receipt endpoint', name);
        const raw = typeof request.body === 'string' ? request.body : '';
        const receipts = await receiptsFor(name, ep, request, raw);
        let applied = 0;
        let unknown = 0;
        for (const r of receipts) {
          const outcome = await deps.receipts.apply(r);
          if (outcome === 'applied') applied++;
          if (outcome === 'unknown_delivery') unknown++;
        }
        return { received: receipts.length, applied, unknown };
      },
    );
  };
}

function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw malformed('The body is not valid JSON.');
  }
}
