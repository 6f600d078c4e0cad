/**
 * A local SendGrid v3 Mail Send endpoint: checks the bearer key and the JSON body as SendGrid does,
 * answers 202 with an `X-Message-Id`, or any of the documented errors on request.
 */
import { randomBytes } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

const err = (message: string, field: string | null = null) => ({ errors: [{ message, field, help: null }] });

export const SENDGRID_SCENARIOS = {
  invalid_address: {
    status: 400,
    body: err('Does not contain a valid address.', 'personalizations.0.to.0.email'),
  },
  invalid_request: {
    status: 400,
    body: err('The content value must be a string at least one character in length.', 'content.0.value'),
  },
  payload_too_large: {
    status: 413,
    body: err('The JSON payload you have included in your request is too large.'),
  },
  unverified_sender: {
    status: 403,
    body: err('The from address does not match a verified Sender Identity.', 'from'),
  },
  server_error: { status: 500, body: err('Internal server error') },
  rate_limited: { status: 429, headers: { 'retry-after': '120' }, body: err('too many requests') },
} satisfies Record<string, Reply>;

export type SendGridScenario = keyof typeof SENDGRID_SCENARIOS;

export async function startSendGridFake(apiKey: string): Promise<FakeHttp<SendGridScenario>> {
  return startFakeHttp<SendGridScenario>({
    scenarios: SENDGRID_SCENARIOS,
    check(req: Recorded) {
      if (req.method !== 'POST' || req.path !== '/v3/mail/send')
        return { status: 404, body: err('not found') };
      if (header(req, 'authorization') !== `Bearer ${apiKey}`)
        return { status: 401, body: err('The provided authorization grant is invalid, expired, or revoked') };
      if (!header(req, 'content-type')?.startsWith('application/json'))
        return { status: 415, body: err('Content-Type should be application/json.') };
      let body: any;
      try {
        body = JSON.parse(req.body);
      } catch {
        return { status: 400, body: err('Bad Request') };
      }
      if (!body?.personalizations?.[0]?.to?.[0]?.email) return SENDGRID_SCENARIOS.invalid_address;
      if (!body.from?.email) return { status: 400, body: err('The from object must be provided.', 'from') };
      if (typeof body.subject !== 'string')
        return { status: 400, body: err('The subject is required.', 'subject') };
      if (
        !Array.isArray(body.content) ||
        body.content.some((c: any) => !c.type || typeof c.value !== 'string' || !c.value)
      )
        return SENDGRID_SCENARIOS.invalid_request;
      return null;
    },
    success: () => ({
      status: 202,
      headers: { 'x-message-id': randomBytes(11).toString('base64url') },
      body: '',
    }),
  });
}
