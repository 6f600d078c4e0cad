/**
 * A local Vonage SMS API (`/sms/json`): checks api_key/api_secret and the required fields, and always
 * answers HTTP 200 with per-message statuses, as Vonage does (except a 429 when told to throttle HTTP).
 */
import { randomBytes } from 'node:crypto';
import { startFakeHttp, type FakeHttp, type Reply } from './fake-http.ts';

const status = (s: string, text: string): Reply => ({
  status: 200,
  body: { 'message-count': '1', messages: [{ status: s, 'error-text': text }] },
});

export const VONAGE_SCENARIOS = {
  throttled: status('1', 'Throttled'),
  missing_params: status('2', 'Missing to param'),
  invalid_params: status('3', 'Invalid to param'),
  invalid_message: status('6', 'Unroutable message - rejected'),
  number_barred: status('7', 'Number barred'),
  internal_error: status('5', 'Internal Error'),
  http_429: { status: 429, headers: { 'retry-after': '120' }, body: 'Too Many Requests' },
} satisfies Record<string, Reply>;

export type VonageScenario = keyof typeof VONAGE_SCENARIOS;

export async function startVonageFake(apiKey: string, apiSecret: string): Promise<FakeHttp<VonageScenario>> {
  return startFakeHttp<VonageScenario>({
    scenarios: VONAGE_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || req.path !== '/sms/json') return { status: 404, body: 'Not Found' };
      const form = new URLSearchParams(req.body);
      if (form.get('api_key') !== apiKey || form.get('api_secret') !== apiSecret)
        return status('4', 'Bad Credentials');
      if (!form.get('from') || !form.get('to') || !form.get('text')) return status('2', 'Missing Parameters');
      if (!/^\d{6,15}$/.test(form.get('to') ?? '')) return status('3', 'Invalid to param');
      return null;
    },
    success: (req) => {
      const form = new URLSearchParams(req.body);
      return {
        status: 200,
        body: {
          'message-count': '1',
          messages: [
            {
              to: form.get('to'),
              'message-id': randomBytes(16).toString('hex'),
              status: '0',
              'remaining-balance': '3.14',
              'message-price': '0.03330000',
              network: '12345',
              'client-ref': form.get('client-ref'),
            },
          ],
        },
      };
    },
  });
}
