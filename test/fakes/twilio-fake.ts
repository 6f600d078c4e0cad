/**
 * A local Twilio Messages API: basic auth with the Account SID and auth token, form fields as Twilio
 * requires them (To, Body, From or MessagingServiceSid), 201 with an `SM…` sid, or Twilio's error JSON.
 */
import { randomBytes } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Reply } from './fake-http.ts';

const twilioError = (
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export const TWILIO_SCENARIOS = {
  invalid_address: twilioError(400, 21211, "The 'To' number +1555 is not a valid phone number."),
  recipient_unsubscribed: twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  unsupported_destination: twilioError(
    400,
    21408,
    'Permission to send an SMS has not been enabled for the region',
  ),
  not_mobile: twilioError(400, 21614, "'To' number is not a valid mobile number"),
  server_error: twilioError(500, 20500, 'Internal Server Error'),
  rate_limited: twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '120' }),
} satisfies Record<string, Reply>;

export type TwilioScenario = keyof typeof TWILIO_SCENARIOS;

export async function startTwilioFake(
  accountSid: string,
  authToken: string,
): Promise<FakeHttp<TwilioScenario>> {
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  return startFakeHttp<TwilioScenario>({
    scenarios: TWILIO_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || req.path !== `/2010-04-01/Accounts/${accountSid}/Messages.json`)
        return twilioError(404, 20404, 'The requested resource was not found');
      if (header(req, 'authorization') !== expectedAuth) return twilioError(401, 20003, 'Authenticate');
      if (header(req, 'content-type') !== 'application/x-www-form-urlencoded')
        return twilioError(400, 21602, 'Message body is required.');
      const form = new URLSearchParams(req.body);
      if (!form.get('To')) return twilioError(400, 21604, "A 'To' phone number is required.");
      if (!form.get('From') && !form.get('MessagingServiceSid'))
        return twilioError(400, 21603, "A 'From' phone number is required.");
      if (!form.get('Body')) return twilioError(400, 21602, 'Message body is required.');
      return null;
    },
    success: (req) => {
      const form = new URLSearchParams(req.body);
      return {
        status: 201,
        body: {
          sid: `SM${randomBytes(16).toString('hex')}`,
          account_sid: accountSid,
          to: form.get('To'),
          from: form.get('From'),
          body: form.get('Body'),
          status: 'queued',
          num_segments: '1',
        },
      };
    },
  });
}
