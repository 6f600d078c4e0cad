/**
 * A local Plivo Message API (`POST /v1/Account/{auth_id}/Message/`): basic auth with the Auth ID and
 * auth token, a JSON body with `dst`, `text` and `src` or `powerpack_uuid`, 202 with `message_uuid`,
 * or Plivo's error JSON `{ api_id, error }`.
 */
import { randomUUID } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

const plivoError = (status: number, error: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { api_id: randomUUID(), error },
});

export const PLIVO_SCENARIOS = {
  invalid_dst: plivoError(400, 'invalid dst'),
  invalid_src: plivoError(400, 'src parameter is invalid'),
  bad_request: plivoError(400, 'message could not be queued'),
  unauthorized: plivoError(401, 'authentication failed'),
  rate_limited: plivoError(429, 'too many requests', { 'retry-after': '120' }),
  server_error: plivoError(500, 'internal server error'),
} satisfies Record<string, Reply>;

export type PlivoScenario = keyof typeof PLIVO_SCENARIOS;

/** The message a request carried, as Plivo reads it. */
export interface PlivoMessage {
  src?: string;
  powerpack_uuid?: string;
  dst?: string;
  text?: string;
  type?: string;
}

export const plivoMessage = (req: Recorded): PlivoMessage => {
  try {
    return JSON.parse(req.body) as PlivoMessage;
  } catch {
    return {};
  }
};

export async function startPlivoFake(
  authId: string,
  authToken: string,
): Promise<FakeHttp<PlivoScenario> & { messages: PlivoMessage[] }> {
  const expectedAuth = `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`;
  const messages: PlivoMessage[] = [];
  const fake = await startFakeHttp<PlivoScenario>({
    scenarios: PLIVO_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || req.path !== `/v1/Account/${authId}/Message/`)
        return plivoError(404, 'not found');
      if (header(req, 'authorization') !== expectedAuth) return plivoError(401, 'authentication failed');
      if (!header(req, 'content-type')?.startsWith('application/json'))
        return plivoError(400, 'content type must be application/json');
      const m = plivoMessage(req);
      if (!m.dst) return plivoError(400, 'dst parameter not present');
      if (!/^\+?\d{6,15}$/.test(m.dst)) return plivoError(400, 'invalid dst');
      if (!m.src && !m.powerpack_uuid) return plivoError(400, 'src parameter not present');
      if (!m.text) return plivoError(400, 'text parameter not present');
      return null;
    },
    success: (req) => {
      messages.push(plivoMessage(req));
      return {
        status: 202,
        body: { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [randomUUID()] },
      };
    },
  });
  return Object.assign(fake, { messages });
}
